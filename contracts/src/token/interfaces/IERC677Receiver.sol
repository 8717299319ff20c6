// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IERC677Receiver
/// @notice Implemented by contracts that accept ERC-677 `transferAndCall` payments.
interface IERC677Receiver {
    /// @notice Called by the token after `amount` tokens moved from `sender` to this contract.
    /// @dev The token has already credited this contract when the call arrives; reverting undoes
    /// the whole transfer.
    /// @param sender The account that called `transferAndCall`.
    /// @param amount The number of tokens transferred, in the token's smallest unit.
    /// @param data The payload the sender attached.
    function onTokenTransfer(address sender, uint256 amount, bytes calldata data) external;
}
