// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregator} from "./interfaces/IAggregator.sol";

/// @title ModeAggregator
/// @notice The majority rule (whitepaper §2.1), for answers that must match exactly (a flag, an
/// enumeration, a hash): with at most `f` faulty oracles, a value given by `f + 1` oracles was
/// given by at least one honest oracle.
/// - Complete as soon as some value occurs at least `f + 1` times; the answer is that value. If
///   several values reach `f + 1` occurrences, the one whose `(f + 1)`-th occurrence comes first
///   in the order given wins, so calling after every reveal and calling once with all the answers
///   give the same result.
/// - `isAccepted(answer, final)` is `answer == final`.
/// The oracles' addresses are not used. Gas is quadratic in the number of answers (at most
/// 31 * 30 / 2 comparisons), in memory only.
contract ModeAggregator is IAggregator {
    /// @inheritdoc IAggregator
    function aggregate(address[] calldata, int256[] calldata answers, uint256 f)
        external
        pure
        override
        returns (bool complete, int256 answer)
    {
        uint256 n = answers.length;
        // The (f + 1)-th occurrence of a value cannot come before index f.
        for (uint256 j = f; j < n; ++j) {
            int256 v = answers[j];
            uint256 count = 1;
            // Counts the earlier occurrences of v; i < j < n keeps the reads inside `answers`,
            // so they skip the compiler's bounds checks. count <= j <= 31, no overflow.
            assembly ("memory-safe") {
                for { let i := 0 } lt(i, j) { i := add(i, 1) } {
                    count := add(count, eq(calldataload(add(answers.offset, shl(5, i))), v))
                }
            }
            if (count > f) return (true, v);
        }
        return (false, 0);
    }

    /// @inheritdoc IAggregator
    function isAccepted(int256 answer, int256 finalAnswer) external pure override returns (bool) {
        return answer == finalAnswer;
    }

    /// @inheritdoc IAggregator
    function rule() external pure override returns (string memory) {
        return "mode";
    }
}
