// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ILinkToken} from "./interfaces/ILinkToken.sol";
import {IERC677Receiver} from "./interfaces/IERC677Receiver.sol";

/// @title LinkToken
/// @notice Fixed-supply ERC-20 with ERC-677 `transferAndCall`, used as LINK on dev chains and tests.
/// @dev The whole supply (1e27 juels = 1 billion LINK) is minted to the deployer. There is no owner,
/// no mint, no burn and no pause: nobody holds a privilege over this contract. Like Chainlink's LINK,
/// transfers to the zero address or to the token itself are rejected.
contract LinkToken is ILinkToken {
    /// @notice Total supply minted at deployment: one billion LINK.
    uint256 public constant TOTAL_SUPPLY = 1e27;

    mapping(address account => uint256 juels) private s_balances;
    mapping(address owner => mapping(address spender => uint256 juels)) private s_allowances;

    /// @notice A transfer or allowance spend exceeds what is available.
    /// @param account The account debited.
    /// @param available What it has (balance or allowance).
    /// @param needed What the operation asked for.
    error InsufficientFunds(address account, uint256 available, uint256 needed);

    /// @notice The recipient is the zero address or the token contract itself.
    /// @param recipient The rejected recipient.
    error InvalidRecipient(address recipient);

    /// @notice Mints the whole supply to the deployer.
    constructor() {
        s_balances[msg.sender] = TOTAL_SUPPLY;
        emit Transfer(address(0), msg.sender, TOTAL_SUPPLY);
    }

    /// @inheritdoc ILinkToken
    function name() external pure returns (string memory) {
        return "ChainLink Token";
    }

    /// @inheritdoc ILinkToken
    function symbol() external pure returns (string memory) {
        return "LINK";
    }

    /// @inheritdoc ILinkToken
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @inheritdoc ILinkToken
    function totalSupply() external pure returns (uint256) {
        return TOTAL_SUPPLY;
    }

    /// @inheritdoc ILinkToken
    function balanceOf(address account) external view returns (uint256) {
        return s_balances[account];
    }

    /// @inheritdoc ILinkToken
    function allowance(address owner, address spender) external view returns (uint256) {
        return s_allowances[owner][spender];
    }

    /// @inheritdoc ILinkToken
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc ILinkToken
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = s_allowances[from][msg.sender];
        // An infinite allowance is never decreased (saves a write for routers).
        if (allowed != type(uint256).max) {
            if (allowed < value) revert InsufficientFunds(msg.sender, allowed, value);
            unchecked {
                s_allowances[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    /// @inheritdoc ILinkToken
    function approve(address spender, uint256 value) external returns (bool) {
        s_allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc ILinkToken
    function transferAndCall(address to, uint256 value, bytes calldata data) external returns (bool) {
        _transfer(msg.sender, to, value);
        emit Transfer(msg.sender, to, value, data);
        if (to.code.length != 0) {
            IERC677Receiver(to).onTokenTransfer(msg.sender, value, data);
        }
        return true;
    }

    function _transfer(address from, address to, uint256 value) private {
        if (to == address(0) || to == address(this)) revert InvalidRecipient(to);
        uint256 balance = s_balances[from];
        if (balance < value) revert InsufficientFunds(from, balance, value);
        unchecked {
            // Cannot overflow: the sum of all balances is the fixed TOTAL_SUPPLY < 2^256.
            s_balances[from] = balance - value;
            s_balances[to] += value;
        }
        emit Transfer(from, to, value);
    }
}
