// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC677Receiver} from "../../token/interfaces/IERC677Receiver.sol";
import {IPoolLogic} from "./IPoolLogic.sol";

/// @title INodeStaking
/// @notice The stakers' entry point (LinkPool whitepaper §6.1): puts LINK behind a pool node.
/// The LINK goes straight to the node's `PoolStorage`, and the stake is recorded there as shares
/// (`NodeAccounting`). Two ways in: `LINK.transferAndCall(nodeStaking, amount, abi.encode(node))`,
/// or `LINK.approve(nodeStaking, amount)` then `stake(node, amount)`. Registered as
/// `"NodeStaking"`. It has no privileged function.
interface INodeStaking is IPoolLogic, IERC677Receiver {
    /// @notice The caller is not the LINK token.
    error NotLink(address caller);
    /// @notice `transferAndCall` data that is not `abi.encode(address node)`.
    error InvalidStakeData(bytes data);
    /// @notice A LINK transfer into the node's storage failed.
    error StakeTransferFailed(address staker, uint256 amount);

    /// @notice `staker` put `amount` juels behind `node` and got `shares`.
    event Staked(address indexed node, address indexed staker, uint256 amount, uint256 shares);

    /// @notice Stakes `amount` juels the caller approved to this contract.
    function stake(address node, uint256 amount) external;
}
