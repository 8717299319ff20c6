// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregator} from "../interfaces/IAggregator.sol";
import {AggregationMath} from "./AggregationMath.sol";

/// @title ToleranceAggregator
/// @notice The `isAccepted` rule of the numeric aggregators (median, trimmed mean, weighted
/// mean): an answer is accepted when it deviates from the final answer by at most
/// `toleranceBps` basis points of the final answer's magnitude,
/// `|answer - finalAnswer| * 10_000 <= toleranceBps * |finalAnswer|` (exact, inclusive; with a
/// final answer of 0 only 0 is accepted; a tolerance of 0 accepts only the final answer itself).
abstract contract ToleranceAggregator is IAggregator {
    /// @notice The tolerance given to the constructor is above 100%.
    /// @param toleranceBps The tolerance given.
    /// @param max The highest tolerance allowed (10_000 bps).
    error ToleranceTooHigh(uint256 toleranceBps, uint256 max);

    /// @notice The accepted deviation from the final answer, in basis points of its magnitude.
    uint256 public immutable toleranceBps;

    /// @param toleranceBps_ The accepted deviation in basis points (at most 10_000).
    constructor(uint256 toleranceBps_) {
        if (toleranceBps_ > AggregationMath.BPS) revert ToleranceTooHigh(toleranceBps_, AggregationMath.BPS);
        toleranceBps = toleranceBps_;
    }

    /// @inheritdoc IAggregator
    /// @dev `|answer - finalAnswer| * 10_000 <= toleranceBps * |finalAnswer|`, see `AggregationMath.withinTolerance`.
    function isAccepted(int256 answer, int256 finalAnswer) external view override returns (bool) {
        return AggregationMath.withinTolerance(answer, finalAnswer, toleranceBps);
    }
}
