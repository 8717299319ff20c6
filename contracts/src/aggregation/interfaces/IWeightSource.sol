// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IWeightSource
/// @notice Where a weighted aggregator gets each oracle's weight: `Reputation` (weight from the
/// oracle's accepted answers) or `LinkPoolStakeWeights` (weight = LINK staked behind a LinkPool
/// node). Any contract that implements it can be plugged into `WeightedMeanAggregator`.
interface IWeightSource {
    /// @notice The weight of `oracle`; 0 means "no weight" (the aggregator then ignores the oracle
    /// unless every weight is 0, in which case all count equally).
    function weightOf(address oracle) external view returns (uint256);
}
