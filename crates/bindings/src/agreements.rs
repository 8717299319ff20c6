//! Service agreements (issue 6): [`OrderMatching`] (SLAs, bids, commit/reveal sessions) and
//! [`Reputation`]. Their ABIs name interface types (`IOrderMatching.SlaTerms`,
//! `IReputation.Outcome`, …), for which `sol!` generates a second module, so each sits in a module
//! of its own.
#![allow(missing_docs, unreachable_pub, clippy::too_many_arguments)]

/// `OrderMatching`, with its `IOrderMatching::{SlaTerms, SlaView, BidView, SessionView, …}` types.
pub mod order_matching {
    use alloy::sol;

    sol!(
        #[sol(rpc, all_derives)]
        OrderMatching,
        "../../contracts/out/OrderMatching.json"
    );
}
pub use order_matching::OrderMatching;

/// `Reputation`, with its `IReputation::{Stats, Report, Outcome, …}` types.
pub mod reputation {
    use alloy::sol;

    sol!(
        #[sol(rpc, all_derives)]
        Reputation,
        "../../contracts/out/Reputation.json"
    );
}
pub use reputation::Reputation;

/// A requester contract for tests, benches and the devnet: `fulfill(uint256 sessionId, int256 answer)`.
pub mod sla_consumer {
    use alloy::sol;

    sol!(
        #[sol(rpc, all_derives)]
        SlaConsumer,
        "../../contracts/out/SlaConsumer.json"
    );
}
pub use sla_consumer::SlaConsumer;

/// A custom aggregator for tests: a naive "first answer" rule, or one that reverts or burns gas.
pub mod hostile_aggregator {
    use alloy::sol;

    sol!(
        #[sol(rpc, all_derives)]
        HostileAggregator,
        "../../contracts/out/HostileAggregator.json"
    );
}
pub use hostile_aggregator::HostileAggregator;
