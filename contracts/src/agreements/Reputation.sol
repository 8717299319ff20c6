// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IReputation, ISlaRegistry} from "./interfaces/IReputation.sol";
import {IWeightSource} from "../aggregation/interfaces/IWeightSource.sol";

/// @title Reputation
/// @notice See {IReputation}. Counters are uint32 (4 billion requests per oracle) and checked:
/// an overflow reverts the reporting call rather than wrapping.
contract Reputation is IReputation {
    /// @inheritdoc IReputation
    uint256 public constant override NO_HISTORY_BPS = 5_000;

    /// @inheritdoc IReputation
    address public override owner;
    address public pendingOwner;

    mapping(address => bool) private _aggregating;
    mapping(address => Stats) private _overall;
    mapping(address => mapping(bytes32 => Stats)) private _byType;
    mapping(address => Penalties) private _penalties;
    mapping(address => mapping(bytes32 => Penalties)) private _penaltiesByType;
    mapping(address => uint32) private _forfeits;
    mapping(address => Ratings) private _ratings;
    /// registry => slaId => oracle => rated
    mapping(address => mapping(uint256 => mapping(address => bool))) private _rated;

    constructor(address owner_) {
        if (owner_ == address(0)) revert ZeroAddress();
        owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    modifier onlyAggregating() {
        if (!_aggregating[msg.sender]) revert NotAggregatingContract(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ writes

    /// @inheritdoc IReputation
    function recordOutcomes(
        bytes32 jobType,
        address[] calldata oracles,
        Outcome[] calldata outcomes,
        uint32[] calldata responseTimes
    ) external override onlyAggregating {
        if (oracles.length != outcomes.length || oracles.length != responseTimes.length) {
            revert LengthMismatch(oracles.length, outcomes.length, responseTimes.length);
        }
        for (uint256 i; i < oracles.length; ++i) {
            address oracle = oracles[i];
            Outcome outcome = outcomes[i];
            uint32 time = responseTimes[i];
            _overall[oracle] = _applied(_overall[oracle], outcome, time);
            _byType[oracle][jobType] = _applied(_byType[oracle][jobType], outcome, time);
            emit OutcomeRecorded(oracle, jobType, outcome, time, msg.sender);
        }
    }

    /// @dev One outcome added to a record (memory in, memory out: one storage write per record).
    function _applied(Stats memory m, Outcome outcome, uint32 time) private pure returns (Stats memory) {
        m.assigned += 1;
        if (outcome == Outcome.Accepted || outcome == Outcome.Rejected) {
            m.completed += 1;
            m.responseTimeTotal += time;
            if (outcome == Outcome.Accepted) m.accepted += 1;
        } else if (outcome == Outcome.Missed) {
            m.missed += 1;
        } else if (outcome == Outcome.Unrevealed) {
            m.unrevealed += 1;
        } else if (outcome == Outcome.Mismatched) {
            m.mismatched += 1;
        }
        return m;
    }

    /// @inheritdoc IReputation
    function recordPenalty(address oracle, bytes32 jobType, PenaltyChange change, uint256 amount)
        external
        override
        onlyAggregating
    {
        _movePenalty(_penalties[oracle], oracle, change, amount);
        _movePenalty(_penaltiesByType[oracle][jobType], oracle, change, amount);
        if (change == PenaltyChange.Forfeited) _forfeits[oracle] += 1;
        emit PenaltyRecorded(oracle, jobType, change, amount);
    }

    function _movePenalty(Penalties storage p, address oracle, PenaltyChange change, uint256 amount) private {
        uint128 a = uint128(amount);
        if (a != amount) revert PenaltyUnderflow(oracle, p.locked, amount);
        if (change == PenaltyChange.Locked) {
            p.locked += a;
            return;
        }
        if (p.locked < a) revert PenaltyUnderflow(oracle, p.locked, amount);
        p.locked -= a;
        if (change == PenaltyChange.Forfeited) p.forfeited += a;
    }

    /// @inheritdoc IReputation
    function rate(address registry, uint256 slaId, address oracle, uint8 score) external override {
        if (score == 0 || score > 5) revert InvalidScore(score);
        if (!_aggregating[registry]) revert NotAggregatingContract(registry);
        address purchaser = ISlaRegistry(registry).purchaserOf(slaId);
        if (msg.sender != purchaser) revert NotPurchaser(msg.sender, purchaser);
        if (!ISlaRegistry(registry).isSelected(slaId, oracle)) revert NotSelected(slaId, oracle);
        if (_rated[registry][slaId][oracle]) revert AlreadyRated(registry, slaId, oracle);
        _rated[registry][slaId][oracle] = true;
        Ratings storage r = _ratings[oracle];
        r.count += 1;
        r.total += score;
        emit OracleRated(oracle, msg.sender, registry, slaId, score);
    }

    // ------------------------------------------------------------------ owner

    /// @inheritdoc IReputation
    function registerAggregatingContract(address aggregatingContract) external override onlyOwner {
        if (aggregatingContract == address(0)) revert ZeroAddress();
        _aggregating[aggregatingContract] = true;
        emit AggregatingContractRegistered(aggregatingContract);
    }

    /// @inheritdoc IReputation
    function unregisterAggregatingContract(address aggregatingContract) external override onlyOwner {
        _aggregating[aggregatingContract] = false;
        emit AggregatingContractUnregistered(aggregatingContract);
    }

    /// @inheritdoc IReputation
    function transferOwnership(address newOwner) external override onlyOwner {
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(owner, newOwner);
    }

    /// @inheritdoc IReputation
    function acceptOwnership() external override {
        if (msg.sender != pendingOwner) revert NotPendingOwner(msg.sender);
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }

    // ------------------------------------------------------------------ reads

    /// @inheritdoc IReputation
    function isAggregatingContract(address account) external view override returns (bool) {
        return _aggregating[account];
    }

    /// @inheritdoc IReputation
    function stats(address oracle) external view override returns (Stats memory) {
        return _overall[oracle];
    }

    /// @inheritdoc IReputation
    function statsFor(address oracle, bytes32 jobType) external view override returns (Stats memory) {
        return _byType[oracle][jobType];
    }

    /// @inheritdoc IReputation
    function penalties(address oracle) external view override returns (Penalties memory) {
        return _penalties[oracle];
    }

    /// @inheritdoc IReputation
    function penaltiesFor(address oracle, bytes32 jobType) external view override returns (Penalties memory) {
        return _penaltiesByType[oracle][jobType];
    }

    /// @inheritdoc IReputation
    function ratings(address oracle) external view override returns (Ratings memory) {
        return _ratings[oracle];
    }

    /// @inheritdoc IReputation
    function report(address oracle) external view override returns (Report memory) {
        return Report({
            overall: _overall[oracle],
            penalties: _penalties[oracle],
            ratings: _ratings[oracle],
            forfeits: _forfeits[oracle]
        });
    }

    /// @inheritdoc IReputation
    function acceptanceBps(address oracle) public view override returns (uint256) {
        Stats memory s = _overall[oracle];
        if (s.assigned == 0) return NO_HISTORY_BPS;
        return uint256(s.accepted) * 10_000 / s.assigned;
    }

    /// @notice Weight for `WeightedMeanAggregator`: the oracle's accepted answers over all job types.
    function weightOf(address oracle) external view override(IWeightSource) returns (uint256) {
        return _overall[oracle].accepted;
    }
}
