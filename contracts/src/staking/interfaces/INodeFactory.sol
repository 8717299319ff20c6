// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolLogic} from "./IPoolLogic.sol";

/// @title INodeFactory
/// @notice Creates pool nodes: a storage (through `PoolStorageFactory`), the node's default
/// settings, and its entry in the pool's node list. Registered as `"NodeFactory"`; called by
/// `LinkPool.createNode`, or by any logic contract.
interface INodeFactory is IPoolLogic {
    /// @notice The caller is not a current logic contract of the pool.
    error NotLogic(address caller);
    /// @notice A node address of zero.
    error ZeroNode();
    /// @notice A registry entry the factory needs is missing.
    error MissingContract(bytes32 name);

    /// @notice `node` became a pool node with its storage at `nodeStorage`.
    event NodeCreated(address indexed node, address indexed nodeStorage, uint256 index);

    /// @notice A new node's stake limit: 20,000 LINK (LinkPool whitepaper §5).
    function DEFAULT_STAKE_LIMIT() external view returns (uint256);
    /// @notice A new node's makers' percentage: 25 % (the 75/25 stakers/owners split of §5).
    function DEFAULT_MAKERS_BPS() external view returns (uint256);

    /// @notice Creates the pool node `node`. Logic contracts only.
    function createNode(address node) external returns (address nodeStorage);
}
