// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolStorageFactory} from "./interfaces/IPoolStorageFactory.sol";
import {IPoolStorage} from "./interfaces/IPoolStorage.sol";
import {PoolStorage} from "./PoolStorage.sol";
import {PoolLogic} from "./PoolLogic.sol";
import {NodeAccounting as A} from "./libraries/NodeAccounting.sol";

/// @title PoolStorageFactory
/// @notice See `IPoolStorageFactory`.
contract PoolStorageFactory is IPoolStorageFactory, PoolLogic {
    constructor(IPoolStorage pool) PoolLogic(pool) {}

    /// @inheritdoc IPoolStorageFactory
    function createStorage(address node) external override returns (address nodeStorage) {
        if (!POOL.isLogic(msg.sender)) revert NotLogic(msg.sender);
        bytes32 key = A.storageKey(node);
        address existing = POOL.getAddress(key);
        if (existing != address(0)) revert StorageExists(node, existing);
        nodeStorage = address(new PoolStorage(LINK, address(POOL), address(0), 0));
        POOL.setAddress(key, nodeStorage);
        emit StorageCreated(node, nodeStorage);
    }
}
