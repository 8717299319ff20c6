//! Compatibility with Chainlink's real contracts (npm @chainlink/contracts, built on demand):
//! our consumer with their Operator, their consumer with our Operator, identical CBOR, and their
//! LINK token in front of our Operator.

use alloy::{
    primitives::{Bytes, I256, U256},
    sol_types::SolValue,
};
use linkpool_bindings::{
    stack::{self, sample, Answer, DirectRequestStack, Flavor, StackConfig},
    ConsumerMultiWord, ConsumerUint256, RequestEncoder,
};

use crate::{
    cbor::{int_vectors, uint_vectors},
    common::{chain, ensure_reference, Chain},
    operator::events,
};

/// v1 and v2 round trips plus a cancellation on `stack`, whatever its flavours.
async fn round_trips(c: &Chain, s: &DirectRequestStack) {
    let consumer = ConsumerUint256::new(s.consumer, c.provider.clone());
    for (i, v1) in [(1u64, true), (2, false)] {
        let (url, path) = (sample::URL.to_string(), sample::PATH.to_string());
        let tx = if v1 {
            consumer
                .requestPriceV1(s.operator, sample::SPEC_ID, url, path, sample::TIMES, sample::PAYMENT)
                .into_transaction_request()
        } else {
            consumer
                .requestPrice(s.operator, sample::SPEC_ID, url, path, sample::TIMES, sample::PAYMENT)
                .into_transaction_request()
        };
        let req = stack::oracle_request(&c.send(tx.from(c.owner)).await.unwrap(), s.operator).unwrap();
        assert_eq!(req.dataVersion, U256::from(if v1 { 1 } else { 2 }));
        assert_eq!(req.requester, s.consumer);
        let value = U256::from(100 + i);
        let answer = if v1 {
            Answer::Word(value.into())
        } else {
            Answer::Bytes((req.requestId, value).abi_encode_params().into())
        };
        let receipt = stack::fulfil(&c.provider, s.operator, s.node, &req, answer).await.unwrap();
        assert_eq!(events::<ConsumerUint256::ValueFulfilled>(&receipt, s.consumer)[0].value, value, "{:?}", s.config);
        assert_eq!(consumer.value().call().await.unwrap(), value);
    }

    // Multi-word.
    let multi = ConsumerMultiWord::new(s.multi_word_consumer, c.provider.clone());
    let tx = multi
        .requestMultiple(s.operator, sample::SPEC_ID, vec!["k".into()], vec!["v".into()], sample::PAYMENT)
        .from(c.owner)
        .into_transaction_request();
    let req = stack::oracle_request(&c.send(tx).await.unwrap(), s.operator).unwrap();
    let answer = Answer::Bytes((req.requestId, U256::from(7), U256::from(8), U256::from(9)).abi_encode_params().into());
    stack::fulfil(&c.provider, s.operator, s.node, &req, answer).await.unwrap();
    assert_eq!(multi.b().call().await.unwrap(), U256::from(8));

    // Cancellation after expiration refunds the consumer.
    let tx = consumer
        .requestPrice(s.operator, sample::SPEC_ID, "u".into(), "p".into(), sample::TIMES, sample::PAYMENT)
        .from(c.owner)
        .into_transaction_request();
    let req = stack::oracle_request(&c.send(tx).await.unwrap(), s.operator).unwrap();
    let before = c.link_balance(s.link, s.consumer).await;
    c.increase_time(301).await;
    c.send(
        consumer
            .cancelRequest(req.requestId, req.payment, req.cancelExpiration)
            .from(c.owner)
            .into_transaction_request(),
    )
    .await
    .unwrap();
    assert_eq!(c.link_balance(s.link, s.consumer).await, before + req.payment);
}

#[tokio::test]
async fn our_consumer_works_with_chainlink_operator() {
    let c = chain();
    let s =
        c.stack(StackConfig { link: Flavor::Linkpool, operator: Flavor::Chainlink, consumer: Flavor::Linkpool }).await;
    round_trips(&c, &s).await;
}

#[tokio::test]
async fn chainlink_consumer_works_with_our_operator() {
    let c = chain();
    let s =
        c.stack(StackConfig { link: Flavor::Linkpool, operator: Flavor::Linkpool, consumer: Flavor::Chainlink }).await;
    round_trips(&c, &s).await;
}

#[tokio::test]
async fn our_stack_works_with_chainlink_link_token() {
    let c = chain();
    let s =
        c.stack(StackConfig { link: Flavor::Chainlink, operator: Flavor::Linkpool, consumer: Flavor::Linkpool }).await;
    round_trips(&c, &s).await;
}

