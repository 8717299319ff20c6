// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";

/// @title SettableAggregator
/// @notice A price feed whose answer its owner sets: for tests and the devnet only, never for real
/// prices. It speaks `AggregatorV3Interface` like a Chainlink feed and also exposes Chainlink's
/// aggregator `minAnswer()`/`maxAnswer()`, so it can stand in for a LINK/TKN, LINK/USD, TKN/USD or
/// L2 sequencer uptime feed (answer 0 = up, 1 = down; `startedAt` = when the status changed).
/// @dev Only the latest round is kept: `getRoundData` answers for the latest round id only. Every
/// setter starts a new round. The deployer is the owner, for good; nobody else can set anything.
contract SettableAggregator is AggregatorV3Interface {
    /// @inheritdoc AggregatorV3Interface
    uint8 public immutable decimals;
    /// @notice The deployer, the only account that may set answers and limits.
    address public immutable owner;

    string private s_description;
    uint80 private s_roundId;
    uint64 private s_startedAt;
    uint64 private s_updatedAt;
    int256 private s_answer;
    int192 private s_minAnswer;
    int192 private s_maxAnswer;

    /// @notice The caller is not the owner.
    error NotOwner(address caller);
    /// @notice No data for this round (only the latest round is kept).
    error NoDataPresent(uint80 roundId);
    /// @notice The min answer is not below the max answer.
    error InvalidLimits(int192 minAnswer, int192 maxAnswer);

    /// @notice A new round was set.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    /// @notice The limits were set.
    event LimitsSet(int192 minAnswer, int192 maxAnswer);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Deploys a feed with round 1 = `initialAnswer`, updated now, and the widest limits
    /// (`type(int192).min + 1`, `type(int192).max`), like an aggregator with no practical bounds.
    /// @param decimals_ Decimals of the answer.
    /// @param description_ E.g. "LINK / ETH".
    /// @param initialAnswer The first answer.
    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        owner = msg.sender;
        s_description = description_;
        s_minAnswer = type(int192).min + 1;
        s_maxAnswer = type(int192).max;
        _setRound(initialAnswer, block.timestamp, block.timestamp);
    }

    /// @notice Sets a new answer, started and updated now.
    /// @param answer The answer.
    function setAnswer(int256 answer) external onlyOwner {
        _setRound(answer, block.timestamp, block.timestamp);
    }

    /// @notice Sets a new round with explicit timestamps (stale answers, sequencer status changes).
    /// @param answer The answer.
    /// @param startedAt When the round started.
    /// @param updatedAt When the answer was updated.
    function setRoundData(int256 answer, uint256 startedAt, uint256 updatedAt) external onlyOwner {
        _setRound(answer, startedAt, updatedAt);
    }

    /// @notice Sets the limits reported by `minAnswer()` and `maxAnswer()`.
    /// @param minAnswer_ The lowest answer the feed can report.
    /// @param maxAnswer_ The highest answer the feed can report.
    function setLimits(int192 minAnswer_, int192 maxAnswer_) external onlyOwner {
        if (minAnswer_ >= maxAnswer_) revert InvalidLimits(minAnswer_, maxAnswer_);
        s_minAnswer = minAnswer_;
        s_maxAnswer = maxAnswer_;
        emit LimitsSet(minAnswer_, maxAnswer_);
    }

    /// @notice The lowest answer the feed can report (Chainlink aggregator's `minAnswer`).
    /// @return The limit.
    function minAnswer() external view returns (int192) {
        return s_minAnswer;
    }

    /// @notice The highest answer the feed can report (Chainlink aggregator's `maxAnswer`).
    /// @return The limit.
    function maxAnswer() external view returns (int192) {
        return s_maxAnswer;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external view returns (string memory) {
        return s_description;
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        if (roundId != s_roundId) revert NoDataPresent(roundId);
        return (roundId, s_answer, s_startedAt, s_updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        roundId = s_roundId;
        return (roundId, s_answer, s_startedAt, s_updatedAt, roundId);
    }

    function _setRound(int256 answer, uint256 startedAt, uint256 updatedAt) private {
        uint80 roundId = s_roundId + 1;
        s_roundId = roundId;
        s_startedAt = uint64(startedAt);
        s_updatedAt = uint64(updatedAt);
        s_answer = answer;
        emit AnswerUpdated(answer, roundId, updatedAt);
    }
}
