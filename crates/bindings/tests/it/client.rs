//! ChainlinkClient semantics through the example consumers.

use alloy::{
    primitives::{Address, U256},
    sol_types::{SolCall, SolValue},
};
use linkpool_bindings::{
    stack::{self, sample, Answer, StackConfig},
    ConsumerMultiWord,
    ConsumerMultiWord::ConsumerMultiWordErrors as MultiE,
    ConsumerUint256,
    ConsumerUint256::ConsumerUint256Errors as E,
};

use crate::{
    cbor::{decode_diet, text},
    common::{call_revert, chain, request_id, revert},
    operator::events,
};

#[tokio::test]
async fn request_ids_use_a_nonce_starting_at_one() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let consumer = ConsumerUint256::new(s.consumer, c.provider.clone());
    for nonce in 1..=3 {
        let tx = consumer
            .requestPrice(s.operator, sample::SPEC_ID, "u".into(), "p".into(), sample::TIMES, U256::from(1))
            .from(c.owner)
            .into_transaction_request();
        let receipt = c.send(tx).await.unwrap();
        let requested = events::<ConsumerUint256::ChainlinkRequested>(&receipt, s.consumer);
        assert_eq!(requested[0].id, request_id(s.consumer, nonce));
        assert_eq!(stack::oracle_request(&receipt, s.operator).unwrap().requestId, requested[0].id);
    }
}

#[tokio::test]
async fn only_the_oracle_of_a_request_may_fulfil_it() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let consumer = ConsumerUint256::new(s.consumer, c.provider.clone());
    let tx = consumer
        .requestPrice(s.operator, sample::SPEC_ID, "u".into(), "p".into(), sample::TIMES, U256::from(1))
        .from(c.owner)
        .into_transaction_request();
    let req = stack::oracle_request(&c.send(tx).await.unwrap(), s.operator).unwrap();

    let r = consumer.fulfill(req.requestId, U256::from(1)).from(c.stranger).call().await;
    assert_eq!(
        call_revert::<E, _>(r),
        E::FulfillmentNotFromOracle(ConsumerUint256::FulfillmentNotFromOracle {
            requestId: req.requestId,
            caller: c.stranger
        })
    );
    // The node account itself is not the oracle either: answers must go through the Operator.
    let r = consumer.fulfill(req.requestId, U256::from(1)).from(s.node).call().await;
    assert!(matches!(call_revert::<E, _>(r), E::FulfillmentNotFromOracle(_)));

    let answer = Answer::Bytes((req.requestId, U256::from(9)).abi_encode_params().into());
    let receipt = stack::fulfil(&c.provider, s.operator, s.node, &req, answer).await.unwrap();
    assert_eq!(events::<ConsumerUint256::ChainlinkFulfilled>(&receipt, s.consumer)[0].id, req.requestId);
    assert_eq!(consumer.value().call().await.unwrap(), U256::from(9));
}

#[tokio::test]
async fn multi_word_request_is_answered_in_one_callback() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let consumer = ConsumerMultiWord::new(s.multi_word_consumer, c.provider.clone());
    let keys: Vec<String> = ["urlBTC", "pathBTC", "urlUSD", "pathUSD", "urlEUR", "pathEUR"].map(Into::into).to_vec();
    let values: Vec<String> = [
        "https://min-api.cryptocompare.com/data/price?fsym=ETH&tsyms=BTC",
        "BTC",
        "https://min-api.cryptocompare.com/data/price?fsym=ETH&tsyms=USD",
        "USD",
        "https://min-api.cryptocompare.com/data/price?fsym=ETH&tsyms=EUR",
        "EUR",
    ]
    .map(Into::into)
    .to_vec();
    let tx = consumer
        .requestMultiple(s.operator, sample::SPEC_ID, keys.clone(), values.clone(), sample::PAYMENT)
        .from(c.owner)
        .into_transaction_request();
    let req = stack::oracle_request(&c.send(tx).await.unwrap(), s.operator).unwrap();
    assert_eq!(req.callbackFunctionId.0, ConsumerMultiWord::fulfillMultipleParametersCall::SELECTOR);
    let params = decode_diet(&req.data);
    for (k, v) in keys.iter().zip(&values) {
        assert_eq!(text(&params, k), Some(v.as_str()), "{k}");
    }

    let answer = Answer::Bytes((req.requestId, U256::from(1), U256::from(2), U256::from(3)).abi_encode_params().into());
    let receipt = stack::fulfil(&c.provider, s.operator, s.node, &req, answer).await.unwrap();
    let e = &events::<ConsumerMultiWord::MultipleFulfilled>(&receipt, s.multi_word_consumer)[0];
    assert_eq!((e.a, e.b, e.c), (U256::from(1), U256::from(2), U256::from(3)));
    assert_eq!(consumer.c().call().await.unwrap(), U256::from(3));

    let r = c
        .send(
            consumer
                .requestMultiple(s.operator, sample::SPEC_ID, keys, vec![], sample::PAYMENT)
                .from(c.owner)
                .into_transaction_request(),
        )
        .await;
    assert_eq!(
        revert::<MultiE, _>(r),
        MultiE::LengthMismatch(ConsumerMultiWord::LengthMismatch { keys: U256::from(6), values: U256::ZERO })
    );
}

#[tokio::test]
async fn raw_request_bytes_are_forwarded_untouched() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let consumer = ConsumerUint256::new(s.consumer, c.provider.clone());
    // Deliberately malformed CBOR: a text string head promising 5 bytes, followed by 1.
    let raw = alloy::primitives::Bytes::from_static(&[0x65, b'x']);
    let tx = consumer
        .requestRaw(s.operator, sample::SPEC_ID, raw.clone(), U256::from(1))
        .from(c.owner)
        .into_transaction_request();
    let req = stack::oracle_request(&c.send(tx).await.unwrap(), s.operator).unwrap();
    assert_eq!(req.data, raw);
    assert_ne!(req.requester, Address::ZERO);
}
