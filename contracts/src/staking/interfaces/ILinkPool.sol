// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPoolLogic} from "./IPoolLogic.sol";
import {INode} from "./INode.sol";

/// @title ILinkPool
/// @notice The staking suite's entry point (LinkPool whitepaper §6.1): node creation and the
/// getters over every node's storage, so that callers never read storage keys themselves.
/// Registered as `"LinkPool"`. It has no privileged function: any address may register itself as
/// a node (a node's own key calls `createNode` on boot), and what a node can do with its stakers'
/// LINK is bounded by `INode`.
interface ILinkPool is IPoolLogic {
    /// @notice A registry entry is missing.
    error MissingContract(bytes32 name);
    /// @notice The node index is past the end of the node list.
    error NodeIndexOutOfRange(uint256 index, uint256 count);

    /// @notice A node's state.
    struct NodeInfo {
        address nodeStorage;
        INode.NodeStatus status;
        /// LINK staked (juels), forfeits deducted; includes what is out as penalty deposits.
        uint256 totalStake;
        uint256 totalShares;
        /// Stakers with shares.
        uint256 stakers;
        /// Stake out as penalty deposits with whitelisted network contracts.
        uint256 penaltiesAtRisk;
        uint256 stakeLimit;
        uint256 operationalCostBps;
        uint256 makersBps;
        /// Distributed to stakers and not yet claimed (includes under one juel of dust per staker).
        uint256 rewardsOutstanding;
        /// LINK in the storage not yet distributed.
        uint256 undistributed;
        uint256 totalEarnings;
        uint256 totalToOwners;
        uint256 totalForfeited;
        /// LINK the storage holds.
        uint256 linkHeld;
    }

    /// @notice A staker's position on a node.
    struct StakerInfo {
        uint256 shares;
        /// What the shares are worth now (juels, rounded down).
        uint256 stake;
        /// Earnings it can claim now (juels, rounded down).
        uint256 claimable;
    }

    /// @notice Makes the caller a pool node (once per address).
    function createNode() external returns (address nodeStorage);
    /// @notice The number of nodes.
    function nodeCount() external view returns (uint256);
    /// @notice The `index`-th node.
    function nodeAt(uint256 index) external view returns (address);
    /// @notice Every node, in creation order.
    function nodes() external view returns (address[] memory);
    /// @notice The storage of `node` (zero if it is not a node).
    function storageOf(address node) external view returns (address);
    /// @notice `node`'s state.
    function nodeInfo(address node) external view returns (NodeInfo memory);
    /// @notice LINK staked behind `node` (juels, forfeits deducted; includes penalty deposits
    /// out), 0 for an address that is not a node. The same figure as `nodeInfo(node).totalStake`
    /// for a two-read price (the node's storage, then one uint), and never reverts `UnknownNode`:
    /// made for callers that weigh many addresses, some of which may not be nodes.
    function totalStakeOf(address node) external view returns (uint256);
    /// @notice `staker`'s position on `node`.
    function stakerInfo(address node, address staker) external view returns (StakerInfo memory);
    /// @notice The positions of `stakers` on `node`, in order (one call for a whole list).
    function stakerInfos(address node, address[] calldata stakers) external view returns (StakerInfo[] memory);
    /// @notice The current contract registered under `name` (e.g. "Node").
    function contractAddress(string calldata name) external view returns (address);
}
