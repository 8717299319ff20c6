// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INodeFactory} from "./interfaces/INodeFactory.sol";
import {INode} from "./interfaces/INode.sol";
import {IPoolStorage} from "./interfaces/IPoolStorage.sol";
import {IPoolStorageFactory} from "./interfaces/IPoolStorageFactory.sol";
import {PoolLogic} from "./PoolLogic.sol";
import {NodeAccounting as A} from "./libraries/NodeAccounting.sol";

/// @title NodeFactory
/// @notice See `INodeFactory`.
contract NodeFactory is INodeFactory, PoolLogic {
    /// @inheritdoc INodeFactory
    uint256 public constant override DEFAULT_STAKE_LIMIT = 20_000 ether;
    /// @inheritdoc INodeFactory
    uint256 public constant override DEFAULT_MAKERS_BPS = 2_500;

    bytes32 private constant STORAGE_FACTORY = keccak256("PoolStorageFactory");

    constructor(IPoolStorage pool) PoolLogic(pool) {}

    /// @inheritdoc INodeFactory
    function createNode(address node) external override returns (address nodeStorage) {
        if (!POOL.isLogic(msg.sender)) revert NotLogic(msg.sender);
        if (node == address(0)) revert ZeroNode();
        address factory = POOL.contractAddress(STORAGE_FACTORY);
        if (factory == address(0)) revert MissingContract(STORAGE_FACTORY);
        nodeStorage = IPoolStorageFactory(factory).createStorage(node);
        IPoolStorage s = IPoolStorage(nodeStorage);
        bytes32[] memory keys = new bytes32[](3);
        uint256[] memory values = new uint256[](3);
        (keys[0], values[0]) = (A.STATUS, uint256(INode.NodeStatus.Active));
        (keys[1], values[1]) = (A.STAKE_LIMIT, DEFAULT_STAKE_LIMIT);
        (keys[2], values[2]) = (A.MAKERS_BPS, DEFAULT_MAKERS_BPS);
        s.setUints(keys, values);
        uint256 index = POOL.getUint(A.NODE_COUNT);
        POOL.setAddress(A.nodeKey(index), node);
        POOL.setUint(A.NODE_COUNT, index + 1);
        emit NodeCreated(node, nodeStorage, index);
    }
}
