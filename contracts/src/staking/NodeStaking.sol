// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INodeStaking} from "./interfaces/INodeStaking.sol";
import {IPoolStorage} from "./interfaces/IPoolStorage.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";
import {PoolLogic} from "./PoolLogic.sol";
import {NodeAccounting as A} from "./libraries/NodeAccounting.sol";

/// @title NodeStaking
/// @notice The stakers' entry point; see `INodeStaking`.
contract NodeStaking is INodeStaking, PoolLogic {
    constructor(IPoolStorage pool) PoolLogic(pool) {}

    /// @inheritdoc INodeStaking
    function stake(address node, uint256 amount) external override nonReentrant {
        IPoolStorage s = A.storageOf(POOL, node);
        // The token is the pool's LINK (trusted, no callback on transferFrom); the stake is
        // recorded only once the LINK is in the node's storage.
        if (!ILinkToken(LINK).transferFrom(msg.sender, address(s), amount)) {
            revert StakeTransferFailed(msg.sender, amount);
        }
        _record(s, node, msg.sender, amount);
    }

    /// @notice `LINK.transferAndCall(this, amount, abi.encode(node))` stakes `amount` for the
    /// sender.
    function onTokenTransfer(address sender, uint256 amount, bytes calldata data) external override nonReentrant {
        if (msg.sender != LINK) revert NotLink(msg.sender);
        if (data.length != 32) revert InvalidStakeData(data);
        address node = abi.decode(data, (address));
        IPoolStorage s = A.storageOf(POOL, node);
        if (!ILinkToken(LINK).transfer(address(s), amount)) revert StakeTransferFailed(sender, amount);
        _record(s, node, sender, amount);
    }

    function _record(IPoolStorage s, address node, address staker, uint256 amount) private {
        uint256 shares = A.stake(s, node, staker, amount);
        emit Staked(node, staker, amount, shares);
    }
}
