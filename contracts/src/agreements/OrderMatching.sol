// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOrderMatching} from "./interfaces/IOrderMatching.sol";
import {IReputation, ISlaRegistry} from "./interfaces/IReputation.sol";
import {IAggregator} from "../aggregation/interfaces/IAggregator.sol";
import {ILinkToken} from "../token/interfaces/ILinkToken.sol";
import {ILinkPool} from "../staking/interfaces/ILinkPool.sol";
import {INode} from "../staking/interfaces/INode.sol";
import {IPoolStorage} from "../staking/interfaces/IPoolStorage.sol";

/// @title OrderMatching
/// @notice See {IOrderMatching}: SLA proposals, bids with penalty deposits, oracle selection, and
/// concurrent commit/reveal sessions (Algorithm 1) with payment, penalties and reputation reports.
contract OrderMatching is IOrderMatching {
    /// @inheritdoc IOrderMatching
    uint8 public constant override ACTION_BID = 1;
    /// @inheritdoc IOrderMatching
    uint8 public constant override ACTION_REQUEST = 2;
    /// @inheritdoc IOrderMatching
    uint256 public constant override MAX_BIDS = 64;
    /// @inheritdoc IOrderMatching
    uint32 public constant override MAX_CALLBACK_GAS = 2_500_000;
    /// Gas an aggregator or reputation read may use: a purchaser-chosen contract must not be able
    /// to make reveals or settlement run out of gas.
    uint256 private constant VIEW_GAS = 500_000;
    /// Gas for `aggregate`: weighted rules read a weight per oracle (e.g. ~11k per LinkPool node).
    uint256 private constant AGGREGATE_GAS = 2_000_000;
    /// Gas for one penalty record or pool notice, and per oracle of a session's outcome report.
    uint256 private constant RECORD_GAS = 150_000;
    uint256 private constant RECORD_GAS_PER_ORACLE = 60_000;
    /// Gas kept back for the rest of a reveal after the requester's callback.
    uint256 private constant CALLBACK_RESERVE = 200_000;

    /// @inheritdoc IOrderMatching
    address public immutable override LINK;
    /// @inheritdoc IOrderMatching
    address public immutable override LINK_POOL_REGISTRY;

    bool private transient t_locked;

    struct Sla {
        SlaTerms terms;
        address purchaser;
        SlaStatus status;
        uint8 f;
        uint8 active;
        uint32 openSessions;
    }

    struct Bid {
        uint64 placedAt;
        bool poolBacked;
        BidState state;
        uint8 index;
        uint8 missStreak;
    }

    struct Session {
        uint256 slaId;
        address requester;
        uint64 requestedAt;
        uint64 deadline;
        address callback;
        bytes4 selector;
        SessionStatus status;
        uint8 commits;
        uint8 reveals;
        bool answered;
        uint32 activeMask;
        uint32 committedMask;
        uint32 revealedMask;
        uint32 mismatchedMask;
        uint256 escrow;
        int256 answer;
    }

    struct Entry {
        bytes32 commitment;
        int256 answer;
        uint64 committedAt;
    }

    uint256 private _slaCount;
    uint256 private _sessionCount;
    mapping(uint256 => Sla) private _slas;
    mapping(uint256 => address[]) private _bidders;
    mapping(uint256 => mapping(address => Bid)) private _bids;
    mapping(uint256 => address[]) private _selected;
    mapping(uint256 => Session) private _sessions;
    mapping(uint256 => mapping(uint256 => Entry)) private _entries;

    /// @param link The LINK token.
    /// @param linkPoolRegistry A LinkPool `PoolStorage` (its registry) whose nodes may bid from their
    /// pool storage, or zero.
    constructor(address link, address linkPoolRegistry) {
        if (link.code.length == 0) revert InvalidContract(link);
        if (linkPoolRegistry != address(0) && linkPoolRegistry.code.length == 0) {
            revert InvalidContract(linkPoolRegistry);
        }
        LINK = link;
        LINK_POOL_REGISTRY = linkPoolRegistry;
    }

    modifier nonReentrant() {
        if (t_locked) revert ReentrantCall();
        t_locked = true;
        _;
        t_locked = false;
    }

    // ------------------------------------------------------------------ proposal

    /// @inheritdoc IOrderMatching
    function proposeSla(SlaTerms calldata terms) external override nonReentrant returns (uint256 slaId) {
        if (terms.oracles < 4 || terms.oracles > 31) revert InvalidOracleCount(terms.oracles);
        if (
            terms.biddingEnds < block.timestamp || terms.serviceEnds <= terms.biddingEnds
                || terms.responseWindow == 0
        ) {
            revert InvalidSchedule(terms.biddingEnds, terms.serviceEnds, terms.responseWindow);
        }
        if (terms.paymentPerOracle == 0 || terms.penalty == 0) {
            revert InvalidAmounts(terms.paymentPerOracle, terms.penalty);
        }
        if (terms.callbackGasLimit > MAX_CALLBACK_GAS) {
            revert CallbackGasTooHigh(terms.callbackGasLimit, MAX_CALLBACK_GAS);
        }
        if (address(terms.aggregator).code.length == 0) revert InvalidContract(address(terms.aggregator));
        if (address(terms.reputation).code.length == 0) revert InvalidContract(address(terms.reputation));
        if (!terms.reputation.isAggregatingContract(address(this))) {
            revert ReputationNotWritable(address(terms.reputation));
        }
        slaId = ++_slaCount;
        Sla storage s = _slas[slaId];
        s.terms = terms;
        s.purchaser = msg.sender;
        s.status = SlaStatus.Bidding;
        s.f = (terms.oracles - 1) / 3;
        emit SlaProposed(slaId, msg.sender, terms.jobId, terms);
    }

    // ------------------------------------------------------------------ LINK in: bids, requests

    /// @notice Bids (`ACTION_BID`) and requests (`ACTION_REQUEST`); see {IOrderMatching}.
    function onTokenTransfer(address sender, uint256 amount, bytes calldata data) external override nonReentrant {
        if (msg.sender != LINK) revert NotLink(msg.sender);
        uint8 action = abi.decode(data[:32], (uint8));
        if (action == ACTION_BID) {
            (, uint256 slaId, address oracle) = abi.decode(data, (uint8, uint256, address));
            _bid(sender, amount, slaId, oracle);
        } else if (action == ACTION_REQUEST) {
            (, uint256 slaId, address callback, bytes4 selector) = abi.decode(data, (uint8, uint256, address, bytes4));
            _request(sender, amount, slaId, callback, selector);
        } else {
            revert UnknownAction(action);
        }
    }

    function _bid(address sender, uint256 amount, uint256 slaId, address oracle) private {
        Sla storage s = _sla(slaId);
        if (s.status != SlaStatus.Bidding) revert WrongSlaStatus(slaId, s.status);
        SlaTerms storage t = s.terms;
        if (block.timestamp > t.biddingEnds) revert BiddingClosed(slaId, t.biddingEnds);
        if (amount != t.penalty) revert WrongPenaltyAmount(slaId, t.penalty, amount);
        bool poolBacked = sender != oracle;
        if (poolBacked && _poolStorageOf(oracle) != sender) revert BidderNotOracle(sender, oracle);
        Bid storage b = _bids[slaId][oracle];
        if (b.state != BidState.None) revert AlreadyBid(slaId, oracle);
        address[] storage bidders = _bidders[slaId];
        if (bidders.length >= MAX_BIDS) revert TooManyBids(slaId, MAX_BIDS);
        IReputation.Report memory r = t.reputation.report(oracle);
        uint256 bps = t.reputation.acceptanceBps(oracle);
        Requirements storage req = t.requirements;
        if (r.overall.accepted < req.minAccepted || bps < req.minAcceptanceBps || r.forfeits > req.maxForfeits) {
            revert BidBelowRequirements(slaId, oracle, r.overall.accepted, bps, r.forfeits);
        }
        b.placedAt = uint64(block.timestamp);
        b.poolBacked = poolBacked;
        b.state = BidState.Pending;
        bidders.push(oracle);
        emit BidPlaced(slaId, oracle, amount, poolBacked);
    }

    function _request(address sender, uint256 amount, uint256 slaId, address callback, bytes4 selector) private {
        Sla storage s = _sla(slaId);
        if (sender != s.purchaser) revert NotPurchaser(slaId, sender);
        if (s.status != SlaStatus.Active) revert WrongSlaStatus(slaId, s.status);
        SlaTerms storage t = s.terms;
        if (block.timestamp >= t.serviceEnds) revert ServiceEnded(slaId, t.serviceEnds);
        uint8 quorum = 2 * s.f + 1;
        uint256 escrow = uint256(quorum) * t.paymentPerOracle;
        if (amount != escrow) revert WrongPaymentAmount(slaId, escrow, amount);
        if (s.active < quorum) revert TooFewActiveOracles(slaId, s.active, quorum);
        address[] storage selected = _selected[slaId];
        uint32 activeMask;
        for (uint256 i; i < selected.length; ++i) {
            if (_bids[slaId][selected[i]].state == BidState.Selected) activeMask |= uint32(1 << i);
        }
        uint256 sessionId = ++_sessionCount;
        Session storage x = _sessions[sessionId];
        x.slaId = slaId;
        x.requester = sender;
        x.requestedAt = uint64(block.timestamp);
        x.deadline = uint64(block.timestamp) + t.responseWindow;
        x.callback = callback;
        x.selector = selector;
        x.status = SessionStatus.Committing;
        x.activeMask = activeMask;
        x.escrow = escrow;
        s.openSessions += 1;
        emit RequestOpened(sessionId, slaId, sender, x.deadline, escrow);
    }

    // ------------------------------------------------------------------ selection

    /// @inheritdoc IOrderMatching
    function finalize(uint256 slaId) external override nonReentrant {
        Sla storage s = _sla(slaId);
        if (s.status != SlaStatus.Bidding) revert WrongSlaStatus(slaId, s.status);
        SlaTerms storage t = s.terms;
        if (block.timestamp <= t.biddingEnds) revert BiddingOpen(slaId, t.biddingEnds);
        address[] storage bidders = _bidders[slaId];
        uint256 count = bidders.length;
        uint8 n = t.oracles;
        if (count < n) {
            s.status = SlaStatus.Failed;
            emit SlaFailed(slaId, count, n);
            for (uint256 i; i < count; ++i) {
                _refundBid(slaId, bidders[i], t.penalty, BidState.Refunded);
            }
            return;
        }
        // Rule S: acceptance rate at finalization, highest first; ties to the earlier bid (the
        // insertion sort below is stable and bidders are in bid order).
        uint256[] memory score = new uint256[](count);
        uint256[] memory order = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            score[i] = _acceptanceBps(t.reputation, bidders[i]);
            order[i] = i;
            for (uint256 j = i; j > 0 && score[order[j - 1]] < score[order[j]]; --j) {
                (order[j - 1], order[j]) = (order[j], order[j - 1]);
            }
        }
        s.status = SlaStatus.Active;
        s.active = n;
        address[] storage selected = _selected[slaId];
        address[] memory chosen = new address[](n);
        for (uint256 k; k < n; ++k) {
            address oracle = bidders[order[k]];
            Bid storage b = _bids[slaId][oracle];
            b.state = BidState.Selected;
            b.index = uint8(k);
            selected.push(oracle);
            chosen[k] = oracle;
            emit OracleSelected(slaId, oracle, uint8(k));
        }
        emit SlaFinalized(slaId, chosen);
        for (uint256 k; k < n; ++k) {
            _reportPenalty(slaId, t, chosen[k], IReputation.PenaltyChange.Locked);
        }
        for (uint256 k = n; k < count; ++k) {
            _refundBid(slaId, bidders[order[k]], t.penalty, BidState.Refunded);
        }
    }

    function _acceptanceBps(IReputation reputation, address oracle) private view returns (uint256) {
        try reputation.acceptanceBps{gas: _gas(VIEW_GAS)}(oracle) returns (uint256 bps) {
            return bps;
        } catch {
            return 0;
        }
    }

    // ------------------------------------------------------------------ commit / reveal

    /// @inheritdoc IOrderMatching
    function commit(uint256 sessionId, bytes32 commitment) external override nonReentrant {
        Session storage x = _session(sessionId);
        if (x.status != SessionStatus.Committing) {
            if (x.status == SessionStatus.Settled) revert SessionAlreadySettled(sessionId);
            revert CommitPhaseClosed(sessionId);
        }
        if (block.timestamp > x.deadline) revert SessionExpired(sessionId, x.deadline);
        uint256 slaId = x.slaId;
        uint256 index = _activeIndex(sessionId, x, slaId, msg.sender);
        uint32 bit = uint32(1 << index);
        if (x.committedMask & bit != 0) revert AlreadyCommitted(sessionId, msg.sender);
        x.committedMask |= bit;
        uint8 commits = x.commits + 1;
        x.commits = commits;
        Entry storage e = _entries[sessionId][index];
        e.commitment = commitment;
        e.committedAt = uint64(block.timestamp);
        _bids[slaId][msg.sender].missStreak = 0;
        emit AnswerCommitted(sessionId, msg.sender, commitment);
        if (commits == 2 * _slas[slaId].f + 1) {
            x.status = SessionStatus.Revealing;
            emit SessionCommitted(sessionId, slaId);
        }
    }

    /// @inheritdoc IOrderMatching
    function reveal(uint256 sessionId, int256 answer, bytes32 salt) external override nonReentrant {
        Session storage x = _session(sessionId);
        if (x.status != SessionStatus.Revealing) {
            if (x.status == SessionStatus.Settled) revert SessionAlreadySettled(sessionId);
            revert CommitPhaseOpen(sessionId, x.commits, 2 * _slas[x.slaId].f + 1);
        }
        if (block.timestamp > x.deadline) revert SessionExpired(sessionId, x.deadline);
        uint256 slaId = x.slaId;
        uint256 index = _selectedIndex(sessionId, slaId, msg.sender);
        uint32 bit = uint32(1 << index);
        if (x.committedMask & bit == 0) revert NotCommitted(sessionId, msg.sender);
        if ((x.revealedMask | x.mismatchedMask) & bit != 0) revert AlreadyRevealed(sessionId, msg.sender);
        Entry storage e = _entries[sessionId][index];
        if (keccak256(abi.encode(answer, salt, msg.sender)) != e.commitment) {
            x.mismatchedMask |= bit;
            emit RevealMismatched(sessionId, msg.sender);
            Sla storage sm = _slas[slaId];
            Bid storage bm = _bids[slaId][msg.sender];
            if (bm.state == BidState.Selected) _forfeit(slaId, sm, msg.sender, bm);
        } else {
            e.answer = answer;
            x.revealedMask |= bit;
            x.reveals += 1;
            emit AnswerRevealed(sessionId, msg.sender, answer);
            if (!x.answered) _tryAnswer(sessionId, x);
        }
        if (x.answered && (x.revealedMask | x.mismatchedMask) == x.committedMask) _settle(sessionId, x);
    }

    /// @dev Asks the aggregator about the revealed answers (in oracle index order) and, when its
    /// rule is met, fixes the answer and calls the requester back. A reverting or gas-hungry
    /// aggregator counts as "not yet": it cannot block reveals.
    function _tryAnswer(uint256 sessionId, Session storage x) private {
        uint256 slaId = x.slaId;
        Sla storage s = _slas[slaId];
        uint32 revealed = x.revealedMask;
        uint256 count = x.reveals;
        address[] memory oracles = new address[](count);
        int256[] memory answers = new int256[](count);
        address[] storage selected = _selected[slaId];
        uint256 k;
        for (uint256 i; k < count; ++i) {
            if (revealed & (1 << i) != 0) {
                oracles[k] = selected[i];
                answers[k] = _entries[sessionId][i].answer;
                ++k;
            }
        }
        bool complete;
        int256 answer;
        try s.terms.aggregator.aggregate{gas: _gas(AGGREGATE_GAS)}(oracles, answers, s.f) returns (bool c, int256 a) {
            (complete, answer) = (c, a);
        } catch {
            return;
        }
        if (!complete) return;
        x.answered = true;
        x.answer = answer;
        uint256 gasLimit = s.terms.callbackGasLimit;
        // The revealer must not be able to starve the callback (EIP-150 passes on 63/64).
        _gas(gasLimit + CALLBACK_RESERVE);
        (bool success,) = x.callback.call{gas: gasLimit}(abi.encodeWithSelector(x.selector, sessionId, answer));
        emit AnswerDelivered(sessionId, answer, success);
    }

    // ------------------------------------------------------------------ settlement

    /// @inheritdoc IOrderMatching
    function settle(uint256 sessionId) external override nonReentrant {
        Session storage x = _session(sessionId);
        if (x.status == SessionStatus.Settled) revert SessionAlreadySettled(sessionId);
        if (block.timestamp <= x.deadline) revert SessionPending(sessionId, x.deadline);
        _settle(sessionId, x);
    }

    /// @dev Outcomes, payments, penalties and the reputation report of one session; see
    /// {IOrderMatching} step 7. State first, then LINK and reputation calls.
    function _settle(uint256 sessionId, Session storage x) private {
        uint256 slaId = x.slaId;
        Sla storage s = _slas[slaId];
        SlaTerms storage t = s.terms;
        bool revealPhase = x.status == SessionStatus.Revealing;
        bool answered = x.answered;
        x.status = SessionStatus.Settled;
        s.openSessions -= 1;
        address[] storage selected = _selected[slaId];
        uint32 active = x.activeMask;
        uint256 members;
        for (uint256 i; i < selected.length; ++i) {
            if (active & (1 << i) != 0) ++members;
        }
        address[] memory oracles = new address[](members);
        IReputation.Outcome[] memory outcomes = new IReputation.Outcome[](members);
        uint32[] memory times = new uint32[](members);
        address[] memory payees = new address[](members);
        uint256 payeeCount;
        uint256 k;
        for (uint256 i; i < selected.length; ++i) {
            uint32 bit = uint32(1 << i);
            if (active & bit == 0) continue;
            address oracle = selected[i];
            Bid storage b = _bids[slaId][oracle];
            IReputation.Outcome outcome;
            if (x.committedMask & bit == 0) {
                outcome = IReputation.Outcome.Missed;
                uint8 streak = b.missStreak + 1;
                b.missStreak = streak;
                if (streak > t.maxMisses && b.state == BidState.Selected) _forfeit(slaId, s, oracle, b);
            } else if (x.mismatchedMask & bit != 0) {
                outcome = IReputation.Outcome.Mismatched;
            } else if (x.revealedMask & bit != 0) {
                if (!answered) {
                    outcome = IReputation.Outcome.Undecided;
                } else if (_isAccepted(t.aggregator, _entries[sessionId][i].answer, x.answer)) {
                    outcome = IReputation.Outcome.Accepted;
                    if (b.state == BidState.Selected) payees[payeeCount++] = oracle;
                } else {
                    outcome = IReputation.Outcome.Rejected;
                    if (b.state == BidState.Selected) _forfeit(slaId, s, oracle, b);
                }
            } else if (revealPhase) {
                outcome = IReputation.Outcome.Unrevealed;
                if (b.state == BidState.Selected) _forfeit(slaId, s, oracle, b);
            } else {
                outcome = IReputation.Outcome.Undecided;
            }
            if (x.committedMask & bit != 0) {
                times[k] = uint32(_entries[sessionId][i].committedAt - x.requestedAt);
            }
            oracles[k] = oracle;
            outcomes[k] = outcome;
            ++k;
        }
        uint256 escrow = x.escrow;
        uint256 payment = answered ? t.paymentPerOracle : 0;
        uint256 paid = payeeCount * payment;
        uint256 refund = escrow - paid;
        x.escrow = 0;
        for (uint256 j; j < payeeCount; ++j) {
            _transfer(payees[j], payment);
            emit OraclePaid(sessionId, payees[j], payment);
        }
        if (refund != 0) {
            _transfer(x.requester, refund);
            if (!answered) emit RequestRefunded(sessionId, x.requester, refund);
        }
        // Last, so a watcher that sees "settled" has seen every payment and refund of the session.
        emit SessionSettled(sessionId, answered, paid, refund);
        try t.reputation.recordOutcomes{gas: _gas(RECORD_GAS + members * RECORD_GAS_PER_ORACLE)}(t.jobType, oracles, outcomes, times) {}
        catch {
            emit ReputationReportFailed(slaId, sessionId);
        }
    }

    function _isAccepted(IAggregator aggregator, int256 answer, int256 finalAnswer) private view returns (bool) {
        // Benefit of the doubt: an aggregator that cannot judge does not cost the oracle its penalty.
        try aggregator.isAccepted{gas: _gas(VIEW_GAS)}(answer, finalAnswer) returns (bool ok) {
            return ok;
        } catch {
            return true;
        }
    }

    // ------------------------------------------------------------------ close

    /// @inheritdoc IOrderMatching
    function close(uint256 slaId) external override nonReentrant {
        Sla storage s = _sla(slaId);
        if (s.status != SlaStatus.Active) revert WrongSlaStatus(slaId, s.status);
        SlaTerms storage t = s.terms;
        if (block.timestamp < t.serviceEnds) revert ServiceNotEnded(slaId, t.serviceEnds);
        if (s.openSessions != 0) revert SessionsOpen(slaId, s.openSessions);
        s.status = SlaStatus.Closed;
        s.active = 0;
        emit SlaClosed(slaId);
        address[] storage selected = _selected[slaId];
        for (uint256 i; i < selected.length; ++i) {
            address oracle = selected[i];
            if (_bids[slaId][oracle].state != BidState.Selected) continue;
            _refundBid(slaId, oracle, t.penalty, BidState.Released);
            _reportPenalty(slaId, t, oracle, IReputation.PenaltyChange.Released);
        }
    }

    // ------------------------------------------------------------------ penalties

    /// @dev Returns a bid's penalty to its oracle: to the oracle's account, or for a pool-backed
    /// bid through the pool's `Node` contract, which releases the node's stake at risk.
    function _refundBid(uint256 slaId, address oracle, uint256 amount, BidState state) private {
        Bid storage b = _bids[slaId][oracle];
        b.state = state;
        if (state == BidState.Released) {
            emit PenaltyReleased(slaId, oracle, amount);
        } else {
            emit BidRefunded(slaId, oracle, amount);
        }
        if (b.poolBacked) {
            address node = _poolContract("Node");
            if (!ILinkToken(LINK).transferAndCall(node, amount, abi.encode(oracle))) {
                revert TransferFailed(node, amount);
            }
        } else {
            _transfer(oracle, amount);
        }
    }

    /// @dev The oracle loses its penalty to the purchaser and leaves the SLA's active set.
    function _forfeit(uint256 slaId, Sla storage s, address oracle, Bid storage b) private {
        b.state = BidState.Forfeited;
        s.active -= 1;
        uint256 amount = s.terms.penalty;
        address purchaser = s.purchaser;
        emit PenaltyForfeited(slaId, oracle, amount, purchaser);
        _transfer(purchaser, amount);
        if (b.poolBacked) {
            try INode(_poolContract("Node")).forfeitPenalty{gas: _gas(RECORD_GAS)}(oracle, amount) {}
            catch {
                emit PoolNoticeFailed(slaId, oracle, amount);
            }
        }
        _reportPenalty(slaId, s.terms, oracle, IReputation.PenaltyChange.Forfeited);
    }

    function _reportPenalty(uint256 slaId, SlaTerms storage t, address oracle, IReputation.PenaltyChange change)
        private
    {
        try t.reputation.recordPenalty{gas: _gas(RECORD_GAS)}(oracle, t.jobType, change, t.penalty) {}
        catch {
            emit ReputationReportFailed(slaId, 0);
        }
    }

    // ------------------------------------------------------------------ helpers

    /// @dev `amount`, after checking that a call with `amount` gas would really get it (EIP-150
    /// passes on 63/64). Without it a caller, or a gas estimate, could starve a try/catch call so
    /// that it fails and is skipped, e.g. leave a reputation report out.
    function _gas(uint256 amount) private view returns (uint256) {
        uint256 needed = amount + amount / 63 + 10_000;
        if (gasleft() < needed) revert InsufficientGas(gasleft(), needed);
        return amount;
    }

    function _transfer(address to, uint256 amount) private {
        if (!ILinkToken(LINK).transfer(to, amount)) revert TransferFailed(to, amount);
    }

    function _poolStorageOf(address oracle) private view returns (address) {
        if (LINK_POOL_REGISTRY == address(0)) return address(0);
        return ILinkPool(_poolContract("LinkPool")).storageOf(oracle);
    }

    function _poolContract(string memory name) private view returns (address) {
        return IPoolStorage(LINK_POOL_REGISTRY).contractAddress(keccak256(bytes(name)));
    }

    function _sla(uint256 slaId) private view returns (Sla storage s) {
        s = _slas[slaId];
        if (s.status == SlaStatus.None) revert UnknownSla(slaId);
    }

    function _session(uint256 sessionId) private view returns (Session storage x) {
        x = _sessions[sessionId];
        if (x.status == SessionStatus.None) revert UnknownSession(sessionId);
    }

    function _selectedIndex(uint256 sessionId, uint256 slaId, address oracle) private view returns (uint256) {
        Bid storage b = _bids[slaId][oracle];
        BidState st = b.state;
        if (st != BidState.Selected && st != BidState.Forfeited && st != BidState.Released) {
            revert NotSelected(sessionId, oracle);
        }
        return b.index;
    }

    function _activeIndex(uint256 sessionId, Session storage x, uint256 slaId, address oracle)
        private
        view
        returns (uint256 index)
    {
        index = _selectedIndex(sessionId, slaId, oracle);
        if (_bids[slaId][oracle].state != BidState.Selected || x.activeMask & (1 << index) == 0) {
            revert NotActive(sessionId, oracle);
        }
    }

    // ------------------------------------------------------------------ reads

    /// @inheritdoc ISlaRegistry
    function purchaserOf(uint256 slaId) external view override returns (address) {
        return _slas[slaId].purchaser;
    }

    /// @inheritdoc ISlaRegistry
    function isSelected(uint256 slaId, address oracle) external view override returns (bool) {
        BidState st = _bids[slaId][oracle].state;
        return st == BidState.Selected || st == BidState.Forfeited || st == BidState.Released;
    }

    /// @inheritdoc IOrderMatching
    function slaCount() external view override returns (uint256) {
        return _slaCount;
    }

    /// @inheritdoc IOrderMatching
    function sessionCount() external view override returns (uint256) {
        return _sessionCount;
    }

    /// @inheritdoc IOrderMatching
    function sla(uint256 slaId) external view override returns (SlaView memory v) {
        Sla storage s = _sla(slaId);
        v.terms = s.terms;
        v.purchaser = s.purchaser;
        v.status = s.status;
        v.f = s.f;
        v.active = s.active;
        v.openSessions = s.openSessions;
        v.selected = _selected[slaId];
        v.bids = _bidders[slaId].length;
    }

    /// @inheritdoc IOrderMatching
    function bids(uint256 slaId) external view override returns (BidView[] memory out) {
        address[] storage bidders = _bidders[slaId];
        out = new BidView[](bidders.length);
        for (uint256 i; i < bidders.length; ++i) {
            out[i] = _bidView(slaId, bidders[i]);
        }
    }

    function _bidView(uint256 slaId, address oracle) private view returns (BidView memory) {
        Bid storage b = _bids[slaId][oracle];
        return BidView({
            oracle: oracle,
            placedAt: b.placedAt,
            poolBacked: b.poolBacked,
            state: b.state,
            index: b.index,
            missStreak: b.missStreak
        });
    }

    /// @inheritdoc IOrderMatching
    function session(uint256 sessionId) external view override returns (SessionView memory) {
        Session storage x = _session(sessionId);
        return SessionView({
            slaId: x.slaId,
            requester: x.requester,
            callback: x.callback,
            selector: x.selector,
            status: x.status,
            requestedAt: x.requestedAt,
            deadline: x.deadline,
            commits: x.commits,
            reveals: x.reveals,
            activeMask: x.activeMask,
            committedMask: x.committedMask,
            revealedMask: x.revealedMask,
            mismatchedMask: x.mismatchedMask,
            answered: x.answered,
            answer: x.answer,
            escrow: x.escrow
        });
    }

    /// @inheritdoc IOrderMatching
    function entry(uint256 sessionId, address oracle) external view override returns (EntryView memory v) {
        Session storage x = _session(sessionId);
        uint256 index = _selectedIndex(sessionId, x.slaId, oracle);
        Entry storage e = _entries[sessionId][index];
        uint32 bit = uint32(1 << index);
        v.commitment = e.commitment;
        v.committedAt = e.committedAt;
        v.revealed = x.revealedMask & bit != 0;
        v.mismatched = x.mismatchedMask & bit != 0;
        v.answer = e.answer;
    }
}
