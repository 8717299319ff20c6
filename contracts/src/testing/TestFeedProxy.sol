// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "../feeds/interfaces/AggregatorV3Interface.sol";

/// @title TestFeedProxy
/// @notice Test harness: a minimal stand-in for a Chainlink feed proxy. It forwards the
/// `AggregatorV3Interface` reads to an aggregator and exposes it as `aggregator()` (but not its
/// `minAnswer`/`maxAnswer`), so tests can check that DRCoordinator reads a proxied feed's limits
/// from the aggregator behind it.
contract TestFeedProxy is AggregatorV3Interface {
    /// @notice The aggregator behind this proxy.
    AggregatorV3Interface public immutable aggregator;

    /// @param aggregator_ The aggregator to forward to.
    constructor(address aggregator_) {
        aggregator = AggregatorV3Interface(aggregator_);
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external view returns (uint8) {
        return aggregator.decimals();
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external view returns (string memory) {
        return aggregator.description();
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external view returns (uint256) {
        return aggregator.version();
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        return aggregator.getRoundData(roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return aggregator.latestRoundData();
    }
}
