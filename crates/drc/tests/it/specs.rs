//! Spec files: parsing the seed's format, FAQ range validation with errors that name the file,
//! entry and field, spec keys, and the diff against on-chain specs.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use alloy::{
    primitives::{address, aliases::U96, b256, keccak256, Address, B256},
    sol_types::SolValue,
};
use linkpool_drc::{
    pricing::{FeeType, PaymentType},
    specs::{
        self, spec_key, ChangeKind, LoadOptions, Spec, SpecDiff, SpecErrors, SpecFileError, SpecIdEncoding, SpecSet,
    },
};
use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

const OPERATOR: Address = address!("5FbDB2315678afecb367f032d93F642f64180aa3");

fn entry() -> Value {
    json!({
        "description": { "adapter": null, "chainId": 31337, "jobId": 7, "jobName": "probe", "nodeId": "devnet", "notes": null },
        "configuration": {
            "externalJobId": "17f946d0-c3fb-47b1-91b8-195f4ec036dc",
            "fee": "1000",
            "feeType": 1,
            "gasLimit": 500000,
            "operator": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            "payment": "100000000000000000",
            "paymentType": 0
        },
        "consumers": []
    })
}

fn parse(entries: Value) -> (Vec<specs::SpecEntry>, Vec<SpecFileError>) {
    specs::parse_file(Path::new("probe.json"), &entries.to_string(), LoadOptions::default())
}

/// The single error of a one-entry file whose `pointer` field is set to `value`.
fn error_with(pointer: &str, value: Value) -> SpecFileError {
    let mut e = entry();
    *e.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = value;
    let (ok, mut bad) = parse(json!([e]));
    assert!(ok.is_empty() && bad.len() == 1, "{pointer}: {ok:?} {bad:?}");
    bad.remove(0)
}

fn entry_field(e: &SpecFileError) -> &str {
    match e {
        SpecFileError::Entry { field, .. } => field,
        other => panic!("not an entry error: {other}"),
    }
}

#[test]
fn loads_a_directory_of_seed_format_files() {
    let set = SpecSet::load_dir(fixtures().join("specs"), LoadOptions::default()).expect("valid fixtures");
    // Files in name order, entries in file order.
    let names: Vec<_> = set.entries.iter().map(|e| e.description.job_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Coingecko Get Price",
            "My Adapter Example Get Data v1.0.0",
            "CryptoCompare Get Prices LINK",
            "CryptoCompare Get Prices fulfillData (first format)"
        ]
    );
    let first = &set.entries[0];
    assert_eq!(first.source.index, 0);
    assert!(first.source.path.ends_with("coingecko.json"));
    assert_eq!(
        first.spec,
        Spec {
            spec_id: b256!("3137663934366430633366623437623139316238313935663465633033366463"),
            operator: OPERATOR,
            payment: U96::from(10_000_000_000_000_000u64),
            payment_type: PaymentType::Flat,
            fee: U96::from(100_000_000_000_000_000u64),
            fee_type: FeeType::Flat,
            gas_limit: 500_000,
        }
    );
    let second = &set.entries[1];
    assert_eq!((second.spec.payment_type, second.spec.fee_type), (PaymentType::Permyriad, FeeType::Permyriad));
    assert_eq!((second.spec.payment, second.spec.fee), (U96::from(100), U96::from(1100)));
    assert_eq!(second.consumers.len(), 2);
    assert_eq!(second.description.adapter.as_ref().unwrap().version, "1.0.0");
    // The first format: fulfillmentFee, minConfirmations, no paymentType (FLAT).
    let legacy = &set.entries[3];
    assert_eq!(legacy.spec.fee, U96::from(1100));
    assert_eq!(legacy.spec.payment_type, PaymentType::Flat);
    assert_eq!(legacy.min_confirmations, Some(3));
    assert_eq!(set.consumers().len(), 2, "deduplicated across entries");
}

#[test]
fn spec_key_is_keccak_of_packed_operator_and_spec_id() {
    let spec_id = b256!("3137663934366430633366623437623139316238313935663465633033366463");
    let expected = keccak256((OPERATOR, spec_id).abi_encode_packed());
    assert_eq!(spec_key(OPERATOR, spec_id), expected);
    let set = SpecSet::load_dir(fixtures().join("specs"), LoadOptions::default()).unwrap();
    for e in &set.entries {
        assert_eq!(e.key, keccak256((e.spec.operator, e.spec.spec_id).abi_encode_packed()));
    }
}

