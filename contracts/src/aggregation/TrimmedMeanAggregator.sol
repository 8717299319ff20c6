// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregator} from "./interfaces/IAggregator.sol";
import {AggregationMath} from "./libraries/AggregationMath.sol";
import {ToleranceAggregator} from "./libraries/ToleranceAggregator.sol";

/// @title TrimmedMeanAggregator
/// @notice The trimmed-mean rule (whitepaper §2.1): the `f` lowest and `f` highest answers are
/// dropped, so up to `f` faulty answers on either side cannot pull the mean outside the honest
/// answers.
/// - Complete once `answers.length >= 2f + 1`.
/// - The answers are sorted, the `f` lowest and the `f` highest dropped, and the answer is the
///   mean of the remaining `n - 2f` (at least one), rounded toward zero like Solidity's integer
///   division (e.g. the mean of -3 and -2 is -2, of 2 and 3 is 2). Rounding toward zero is
///   deliberate: it is symmetric for positive and negative answers. The mean is exact for every
///   `int256` answer (no intermediate sum that could overflow; see
///   `AggregationMath.meanTowardZero`).
/// - `isAccepted`: `|answer - final| * 10_000 <= toleranceBps * |final|` (see `ToleranceAggregator`).
/// The oracles' addresses are not used.
contract TrimmedMeanAggregator is ToleranceAggregator {
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
        uint256 n = answers.length;
        if (!AggregationMath.hasQuorum(n, f)) return (false, 0);
        return (true, AggregationMath.meanTowardZero(AggregationMath.sortedCopy(answers), f, n - f));
    }

    /// @inheritdoc IAggregator
    function rule() external pure override returns (string memory) {
        return "trimmed-mean";
    }
}
