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
