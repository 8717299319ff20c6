//! Property tests: parsers and decoders that take outside input never panic, and round trips hold.

use linkpool_pipeline::{
    cbor,
    value::parse_decimal,
    vars::{parse_json, Template},
    Pipeline, Value, Vars,
};
use proptest::prelude::*;

/// Strings biased towards DOT's special characters.
fn dotish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("a".to_owned()),
            Just("b".to_owned()),
            Just(" ".to_owned()),
            Just("\n".to_owned()),
            Just("->".to_owned()),
            Just("--".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("=".to_owned()),
            Just("\"".to_owned()),
            Just("\\".to_owned()),
            Just("<".to_owned()),
            Just(">".to_owned()),
            Just("$(".to_owned()),
            Just(")".to_owned()),
            Just("type=any".to_owned()),
            Just("type=\"multiply\" times=2 input=\"$(a)\"".to_owned()),
            Just("//".to_owned()),
            Just("/*".to_owned()),
            Just("*/".to_owned()),
            Just("#".to_owned()),
            Just(",".to_owned()),
            Just(";".to_owned()),
            Just("-1.5".to_owned()),
            Just("é".to_owned()),
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn dot_parser_never_panics(src in dotish()) {
        let _ = Pipeline::parse(&src);
    }

    #[test]
    fn dot_parser_never_panics_on_any_text(src in ".{0,200}") {
        let _ = Pipeline::parse(&src);
    }

    #[test]
    fn generated_chains_parse_in_order(n in 1usize..20) {
        let mut src = String::new();
        for i in 0..n {
            src.push_str(&format!("t{i} [type=multiply input=\"{}\" times=2]\n", if i == 0 { "1".to_owned() } else { format!("$(t{})", i - 1) }));
        }
        let chain: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
        if n > 1 { src.push_str(&chain.join(" -> ")); }
        let p = Pipeline::parse(&src).unwrap();
        prop_assert_eq!(p.tasks().iter().map(|t| t.id.clone()).collect::<Vec<_>>(), chain);
    }

    #[test]
    fn interpolation_never_panics_and_keeps_text(text in "[^$]{0,30}", key in "[a-z]{1,8}", s in ".{0,20}") {
        let mut vars = Vars::new();
        vars.insert(key.clone(), Value::String(s.clone()));
        let raw = format!("{text}$({key}){text}");
        let t = Template::parse(&raw).unwrap();
        let rendered = vars.render(&t).unwrap();
        if text.trim().is_empty() {
            prop_assert_eq!(rendered, Value::String(s));
        } else {
            prop_assert_eq!(rendered, Value::String(format!("{text}{s}{text}")));
        }
    }

    #[test]
    fn template_parser_never_panics(raw in ".{0,60}") {
        if let Ok(t) = Template::parse(&raw) {
            let _ = Vars::new().render(&t);
            let _ = Vars::new().render_json(&t);
            let _ = Vars::new().render_json_list(&t);
        }
    }

    #[test]
    fn json_parser_matches_serde_on_valid_json(v in arb_json()) {
        let text = v.to_string();
        let ours = parse_json(&text).unwrap();
        prop_assert_eq!(ours, Value::from_plain_json(&v).unwrap());
    }

    #[test]
    fn json_parser_never_panics(text in ".{0,80}") {
        let _ = parse_json(&text);
    }

    #[test]
    fn cbor_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = cbor::parse_diet(&bytes);
        let _ = cbor::parse_standard(&bytes);
    }

    #[test]
    fn typed_value_json_round_trips(v in arb_value()) {
        let text = serde_json::to_string(&v).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, v);
    }

    #[test]
    fn decimals_parse_or_reject_without_panic(s in "[-+0-9.eE]{0,12}") {
        let _ = parse_decimal(&s);
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|i| serde_json::json!(i)),
        "[a-z\"\\\\é\n]{0,8}".prop_map(serde_json::Value::String),
        (any::<i32>(), 0u32..6)
            .prop_map(|(i, s)| serde_json::from_str(&format!("{i}.{}", "5".repeat(s as usize + 1))).unwrap()),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z$]{0,4}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        ".{0,8}".prop_map(Value::String),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Value::from),
        any::<i128>().prop_map(|i| Value::Integer(i.into())),
        (any::<i64>(), 1i64..30).prop_map(|(i, s)| Value::from_decimal(bigdecimal::BigDecimal::new(i.into(), s))),
        any::<[u8; 20]>().prop_map(|b| Value::Address(b.into())),
        any::<[u8; 32]>().prop_map(|b| Value::Bytes32(b.into())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z$]{0,4}", inner, 0..3).prop_map(Value::Map),
        ]
    })
}
