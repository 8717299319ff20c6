//! The task types added for issue #3: Chainlink's documented examples (exact outputs) and
//! failure cases. `ethcall`/`estimategaslimit` against a real chain live in linkpool-devnet's
//! tests (`chain_tasks`); here they are checked without a chain.

use std::collections::BTreeMap;

use alloy::{
    primitives::{address, b256, Address, B256, U256},
    sol,
    sol_types::{SolCall, SolValue},
};
use linkpool_pipeline::{Pipeline, PipelineError, TaskError, Value};

use crate::common::*;

sol! {
    function foo_Bar__3928(uint256 u, bool b, int256 i, string s);
    struct Pair { bytes32 first; bool last; }
    function call(Pair value);
    function batch(Pair[] pairs, uint32[2] small);
    function noArgs();
}

fn bytes(b: &[u8]) -> Value {
    Value::Bytes(b.to_vec().into())
}

fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(entries.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect::<BTreeMap<_, _>>())
}

/// The attribute a parse error names (panics unless parsing fails with `InvalidAttribute`).
fn invalid_attribute(src: &str) -> String {
    match Pipeline::parse(src) {
        Err(PipelineError::InvalidAttribute { attribute, .. }) => attribute,
        other => panic!("expected an invalid attribute, got {other:?}"),
    }
}

/// The parameter an `InvalidParameter` error names (panics on any other error).
fn invalid_param(e: TaskError) -> String {
    match e {
        TaskError::InvalidParameter { name, .. } => name,
        other => panic!("expected an invalid parameter, got {other:?}"),
    }
}

// ---------- base64, hex ----------

