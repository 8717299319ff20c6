// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolLogic} from "./IPoolLogic.sol";

/// @title IPoolStorageFactory
/// @notice Creates a node's `PoolStorage` and records its address in the pool's storage, not in
/// itself (the §6.4.2 fix: the original kept the list in this unupgradable contract). Registered
/// as `"PoolStorageFactory"`; only logic contracts (`NodeFactory`) may call it.
interface IPoolStorageFactory is IPoolLogic {
    /// @notice The caller is not a current logic contract of the pool.
    error NotLogic(address caller);
    /// @notice `node` already has a storage.
    error StorageExists(address node, address nodeStorage);

    /// @notice A storage was created for `node`.
    event StorageCreated(address indexed node, address indexed nodeStorage);

    /// @notice Creates `node`'s storage and records it in the pool's storage.
    function createStorage(address node) external returns (address nodeStorage);
}