#[test]
fn spec_id_encodings_follow_the_node() {
    // REFERENCE.md §2 test vector.
    let id: Uuid = "A5AC14E8-7629-4726-B1F1-1AE053FC829E".parse().unwrap();
    let ascii = specs::spec_id(id, SpecIdEncoding::AsciiHex);
    let raw = specs::spec_id(id, SpecIdEncoding::RawBytes);
    assert_eq!(ascii, b256!("6135616331346538373632393437323662316631316165303533666338323965"));
    assert_eq!(raw, b256!("a5ac14e876294726b1f11ae053fc829e00000000000000000000000000000000"));
    assert_eq!(specs::external_job_id(ascii), Some(id));
    assert_eq!(specs::external_job_id(raw), Some(id));
    assert_eq!(specs::external_job_id(B256::repeat_byte(0xff)), None);

    let opts = LoadOptions { encoding: SpecIdEncoding::RawBytes, chain_id: None };
    let raw_set = SpecSet::load_dir(fixtures().join("specs"), opts).unwrap();
    let ascii_set = SpecSet::load_dir(fixtures().join("specs"), LoadOptions::default()).unwrap();
    for (r, a) in raw_set.entries.iter().zip(&ascii_set.entries) {
        assert_eq!(r.spec.spec_id, specs::spec_id(r.external_job_id, SpecIdEncoding::RawBytes));
        assert_ne!(r.key, a.key, "the encoding is part of the key");
    }
}

#[test]
fn faq_ranges_are_enforced_with_the_field_named() {
    let cases: &[(&str, Value, &str, &str)] = &[
        // payment: 0 < payment <= 1e27 (FLAT)
        ("/configuration/payment", json!("0"), "configuration.payment", "out of range"),
        ("/configuration/payment", json!("1000000000000000000000000001"), "configuration.payment", "out of range"),
        ("/configuration/payment", json!("-1"), "configuration.payment", "non-negative integer"),
        ("/configuration/payment", json!("1.5"), "configuration.payment", "non-negative integer"),
        ("/configuration/payment", json!(1e18), "configuration.payment", "non-negative integer"),
        ("/configuration/payment", json!(true), "configuration.payment", "expected an integer"),
        // fee by type: PERMYRIAD 0 < fee <= 10000 here
        ("/configuration/fee", json!("0"), "configuration.fee", "out of range for feeType permyriad"),
        ("/configuration/fee", json!("10001"), "configuration.fee", "0 < fee <= 10000"),
        ("/configuration/feeType", json!(2), "configuration.feeType", "unknown fee type"),
        ("/configuration/paymentType", json!("percent"), "configuration.paymentType", "unknown payment type"),
        // gasLimit >= 400,000
        ("/configuration/gasLimit", json!(399_999), "configuration.gasLimit", "below the minimum 400000"),
        ("/configuration/gasLimit", json!(4_294_967_296u64), "configuration.gasLimit", "32 bits"),
        // operator
        (
            "/configuration/operator",
            json!("0x5fbDB2315678afecb367f032d93F642f64180aa3"),
            "configuration.operator",
            "checksum",
        ),
        (
            "/configuration/operator",
            json!("0x0000000000000000000000000000000000000000"),
            "configuration.operator",
            "zero",
        ),
        ("/configuration/operator", json!("0x1234"), "configuration.operator", "20-byte"),
        // externalJobID
        ("/configuration/externalJobId", json!("not-a-uuid"), "configuration.externalJobId", "not a UUID"),
        (
            "/configuration/externalJobId",
            json!("17f946d0c3fb47b191b8195f4ec036dc"),
            "configuration.externalJobId",
            "not a UUID",
        ),
        // description
        ("/description/jobName", json!(""), "description.jobName", "non-empty"),
        ("/description/chainId", json!("x"), "description.chainId", "not a chain id"),
        (
            "/description/adapter",
            json!({"id": "ea", "version": "1.0"}),
            "description.adapter.version",
            "Major.Minor.Patch",
        ),
        (
            "/consumers",
            json!(["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"]),
            "consumers[1]",
            "twice",
        ),
        ("/consumers", json!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), "consumers", "expected an array"),
    ];
    for (pointer, value, field, reason) in cases {
        let err = error_with(pointer, value.clone());
        assert_eq!(entry_field(&err), *field, "{pointer} = {value}: {err}");
        let text = err.to_string();
        assert!(text.contains(reason), "{pointer} = {value}: {text:?} should say {reason:?}");
        let prefix =
            if *field == "description.jobName" { "probe.json entry 0: " } else { "probe.json entry 0 (probe): " };
        assert!(text.starts_with(prefix), "{text}");
    }
}

