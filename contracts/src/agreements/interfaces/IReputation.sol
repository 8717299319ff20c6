// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IWeightSource} from "../../aggregation/interfaces/IWeightSource.sol";

/// @title IReputation
/// @notice ChainLink's on-chain reputation contract (whitepaper §2.1, §5.1 validation, §5.2
/// reputation). Per oracle, overall and per job type (the SLA's `jobType`), it keeps the §5.2
/// metrics: assigned, completed and accepted requests, the total response time (average = total /
/// completed), and the penalties locked and forfeited; and the §5.1 validation record:
/// availability (`missed`: no commitment before the commit phase closed; `unrevealed`: committed
/// but never revealed) and correctness (`completed - accepted`: revealed answers the aggregator
/// rejected as deviating; `mismatched`: reveals that did not match the commitment). Purchasers rate
/// the oracles of their SLAs (1 to 5).
///
/// Everything is public for other contracts to read. Only registered aggregating contracts (the
/// contracts running the SLAs' sessions, e.g. `OrderMatching`) can write.
///
/// Privileged: the owner (two-step transfer) registers and unregisters aggregating contracts. It
/// cannot write or change any metric or rating itself.
interface IReputation is IWeightSource {
    // ------------------------------------------------------------------ types

    /// @notice How one selected oracle did in one settled session.
    enum Outcome {
        /// Revealed an answer the aggregator accepted.
        Accepted,
        /// Revealed a matching answer that the aggregator rejected (deviation, §5.1 correctness).
        Rejected,
        /// Revealed an answer that did not match its commitment.
        Mismatched,
        /// Committed but did not reveal in time (availability).
        Unrevealed,
        /// Did not commit before the commit phase closed (availability).
        Missed,
        /// Took part (revealed, or committed while the reveal phase never opened) in a session that
        /// found no answer in time: counted as assigned only, neither held for nor against it.
        Undecided
    }

    /// @notice Request metrics of one oracle (overall, or for one job type). One storage slot.
    struct Stats {
        /// Requests the oracle was selected for and that settled.
        uint32 assigned;
        /// Requests it revealed a matching answer for.
        uint32 completed;
        /// Requests whose answer the aggregator accepted.
        uint32 accepted;
        /// Requests it did not commit to before "committed".
        uint32 missed;
        /// Requests it committed to and did not reveal.
        uint32 unrevealed;
        /// Reveals that did not match the commitment.
        uint32 mismatched;
        /// Sum of response times (request to commitment, seconds) over completed requests.
        uint64 responseTimeTotal;
    }

    /// @notice Penalty metrics of one oracle (juels).
    struct Penalties {
        /// Currently locked in selected SLAs.
        uint128 locked;
        /// Forfeited over all time.
        uint128 forfeited;
    }

    /// @notice Ratings of one oracle by purchasers.
    struct Ratings {
        uint64 count;
        /// Sum of the scores (1 to 5 each).
        uint64 total;
    }

    /// @notice Everything about one oracle, for tools.
    struct Report {
        Stats overall;
        Penalties penalties;
        Ratings ratings;
        /// Times a penalty was forfeited.
        uint32 forfeits;
    }

    /// @notice How a penalty amount moved.
    enum PenaltyChange {
        Locked,
        Released,
        Forfeited
    }

    // ------------------------------------------------------------------ errors

    error NotOwner(address caller);
    error NotPendingOwner(address caller);
    error NotAggregatingContract(address caller);
    error ZeroAddress();
    error LengthMismatch(uint256 oracles, uint256 outcomes, uint256 responseTimes);
    error InvalidScore(uint8 score);
    error NotPurchaser(address caller, address purchaser);
    error NotSelected(uint256 slaId, address oracle);
    error AlreadyRated(address registry, uint256 slaId, address oracle);
    error PenaltyUnderflow(address oracle, uint256 locked, uint256 amount);

    // ------------------------------------------------------------------ events

    event OwnershipTransferStarted(address indexed owner, address indexed pendingOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event AggregatingContractRegistered(address indexed aggregatingContract);
    event AggregatingContractUnregistered(address indexed aggregatingContract);
    /// @notice One oracle's outcome in one session was recorded.
    event OutcomeRecorded(
        address indexed oracle, bytes32 indexed jobType, Outcome outcome, uint32 responseTime, address reporter
    );
    event PenaltyRecorded(address indexed oracle, bytes32 indexed jobType, PenaltyChange change, uint256 amount);
    event OracleRated(address indexed oracle, address indexed purchaser, address registry, uint256 slaId, uint8 score);

    // ------------------------------------------------------------------ writes

    /// @notice Records the outcomes of one settled session (registered aggregating contracts only).
    /// @param responseTimes Seconds from request to commitment, counted for completed outcomes only.
    function recordOutcomes(
        bytes32 jobType,
        address[] calldata oracles,
        Outcome[] calldata outcomes,
        uint32[] calldata responseTimes
    ) external;

    /// @notice Records a penalty lock, release or forfeit (registered aggregating contracts only).
    function recordPenalty(address oracle, bytes32 jobType, PenaltyChange change, uint256 amount) external;

    /// @notice The purchaser of a finalized SLA of `registry` (a registered aggregating contract
    /// implementing `ISlaRegistry`) rates one of its selected oracles, once per SLA and oracle.
    /// @param score 1 (worst) to 5 (best).
    function rate(address registry, uint256 slaId, address oracle, uint8 score) external;

    // ------------------------------------------------------------------ owner

    function registerAggregatingContract(address aggregatingContract) external;
    function unregisterAggregatingContract(address aggregatingContract) external;
    function transferOwnership(address newOwner) external;
    function acceptOwnership() external;

    // ------------------------------------------------------------------ reads

    function owner() external view returns (address);
    function isAggregatingContract(address account) external view returns (bool);
    /// @notice Request metrics of `oracle` over every job type.
    function stats(address oracle) external view returns (Stats memory);
    /// @notice Request metrics of `oracle` for one job type.
    function statsFor(address oracle, bytes32 jobType) external view returns (Stats memory);
    function penalties(address oracle) external view returns (Penalties memory);
    function penaltiesFor(address oracle, bytes32 jobType) external view returns (Penalties memory);
    function ratings(address oracle) external view returns (Ratings memory);
    /// @notice Everything about `oracle` in one call.
    function report(address oracle) external view returns (Report memory);
    /// @notice Accepted / assigned in basis points; `NO_HISTORY_BPS` when nothing was assigned yet.
    function acceptanceBps(address oracle) external view returns (uint256);
    /// @notice The score oracles without history get from `acceptanceBps` (5000, neutral).
    function NO_HISTORY_BPS() external view returns (uint256);
}

/// @title ISlaRegistry
/// @notice What `Reputation.rate` asks the contract that ran an SLA.
interface ISlaRegistry {
    /// @notice The purchaser of `slaId` (zero if unknown).
    function purchaserOf(uint256 slaId) external view returns (address);
    /// @notice Whether `oracle` was selected for `slaId`.
    function isSelected(uint256 slaId, address oracle) external view returns (bool);
}