#[tokio::test]
async fn chainlink_stack_passes_the_same_round_trips() {
    // Guards the test itself: what we assert of our contracts holds for the reference.
    let c = chain();
    let s = c.stack(StackConfig::CHAINLINK).await;
    round_trips(&c, &s).await;
}

#[tokio::test]
async fn both_stacks_emit_identical_requests() {
    let c = chain();
    let ours = c.stack(StackConfig::LINKPOOL).await;
    let theirs = c.stack(StackConfig::CHAINLINK).await;
    let mut emitted = Vec::new();
    for s in [&ours, &theirs] {
        emitted.push(crate::operator::request_v2(&c, s).await.1);
    }
    let (a, b) = (&emitted[0], &emitted[1]);
    assert_eq!(a.specId, b.specId);
    assert_eq!(a.payment, b.payment);
    assert_eq!(a.callbackFunctionId, b.callbackFunctionId);
    assert_eq!(a.dataVersion, b.dataVersion);
    assert_eq!(a.data, b.data, "identical CBOR");
    assert_eq!(a.requestId, crate::common::request_id(ours.consumer, 1));
    assert_eq!(b.requestId, crate::common::request_id(theirs.consumer, 1));
}

/// A deterministic spread of values: small, boundary, and pseudo-random of every width.
fn spread() -> Vec<U256> {
    let mut values: Vec<U256> = uint_vectors().into_iter().map(|(v, _)| v).collect();
    let mut x = U256::from(0x9e3779b97f4a7c15u64);
    for bits in 1..=256usize {
        x = x.wrapping_mul(U256::from(6364136223846793005u64)).wrapping_add(U256::from(1442695040888963407u64));
        let mask = if bits == 256 { U256::MAX } else { (U256::from(1) << bits) - U256::from(1) };
        values.push(x & mask);
        values.push(U256::from(1) << (bits - 1));
    }
    values
}

#[tokio::test]
async fn encoders_match_chainlink_byte_for_byte() {
    ensure_reference();
    let c = chain();
    let ours = RequestEncoder::new(
        stack::deploy_request_encoder(&c.provider, c.owner, Flavor::Linkpool).await.unwrap(),
        c.provider.clone(),
    );
    let theirs = RequestEncoder::new(
        stack::deploy_request_encoder(&c.provider, c.owner, Flavor::Chainlink).await.unwrap(),
        c.provider.clone(),
    );
    for v in spread() {
        let key = "key".to_string();
        assert_eq!(
            ours.encodeUint(key.clone(), v).call().await.unwrap(),
            theirs.encodeUint(key.clone(), v).call().await.unwrap(),
            "uint {v}"
        );
        for i in [I256::from_raw(v), -I256::from_raw(v >> 1)] {
            assert_eq!(
                ours.encodeInt(key.clone(), i).call().await.unwrap(),
                theirs.encodeInt(key.clone(), i).call().await.unwrap(),
                "int {i}"
            );
        }
    }
    for (i, _) in int_vectors() {
        assert_eq!(
            ours.encodeInt("k".into(), i).call().await.unwrap(),
            theirs.encodeInt("k".into(), i).call().await.unwrap(),
            "int {i}"
        );
    }
    for len in [0usize, 1, 23, 24, 255, 256, 257, 1_000, 65_536] {
        let s = "s".repeat(len);
        let b = Bytes::from(vec![0xab; len]);
        assert_eq!(
            ours.encodeString(s.clone(), s.clone()).call().await.unwrap(),
            theirs.encodeString(s.clone(), s.clone()).call().await.unwrap(),
            "string of {len}"
        );
        assert_eq!(
            ours.encodeBytes("b".into(), b.clone()).call().await.unwrap(),
            theirs.encodeBytes("b".into(), b).call().await.unwrap(),
            "bytes of {len}"
        );
    }
    let arr: Vec<String> = (0..40).map(|i| "w".repeat(i * 3)).collect();
    assert_eq!(
        ours.encodeStringArray("a".into(), arr.clone()).call().await.unwrap(),
        theirs.encodeStringArray("a".into(), arr.clone()).call().await.unwrap()
    );
    let b = Bytes::from_static(&[1]);
    assert_eq!(
        ours.encodeAll("s".into(), b.clone(), U256::MAX, I256::MIN, arr.clone()).call().await.unwrap(),
        theirs.encodeAll("s".into(), b, U256::MAX, I256::MIN, arr).call().await.unwrap()
    );
}
