// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregator} from "./interfaces/IAggregator.sol";
import {IWeightSource} from "./interfaces/IWeightSource.sol";
import {AggregationMath} from "./libraries/AggregationMath.sol";
import {ToleranceAggregator} from "./libraries/ToleranceAggregator.sol";

/// @title WeightedMeanAggregator
/// @notice The weighted-mean rule: each answer counts with its oracle's weight from an
/// `IWeightSource` (e.g. reputation, or LINK staked behind a LinkPool node).
/// - Complete once `answers.length >= 2f + 1`.
/// - Weights `w_i = min(weightSource.weightOf(oracles[i]), MAX_WEIGHT)`; a source call that
///   reverts counts as weight 0, so a broken source cannot block a session. If every weight is 0,
///   every answer counts with weight 1.
/// - The answer is `sum(w_i * a_i) / sum(w_i)`, rounded toward zero like Solidity's integer
///   division (deliberately symmetric for positive and negative answers), exact for every
///   `int256` answer: the cap `MAX_WEIGHT = 2^122` keeps `sum(w_i) < 2^127`, the bound under
///   which `AggregationMath.weightedMeanTowardZero` never overflows. The cap (about 5.3e36) is far
///   above any stake in juels (LINK's supply is 1e27) or reputation count.
/// - `isAccepted`: `|answer - final| * 10_000 <= toleranceBps * |final|` (see `ToleranceAggregator`).
contract WeightedMeanAggregator is ToleranceAggregator {
    /// @notice The weight source given to the constructor has no code.
    /// @param account The address given.
    error NotAContract(address account);
    /// @notice `oracles` and `answers` differ in length.
    /// @param oracles The number of oracles.
    /// @param answers The number of answers.
    error LengthMismatch(uint256 oracles, uint256 answers);

    /// @notice Weights above this count as this (keeps the arithmetic exact; see the contract notice).
    uint256 public constant MAX_WEIGHT = 2 ** 122;

    /// @notice Where the oracles' weights come from.
    IWeightSource public immutable weightSource;

    /// @param source The weight source (a contract).
    /// @param toleranceBps_ The accepted deviation from the final answer, in basis points of its
    /// magnitude (at most 10_000).
    constructor(IWeightSource source, uint256 toleranceBps_) ToleranceAggregator(toleranceBps_) {
        if (address(source).code.length == 0) revert NotAContract(address(source));
        weightSource = source;
    }

    /// @inheritdoc IAggregator
    /// @dev Reverts `LengthMismatch` when `oracles` and `answers` are not parallel.
    function aggregate(address[] calldata oracles, int256[] calldata answers, uint256 f)
        external
        view
        override
        returns (bool complete, int256 answer)
    {
        uint256 n = answers.length;
        if (oracles.length != n) revert LengthMismatch(oracles.length, n);
        if (!AggregationMath.hasQuorum(n, f)) return (false, 0);
        uint256[] memory weights = new uint256[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            uint256 w = _weightOf(oracles[i]);
            weights[i] = w;
            total += w;
        }
        if (total == 0) {
            for (uint256 i; i < n; ++i) {
                weights[i] = 1;
            }
            total = n;
        }
        return (true, AggregationMath.weightedMeanTowardZero(answers, weights, total));
    }

    /// @inheritdoc IAggregator
    function rule() external pure override returns (string memory) {
        return "weighted-mean";
    }

    /// @dev The capped weight of `oracle`; 0 if the source reverts.
    function _weightOf(address oracle) private view returns (uint256) {
        try weightSource.weightOf(oracle) returns (uint256 w) {
            return w > MAX_WEIGHT ? MAX_WEIGHT : w;
        } catch {
            return 0;
        }
    }
}
