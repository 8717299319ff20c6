//! Diet-CBOR request encoding: vectors checked byte for byte and decoded with ciborium.

use alloy::primitives::{hex, Bytes, I256, U256};
use ciborium::Value;
use linkpool_bindings::{
    stack::{self, sample, StackConfig},
    RequestEncoder,
};

use crate::common::chain;

/// Decodes request parameters as the node does: wrapped in an indefinite map unless empty or
/// already a map.
pub(crate) fn decode_diet(data: &[u8]) -> Vec<(Value, Value)> {
    let mut wrapped = vec![0xbf];
    wrapped.extend_from_slice(data);
    wrapped.push(0xff);
    match ciborium::from_reader::<Value, _>(wrapped.as_slice()).expect("valid diet CBOR") {
        Value::Map(entries) => entries,
        other => panic!("not a map: {other:?}"),
    }
}

pub(crate) fn get<'a>(params: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    params.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}

pub(crate) fn text<'a>(params: &'a [(Value, Value)], key: &str) -> Option<&'a str> {
    get(params, key).and_then(Value::as_text)
}

/// Expected encoding of key "k" followed by `value_hex`.
fn with_key(value_hex: &str) -> Bytes {
    hex::decode(format!("616b{value_hex}")).unwrap().into()
}

/// Tag `tag` (2 or 3) followed by a 32-byte byte string holding `magnitude`.
fn bignum(tag: u8, magnitude: U256) -> String {
    format!("{:02x}5820{}", 0xc0 + tag, hex::encode(magnitude.to_be_bytes::<32>()))
}

pub(crate) fn uint_vectors() -> Vec<(U256, String)> {
    let two64 = U256::from(1) << 64;
    let v = |value: U256, hex: &str| (value, hex.to_string());
    vec![
        v(U256::ZERO, "00"),
        v(U256::from(23), "17"),
        v(U256::from(24), "1818"),
        v(U256::from(255), "18ff"),
        v(U256::from(256), "190100"),
        v(U256::from(65_535), "19ffff"),
        v(U256::from(65_536), "1a00010000"),
        v(U256::from(u32::MAX), "1affffffff"),
        v(U256::from(u64::from(u32::MAX) + 1), "1b0000000100000000"),
        v(U256::from(u64::MAX), "1bffffffffffffffff"),
        (two64, bignum(2, two64)),
        (U256::MAX, bignum(2, U256::MAX)),
    ]
}

pub(crate) fn int_vectors() -> Vec<(I256, String)> {
    let v = |value: i128, hex: &str| (I256::try_from(value).unwrap(), hex.to_string());
    let two64 = U256::from(1) << 64;
    let minus_two64 = -I256::from_raw(two64);
    let i256_max = U256::MAX >> 1;
    vec![
        v(0, "00"),
        v(-1, "20"),
        v(-24, "37"),
        v(-25, "3818"),
        v(-256, "38ff"),
        v(-257, "390100"),
        v(1_000_000_000_000_000_000, "1b0de0b6b3a7640000"),
        v(i128::from(u64::MAX), "1bffffffffffffffff"),
        (I256::from_raw(two64), bignum(2, two64)),
        (minus_two64, "3bffffffffffffffff".to_string()),
        // -2^64 - 1 is carried as -1 - value = 2^64.
        (minus_two64 - I256::ONE, bignum(3, two64)),
        (I256::MIN, bignum(3, i256_max)),
        (I256::MAX, bignum(2, i256_max)),
    ]
}