#[test]
fn flat_fee_and_payment_bounds_are_the_link_supply() {
    let mut e = entry();
    e["configuration"]["feeType"] = json!(0);
    e["configuration"]["fee"] = json!("1000000000000000000000000000");
    e["configuration"]["payment"] = json!(1_000_000_000_000_000_000_000_000_000u128.to_string());
    let (ok, bad) = parse(json!([e.clone()]));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok[0].spec.fee, U96::from(10u128.pow(27)));

    e["configuration"]["fee"] = json!("1000000000000000000000000001");
    let (_, bad) = parse(json!([e.clone()]));
    assert!(bad[0].to_string().contains("0 < fee <= 1000000000000000000000000000 juels"), "{}", bad[0]);

    // PERMYRIAD payment is a share of the MAX gas cost: at most 10000.
    e["configuration"]["fee"] = json!("1");
    e["configuration"]["paymentType"] = json!("permyriad");
    e["configuration"]["payment"] = json!(10_001);
    let (_, bad) = parse(json!([e]));
    assert_eq!(entry_field(&bad[0]), "configuration.payment");
}

#[test]
fn min_confirmations_of_the_first_format_is_at_most_200() {
    let mut e = entry();
    e["configuration"]["minConfirmations"] = json!(200);
    assert!(parse(json!([e.clone()])).1.is_empty());
    e["configuration"]["minConfirmations"] = json!(201);
    let (_, bad) = parse(json!([e]));
    assert_eq!(entry_field(&bad[0]), "configuration.minConfirmations");
    assert!(bad[0].to_string().contains("0 <= minConfirmations <= 200"));
}

#[test]
fn unknown_and_doubled_keys_are_errors() {
    let mut e = entry();
    e["configuration"]["fe"] = json!("1");
    assert_eq!(entry_field(&parse(json!([e])).1[0]), "configuration.fe");

    let mut e = entry();
    e["configuration"]["fulfillmentFee"] = json!("1");
    let (_, bad) = parse(json!([e]));
    assert!(bad[0].to_string().contains("given twice"), "{}", bad[0]);

    let mut e = entry();
    e["extra"] = json!(1);
    assert_eq!(entry_field(&parse(json!([e])).1[0]), "extra");

    // Extra description keys are metadata and allowed.
    let mut e = entry();
    e["description"]["url"] = json!("https://example.com");
    assert!(parse(json!([e])).1.is_empty());
}

#[test]
fn chain_id_must_match_the_chain() {
    let text = json!([entry()]).to_string();
    let opts = LoadOptions { chain_id: Some(1), ..LoadOptions::default() };
    let (_, bad) = specs::parse_file(Path::new("probe.json"), &text, opts);
    assert_eq!(entry_field(&bad[0]), "description.chainId");
    assert!(bad[0].to_string().contains("31337, but the chain is 1"));
}

#[test]
fn every_invalid_entry_of_every_file_is_reported() {
    let dir = fixtures().join("invalid");
    let files: Vec<PathBuf> =
        ["many-errors.json", "not-an-array.json", "broken.json"].iter().map(|f| dir.join(f)).collect();
    let SpecErrors { errors } = SpecSet::load_files(&files, LoadOptions::default()).unwrap_err();
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 4, "{lines:#?}");
    assert!(lines[0].contains("many-errors.json entry 0 (fee of zero): configuration.fee: 0 is out of range"));
    assert!(lines[1].contains("many-errors.json entry 2 (gas limit too low): configuration.gasLimit: 399999"));
    assert!(lines[2].contains("not-an-array.json: expected a JSON array of spec entries, found an object"));
    // serde_json's message carries the line and column.
    assert!(lines[3].contains("broken.json: ") && lines[3].contains("line 4"), "{}", lines[3]);
}

#[test]
fn duplicate_keys_across_files_and_empty_directories_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(matches!(
        SpecSet::load_dir(tmp.path(), LoadOptions::default()).unwrap_err().errors[..],
        [SpecFileError::NoSpecFiles { .. }]
    ));
    let text = json!([entry()]).to_string();
    std::fs::write(tmp.path().join("a.json"), &text).unwrap();
    std::fs::write(tmp.path().join("b.json"), &text).unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "ignored").unwrap();
    let err = SpecSet::load_dir(tmp.path(), LoadOptions::default()).unwrap_err();
    match &err.errors[..] {
        [SpecFileError::DuplicateKey { first, second, .. }] => {
            assert!(first.path.ends_with("a.json") && second.path.ends_with("b.json"));
        }
        other => panic!("{other:?}"),
    }
    // An explicit empty array is a valid file (it asks to delete every spec).
    std::fs::write(tmp.path().join("b.json"), "[]").unwrap();
    assert_eq!(SpecSet::load_dir(tmp.path(), LoadOptions::default()).unwrap().entries.len(), 1);
}

