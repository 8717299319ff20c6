//! Aggregating contracts (issue 6): the standard `IAggregator` rules and weight sources.
#![allow(missing_docs, unreachable_pub, clippy::too_many_arguments)]

use alloy::sol;

// The calculation interface `OrderMatching` calls, and the weight-source interface.
sol!(
    #[sol(rpc, all_derives)]
    IAggregator,
    "../../contracts/out/IAggregator.json"
);

sol!(
    #[sol(rpc, all_derives)]
    IWeightSource,
    "../../contracts/out/IWeightSource.json"
);

// The standard rules: `constructor(uint256 toleranceBps)` except the mode rule (no arguments)
// and the weighted mean (`constructor(IWeightSource source, uint256 toleranceBps)`).
sol!(
    #[sol(rpc, all_derives)]
    ModeAggregator,
    "../../contracts/out/ModeAggregator.json"
);

sol!(
    #[sol(rpc, all_derives)]
    MedianAggregator,
    "../../contracts/out/MedianAggregator.json"
);

sol!(
    #[sol(rpc, all_derives)]
    TrimmedMeanAggregator,
    "../../contracts/out/TrimmedMeanAggregator.json"
);

sol!(
    #[sol(rpc, all_derives)]
    WeightedMeanAggregator,
    "../../contracts/out/WeightedMeanAggregator.json"
);

// Weight = LINK staked behind a LinkPool node: `constructor(IPoolStorage poolStorage)` (the pool's registry).
sol!(
    #[sol(rpc, all_derives)]
    LinkPoolStakeWeights,
    "../../contracts/out/LinkPoolStakeWeights.json"
);
