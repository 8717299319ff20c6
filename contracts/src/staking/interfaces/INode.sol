// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC677Receiver} from "../../token/interfaces/IERC677Receiver.sol";
import {IPoolLogic} from "./IPoolLogic.sol";

/// @title INode
/// @notice The main logic of a pool node (LinkPool whitepaper §6.1): withdrawals, claims, the
/// distribution of earnings (§6.1.4, D = S/T·O), penalty deposits to whitelisted network
/// contracts and their refunds and forfeits, node status, stake limit, makers' percentage and
/// operational cost. All state is in the node's `PoolStorage`; the accounting is `NodeAccounting`.
///
/// Earnings are LINK sent to a node's storage (an Operator withdrawal, say). `distribute` (anyone)
/// splits them: the operational cost percentage, then the makers' percentage of the rest, go to
/// `PoolOwners`; the rest goes to the node's stakers in proportion to their stakes. Stakers pull
/// their share with `claim`.
///
/// Privileged functions:
/// - the pool's admin: `setStatus`, `setStakeLimit`, `setFees` (each bounded: fees at most
///   `MAX_FEE_BPS` each; a closed node stays closed). None of them moves LINK or changes a stake.
/// - the node's operator (the node's address): `depositPenalty`, only to a whitelisted network
///   contract and only from stake at home.
/// - a whitelisted network contract holding a node's deposit: `forfeitPenalty` (at most what it
///   holds of that node), and refunds through `onTokenTransfer`.
interface INode is IPoolLogic, IERC677Receiver {
    /// @notice A node's status. Withdrawals and claims work in every status.
    enum NodeStatus {
        /// Not a node.
        None,
        /// Takes stakes and penalty deposits.
        Active,
        /// Takes neither new stakes nor new penalty deposits, for now.
        Paused,
        /// Takes neither, for good.
        Closed
    }

    // ------------------------------------------------------------------ errors

    /// @notice `node` has no storage: it is not a pool node.
    error UnknownNode(address node);
    /// @notice An amount was zero.
    error ZeroAmount();
    /// @notice A stake too small to mint one share.
    error ZeroShares(uint256 amount);
    /// @notice The node does not take stakes or deposits in its status.
    error NodeNotActive(address node, NodeStatus status);
    /// @notice The stake would pass the node's limit.
    error StakeLimitExceeded(address node, uint256 limit, uint256 wouldBe);
    /// @notice Forfeits took the whole stake: the node takes no new stake.
    error NodeWipedOut(address node);
    /// @notice The staker has less stake than asked.
    error InsufficientStake(address staker, uint256 available, uint256 requested);
    /// @notice Part of the stake is out as penalty deposits; only `liquid` juels are at home.
    error StakeAtRisk(address node, uint256 liquid, uint256 requested);
    /// @notice The staker has nothing to claim.
    error NothingToClaim(address staker);
    /// @notice The caller is not the node's operator.
    error NotNodeOperator(address caller, address node);
    /// @notice The caller is not the LINK token.
    error NotLink(address caller);
    /// @notice The caller holds less of the node's penalty deposits than it forfeits or refunds.
    error PenaltyNotHeld(address holder, address node, uint256 held, uint256 amount);
    /// @notice A fee above `MAX_FEE_BPS`.
    error FeeTooHigh(uint256 bps, uint256 max);
    /// @notice A closed node cannot change status.
    error NodeClosed(address node);
    /// @notice A status that cannot be set (`None`).
    error InvalidStatus(NodeStatus status);

    // ------------------------------------------------------------------ events

    /// @notice `staker` withdrew `amount` juels, burning `shares`.
    event Withdrawn(address indexed node, address indexed staker, uint256 amount, uint256 shares);
    /// @notice `staker` claimed `amount` juels of earnings.
    event Claimed(address indexed node, address indexed staker, uint256 amount);
    /// @notice `earnings` juels were split: `toOwners` to `PoolOwners`, `toStakers` to the stakers.
    event Distributed(address indexed node, uint256 earnings, uint256 toOwners, uint256 toStakers);
    /// @notice The node deposited `amount` juels of stake as a penalty with `target`.
    event PenaltyDeposited(address indexed node, address indexed target, uint256 amount);
    /// @notice `target` returned `amount` juels of the node's deposits.
    event PenaltyRefunded(address indexed node, address indexed target, uint256 amount);
    /// @notice `target` kept `amount` juels of the node's deposits: the stakers lost it pro rata.
    event PenaltyForfeited(address indexed node, address indexed target, uint256 amount);
    /// @notice The node's status changed.
    event StatusChanged(address indexed node, NodeStatus status);
    /// @notice The node's stake limit changed.
    event StakeLimitChanged(address indexed node, uint256 limit);
    /// @notice The node's operational cost and makers' percentage changed.
    event FeesChanged(address indexed node, uint256 operationalCostBps, uint256 makersBps);

    // ------------------------------------------------------------------ stakers

    /// @notice Withdraws `amount` juels of the caller's stake on `node` (`type(uint256).max`:
    /// all of it).
    function withdraw(address node, uint256 amount) external;
    /// @notice Sends the caller its earnings on `node`.
    function claim(address node) external;
    /// @notice Splits the earnings that arrived at `node`'s storage since the last distribution.
    /// Anyone. Does nothing when there are none.
    function distribute(address node) external returns (uint256 earnings);

    // ------------------------------------------------------------------ penalties

    /// @notice Deposits `amount` juels of `node`'s stake with the whitelisted `target`
    /// (`transferAndCall(target, amount, data)`). The node's operator only.
    function depositPenalty(address node, address target, uint256 amount, bytes calldata data) external;
    /// @notice Declares that the caller keeps `amount` juels of `node`'s deposits with it. Only a
    /// whitelisted contract, for at most what it holds of that node.
    function forfeitPenalty(address node, uint256 amount) external;

    // ------------------------------------------------------------------ admin

    /// @notice Sets `node`'s status. The pool's admin only; `Closed` is final.
    function setStatus(address node, NodeStatus status) external;
    /// @notice Sets `node`'s stake limit (juels). The pool's admin only. A limit below the current
    /// stake only stops new stakes.
    function setStakeLimit(address node, uint256 limit) external;
    /// @notice Sets `node`'s operational cost and makers' percentage (basis points, each at most
    /// `MAX_FEE_BPS`). The pool's admin only. Applies to later distributions.
    function setFees(address node, uint256 operationalCostBps, uint256 makersBps) external;
    /// @notice The highest operational cost or makers' percentage, in basis points.
    function MAX_FEE_BPS() external view returns (uint256);
}