#[tokio::test]
async fn integer_vectors_match_the_chainlink_encoding() {
    let c = chain();
    let addr = stack::deploy_request_encoder(&c.provider, c.owner, stack::Flavor::Linkpool).await.unwrap();
    let enc = RequestEncoder::new(addr, c.provider.clone());
    for (value, expected) in uint_vectors() {
        assert_eq!(enc.encodeUint("k".into(), value).call().await.unwrap(), with_key(&expected), "uint {value}");
    }
    for (value, expected) in int_vectors() {
        assert_eq!(enc.encodeInt("k".into(), value).call().await.unwrap(), with_key(&expected), "int {value}");
    }
    // ciborium reads the bignums as tags 2 and 3.
    let two64 = enc.encodeUint("k".into(), U256::from(1) << 64).call().await.unwrap();
    let params = decode_diet(&two64);
    let Some(Value::Tag(2, inner)) = get(&params, "k") else { panic!("{params:?}") };
    assert_eq!(inner.as_bytes().unwrap().len(), 32);
    let negative = enc.encodeInt("k".into(), -I256::from_raw(U256::from(1) << 65)).call().await.unwrap();
    let params = decode_diet(&negative);
    let Some(Value::Tag(3, inner)) = get(&params, "k") else { panic!("{params:?}") };
    // -2^65 is carried as -1 - value = 2^65 - 1.
    assert_eq!(U256::from_be_slice(inner.as_bytes().unwrap()), (U256::from(1) << 65) - U256::from(1));
}

#[tokio::test]
async fn strings_bytes_and_arrays_encode_and_grow_the_buffer() {
    let c = chain();
    let addr = stack::deploy_request_encoder(&c.provider, c.owner, stack::Flavor::Linkpool).await.unwrap();
    let enc = RequestEncoder::new(addr, c.provider.clone());

    assert_eq!(enc.encodeString("k".into(), String::new()).call().await.unwrap(), with_key("60"));
    assert_eq!(enc.encodeString("k".into(), "abc".into()).call().await.unwrap(), with_key("63616263"));
    assert_eq!(enc.encodeBytes("k".into(), Bytes::from_static(&[1, 2])).call().await.unwrap(), with_key("420102"));
    assert_eq!(
        enc.encodeStringArray("k".into(), vec!["a".into(), "bc".into()]).call().await.unwrap(),
        with_key("9f6161626263ff")
    );

    // Past the 256-byte initial capacity, several times over.
    for len in [23usize, 24, 255, 256, 300, 1_000, 70_000] {
        let long = "x".repeat(len);
        let out = enc.encodeString("k".into(), long.clone()).call().await.unwrap();
        let params = decode_diet(&out);
        assert_eq!(text(&params, "k"), Some(long.as_str()), "len {len}");
    }
    let many: Vec<String> = (0..100).map(|i| format!("item-{i}-{}", "y".repeat(i))).collect();
    let out = enc.encodeStringArray("k".into(), many.clone()).call().await.unwrap();
    assert_eq!(out[2], 0x9f, "indefinite-length array after the key 0x616b");
    assert_eq!(*out.last().unwrap(), 0xff);
    let params = decode_diet(&out);
    let Some(Value::Array(items)) = get(&params, "k") else { panic!() };
    assert_eq!(items.iter().map(|v| v.as_text().unwrap().to_string()).collect::<Vec<_>>(), many);

    let all = enc
        .encodeAll(
            "hello".into(),
            Bytes::from_static(&[0xde, 0xad]),
            U256::from(1) << 70,
            I256::MINUS_ONE,
            vec!["z".into()],
        )
        .call()
        .await
        .unwrap();
    let params = decode_diet(&all);
    assert_eq!(text(&params, "s"), Some("hello"));
    assert_eq!(get(&params, "b").and_then(Value::as_bytes).map(Vec::as_slice), Some(&[0xde, 0xad][..]));
    assert!(matches!(get(&params, "u"), Some(Value::Tag(2, _))));
    assert_eq!(get(&params, "i").and_then(Value::as_integer).map(i128::from), Some(-1));
    assert_eq!(params.len(), 5);
}

#[tokio::test]
async fn consumer_request_data_is_the_docs_fixture() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let (_, req) = crate::operator::request_v2(&c, &s).await;
    assert_eq!(req.data.len(), 125, "the REFERENCE §9 request is 125 bytes of CBOR");
    let params = decode_diet(&req.data);
    assert_eq!(params.len(), 3);
    assert_eq!(text(&params, "get"), Some(sample::URL));
    assert_eq!(text(&params, "path"), Some(sample::PATH));
    assert_eq!(get(&params, "times").and_then(Value::as_integer).map(i128::from), Some(1_000_000_000_000_000_000));
}
