//! `sol!` bindings generated at compile time from the committed artifacts in `contracts/out/`.
//!
//! Each item is a module named after the contract, holding its calls, events, errors, an
//! `…Instance` type for RPC use, and (for deployable contracts) `BYTECODE`, `DEPLOYED_BYTECODE`,
//! `deploy` and `deploy_builder`.
#![allow(missing_docs, unreachable_pub, clippy::too_many_arguments)]

use alloy::sol;

sol!(
    #[sol(rpc, all_derives)]
    LinkToken,
    "../../contracts/out/LinkToken.json"
);

sol!(
    #[sol(rpc, all_derives)]
    Operator,
    "../../contracts/out/Operator.json"
);

sol!(
    #[sol(rpc, all_derives)]
    ConsumerUint256,
    "../../contracts/out/ConsumerUint256.json"
);

sol!(
    #[sol(rpc, all_derives)]
    ConsumerMultiWord,
    "../../contracts/out/ConsumerMultiWord.json"
);

sol!(
    #[sol(rpc, all_derives)]
    RequestEncoder,
    "../../contracts/out/RequestEncoder.json"
);

sol!(
    #[sol(rpc, all_derives)]
    IOperator,
    "../../contracts/out/IOperator.json"
);

sol!(
    #[sol(rpc, all_derives)]
    ILinkToken,
    "../../contracts/out/ILinkToken.json"
);

sol!(
    #[sol(rpc, all_derives)]
    IERC677Receiver,
    "../../contracts/out/IERC677Receiver.json"
);

// DRCoordinator consumers (issue 4): the example consumer and the split-consumer pair.
sol!(
    #[sol(rpc, all_derives)]
    DRCConsumerPrice,
    "../../contracts/out/DRCConsumerPrice.json"
);

sol!(
    #[sol(rpc, all_derives)]
    DRCSplitRequester,
    "../../contracts/out/DRCSplitRequester.json"
);

sol!(
    #[sol(rpc, all_derives)]
    DRCSplitFulfiller,
    "../../contracts/out/DRCSplitFulfiller.json"
);

sol!(
    #[sol(rpc, all_derives)]
    IChainlinkExternalFulfillment,
    "../../contracts/out/IChainlinkExternalFulfillment.json"
);

sol!(
    #[sol(rpc, all_derives)]
    IDRCoordinator,
    "../../contracts/out/IDRCoordinator.json"
);

sol!(
    #[sol(rpc, all_derives)]
    AggregatorV3Interface,
    "../../contracts/out/AggregatorV3Interface.json"
);

// DRCoordinator (issue 4): the coordinator, the settable test/devnet feed and the coordinator's
// test consumer.
sol!(
    #[sol(rpc, all_derives)]
    SettableAggregator,
    "../../contracts/out/SettableAggregator.json"
);

sol!(
    #[sol(rpc, all_derives)]
    DRCTestConsumer,
    "../../contracts/out/DRCTestConsumer.json"
);

/// `DRCoordinator` in a module of its own: its ABI names the interface's structs
/// (`IDRCoordinator.Spec`, `IDRCoordinator.Config`, …), for which `sol!` generates a second
/// `IDRCoordinator` module holding only those types (`coordinator::IDRCoordinator::Spec`); it
/// would clash with the full [`IDRCoordinator`](crate::IDRCoordinator) binding.
pub mod coordinator {
    use alloy::sol;

    sol!(
        #[sol(rpc, all_derives)]
        DRCoordinator,
        "../../contracts/out/DRCoordinator.json"
    );
}
pub use coordinator::DRCoordinator;

sol!(
    #[sol(rpc, all_derives)]
    TestFeedProxy,
    "../../contracts/out/TestFeedProxy.json"
);

// Staking (issue 5): PoolOwners.
sol!(
    #[sol(rpc, all_derives)]
    IPoolOwners,
    "../../contracts/out/IPoolOwners.json"
);

/// `PoolOwners` in a module of its own, as [`coordinator`]: its ABI names `IPoolOwners.Sale` and
/// `IPoolOwners.SalePhase`, for which `sol!` generates a second `IPoolOwners` module.
pub mod pool_owners {
    use alloy::sol;

    sol!(
        #[sol(rpc, all_derives)]
        PoolOwners,
        "../../contracts/out/PoolOwners.json"
    );
}
pub use pool_owners::PoolOwners;

sol!(
    #[sol(rpc, all_derives)]
    FullMathHarness,
    "../../contracts/out/FullMathHarness.json"
);

// Staking (issue 5): the LinkPool suite. `LinkPool` and `Node` name `INode.NodeStatus` (and
// `ILinkPool.NodeInfo`) in their ABIs, so each sits in a module of its own, as `coordinator`.

/// `LinkPool` (entry point and getters), with its `ILinkPool::NodeInfo`/`StakerInfo` types.
pub mod link_pool {
    use alloy::sol;

    sol!(
        #[sol(rpc, all_derives)]
        LinkPool,
        "../../contracts/out/LinkPool.json"
    );
}
pub use link_pool::LinkPool;

/// `Node` (withdrawals, claims, distribution, penalties), with its `INode::NodeStatus` type.
pub mod node {
    use alloy::sol;

    sol!(
        #[sol(rpc, all_derives)]
        Node,
        "../../contracts/out/Node.json"
    );
}
pub use node::Node;

sol!(
    #[sol(rpc, all_derives)]
    PoolStorage,
    "../../contracts/out/PoolStorage.json"
);

sol!(
    #[sol(rpc, all_derives)]
    NodeStaking,
    "../../contracts/out/NodeStaking.json"
);

sol!(
    #[sol(rpc, all_derives)]
    NodeFactory,
    "../../contracts/out/NodeFactory.json"
);

sol!(
    #[sol(rpc, all_derives)]
    PoolStorageFactory,
    "../../contracts/out/PoolStorageFactory.json"
);

sol!(
    #[sol(rpc, all_derives)]
    PenaltyVault,
    "../../contracts/out/PenaltyVault.json"
);

sol!(
    #[sol(rpc, all_derives)]
    DrainingLogic,
    "../../contracts/out/DrainingLogic.json"
);
