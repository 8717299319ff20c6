// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregator} from "./interfaces/IAggregator.sol";
import {AggregationMath} from "./libraries/AggregationMath.sol";
import {ToleranceAggregator} from "./libraries/ToleranceAggregator.sol";

/// @title MedianAggregator
/// @notice The median rule (whitepaper §2.1): with at most `f` faulty oracles, the median of
/// `2f + 1` or more answers lies between two honest answers.
/// - Complete once `answers.length >= 2f + 1`.
/// - The answer is the median of all answers given: for an odd count the middle value of the
///   sorted answers; for an even count the mean of the two middle values, rounded toward
///   negative infinity (e.g. -3 and -2 give -3, 2 and 3 give 2), computed without overflow.
/// - `isAccepted`: `|answer - final| * 10_000 <= toleranceBps * |final|` (see `ToleranceAggregator`).
/// The oracles' addresses are not used.
contract MedianAggregator is ToleranceAggregator {
    /// @param toleranceBps_ The accepted deviation from the final answer, in basis points of its
    /// magnitude (at most 10_000).
    constructor(uint256 toleranceBps_) ToleranceAggregator(toleranceBps_) {}

    /// @inheritdoc IAggregator
    function aggregate(address[] calldata, int256[] calldata answers, uint256 f)
        external
        pure
        override
        returns (bool complete, int256 answer)
    {
        if (!AggregationMath.hasQuorum(answers.length, f)) return (false, 0);
        return (true, AggregationMath.medianOfSorted(AggregationMath.sortedCopy(answers)));
    }

    /// @inheritdoc IAggregator
    function rule() external pure override returns (string memory) {
        return "median";
    }
}
