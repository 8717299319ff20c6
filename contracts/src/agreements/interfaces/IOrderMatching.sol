// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC677Receiver} from "../../token/interfaces/IERC677Receiver.sol";
import {IAggregator} from "../../aggregation/interfaces/IAggregator.sol";
import {IReputation, ISlaRegistry} from "./IReputation.sol";

/// @title IOrderMatching
/// @notice ChainLink's order-matching contract and in-contract aggregation (whitepaper §2.1 oracle
/// selection, data reporting and result aggregation; §4.2 Algorithm 1, concurrent variant).
///
/// Life of an SLA:
/// 1. **Proposal.** A purchaser calls `proposeSla(terms)`: the job, its query parameters, the number
///    of oracles `n` (4 to 31; fault bound `f = (n - 1) / 3`, quorum `q = 2f + 1`), the payment per
///    oracle and request, the penalty each oracle deposits, the bidding window, the service period,
///    the response window of a request, the reputation and aggregating contracts and the minimum
///    reputation of a bidder. `SlaProposed` carries all of it for nodes to filter on.
/// 2. **Bids.** Until `biddingEnds` an oracle bids by sending exactly the penalty with
///    `LINK.transferAndCall(this, penalty, abi.encode(ACTION_BID, slaId, oracle))`, either from its
///    own account (`sender == oracle`) or, for a LinkPool node, from its pool storage through
///    `Node.depositPenalty(oracle, this, penalty, data)` (the pool's whitelist lets the stake move
///    only here). Bids from oracles below the SLA's requirements are refused
///    (`BidBelowRequirements`), and so are late, duplicate and wrongly sized ones.
/// 3. **Finalization.** After `biddingEnds` anyone calls `finalize`. With fewer qualifying bids
///    than `n` the SLA fails and every bid is refunded. Otherwise `n` oracles are selected by
///    **Rule S**: highest `Reputation.acceptanceBps` at finalization first (oracles without history
///    count `NO_HISTORY_BPS`), ties to the earlier bid. Unselected bids are refunded; the selected
///    oracles' penalties stay locked for the SLA; `OracleSelected` (indexed by oracle) and
///    `SlaFinalized` notify them.
/// 4. **Requests.** Until `serviceEnds`, the purchaser opens a request by sending `q * payment`
///    with `LINK.transferAndCall(this, q * payment, abi.encode(ACTION_REQUEST, slaId, callback,
///    selector))`. Each request is a session with its own id, so any number run concurrently.
/// 5. **Commit.** Each selected oracle sends `commit(sessionId, keccak256(abi.encode(answer, salt,
///    oracle)))`. At the `q`-th commitment the session is "committed" (`SessionCommitted`): from then
///    on no commitment is taken (`CommitPhaseClosed`), so nobody can copy a revealed answer.
/// 6. **Reveal.** Committed oracles send `reveal(sessionId, answer, salt)`; a reveal before
///    "committed" is refused (`CommitPhaseOpen`). A reveal that does not match the commitment is
///    recorded (`RevealMismatched`) and forfeits the penalty at once. After each reveal the SLA's
///    aggregator is asked whether its rule is met; the first time it is, the answer is final and is
///    delivered by calling `callback` with `selector(uint256 sessionId, int256 answer)` and at most
///    `callbackGasLimit` gas (a failing callback does not undo the answer: `AnswerDelivered.success`).
/// 7. **Settlement.** Automatically with the last reveal of an answered session, or by anyone after
///    the deadline (`requestedAt + responseWindow`). Each oracle active at request time gets an
///    outcome (see `IReputation.Outcome`), reported to the SLA's reputation contract:
///    - accepted by the aggregator: paid `paymentPerOracle`;
///    - rejected (a deviating answer) or committed and unrevealed after "committed": penalty forfeited;
///    - mismatched: forfeited already at the reveal;
///    - missed (no commitment): unpaid; after more than `maxMisses` misses in a row, forfeited;
///    - revealed, or committed without a reveal phase, in a session that found no answer: unpaid,
///      not penalized.
///    The requester gets the rest of the escrow back; a session without an answer is refunded in
///    full (`RequestRefunded`).
/// 8. **Close.** After `serviceEnds`, with no session open, anyone calls `close`: every penalty not
///    forfeited goes back to its oracle (a pool-backed one to its node storage, through the pool's
///    `Node` contract).
///
/// Money: LINK held = pending and locked penalties + escrow of open sessions, at all times.
/// Forfeited penalties go to the purchaser. Oracles should bid only on SLAs whose reputation and
/// aggregating contracts they trust: those contracts judge them.
///
/// Privileged: none. There is no owner; each SLA's purchaser only proposes and requests, and
/// everything else is open to anyone or to the selected oracles under the rules above.
interface IOrderMatching is IERC677Receiver, ISlaRegistry {
    // ------------------------------------------------------------------ types

