// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolStorage} from "./interfaces/IPoolStorage.sol";
import {IPoolLogic} from "./interfaces/IPoolLogic.sol";

/// @title PoolLogic
/// @notice The shared part of the staking suite's logic contracts; see `IPoolLogic`.
abstract contract PoolLogic is IPoolLogic {
    /// @inheritdoc IPoolLogic
    IPoolStorage public immutable override POOL;
    /// @inheritdoc IPoolLogic
    address public immutable override LINK;

    bool private transient t_locked;

    constructor(IPoolStorage pool) {
        POOL = pool;
        LINK = pool.LINK();
    }

    modifier onlyAdmin() {
        if (msg.sender != POOL.admin()) revert NotAdmin(msg.sender);
        _;
    }

    modifier nonReentrant() {
        if (t_locked) revert ReentrantCall();
        t_locked = true;
        _;
        t_locked = false;
    }
}
