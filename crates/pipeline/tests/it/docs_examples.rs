//! The Chainlink documentation's direct-request jobs ("Get > Uint256" and "MultiWord"), run end
//! to end: a real `OracleRequest` log, real CBOR, a real HTTP server, and the `ethtx` request
//! checked by decoding it as `fulfillOracleRequest2`.

use std::sync::Arc;

use alloy::{
    primitives::{keccak256, Address, U256},
    sol_types::{SolCall, SolEvent, SolValue},
};
use linkpool_pipeline::{Pipeline, Value, DIRECT_REQUEST_VARIABLES};

use crate::common::*;

/// The `observationSource` of docs.chain.link "GET > Uint256", as the TOML string decodes it
/// (TOML turns `\\"` into `\"`). Only the contract address placeholder is replaced.
const GET_UINT256: &str = r#"
    decode_log   [type="ethabidecodelog"
                  abi="OracleRequest(bytes32 indexed specId, address requester, bytes32 requestId, uint256 payment, address callbackAddr, bytes4 callbackFunctionId, uint256 cancelExpiration, uint256 dataVersion, bytes data)"
                  data="$(jobRun.logData)"
                  topics="$(jobRun.logTopics)"]

    decode_cbor  [type="cborparse" data="$(decode_log.data)"]
    fetch        [type="http" method=GET url="$(decode_cbor.get)" allowUnrestrictedNetworkAccess="true"]
    parse        [type="jsonparse" path="$(decode_cbor.path)" data="$(fetch)"]

    multiply     [type="multiply" input="$(parse)" times="$(decode_cbor.times)"]

    encode_data  [type="ethabiencode" abi="(bytes32 requestId, uint256 value)" data="{ \"requestId\": $(decode_log.requestId), \"value\": $(multiply) }"]
    encode_tx    [type="ethabiencode"
                  abi="fulfillOracleRequest2(bytes32 requestId, uint256 payment, address callbackAddress, bytes4 callbackFunctionId, uint256 expiration, bytes calldata data)"
                  data="{\"requestId\": $(decode_log.requestId), \"payment\":   $(decode_log.payment), \"callbackAddress\": $(decode_log.callbackAddr), \"callbackFunctionId\": $(decode_log.callbackFunctionId), \"expiration\": $(decode_log.cancelExpiration), \"data\": $(encode_data)}"
                  ]
    submit_tx    [type="ethtx" to="0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" data="$(encode_tx)"]

    decode_log -> decode_cbor -> fetch -> parse -> multiply -> encode_data -> encode_tx -> submit_tx
"#;

/// The `observationSource` of docs.chain.link "MultiWord" (note the commas between attributes
/// and the lower-cased `allowunrestrictednetworkaccess`, both as in the docs).
const MULTI_WORD: &str = r#"
       decode_log   [type="ethabidecodelog"
                  abi="OracleRequest(bytes32 indexed specId, address requester, bytes32 requestId, uint256 payment, address callbackAddr, bytes4 callbackFunctionId, uint256 cancelExpiration, uint256 dataVersion, bytes data)"
                  data="$(jobRun.logData)"
                  topics="$(jobRun.logTopics)"]
    decode_cbor  [type="cborparse" data="$(decode_log.data)"]
    decode_log -> decode_cbor
    decode_cbor -> btc
    decode_cbor -> usd
    decode_cbor -> eur
    btc          [type="http" method=GET url="$(decode_cbor.urlBTC)" allowunrestrictednetworkaccess="true"]
    btc_parse    [type="jsonparse" path="$(decode_cbor.pathBTC)" data="$(btc)"]
    btc_multiply [type="multiply" input="$(btc_parse)", times="100000"]
    btc -> btc_parse -> btc_multiply
    usd          [type="http" method=GET url="$(decode_cbor.urlUSD)" allowunrestrictednetworkaccess="true"]
    usd_parse    [type="jsonparse" path="$(decode_cbor.pathUSD)" data="$(usd)"]
    usd_multiply [type="multiply" input="$(usd_parse)", times="100000"]
    usd -> usd_parse -> usd_multiply
    eur          [type="http" method=GET url="$(decode_cbor.urlEUR)" allowunrestrictednetworkaccess="true"]
    eur_parse    [type="jsonparse" path="$(decode_cbor.pathEUR)" data="$(eur)"]
    eurs_multiply [type="multiply" input="$(eur_parse)", times="100000"]
    eur -> eur_parse -> eurs_multiply
    btc_multiply -> encode_mwr
    usd_multiply -> encode_mwr
    eurs_multiply -> encode_mwr
    // MWR API does NOT auto populate the requestID.
    encode_mwr [type="ethabiencode"
                abi="(bytes32 requestId, uint256 _btc, uint256 _usd, uint256 _eurs)"
                data="{\"requestId\": $(decode_log.requestId), \"_btc\": $(btc_multiply), \"_usd\": $(usd_multiply), \"_eurs\": $(eurs_multiply)}"
                ]
    encode_tx  [type="ethabiencode"
                abi="fulfillOracleRequest2(bytes32 requestId, uint256 payment, address callbackAddress, bytes4 callbackFunctionId, uint256 expiration, bytes calldata data)"
                data="{\"requestId\": $(decode_log.requestId), \"payment\":   $(decode_log.payment), \"callbackAddress\": $(decode_log.callbackAddr), \"callbackFunctionId\": $(decode_log.callbackFunctionId), \"expiration\": $(decode_log.cancelExpiration), \"data\": $(encode_mwr)}"
                ]
    submit_tx  [type="ethtx" to="0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f" data="$(encode_tx)"]
    encode_mwr -> encode_tx -> submit_tx