    /// @notice Minimum reputation of a bidder, read from the SLA's reputation contract at the bid.
    struct Requirements {
        /// Accepted answers over all job types, at least.
        uint32 minAccepted;
        /// `acceptanceBps`, at least (oracles without history have `NO_HISTORY_BPS`).
        uint16 minAcceptanceBps;
        /// Forfeited penalties, at most.
        uint32 maxForfeits;
    }

    /// @notice What a purchaser proposes.
    struct SlaTerms {
        /// The job spec id the oracles run (their local job for this SLA).
        bytes32 jobId;
        /// The assignment type reputation is kept for (e.g. "eth-usd").
        bytes32 jobType;
        /// Query parameters handed to the job (a JSON object, UTF-8).
        bytes queryParams;
        /// Oracles to select, 4 to 31.
        uint8 oracles;
        /// Consecutive missed sessions an oracle may have before it forfeits its penalty.
        uint8 maxMisses;
        /// Juels paid to each accepted oracle per request.
        uint96 paymentPerOracle;
        /// Juels each bidder deposits; lost on misbehaviour.
        uint96 penalty;
        /// Bids are taken until this time (inclusive).
        uint64 biddingEnds;
        /// Requests are taken until this time (exclusive); penalties come back after it.
        uint64 serviceEnds;
        /// Seconds a request has to reach an answer.
        uint32 responseWindow;
        /// Gas for the requester's callback, at most `MAX_CALLBACK_GAS`.
        uint32 callbackGasLimit;
        IReputation reputation;
        IAggregator aggregator;
        Requirements requirements;
    }

    enum SlaStatus {
        None,
        Bidding,
        Active,
        Failed,
        Closed
    }

    enum BidState {
        None,
        Pending,
        Selected,
        Refunded,
        Forfeited,
        Released
    }

    enum SessionStatus {
        None,
        /// Taking commitments.
        Committing,
        /// "Committed": taking reveals.
        Revealing,
        Settled
    }

    struct SlaView {
        SlaTerms terms;
        address purchaser;
        SlaStatus status;
        /// Fault bound `(n - 1) / 3`.
        uint8 f;
        /// Selected oracles that have not forfeited.
        uint8 active;
        uint32 openSessions;
        /// Selected oracles, by index.
        address[] selected;
        /// Bids placed (pending, selected or settled).
        uint256 bids;
    }

    struct BidView {
        address oracle;
        uint64 placedAt;
        bool poolBacked;
        BidState state;
        /// Index among the selected oracles (meaningful once selected).
        uint8 index;
        /// Sessions missed in a row.
        uint8 missStreak;
    }

    struct SessionView {
        uint256 slaId;
        address requester;
        address callback;
        bytes4 selector;
        SessionStatus status;
        uint64 requestedAt;
        uint64 deadline;
        uint8 commits;
        uint8 reveals;
        /// Bit i: selected oracle i was active when the request opened.
        uint32 activeMask;
        uint32 committedMask;
        uint32 revealedMask;
        uint32 mismatchedMask;
        bool answered;
        int256 answer;
        uint256 escrow;
    }

    struct EntryView {
        bytes32 commitment;
        uint64 committedAt;
        bool revealed;
        bool mismatched;
        int256 answer;
    }

    // ------------------------------------------------------------------ errors

    error NotLink(address caller);
    error UnknownAction(uint8 action);
    error InvalidOracleCount(uint8 oracles);
    error InvalidSchedule(uint64 biddingEnds, uint64 serviceEnds, uint32 responseWindow);
    error InvalidAmounts(uint96 paymentPerOracle, uint96 penalty);
    error CallbackGasTooHigh(uint32 callbackGasLimit, uint32 max);
    error InvalidContract(address account);
    error ReputationNotWritable(address reputation);
    error UnknownSla(uint256 slaId);
    error WrongSlaStatus(uint256 slaId, SlaStatus status);
    error BiddingClosed(uint256 slaId, uint64 biddingEnds);
    error BiddingOpen(uint256 slaId, uint64 biddingEnds);
    error WrongPenaltyAmount(uint256 slaId, uint256 expected, uint256 sent);
    error BidderNotOracle(address sender, address oracle);
    error AlreadyBid(uint256 slaId, address oracle);
    error TooManyBids(uint256 slaId, uint256 max);
    error BidBelowRequirements(uint256 slaId, address oracle, uint32 accepted, uint256 acceptanceBps, uint32 forfeits);
    error NotPurchaser(uint256 slaId, address caller);
    error WrongPaymentAmount(uint256 slaId, uint256 expected, uint256 sent);
    error ServiceEnded(uint256 slaId, uint64 serviceEnds);
    error ServiceNotEnded(uint256 slaId, uint64 serviceEnds);
    error SessionsOpen(uint256 slaId, uint32 openSessions);
    error TooFewActiveOracles(uint256 slaId, uint8 active, uint8 quorum);
    error UnknownSession(uint256 sessionId);
    error NotSelected(uint256 sessionId, address oracle);
    error NotActive(uint256 sessionId, address oracle);
    error AlreadyCommitted(uint256 sessionId, address oracle);
    error CommitPhaseClosed(uint256 sessionId);
    error CommitPhaseOpen(uint256 sessionId, uint8 commits, uint8 quorum);
    error NotCommitted(uint256 sessionId, address oracle);
    error AlreadyRevealed(uint256 sessionId, address oracle);
    error SessionExpired(uint256 sessionId, uint64 deadline);
    error SessionAlreadySettled(uint256 sessionId);
    error SessionPending(uint256 sessionId, uint64 deadline);
    /// @notice The transaction's gas would starve the callback or a reputation/aggregator call.
    error InsufficientGas(uint256 gasLeft, uint256 needed);
    error ReentrantCall();
    error TransferFailed(address to, uint256 amount);

