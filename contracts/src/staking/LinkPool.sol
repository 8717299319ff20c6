// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ILinkPool} from "./interfaces/ILinkPool.sol";
import {INode} from "./interfaces/INode.sol";
import {INodeFactory} from "./interfaces/INodeFactory.sol";
import {IPoolStorage} from "./interfaces/IPoolStorage.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";
import {PoolLogic} from "./PoolLogic.sol";
import {NodeAccounting as A} from "./libraries/NodeAccounting.sol";

/// @title LinkPool
/// @notice See `ILinkPool`.
contract LinkPool is ILinkPool, PoolLogic {
    bytes32 private constant NODE_FACTORY = keccak256("NodeFactory");

    constructor(IPoolStorage pool) PoolLogic(pool) {}

    /// @inheritdoc ILinkPool
    function createNode() external override returns (address) {
        address factory = POOL.contractAddress(NODE_FACTORY);
        if (factory == address(0)) revert MissingContract(NODE_FACTORY);
        return INodeFactory(factory).createNode(msg.sender);
    }

    /// @inheritdoc ILinkPool
    function nodeCount() public view override returns (uint256) {
        return POOL.getUint(A.NODE_COUNT);
    }

    /// @inheritdoc ILinkPool
    function nodeAt(uint256 index) external view override returns (address) {
        uint256 count = nodeCount();
        if (index >= count) revert NodeIndexOutOfRange(index, count);
        return POOL.getAddress(A.nodeKey(index));
    }

    /// @inheritdoc ILinkPool
    function nodes() external view override returns (address[] memory list) {
        list = new address[](nodeCount());
        for (uint256 i; i < list.length; ++i) {
            list[i] = POOL.getAddress(A.nodeKey(i));
        }
    }

    /// @inheritdoc ILinkPool
    function storageOf(address node) external view override returns (address) {
        return POOL.getAddress(A.storageKey(node));
    }

    /// @inheritdoc ILinkPool
    function nodeInfo(address node) external view override returns (NodeInfo memory info) {
        IPoolStorage s = A.storageOf(POOL, node);
        bytes32[] memory keys = new bytes32[](13);
        (keys[0], keys[1], keys[2], keys[3], keys[4]) =
            (A.STATUS, A.TOTAL_STAKE, A.TOTAL_SHARES, A.STAKERS, A.PENALTIES_AT_RISK);
        (keys[5], keys[6], keys[7], keys[8]) =
            (A.STAKE_LIMIT, A.OPERATIONAL_COST_BPS, A.MAKERS_BPS, A.REWARDS_OUTSTANDING);
        (keys[9], keys[10], keys[11], keys[12]) = (A.TOTAL_EARNINGS, A.TOTAL_TO_OWNERS, A.TOTAL_FORFEITED, A.ACC);
        uint256[] memory v = s.getUints(keys);
        info.nodeStorage = address(s);
        info.status = INode.NodeStatus(v[0]);
        (info.totalStake, info.totalShares, info.stakers, info.penaltiesAtRisk) = (v[1], v[2], v[3], v[4]);
        (info.stakeLimit, info.operationalCostBps, info.makersBps, info.rewardsOutstanding) = (v[5], v[6], v[7], v[8]);
        (info.totalEarnings, info.totalToOwners, info.totalForfeited) = (v[9], v[10], v[11]);
        info.linkHeld = ILinkToken(LINK).balanceOf(address(s));
        uint256 accounted = info.totalStake - info.penaltiesAtRisk + info.rewardsOutstanding;
        info.undistributed = info.linkHeld > accounted ? info.linkHeld - accounted : 0;
    }

    /// @inheritdoc ILinkPool
    function totalStakeOf(address node) external view override returns (uint256) {
        address s = POOL.getAddress(A.storageKey(node));
        return s == address(0) ? 0 : IPoolStorage(s).getUint(A.TOTAL_STAKE);
    }

    /// @inheritdoc ILinkPool
    function stakerInfo(address node, address staker) external view override returns (StakerInfo memory) {
        IPoolStorage s = A.storageOf(POOL, node);
        return _stakerInfo(s, A.readTotals(s), staker);
    }

    /// @inheritdoc ILinkPool
    function stakerInfos(address node, address[] calldata stakers)
        external
        view
        override
        returns (StakerInfo[] memory infos)
    {
        IPoolStorage s = A.storageOf(POOL, node);
        A.Totals memory t = A.readTotals(s);
        infos = new StakerInfo[](stakers.length);
        for (uint256 i; i < stakers.length; ++i) {
            infos[i] = _stakerInfo(s, t, stakers[i]);
        }
    }

    function _stakerInfo(IPoolStorage s, A.Totals memory t, address staker) private view returns (StakerInfo memory info) {
        A.Staker memory st = A.readStaker(s, staker);
        A.settle(st, t.acc);
        info.shares = st.shares;
        info.stake = A.valueOf(t, st.shares);
        info.claimable = st.credited / A.ACC_PRECISION;
    }

    /// @inheritdoc ILinkPool
    function contractAddress(string calldata name) external view override returns (address) {
        return POOL.contractAddress(keccak256(bytes(name)));
    }
}