"#;

#[test]
fn oracle_request_topic_matches_reference() {
    assert_eq!(
        OracleRequest::SIGNATURE_HASH.to_string(),
        "0xd8d7ecc4800d25fa53ce0372f13a416d98907a7ef3d8d3bdd79cf4fe75529c65"
    );
}

#[test]
fn docs_pipelines_validate_for_directrequest() {
    for src in [GET_UINT256, MULTI_WORD] {
        let p = Pipeline::parse_for(src, DIRECT_REQUEST_VARIABLES).unwrap();
        assert_eq!(p.tasks().first().unwrap().id, "decode_log");
        assert_eq!(p.tasks().last().unwrap().id, "submit_tx");
        assert_eq!(p.terminal_tasks().iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["submit_tx"]);
        assert!(p.has_task_type("ethtx"));
    }
    let p = Pipeline::parse(GET_UINT256).unwrap();
    let order: Vec<&str> = p.tasks().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        order,
        ["decode_log", "decode_cbor", "fetch", "parse", "multiply", "encode_data", "encode_tx", "submit_tx"]
    );
}

#[tokio::test]
async fn get_uint256_end_to_end() {
    let source = DataSource::start().await;
    let cbor =
        DietCbor::default().add("get", &source.url("/price")).add("path", "RAW,ETH,USD,PRICE").add_int("times", 100).0;
    let req = Request::new(cbor);
    let sender = Arc::new(RecordingSender::default());
    let result = run_src(GET_UINT256, req.vars(), deps(Some(sender.clone()))).await;
    assert!(!result.has_fatal_errors(), "{:?}", result.all_errors().collect::<Vec<_>>());
    assert_eq!(source.hits("/price"), 1);

    // Task outputs along the way.
    assert_eq!(result.task("parse").unwrap().output, Some(dec("1234.5678")));
    assert_eq!(result.task("multiply").unwrap().output, Some(dec("123456.78")));
    let decoded = result.task("decode_log").unwrap().output.clone().unwrap();
    assert_eq!(decoded.get_key("requestId"), Some(&Value::Bytes32(req.request_id)));
    assert_eq!(decoded.get_key("callbackAddr"), Some(&Value::Address(req.callback)));

    // Exactly one transaction, keyed by run and task, carrying fulfillOracleRequest2.
    let calls = sender.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.idempotency_key, "run:1:task:submit_tx");
    assert_eq!(call.to, Address::repeat_byte(0x0f));
    assert_eq!(&call.data[..4], &[0x6a, 0xe0, 0xbc, 0x76]);
    let f = fulfillOracleRequest2Call::abi_decode(&call.data).unwrap();
    assert_eq!(f.requestId, req.request_id);
    assert_eq!(f.payment, req.payment);
    assert_eq!(f.callbackAddress, req.callback);
    assert_eq!(f.callbackFunctionId.0, req.callback_fn);
    assert_eq!(f.expiration, req.expiration);
    // (bytes32 requestId, uint256 value): the first word must equal the request id (Operator checks it).
    let (rid, value) = <(alloy::primitives::B256, U256)>::abi_decode_params(&f.data).unwrap();
    assert_eq!(rid, req.request_id);
    assert_eq!(value, U256::from(123_456u64), "decimals truncated as Chainlink's decimal.BigInt()");
    assert_eq!(result.outputs, vec![Some(Value::Bytes32(keccak256("run:1:task:submit_tx")))]);
}