    // ------------------------------------------------------------------ events

    event SlaProposed(uint256 indexed slaId, address indexed purchaser, bytes32 indexed jobId, SlaTerms terms);
    event BidPlaced(uint256 indexed slaId, address indexed oracle, uint256 penalty, bool poolBacked);
    event BidRefunded(uint256 indexed slaId, address indexed oracle, uint256 penalty);
    event OracleSelected(uint256 indexed slaId, address indexed oracle, uint8 index);
    event SlaFinalized(uint256 indexed slaId, address[] oracles);
    event SlaFailed(uint256 indexed slaId, uint256 qualifyingBids, uint8 needed);
    event SlaClosed(uint256 indexed slaId);
    event PenaltyReleased(uint256 indexed slaId, address indexed oracle, uint256 amount);
    event PenaltyForfeited(uint256 indexed slaId, address indexed oracle, uint256 amount, address beneficiary);
    /// @notice The pool's `Node` contract refused the forfeit notice (e.g. this contract was taken
    /// off the pool's whitelist); the LINK still went to the beneficiary.
    event PoolNoticeFailed(uint256 indexed slaId, address indexed oracle, uint256 amount);
    event RequestOpened(
        uint256 indexed sessionId, uint256 indexed slaId, address indexed requester, uint64 deadline, uint256 escrow
    );
    event AnswerCommitted(uint256 indexed sessionId, address indexed oracle, bytes32 commitment);
    /// @notice Algorithm 1's "committed": the quorum committed, reveals are open, commitments closed.
    event SessionCommitted(uint256 indexed sessionId, uint256 indexed slaId);
    event AnswerRevealed(uint256 indexed sessionId, address indexed oracle, int256 answer);
    event RevealMismatched(uint256 indexed sessionId, address indexed oracle);
    event AnswerDelivered(uint256 indexed sessionId, int256 answer, bool success);
    event OraclePaid(uint256 indexed sessionId, address indexed oracle, uint256 amount);
    event SessionSettled(uint256 indexed sessionId, bool answered, uint256 paid, uint256 refunded);
    event RequestRefunded(uint256 indexed sessionId, address indexed requester, uint256 amount);
    /// @notice A call to the SLA's reputation contract failed; the session went on without it.
    event ReputationReportFailed(uint256 indexed slaId, uint256 sessionId);

    // ------------------------------------------------------------------ writes

    /// @notice Proposes an SLA; returns its id (1, 2, …).
    function proposeSla(SlaTerms calldata terms) external returns (uint256 slaId);
    /// @notice Selects the oracles of `slaId` after its bidding window (anyone).
    function finalize(uint256 slaId) external;
    /// @notice Commits the sender's answer for `sessionId`: `keccak256(abi.encode(answer, salt, sender))`.
    function commit(uint256 sessionId, bytes32 commitment) external;
    /// @notice Reveals the sender's committed answer.
    function reveal(uint256 sessionId, int256 answer, bytes32 salt) external;
    /// @notice Settles `sessionId` after its deadline: pays, penalizes, refunds (anyone).
    function settle(uint256 sessionId) external;
    /// @notice Returns the penalties of `slaId` after its service period (anyone).
    function close(uint256 slaId) external;

    // ------------------------------------------------------------------ reads

    function LINK() external view returns (address);
    /// @notice The LinkPool registry (a `PoolStorage`) whose nodes may bid with pooled stake; zero for none.
    function LINK_POOL_REGISTRY() external view returns (address);
    function ACTION_BID() external view returns (uint8);
    function ACTION_REQUEST() external view returns (uint8);
    function MAX_BIDS() external view returns (uint256);
    function MAX_CALLBACK_GAS() external view returns (uint32);
    function slaCount() external view returns (uint256);
    function sessionCount() external view returns (uint256);
    function sla(uint256 slaId) external view returns (SlaView memory);
    function bids(uint256 slaId) external view returns (BidView[] memory);
    function session(uint256 sessionId) external view returns (SessionView memory);
    function entry(uint256 sessionId, address oracle) external view returns (EntryView memory);
}
