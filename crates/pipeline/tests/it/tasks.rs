//! Every task type: Chainlink's documented examples and failure cases.

use std::sync::Arc;

use alloy::primitives::{keccak256, Address, B256};
use linkpool_pipeline::{TaskError, Value, Vars};

use crate::common::*;

// ---------- arithmetic ----------

#[tokio::test]
async fn multiply() {
    // Docs: input 10, times 3 -> 30.
    assert_eq!(output_of(r#"m [type="multiply" input="10" times=3]"#).await, dec("30"));
    assert_eq!(output_of(r#"m [type="multiply" input="1.5" times="-2.25"]"#).await, dec("-3.375"));
    // Implicit input: the upstream result.
    assert_eq!(output_of("a [type=multiply input=4 times=1]\nm [type=multiply times=\"0.5\"]\na -> m").await, dec("2"));
    assert!(
        matches!(error_of(r#"m [type="multiply" input="ten" times=3]"#).await, TaskError::InvalidParameter { name, .. } if name == "input")
    );
    assert!(
        matches!(error_of(r#"m [type="multiply" times=3]"#).await, TaskError::MissingParameter { name } if name == "input")
    );
}

#[tokio::test]
async fn divide() {
    // Docs: 10 / 3 with precision 2 -> 3.33.
    assert_eq!(output_of(r#"d [type="divide" input="10" divisor="3" precision="2"]"#).await, dec("3.33"));
    assert_eq!(output_of(r#"d [type="divide" input="2" divisor="3" precision="4"]"#).await, dec("0.6667"));
    assert_eq!(output_of(r#"d [type="divide" input="-2" divisor="3" precision="0"]"#).await, dec("-1"));
    assert_eq!(output_of(r#"d [type="divide" input="1" divisor="3"]"#).await, dec("0.3333333333333333"));
    assert!(matches!(error_of(r#"d [type="divide" input="1" divisor="0"]"#).await, TaskError::Arithmetic { .. }));
    assert!(matches!(
        error_of(r#"d [type="divide" input="1" divisor="2" precision="100000"]"#).await,
        TaskError::InvalidParameter { .. }
    ));
}

// ---------- aggregates ----------

#[tokio::test]
async fn median_mean_sum_of_values() {
    // Docs: inputs 2, 5, 20.
    assert_eq!(output_of(r#"m [type="median" values=<[ 2, 5, 20 ]> allowedFaults=1]"#).await, dec("5"));
    assert_eq!(output_of(r#"m [type="median" values=<[ 2, "5", 20, 1 ]>]"#).await, dec("3.5"));
    assert_eq!(output_of(r#"m [type="mean" values=<[ 2, 5, 20 ]> precision=2 allowedFaults=1]"#).await, dec("9"));
    assert_eq!(output_of(r#"m [type="mean" values=<[ 1, 2, 2 ]> precision=3]"#).await, dec("1.667"));
    assert_eq!(output_of(r#"m [type="sum" values=<[ 2, 5, 20 ]> allowedFaults=1]"#).await, dec("27"));
    assert!(matches!(error_of(r#"m [type="sum" values=<[]>]"#).await, TaskError::NoValues));
    assert!(matches!(error_of(r#"m [type="median" values=<[1, "x"]>]"#).await, TaskError::InvalidParameter { .. }));
}

const FAULTY_INPUTS: &str = r#"
    a   [type=multiply input=2 times=1]
    b   [type=divide input=1 divisor=0]
    c   [type=multiply input=20 times=1]
    d   [type=divide input=1 divisor=0]
"#;

#[tokio::test]
async fn aggregates_count_errored_inputs_as_faults() {
    // Inputs a=2, c=20 ok; b, d errored.
    let src = format!("{FAULTY_INPUTS}\nm [type=median allowedFaults=2]\na -> m\nb -> m\nc -> m\nd -> m");
    assert_eq!(output_of(&src).await, dec("11"));
    let src = format!("{FAULTY_INPUTS}\nm [type=median allowedFaults=1]\na -> m\nb -> m\nc -> m\nd -> m");
    assert_eq!(error_of(&src).await, TaskError::TooManyFaults { faults: 2, allowed: 1 });
    // Default allowedFaults is N-1.
    let src = format!("{FAULTY_INPUTS}\nm [type=sum]\na -> m\nb -> m\nd -> m");
    assert_eq!(output_of(&src).await, dec("2"));
    let src = format!("{FAULTY_INPUTS}\nm [type=sum]\nb -> m\nd -> m");
    assert_eq!(error_of(&src).await, TaskError::TooManyFaults { faults: 2, allowed: 1 });
    // Through `values` referencing errored tasks.
    let src = format!("{FAULTY_INPUTS}\nm [type=mean values=<[ $(a), $(b), $(c) ]> allowedFaults=1 precision=0]\na -> m\nb -> m\nc -> m");
    assert_eq!(output_of(&src).await, dec("11"));
    let src =
        format!("{FAULTY_INPUTS}\nm [type=mean values=<[ $(a), $(b), $(d) ]> allowedFaults=1]\na -> m\nb -> m\nd -> m");
    assert_eq!(error_of(&src).await, TaskError::TooManyFaults { faults: 2, allowed: 1 });
}

#[tokio::test]
async fn mode() {
    // Docs: [2, 5, 2, "foo", "foo", "bar", "foo", 2] -> occurrences 3, results [2, "foo"].
    let out = output_of(r#"m [type="mode" values=<[ 2, 5, 2, "foo", "foo", "bar", "foo", 2 ]> allowedFaults=3]"#).await;
    assert_eq!(out.get_key("occurrences"), Some(&dec("3")));
    assert_eq!(out.get_key("results"), Some(&Value::Array(vec![dec("2"), "foo".into()])));
    let out = output_of(r#"m [type="mode" values=<[ 1, 2, 2, 3, 1.0 ]>]"#).await;
    assert_eq!(out.get_key("occurrences"), Some(&dec("2")));
    assert_eq!(out.get_key("results"), Some(&Value::Array(vec![dec("1"), dec("2")])));
}

#[tokio::test]
async fn any_picks_a_successful_input() {
    let src = format!("{FAULTY_INPUTS}\np [type=any]\na -> p\nb -> p\nc -> p");
    for _ in 0..10 {
        let out = output_of(&src).await;
        assert!(out == dec("2") || out == dec("20"), "{out:?}");
    }
    let src = format!("{FAULTY_INPUTS}\np [type=any]\nb -> p\nd -> p");
    assert_eq!(error_of(&src).await, TaskError::NoValues);
}

#[tokio::test]
async fn ordinary_tasks_propagate_upstream_errors() {
    let src = format!("{FAULTY_INPUTS}\nm [type=multiply times=2]\nb -> m");
    assert_eq!(error_of(&src).await, TaskError::UpstreamErrored { task: "b".into() });
}

// ---------- jsonparse ----------

const PRICES: &str = r#"{ \"data\": [{ \"price\": 123.45 }, { \"price\": 678.9 }] }"#;

#[tokio::test]
async fn jsonparse() {
    // Docs: path "data,0,price" -> 123.45.
    let out = output_of(&format!(r#"j [type="jsonparse" data="{PRICES}" path="data,0,price"]"#)).await;
    assert_eq!(out, dec("123.45"));
    let out = output_of(&format!(r#"j [type="jsonparse" data="{PRICES}" path="data.-1.price" separator="."]"#)).await;
    assert_eq!(out, dec("678.9"));
    let out = output_of(&format!(r#"j [type="jsonparse" data="{PRICES}" path="data,5,price" lax=true]"#)).await;
    assert_eq!(out, Value::Null);
    let out = output_of(&format!(r#"j [type="jsonparse" data="{PRICES}"]"#)).await;
    assert!(matches!(out, Value::Map(_)));
    let err = error_of(&format!(r#"j [type="jsonparse" data="{PRICES}" path="data,0,cost"]"#)).await;
    assert_eq!(err, TaskError::PathNotFound { path: "data,0,cost".into() });
    let err = error_of(&format!(r#"j [type="jsonparse" data="{PRICES}" path="data,0,price,deeper"]"#)).await;
    assert!(matches!(err, TaskError::PathNotFound { .. }));
    assert!(matches!(error_of(r#"j [type="jsonparse" data="not json" path="a"]"#).await, TaskError::Json { .. }));
    // Big numbers stay exact.
    let out =
        output_of(r#"j [type="jsonparse" data="{\"v\": 123456789012345678901234567890.000000000000000001}" path="v"]"#)
            .await;
    assert_eq!(out.to_string(), "123456789012345678901234567890.000000000000000001");
}

// ---------- cborparse ----------

#[tokio::test]
async fn cborparse() {
    let cbor = DietCbor::default()
        .add("get", "https://x")
        .add_int("times", 100)
        .add_int("neg", -3)
        .add_uint_big("big", alloy::primitives::U256::MAX)
        .0;
    let src = format!("c [type=cborparse data=\"0x{}\"]", hex::encode(&cbor));
    let out = output_of(&src).await;
    assert_eq!(out.get_key("get"), Some(&Value::from("https://x")));
    assert_eq!(out.get_key("times"), Some(&dec("100")));
    assert_eq!(out.get_key("neg"), Some(&dec("-3")));
    assert_eq!(out.get_key("big"), Some(&Value::from(alloy::primitives::U256::MAX)));
    // Standard mode passes literals through.
    assert_eq!(output_of("c [type=cborparse data=\"0x1864\" mode=standard]").await, dec("100"));
    // Malformed: truncated text string, trailing garbage, not a map in diet mode.
    for data in ["0x6361", "0x6161016161", "0x01"] {
        let err = error_of(&format!("c [type=cborparse data=\"{data}\"]")).await;
        assert!(matches!(err, TaskError::Cbor { .. }), "{data}: {err:?}");
    }
    assert!(matches!(error_of("c [type=cborparse data=\"0xzz\"]").await, TaskError::InvalidParameter { .. }));
}

// ---------- ethabidecodelog / ethabiencode ----------

#[tokio::test]
async fn ethabidecodelog() {
    let req = Request::new(DietCbor::default().add("k", "v").0);
    let src = r#"d [type=ethabidecodelog
        abi="OracleRequest(bytes32 indexed specId, address requester, bytes32 requestId, uint256 payment, address callbackAddr, bytes4 callbackFunctionId, uint256 cancelExpiration, uint256 dataVersion, bytes data)"
        data="$(jobRun.logData)" topics="$(jobRun.logTopics)"]"#;
    let r = run_src(src, req.vars(), deps(None)).await;
    let out = r.outputs[0].clone().unwrap();
    assert_eq!(out.get_key("specId"), Some(&Value::Bytes32(req.spec_id)));
    assert_eq!(out.get_key("requester"), Some(&Value::Address(Address::repeat_byte(0x22))));
    assert_eq!(out.get_key("payment"), Some(&dec("100000000000000000")));
    assert_eq!(out.get_key("callbackFunctionId"), Some(&Value::Bytes(req.callback_fn.to_vec().into())));
    assert_eq!(out.get_key("dataVersion"), Some(&dec("2")));
    assert_eq!(out.get_key("data"), Some(&Value::Bytes(req.cbor.clone().into())));
    // Another event's signature does not match topic0.
    let src = r#"d [type=ethabidecodelog abi="Other(bytes32 indexed specId, bytes data)" data="$(jobRun.logData)" topics="$(jobRun.logTopics)"]"#;
    let r = run_src(src, req.vars(), deps(None)).await;
    assert!(matches!(r.fatal_errors[0], Some(TaskError::Abi { .. })), "{r:?}");
    // A missing variable is a typed error.
    let r = run_src(src, Vars::new(), deps(None)).await;
    assert!(matches!(r.fatal_errors[0], Some(TaskError::Variable { .. })));
}

#[tokio::test]
async fn ethabiencode() {
    // Docs example: fulfillRequest(bytes32 requestID, uint256 answer).
    let word = format!("0x{}", "ab".repeat(32));
    let src = format!(
        r#"e [type="ethabiencode" abi="fulfillRequest(bytes32 requestID, uint256 answer)" data="{{\"requestID\": \"{word}\", \"answer\": 42}}"]"#
    );
    let Value::Bytes(b) = output_of(&src).await else { panic!() };
    assert_eq!(&b[..4], &keccak256("fulfillRequest(bytes32,uint256)")[..4]);
    assert_eq!(&b[4..36], B256::repeat_byte(0xab).as_slice());
    assert_eq!(b[67], 42);
    assert_eq!(b.len(), 68);
    // No function name: no selector; arrays and strings.
    let Value::Bytes(b) = output_of(r#"e [type=ethabiencode abi="(uint256[] xs, string s, bool f)" data=<{ "xs": [1, "2", 3.9], "s": "hi", "f": "true" }>]"#).await else { panic!() };
    let (xs, s, f) =
        <(Vec<alloy::primitives::U256>, String, bool) as alloy::sol_types::SolValue>::abi_decode_params(&b).unwrap();
    assert_eq!(xs, [1u64, 2, 3].map(alloy::primitives::U256::from).to_vec());
    assert_eq!((s.as_str(), f), ("hi", true));
    for (abi, data) in [
        ("(uint256 v)", r#"{ \"w\": 1 }"#),
        ("(uint8 v)", r#"{ \"v\": 256 }"#),
        ("(uint256 v)", r#"{ \"v\": -1 }"#),
        ("(bytes4 v)", r#"{ \"v\": \"0x0102\" }"#),
        ("(address v)", r#"{ \"v\": \"0x1234\" }"#),
    ] {
        let err = error_of(&format!(r#"e [type=ethabiencode abi="{abi}" data="{data}"]"#)).await;
        assert!(matches!(err, TaskError::Abi { .. }), "{abi} {data}: {err:?}");
    }
    assert!(matches!(
        error_of(r#"e [type=ethabiencode abi="(uint256 v)" data="{ oops"]"#).await,
        TaskError::Json { .. }
    ));
}

// ---------- ethtx ----------

#[tokio::test]
async fn ethtx_hands_the_transaction_to_the_sender() {
    let sender = Arc::new(RecordingSender::default());
    let src = r#"tx [type=ethtx to="0x00000000000000000000000000000000000000aa" data="0x01020304" gasLimit=500000 minConfirmations=3 failOnRevert=true evmChainID=31337]"#;
    let r = run_src(src, Vars::new(), deps(Some(sender.clone()))).await;
    assert_eq!(r.outputs, vec![Some(Value::Bytes32(keccak256("run:1:task:tx")))]);
    let calls = sender.calls();
    assert_eq!(calls.len(), 1);
    let c = &calls[0];
    assert_eq!(c.to, Address::with_last_byte(0xaa));
    assert_eq!(c.data.as_ref(), &[1, 2, 3, 4]);
    assert_eq!(
        (c.gas_limit, c.min_confirmations, c.fail_on_revert, c.evm_chain_id),
        (Some(500_000), 3, true, Some(31337))
    );
    // Defaults.
    let r = run_src(
        r#"tx [type=ethtx to="0x00000000000000000000000000000000000000aa" data="0x01"]"#,
        Vars::new(),
        deps(Some(sender.clone())),
    )
    .await;
    assert!(r.fatal_errors[0].is_none());
    let c = sender.calls().pop().unwrap();
    assert_eq!((c.gas_limit, c.min_confirmations, c.fail_on_revert, c.evm_chain_id), (None, 0, false, None));
}

#[tokio::test]
async fn ethtx_failures() {
    let src = r#"tx [type=ethtx to="0x00000000000000000000000000000000000000aa" data="0x01" failOnRevert=true]"#;
    let reverting = Arc::new(RecordingSender { revert: true, ..Default::default() });
    let r = run_src(src, Vars::new(), deps(Some(reverting.clone()))).await;
    assert!(matches!(r.fatal_errors[0], Some(TaskError::TxReverted { .. })));
    let lenient = src.replace("failOnRevert=true", "failOnRevert=false");
    let r = run_src(&lenient, Vars::new(), deps(Some(reverting))).await;
    assert!(r.fatal_errors[0].is_none());
    let r = run_src(src, Vars::new(), deps(None)).await;
    assert_eq!(r.fatal_errors[0], Some(TaskError::NoTxSender));
    let sender = Arc::new(RecordingSender::default());
    let r = run_src(r#"tx [type=ethtx to="0x1234" data="0x01"]"#, Vars::new(), deps(Some(sender.clone()))).await;
    assert!(matches!(r.fatal_errors[0], Some(TaskError::InvalidParameter { ref name, .. }) if name == "to"));
    let r = run_src(
        r#"tx [type=ethtx to="0x00000000000000000000000000000000000000aa" data="0x"]"#,
        Vars::new(),
        deps(Some(sender.clone())),
    )
    .await;
    assert!(matches!(r.fatal_errors[0], Some(TaskError::TxSender { .. })));
    assert!(sender.calls().is_empty());
}

// ---------- http ----------

#[tokio::test]
async fn http_get_and_post() {
    let s = DataSource::start().await;
    let out = output_of(&format!(r#"f [type=http method=GET url="{}"]"#, s.url("/price"))).await;
    assert_eq!(out, Value::from(r#"{"RAW":{"ETH":{"USD":{"PRICE":1234.5678}}}}"#));
    let src = format!(
        r#"n [type=multiply input=7 times=1]
           f [type=http method=post url="{}" requestData="{{\"foo\": $(n), \"s\": \"x\"}}" headers="[\"X-Test\", \"yes\"]"]
           n -> f"#,
        s.url("/echo")
    );
    let Value::String(body) = output_of(&src).await else { panic!() };
    let echoed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["contentType"], "application/json");
    assert_eq!(echoed["xTest"], "yes");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(echoed["body"].as_str().unwrap()).unwrap(),
        serde_json::json!({"foo": 7, "s": "x"})
    );
    // URL built by interpolation.
    let src = format!("n [type=multiply input=1 times=1]\nf [type=http url=\"{}/$(n)\"]\nn -> f", s.base);
    assert!(matches!(error_of(&src).await, TaskError::HttpStatus { status: 404, .. }));
}

#[tokio::test]
async fn http_failures() {
    let s = DataSource::start().await;
    let err = error_of(&format!(r#"f [type=http url="{}"]"#, s.url("/status500"))).await;
    assert_eq!(err, TaskError::HttpStatus { status: 500, body: "boom".into() });
    assert!(err.is_retryable());
    let err = error_of(&format!(r#"f [type=http url="{}"]"#, s.url("/status404"))).await;
    assert!(matches!(err, TaskError::HttpStatus { status: 404, .. }) && !err.is_retryable());
    let err = error_of(&format!(r#"f [type=http url="{}"]"#, s.url("/big"))).await;
    assert_eq!(err, TaskError::ResponseTooLarge { limit: 32 * 1024 });
    let err = error_of(&format!(r#"f [type=http url="{}" timeout="300ms"]"#, s.url("/slow"))).await;
    assert_eq!(err, TaskError::Timeout { after_ms: 300 });
    // Non-JSON response fails the parse step.
    let err =
        error_of(&format!("f [type=http url=\"{}\"]\np [type=jsonparse path=\"a\"]\nf -> p", s.url("/notjson"))).await;
    assert!(matches!(err, TaskError::Json { .. }));
    assert!(matches!(error_of(r#"f [type=http url="ftp://example.com/x"]"#).await, TaskError::InvalidParameter { .. }));
    assert!(matches!(error_of(r#"f [type=http url="not a url"]"#).await, TaskError::InvalidParameter { .. }));
    assert!(matches!(error_of(r#"f [type=http url="http://127.0.0.1:1/closed"]"#).await, TaskError::Http { .. }));
}

#[tokio::test]
async fn http_retries_retryable_errors() {
    let s = DataSource::start().await;
    let src = format!(r#"f [type=http url="{}" retries=3 minBackoff="10ms" maxBackoff="20ms"]"#, s.url("/flaky"));
    assert_eq!(output_of(&src).await, Value::from(r#"{"ok":true}"#));
    assert_eq!(s.hits("/flaky"), 3);
    // 4xx is not retried.
    let src = format!(r#"f [type=http url="{}" retries=3 minBackoff="10ms"]"#, s.url("/status404"));
    error_of(&src).await;
    assert_eq!(s.hits("/status404"), 1);
}

#[tokio::test]
async fn http_network_guard() {
    let s = DataSource::start().await;
    let mut restricted = deps(None);
    restricted.allow_unrestricted_network_access = false;
    let r = run_src(&format!(r#"f [type=http url="{}"]"#, s.url("/price")), Vars::new(), restricted.clone()).await;
    assert!(matches!(r.fatal_errors[0], Some(TaskError::NetworkAccessDenied { ref host }) if host == "127.0.0.1"));
    assert_eq!(s.total_hits(), 0);
    let src = format!(r#"f [type=http url="{}" allowUnrestrictedNetworkAccess=true]"#, s.url("/price"));
    let r = run_src(&src, Vars::new(), restricted).await;
    assert!(r.fatal_errors[0].is_none());
    assert_eq!(s.hits("/price"), 1);
}