/// `crates/devnet/fixtures/drc-get-uint256.toml`: the DRCoordinator job. Its observationSource,
/// as the TOML string decodes it.
fn drc_get_uint256() -> String {
    let toml: toml::Table = include_str!("../../../devnet/fixtures/drc-get-uint256.toml").parse().unwrap();
    toml["observationSource"]
        .as_str()
        .unwrap()
        .replace("YOUR_ORACLE_CONTRACT_ADDRESS", "0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f")
}

/// The DRCoordinator README reports that `minConfirmations` parsed from CBOR made the reference
/// node's job run fail, "no matter if the value is sent as uint256 or string". Here both, and
/// the gas limit, reach the transaction.
#[tokio::test]
async fn drcoordinator_job_takes_gas_limit_and_min_confirmations_from_cbor() {
    let source = DataSource::start().await;
    for (min_confirmations, as_string) in [(3i64, false), (7, true)] {
        let mut cbor = DietCbor::default()
            .add("get", &source.url("/price"))
            .add("path", "RAW,ETH,USD,PRICE")
            .add_int("times", 100)
            .add_int("gasLimit", 612_345);
        cbor = if as_string {
            cbor.add("minConfirmations", &min_confirmations.to_string())
        } else {
            cbor.add_int("minConfirmations", min_confirmations)
        };
        let req = Request::new(cbor.0);
        let sender = Arc::new(RecordingSender::default());
        let result = run_src(&drc_get_uint256(), req.vars(), deps(Some(sender.clone()))).await;
        assert!(!result.has_fatal_errors(), "{:?}", result.all_errors().collect::<Vec<_>>());
        let calls = sender.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].gas_limit, Some(612_345));
        assert_eq!(calls[0].min_confirmations, min_confirmations as u64, "as string: {as_string}");
        // Operator -> coordinator: fulfillData(requestId, abi.encode(requestId, value)).
        let f = fulfillOracleRequest2Call::abi_decode(&calls[0].data).unwrap();
        let (rid, inner) = <(alloy::primitives::B256, alloy::primitives::Bytes)>::abi_decode_params(&f.data).unwrap();
        assert_eq!(rid, req.request_id);
        let (rid2, value) = <(alloy::primitives::B256, U256)>::abi_decode_params(&inner).unwrap();
        assert_eq!((rid2, value), (req.request_id, U256::from(123_456u64)));
    }
}

#[tokio::test]
async fn multi_word_end_to_end() {
    let source = DataSource::start().await;
    let cbor = DietCbor::default()
        .add("urlBTC", &source.url("/btc"))
        .add("pathBTC", "data,price")
        .add("urlUSD", &source.url("/usd"))
        .add_string_array("pathUSD", &["rates", "-1", "v"])
        .add("urlEUR", &source.url("/eur"))
        .add("pathEUR", "eur")
        .0;
    let req = Request::new(cbor);
    let sender = Arc::new(RecordingSender::default());
    let result = run_src(MULTI_WORD, req.vars(), deps(Some(sender.clone()))).await;
    assert!(!result.has_fatal_errors(), "{:?}", result.all_errors().collect::<Vec<_>>());
    assert_eq!((source.hits("/btc"), source.hits("/usd"), source.hits("/eur")), (1, 1, 1));
    let calls = sender.calls();
    assert_eq!(calls.len(), 1);
    let f = fulfillOracleRequest2Call::abi_decode(&calls[0].data).unwrap();
    let (rid, btc, usd, eur) = <(alloy::primitives::B256, U256, U256, U256)>::abi_decode_params(&f.data).unwrap();
    assert_eq!(rid, req.request_id);
    assert_eq!(btc, U256::from(6_500_012_345u64));
    assert_eq!(usd, U256::from(125_000u64));
    assert_eq!(eur, U256::from(92_000u64));
}

#[tokio::test]
async fn get_uint256_with_unreachable_source_sends_nothing() {
    let cbor = DietCbor::default().add("get", "http://127.0.0.1:1/closed").add("path", "a").add_int("times", 1).0;
    let req = Request::new(cbor);
    let sender = Arc::new(RecordingSender::default());
    let result = run_src(GET_UINT256, req.vars(), deps(Some(sender.clone()))).await;
    assert!(result.has_fatal_errors());
    assert!(matches!(result.task("fetch").unwrap().error, Some(linkpool_pipeline::TaskError::Http { .. })));
    assert!(matches!(
        result.task("submit_tx").unwrap().error,
        Some(linkpool_pipeline::TaskError::UpstreamErrored { ref task }) if task == "encode_tx"
    ));
    assert!(sender.calls().is_empty());
}
