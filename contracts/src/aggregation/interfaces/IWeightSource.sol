// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IWeightSource
/// @notice Where a weighted aggregator gets each oracle's weight: `Reputation` (weight from the
/// oracle's accepted answers) or `LinkPoolStakeWeights` (weight = LINK staked behind a LinkPool
/// node). Any contract that implements it can be plugged into `WeightedMeanAggregator`.
interface IWeightSource {
    /// @notice The weight of `oracle`; 0 means "no weight" (the aggregator then ignores the oracle
    /// unless every weight is 0, in which case all count equally). Should not revert: an
    /// aggregator may treat a reverting call as weight 0.
    /// @param oracle The oracle weighed.
    /// @return The oracle's weight (a unit of the source's choosing: juels staked, accepted answers).
    function weightOf(address oracle) external view returns (uint256);
}