#[tokio::test]
async fn base64encode_and_decode() {
    // Docs examples.
    let out = output_of(r#"t [type="base64decode" input="SGVsbG8sIHBsYXlncm91bmQ="]"#).await;
    assert_eq!(out, bytes(b"Hello, playground"));
    let out = output_of(r#"t [type="base64encode" input="Hello, playground"]"#).await;
    assert_eq!(out, Value::from("SGVsbG8sIHBsYXlncm91bmQ="));
    // Bytes encode raw; the implicit input; a round trip through non-ASCII text.
    let out = output_of("h [type=hexdecode input=\"0x00ff10\"]\nb [type=base64encode]\nh -> b").await;
    assert_eq!(out, Value::from("AP8Q"));
    let out = output_of("e [type=base64encode input=\"a\u{e9}\u{1f600}\"]\nd [type=base64decode]\ne -> d").await;
    assert_eq!(out, bytes("a\u{e9}\u{1f600}".as_bytes()));
    // A `0x` string is text to base64encode, as in Chainlink.
    assert_eq!(output_of(r#"t [type="base64encode" input="0x01"]"#).await, Value::from("MHgwMQ=="));
}

#[tokio::test]
async fn base64_failures() {
    // A literal that is not base64 is refused at parse time; a computed one at run time.
    assert_eq!(invalid_attribute(r#"t [type="base64decode" input="not base64!"]"#), "input");
    let src = "u [type=uppercase input=\"SGVsbG8\"]\nd [type=base64decode]\nu -> d"; // unpadded
    assert_eq!(invalid_param(error_of(src).await), "input");
    let src = "m [type=multiply input=1 times=2]\ne [type=base64encode]\nm -> e";
    assert_eq!(invalid_param(error_of(src).await), "input");
    assert_eq!(error_of(r#"t [type="base64encode"]"#).await, TaskError::MissingParameter { name: "input".into() });
}

#[tokio::test]
async fn hexencode_and_decode() {
    // Docs examples.
    assert_eq!(output_of(r#"t [type="hexencode" input="xyz"]"#).await, Value::from("0x78797a"));
    assert_eq!(output_of(r#"t [type="hexdecode" input="0x12345678"]"#).await, bytes(&[0x12, 0x34, 0x56, 0x78]));
    // Integers encode their value, bytes their bytes.
    let hex_of = |producer: &str| format!("{producer}\nh [type=hexencode]\np -> h");
    assert_eq!(output_of(&hex_of("p [type=multiply input=255 times=1]")).await, Value::from("0xff"));
    assert_eq!(output_of(&hex_of("p [type=multiply input=0 times=1]")).await, Value::from("0x0"));
    assert_eq!(output_of(&hex_of("p [type=multiply input=\"1.5\" times=2]")).await, Value::from("0x3"));
    assert_eq!(output_of(&hex_of("p [type=hexdecode input=\"0x00ab\"]")).await, Value::from("0x00ab"));
    assert_eq!(output_of(&hex_of("p [type=hexdecode input=\"0x\"]")).await, Value::from(""));
    // Upper-case prefix and digits decode.
    assert_eq!(output_of(r#"t [type="hexdecode" input="0XABcd"]"#).await, bytes(&[0xab, 0xcd]));
}

#[tokio::test]
async fn hex_failures() {
    let hex_of = |producer: &str| format!("{producer}\nh [type=hexencode]\np -> h");
    assert_eq!(invalid_param(error_of(&hex_of("p [type=multiply input=-1 times=1]")).await), "input");
    assert_eq!(invalid_param(error_of(&hex_of("p [type=divide input=1 divisor=4 precision=2]")).await), "input");
    assert_eq!(invalid_param(error_of(&hex_of("p [type=lessthan left=1 right=2]")).await), "input");
    // hexdecode needs the 0x prefix and an even number of hex digits.
    assert_eq!(invalid_attribute(r#"t [type="hexdecode" input="12345678"]"#), "input");
    assert_eq!(invalid_attribute(r#"t [type="hexdecode" input="0x123"]"#), "input");
    let src = "u [type=lowercase input=\"0xZZ\"]\nd [type=hexdecode]\nu -> d";
    assert_eq!(invalid_param(error_of(src).await), "input");
}

// ---------- strings ----------

#[tokio::test]
async fn lowercase_uppercase_length() {
    // Docs examples.
    assert_eq!(output_of(r#"t [type="lowercase" input="Hello World!"]"#).await, Value::from("hello world!"));
    assert_eq!(output_of(r#"t [type="uppercase" input="Hello World!"]"#).await, Value::from("HELLO WORLD!"));
    assert_eq!(output_of(r#"t [type="length" input="xyz"]"#).await, dec("3"));
    // Length counts bytes, not characters; `0x` strings count decoded bytes.
    assert_eq!(output_of("t [type=length input=\"\u{e9}\u{1f600}\"]").await, dec("6"));
    assert_eq!(output_of(r#"t [type="length" input="0x0102"]"#).await, dec("2"));
    // The implicit input.
    let out = output_of("u [type=uppercase input=\"stra\u{df}e\"]\nl [type=length]\nu -> l").await;
    assert_eq!(out, dec("7")); // "STRASSE"
}

#[tokio::test]
async fn string_task_failures() {
    assert_eq!(error_of(r#"t [type="lowercase"]"#).await, TaskError::MissingParameter { name: "input".into() });
    let src = "j [type=jsonparse data=\"[1]\"]\nu [type=uppercase]\nj -> u";
    assert_eq!(invalid_param(error_of(src).await), "input");
    let src = "m [type=multiply input=1 times=2]\nl [type=length]\nm -> l";
    assert_eq!(invalid_param(error_of(src).await), "input");
    // An errored input stops them.
    let src = "d [type=divide input=1 divisor=0]\nl [type=lowercase]\nd -> l";
    assert_eq!(error_of(src).await, TaskError::UpstreamErrored { task: "d".into() });
}

// ---------- comparisons, maps, conditions ----------

#[tokio::test]
async fn lessthan() {
    // Docs example: 3 < 10.
    assert_eq!(output_of(r#"t [type="lessthan" left="3" right="10"]"#).await, Value::Bool(true));
    assert_eq!(output_of(r#"t [type="lessthan" left="10" right="3"]"#).await, Value::Bool(false));
    assert_eq!(output_of(r#"t [type="lessthan" left="3" right="3"]"#).await, Value::Bool(false));
    // Exact decimals, big integers, and `left` from the input.
    assert_eq!(output_of(r#"t [type="lessthan" left="0.1" right="0.10000000000000000001"]"#).await, Value::Bool(true));
    let big = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    let out = output_of(&format!("t [type=lessthan left=\"{big}\" right=\"1e78\"]")).await;
    assert_eq!(out, Value::Bool(true));
    let out = output_of("m [type=multiply input=-2 times=1]\nt [type=lessthan right=\"-1.5\"]\nm -> t").await;
    assert_eq!(out, Value::Bool(true));
}

#[tokio::test]
async fn lessthan_failures() {
    assert_eq!(invalid_attribute(r#"t [type="lessthan" left="three" right="10"]"#), "left");
    assert!(matches!(
        Pipeline::parse(r#"t [type="lessthan" left="3"]"#),
        Err(PipelineError::MissingAttribute { attribute, .. }) if attribute == "right"
    ));
    assert_eq!(
        error_of(r#"t [type="lessthan" right="10"]"#).await,
        TaskError::MissingParameter { name: "left".into() }
    );
    let src = "u [type=uppercase input=ten]\nt [type=lessthan right=10]\nu -> t";
    assert_eq!(invalid_param(error_of(src).await), "left");
}

const DOC: &str = r#"j [type=jsonparse data="{\"a\": 1, \"b\": {\"c\": [true]}, \"n\": null}"]"#;

#[tokio::test]
async fn lookup() {
    let out = output_of(&format!("{DOC}\nl [type=lookup key=a]\nj -> l")).await;
    assert_eq!(out, dec("1"));
    let out = output_of(&format!("{DOC}\nl [type=lookup key=b]\nj -> l")).await;
    assert_eq!(out, map(&[("c", Value::Array(vec![Value::Bool(true)]))]));
    // A missing key (or a null entry) gives null.
    assert_eq!(output_of(&format!("{DOC}\nl [type=lookup key=zzz]\nj -> l")).await, Value::Null);
    assert_eq!(output_of(&format!("{DOC}\nl [type=lookup key=n]\nj -> l")).await, Value::Null);
    // `input` may name the map explicitly.
    let out = output_of(&format!("{DOC}\nl [type=lookup input=\"$(j.b)\" key=c]\nj -> l")).await;
    assert_eq!(out, Value::Array(vec![Value::Bool(true)]));
}

#[tokio::test]
async fn lookup_failures() {
    let src = "m [type=multiply input=1 times=2]\nl [type=lookup key=a]\nm -> l";
    assert_eq!(invalid_param(error_of(src).await), "input");
    assert_eq!(error_of(r#"l [type=lookup key=a]"#).await, TaskError::MissingParameter { name: "input".into() });
    assert!(matches!(
        Pipeline::parse(&format!("{DOC}\nl [type=lookup]\nj -> l")),
        Err(PipelineError::MissingAttribute { attribute, .. }) if attribute == "key"
    ));
}

#[tokio::test]
async fn merge() {
    // Docs example.
    let src =
        r#"merge [type="merge" left="{\"foo\":\"abc\", \"bar\":\"123\"}" right="{\"bar\":\"xyz\", \"biz\":\"buzz\"}"]"#;
    let expected = map(&[("foo", "abc".into()), ("bar", "xyz".into()), ("biz", "buzz".into())]);
    assert_eq!(output_of(src).await, expected);
    // `left` defaults to the input; a null on the right overwrites; right may hold variables.
    let src = format!("{DOC}\nm [type=merge right=\"{{\\\"a\\\": null, \\\"d\\\": $(j.a)}}\"]\nj -> m");
    let out = output_of(&src).await;
    assert_eq!(out.get_key("a"), Some(&Value::Null));
    assert_eq!(out.get_key("d"), Some(&dec("1")));
    assert_eq!(out.get_key("b"), Some(&map(&[("c", Value::Array(vec![Value::Bool(true)]))])));
}

#[tokio::test]
async fn merge_failures() {
    assert_eq!(invalid_param(error_of(r#"m [type=merge left="[1]" right="{}"]"#).await), "left");
    assert_eq!(invalid_param(error_of(r#"m [type=merge left="{}" right="3"]"#).await), "right");
    assert!(matches!(error_of(r#"m [type=merge left="{" right="{}"]"#).await, TaskError::Json { .. }));
    assert_eq!(error_of(r#"m [type=merge right="{}"]"#).await, TaskError::MissingParameter { name: "left".into() });
}

#[tokio::test]
async fn conditional() {
    assert_eq!(output_of(r#"c [type=conditional data=true]"#).await, Value::Bool(true));
    assert_eq!(output_of("l [type=lessthan left=1 right=2]\nc [type=conditional]\nl -> c").await, Value::Bool(true));
    assert_eq!(error_of(r#"c [type=conditional data="FALSE"]"#).await, TaskError::ConditionNotMet);
    // A false condition stops its branch.
    let src = "l [type=lessthan left=2 right=1]\nc [type=conditional data=\"$(l)\"]\nm [type=multiply input=1 times=2]\nl -> c -> m";
    let r = run_src(src, Default::default(), deps(None)).await;
    assert_eq!(r.task("c").unwrap().error, Some(TaskError::ConditionNotMet));
    assert_eq!(r.task("m").unwrap().error, Some(TaskError::UpstreamErrored { task: "c".into() }));
}

#[tokio::test]
async fn conditional_failures() {
    assert_eq!(invalid_attribute(r#"c [type=conditional data="maybe"]"#), "data");
    let src = "m [type=multiply input=1 times=1]\nc [type=conditional]\nm -> c";
    assert_eq!(invalid_param(error_of(src).await), "data");
    assert_eq!(error_of(r#"c [type=conditional]"#).await, TaskError::MissingParameter { name: "data".into() });
}

// ---------- trimmedmean ----------

#[tokio::test]
async fn trimmedmean() {
    // n = 5: default trim ⌊5/4⌋ = 1 drops 1 and 100 → mean(2, 3, 4) = 3.
    assert_eq!(output_of(r#"t [type=trimmedmean values=<[ 100, 2, 1, 4, 3 ]>]"#).await, dec("3"));
    // n = 8: trim 2 at each end → mean(3, 4, 5, 6) = 4.5 (interquartile mean).
    assert_eq!(output_of(r#"t [type=trimmedmean values=<[ 8, 1, 7, 2, 6, 3, 5, 4 ]>]"#).await, dec("4.5"));
    // n < 4: nothing trimmed → plain mean, rounded like `mean`.
    assert_eq!(output_of(r#"t [type=trimmedmean values=<[ 1, 2, 2 ]> precision=3]"#).await, dec("1.667"));
    // Explicit trim; trim=0 equals `mean`.
    assert_eq!(output_of(r#"t [type=trimmedmean values=<[ 1, 2, 3, 4, 50 ]> trim=2]"#).await, dec("3"));
    let mean = output_of(r#"t [type=mean values=<[ 1, 2, 3, 4, 50 ]> precision=4]"#).await;
    assert_eq!(output_of(r#"t [type=trimmedmean values=<[ 1, 2, 3, 4, 50 ]> trim=0 precision=4]"#).await, mean);
    // Decimals and numeric strings; precision rounds half up.
    let out = output_of(r#"t [type=trimmedmean values=<[ "1.25", 1.5, 0, 99 ]> precision=1]"#).await;
    assert_eq!(out, dec("1.4")); // trim 1 → mean(1.25, 1.5) = 1.375 → 1.4
}

#[tokio::test]
async fn trimmedmean_counts_faults_before_trimming() {
    // Inputs a=2, c=20, e=5, f=7 ok; b, d errored: n = 4 non-faulty → trim 1 → mean(5, 7) = 6.
    let src = r#"
        a [type=multiply input=2 times=1]
        b [type=divide input=1 divisor=0]
        c [type=multiply input=20 times=1]
        d [type=divide input=1 divisor=0]
        e [type=multiply input=5 times=1]
        f [type=multiply input=7 times=1]
        t [type=trimmedmean allowedFaults=2]
        a -> t
        b -> t
        c -> t
        d -> t
        e -> t
        f -> t
    "#;
    assert_eq!(output_of(src).await, dec("6"));
    let too_many = src.replace("allowedFaults=2", "allowedFaults=1");
    assert_eq!(error_of(&too_many).await, TaskError::TooManyFaults { faults: 2, allowed: 1 });
}

#[tokio::test]
async fn trimmedmean_failures() {
    // 2·trim must stay below n.
    assert_eq!(invalid_param(error_of(r#"t [type=trimmedmean values=<[ 1, 2, 3, 4 ]> trim=2]"#).await), "trim");
    assert_eq!(invalid_param(error_of(r#"t [type=trimmedmean values=<[ 1 ]> trim=1]"#).await), "trim");
    assert_eq!(invalid_attribute(r#"t [type=trimmedmean values=<[ 1 ]> trim=some]"#), "trim");
    assert_eq!(invalid_param(error_of(r#"t [type=trimmedmean values=<[ 1, 2 ]> trim=-1]"#).await), "trim");
    assert_eq!(error_of(r#"t [type=trimmedmean values=<[]>]"#).await, TaskError::NoValues);
    assert_eq!(invalid_param(error_of(r#"t [type=trimmedmean values=<[ 1, "x" ]>]"#).await), "values");
}

// ---------- ABI ----------

#[tokio::test]
async fn ethabidecode() {
    // Docs example schema: `bytes32 requestID, uint256 price, address[] oracles`.
    let oracles = vec![
        address!("0x859AAa51961284C94d970B47E82b8771942F1980"),
        address!("0x51DE85B0cD5B3684865ECfEedfBAF12777cd0Ff8"),
    ];
    let id = b256!("0x0000000000000000000000000000000000000000000000000000000000000abc");
    let data = (id, U256::from(123_450_000u64), oracles.clone()).abi_encode_params();
    let src = format!(
        "d [type=ethabidecode abi=\"bytes32 requestID, uint256 price, address[] oracles\" data=\"0x{}\"]",
        alloy::hex::encode(&data)
    );
    let expected = map(&[
        ("requestID", Value::Bytes32(id)),
        ("price", dec("123450000")),
        ("oracles", Value::Array(oracles.into_iter().map(Value::Address).collect())),
    ]);
    assert_eq!(output_of(&src).await, expected);
    // From the input (bytes), with string, bool, int and nested arrays.
    let nested = vec![vec![U256::from(1), U256::from(2)], vec![U256::from(3)]];
    let data = ("gm".to_string(), true, -5i64, nested).abi_encode_params();
    let src = format!(
        "h [type=hexdecode input=\"0x{}\"]\nd [type=ethabidecode abi=\"string s, bool b, int64 i, uint256[][] u\"]\nh -> d",
        alloy::hex::encode(&data)
    );
    let out = output_of(&src).await;
    assert_eq!(out.get_key("s"), Some(&Value::from("gm")));
    assert_eq!(out.get_key("b"), Some(&Value::Bool(true)));
    assert_eq!(out.get_key("i"), Some(&dec("-5")));
    let row = |v: &[&str]| Value::Array(v.iter().map(|s| dec(s)).collect());
    assert_eq!(out.get_key("u"), Some(&Value::Array(vec![row(&["1", "2"]), row(&["3"])])));
    // Empty data gives an empty map, as in Chainlink.
    assert_eq!(output_of(r#"d [type=ethabidecode abi="uint256 a" data="0x"]"#).await, map(&[]));
}

#[tokio::test]
async fn ethabidecode_failures() {
    // Too short for the declared arguments.
    assert!(matches!(
        error_of(r#"d [type=ethabidecode abi="uint256 a, uint256 b" data="0x01"]"#).await,
        TaskError::Abi { .. }
    ));
    // A dynamic offset pointing past the end.
    let word = format!("0x{}", "ff".repeat(32));
    assert!(matches!(
        error_of(&format!("d [type=ethabidecode abi=\"bytes b\" data=\"{word}\"]")).await,
        TaskError::Abi { .. }
    ));
    assert_eq!(invalid_attribute(r#"d [type=ethabidecode abi="uint256" data="0x"]"#), "abi");
    assert_eq!(invalid_attribute(r#"d [type=ethabidecode abi="balanceOf(uint256 b)" data="0x"]"#), "abi");
    assert_eq!(invalid_param(error_of(r#"d [type=ethabidecode abi="uint256 a" data="0xzz"]"#).await), "data");
    assert_eq!(
        error_of(r#"d [type=ethabidecode abi="uint256 a"]"#).await,
        TaskError::MissingParameter { name: "data".into() }
    );
}

fn encode2(abi: &str, data: &str) -> String {
    let q = |s: &str| s.replace('"', "\\\"");
    format!("e [type=ethabiencode2 abi=\"{}\" data=\"{}\"]", q(abi), q(data))
}

#[tokio::test]
async fn ethabiencode2() {
    let abi = r#"{"name": "foo_Bar__3928", "inputs": [{"name": "u", "type": "uint256"}, {"name": "b", "type": "bool"}, {"name": "i", "type": "int256"}, {"name": "s", "type": "string"}], "stateMutability": "view", "type": "function", "outputs": []}"#;
    let out = output_of(&encode2(abi, r#"{"u": 123, "b": true, "i": -321, "s": "foo bar baz"}"#)).await;
    let expected = foo_Bar__3928Call {
        u: U256::from(123),
        b: true,
        i: alloy::primitives::I256::try_from(-321i64).unwrap(),
        s: "foo bar baz".into(),
    }
    .abi_encode();
    assert_eq!(out, bytes(&expected));
    // Tuples as a map by component name or as an array; arrays of tuples; fixed arrays.
    let pair = r#"{"name": "value", "type": "tuple", "components": [{"name": "first", "type": "bytes32"}, {"name": "last", "type": "bool"}]}"#;
    let one = format!("0x{}", "00".repeat(31) + "01");
    let expected = callCall { value: Pair { first: B256::with_last_byte(1), last: true } }.abi_encode();
    let abi = format!(r#"{{"name": "call", "inputs": [{pair}]}}"#);
    let out = output_of(&encode2(&abi, &format!(r#"{{"value": {{"first": "{one}", "last": true}}}}"#))).await;
    assert_eq!(out, bytes(&expected));
    let out = output_of(&encode2(&abi, &format!(r#"{{"value": ["{one}", true]}}"#))).await;
    assert_eq!(out, bytes(&expected));
    let pairs = pair.replace(r#""name": "value", "type": "tuple""#, r#""name": "pairs", "type": "tuple[]""#);
    let abi = format!(r#"{{"name": "batch", "inputs": [{pairs}, {{"name": "small", "type": "uint32[2]"}}]}}"#);
    let data = format!(r#"{{"pairs": [{{"first": "{one}", "last": false}}, ["{one}", true]], "small": [192, 4182]}}"#);
    let expected = batchCall {
        pairs: vec![
            Pair { first: B256::with_last_byte(1), last: false },
            Pair { first: B256::with_last_byte(1), last: true },
        ],
        small: [192, 4182],
    }
    .abi_encode();
    assert_eq!(output_of(&encode2(&abi, &data)).await, bytes(&expected));
    // No name: no selector. No inputs: the selector alone.
    let out = output_of(&encode2(
        r#"{"inputs": [{"name": "a", "type": "address"}]}"#,
        r#"{"a": "0x00000000000000000000000000000000000000ff"}"#,
    ))
    .await;
    assert_eq!(out, bytes(&Address::with_last_byte(0xff).abi_encode()));
    assert_eq!(output_of(&encode2(r#"{"name": "noArgs"}"#, "")).await, bytes(&noArgsCall {}.abi_encode()));
    // Values from upstream tasks.
    let src = format!(
        "m [type=multiply input=7 times=6]\n{}\nm -> e",
        encode2(r#"{"name": "f", "inputs": [{"name": "x", "type": "uint8"}]}"#, r#"{"x": $(m)}"#)
    );
    let mut expected = alloy::primitives::keccak256("f(uint8)")[..4].to_vec();
    expected.extend(U256::from(42).abi_encode());
    assert_eq!(output_of(&src).await, bytes(&expected));
}

#[tokio::test]
async fn ethabiencode2_failures() {
    let abi = r#"{"name": "f", "inputs": [{"name": "s", "type": "uint32"}]}"#;
    let e = error_of(&encode2(abi, r#"{"s": 9223372036854775807}"#)).await;
    assert!(matches!(&e, TaskError::Abi { message } if message.contains("does not fit")), "{e:?}");
    let e = error_of(&encode2(abi, r#"{"t": 1}"#)).await;
    assert!(matches!(&e, TaskError::Abi { message } if message.contains("`s`")), "{e:?}");
    let abi = r#"{"name": "f", "inputs": [{"name": "a", "type": "address"}]}"#;
    let e = error_of(&encode2(abi, r#"{"a": "0xdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef"}"#)).await;
    assert!(matches!(e, TaskError::Abi { .. }), "{e:?}");
    let pair = r#"{"name": "call", "inputs": [{"name": "value", "type": "tuple", "components": [{"name": "first", "type": "bytes32"}, {"name": "last", "type": "bool"}]}]}"#;
    let e = error_of(&encode2(pair, r#"{"value": {"first": "0x01"}}"#)).await;
    assert!(matches!(&e, TaskError::Abi { message } if message.contains("last")), "{e:?}");
    assert_eq!(invalid_param(error_of(&encode2(abi, "[1]")).await), "data");
    // Parse time: unnamed arguments, bad types, not JSON.
    assert_eq!(invalid_attribute(&encode2(r#"{"name": "f", "inputs": [{"type": "address"}]}"#, "")), "abi");
    assert_eq!(invalid_attribute(&encode2(r#"{"name": "f", "inputs": [{"name": "a", "type": "uint7"}]}"#, "")), "abi");
    assert_eq!(invalid_attribute(&encode2("f(uint256 a)", "")), "abi");
}

// ---------- chain tasks without a chain ----------

const CONTRACT: &str = "0x00000000000000000000000000000000000000aa";

#[tokio::test]
async fn chain_tasks_need_a_chain_reader() {
    let e = error_of(&format!("c [type=ethcall contract=\"{CONTRACT}\" data=\"0x70a08231\"]")).await;
    assert!(matches!(&e, TaskError::Unavailable { what } if what.contains("ethcall")), "{e:?}");
    let e = error_of(&format!("g [type=estimategaslimit to=\"{CONTRACT}\" data=\"0x\" multiplier=\"1.5\"]")).await;
    assert!(matches!(&e, TaskError::Unavailable { what } if what.contains("estimategaslimit")), "{e:?}");
}

#[tokio::test]
async fn chain_task_parameters_are_checked_first() {
    let call = |attrs: &str| format!("c [type=ethcall contract=\"{CONTRACT}\" data=\"0x70a08231\" {attrs}]");
    assert_eq!(invalid_param(error_of(&call("gas=1000 gasUnlimited=true")).await), "gas");
    assert_eq!(invalid_param(error_of(&format!("c [type=ethcall contract=\"{CONTRACT}\" data=\"0x\"]")).await), "data");
    assert_eq!(invalid_param(error_of(r#"c [type=ethcall contract="0x12" data="0x01"]"#).await), "contract");
    assert_eq!(invalid_param(error_of(&call("from=nobody")).await), "from");
    assert_eq!(invalid_param(error_of(&call("gasPrice=-1")).await), "gasPrice");
    assert_eq!(invalid_attribute(&call("block=yesterday")), "block");
    assert_eq!(invalid_attribute(&call("gasUnlimited=perhaps")), "gasUnlimited");
    assert_eq!(invalid_attribute(&call("evmChainID=mainnet")), "evmChainID");
    let estimate = |attrs: &str| format!("g [type=estimategaslimit to=\"{CONTRACT}\" data=\"0x\" {attrs}]");
    assert_eq!(invalid_param(error_of(&estimate("multiplier=0")).await), "multiplier");
    assert_eq!(invalid_param(error_of(&estimate("multiplier=\"-1.5\"")).await), "multiplier");
    assert_eq!(invalid_attribute(&estimate("multiplier=lots")), "multiplier");
    assert_eq!(invalid_attribute(&estimate("block=\"0xzz\"")), "block");
    assert!(matches!(
        Pipeline::parse(&format!("g [type=estimategaslimit to=\"{CONTRACT}\"]")),
        Err(PipelineError::MissingAttribute { attribute, .. }) if attribute == "data"
    ));
}