fn spec(n: u8) -> Spec {
    Spec {
        spec_id: B256::repeat_byte(n),
        operator: OPERATOR,
        payment: U96::from(1000),
        payment_type: PaymentType::Flat,
        fee: U96::from(100),
        fee_type: FeeType::Permyriad,
        gas_limit: 500_000,
    }
}

#[test]
fn diff_creates_updates_deletes_and_keeps() {
    let set = SpecSet::load_dir(fixtures().join("specs"), LoadOptions::default()).unwrap();
    let mut chain = BTreeMap::new();
    // entry 0 unchanged, entry 1 with another fee, entries 2 and 3 missing, one stale spec.
    chain.insert(set.entries[0].key, set.entries[0].spec);
    let mut changed = set.entries[1].spec;
    changed.fee = U96::from(1);
    changed.gas_limit = 400_000;
    chain.insert(set.entries[1].key, changed);
    let stale = spec(9);
    chain.insert(stale.key(), stale);

    let diff = SpecDiff::new(&set, &chain);
    let kinds: Vec<_> = diff.changes.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::Unchanged, ChangeKind::Update, ChangeKind::Create, ChangeKind::Create, ChangeKind::Delete]
    );
    assert_eq!(diff.changes[1].changed_fields, ["fee", "gasLimit"]);
    assert_eq!(diff.count(ChangeKind::Create), 2);
    assert_eq!(diff.to_remove(), [stale.key()]);
    let to_set = diff.to_set();
    assert_eq!(
        to_set.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        [set.entries[1].key, set.entries[2].key, set.entries[3].key]
    );
    assert!(!diff.is_noop());

    // Applying the plan leaves nothing to do.
    for (k, s) in to_set {
        chain.insert(k, s);
    }
    for k in diff.to_remove() {
        chain.remove(&k);
    }
    let again = SpecDiff::new(&set, &chain);
    assert!(again.is_noop(), "{again:?}");
    assert_eq!(again.count(ChangeKind::Unchanged), set.entries.len());
}

proptest! {
    /// Any mix of file and chain specs: applying the diff reaches the files' state exactly, and a
    /// second diff is a no-op.
    #[test]
    fn applying_a_diff_converges(
        file_ids in proptest::collection::btree_set(0u8..12, 0..8),
        chain_ids in proptest::collection::btree_map(0u8..12, any::<bool>(), 0..8),
    ) {
        let entry_for = |n: u8| {
            let mut e = entry();
            e["configuration"]["externalJobId"] = json!(Uuid::from_bytes([n; 16]).to_string());
            e["description"]["jobName"] = json!(format!("job {n}"));
            e
        };
        let text = Value::Array(file_ids.iter().map(|n| entry_for(*n)).collect()).to_string();
        let (entries, bad) = specs::parse_file(Path::new("p.json"), &text, LoadOptions::default());
        prop_assert!(bad.is_empty());
        let set = SpecSet { entries };
        let mut chain = BTreeMap::new();
        for (n, same) in &chain_ids {
            let (one, _) = specs::parse_file(Path::new("c.json"), &json!([entry_for(*n)]).to_string(), LoadOptions::default());
            let mut s = one[0].spec;
            if !same {
                s.gas_limit += 1;
            }
            chain.insert(s.key(), s);
        }
        let diff = SpecDiff::new(&set, &chain);
        prop_assert_eq!(diff.count(ChangeKind::Create), file_ids.iter().filter(|n| !chain_ids.contains_key(n)).count());
        prop_assert_eq!(diff.count(ChangeKind::Delete), chain_ids.keys().filter(|n| !file_ids.contains(n)).count());
        for (k, s) in diff.to_set() { chain.insert(k, s); }
        for k in diff.to_remove() { chain.remove(&k); }
        let want: BTreeMap<B256, Spec> = set.entries.iter().map(|e| (e.key, e.spec)).collect();
        prop_assert_eq!(&chain, &want);
        prop_assert!(SpecDiff::new(&set, &chain).is_noop());
    }
}
