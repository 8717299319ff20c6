// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILinkToken
/// @notice The ERC-20 + ERC-677 surface of the LINK token that oracle contracts and consumers use.
/// @dev Matches the function and event signatures of Chainlink's LINK so either token works with
/// our Operator and ChainlinkClient.
interface ILinkToken {
    /// @notice Emitted on every balance movement (ERC-20).
    /// @param from The account debited (zero for the initial mint).
    /// @param to The account credited.
    /// @param value The amount moved.
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice Emitted by `transferAndCall` in addition to the ERC-20 `Transfer` (ERC-677).
    /// @param from The account debited.
    /// @param to The account credited.
    /// @param value The amount moved.
    /// @param data The payload passed to the recipient.
    event Transfer(address indexed from, address indexed to, uint256 value, bytes data);

    /// @notice Emitted when an allowance is set (ERC-20).
    /// @param owner The account whose tokens may be spent.
    /// @param spender The account allowed to spend them.
    /// @param value The new allowance.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice Token name.
    /// @return The name.
    function name() external view returns (string memory);

    /// @notice Token symbol.
    /// @return The symbol.
    function symbol() external view returns (string memory);

    /// @notice Number of decimals of the smallest unit (18: one LINK is 1e18 juels).
    /// @return The decimals.
    function decimals() external view returns (uint8);

    /// @notice Total number of juels in existence.
    /// @return The supply.
    function totalSupply() external view returns (uint256);

    /// @notice Balance of `account`.
    /// @param account The account to query.
    /// @return The balance in juels.
    function balanceOf(address account) external view returns (uint256);

    /// @notice How much `spender` may still move out of `owner`'s balance.
    /// @param owner The account holding the tokens.
    /// @param spender The account allowed to spend.
    /// @return The remaining allowance.
    function allowance(address owner, address spender) external view returns (uint256);

    /// @notice Moves `value` juels from the caller to `to`.
    /// @param to The recipient; neither the zero address nor the token itself.
    /// @param value The amount.
    /// @return success Always true (failures revert).
    function transfer(address to, uint256 value) external returns (bool success);

    /// @notice Moves `value` juels from `from` to `to` using the caller's allowance.
    /// @param from The account debited.
    /// @param to The recipient; neither the zero address nor the token itself.
    /// @param value The amount.
    /// @return success Always true (failures revert).
    function transferFrom(address from, address to, uint256 value) external returns (bool success);

    /// @notice Sets the caller's allowance for `spender` to `value`.
    /// @param spender The account allowed to spend.
    /// @param value The new allowance.
    /// @return success Always true.
    function approve(address spender, uint256 value) external returns (bool success);

    /// @notice Transfers `value` to `to` and, when `to` is a contract, calls its `onTokenTransfer`.
    /// @param to The recipient.
    /// @param value The amount.
    /// @param data The payload forwarded to the recipient.
    /// @return success Always true (failures, including a reverting recipient, revert).
    function transferAndCall(address to, uint256 value, bytes calldata data) external returns (bool success);
}
