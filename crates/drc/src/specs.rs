//! The JSON spec files of the original DRCoordinator tools, their validation, spec keys, and the
//! diff between a directory of files and the specs stored on chain.
//!
//! # File format
//!
//! A spec file is a JSON array; each entry describes one job the coordinator can request:
//!
//! ```json
//! [
//!   {
//!     "description": {
//!       "adapter": null,
//!       "chainId": 31337,
//!       "jobId": 1,
//!       "jobName": "Get > Uint256 via DRCoordinator",
//!       "nodeId": "devnet",
//!       "notes": null
//!     },
//!     "configuration": {
//!       "externalJobId": "17f946d0-c3fb-47b1-91b8-195f4ec036dc",
//!       "fee": "1000",
//!       "feeType": 1,
//!       "gasLimit": 500000,
//!       "operator": "0x878541888a928a31F9EAb4cB61DfD4e381EC2f00",
//!       "payment": "100000000000000000",
//!       "paymentType": 0
//!     },
//!     "consumers": []
//!   }
//! ]
//! ```
//!
//! - `description` is metadata: `jobName` (required, non-empty) names the entry in tables and
//!   errors, `chainId` (required) must be the chain being synced, `jobId` (the node's job id),
//!   `nodeId`, `notes` and `adapter` (`null` or `{id, version}` with a `Major.Minor.Patch` version)
//!   are optional. Other keys are allowed.
//! - `configuration` becomes the on-chain `Spec`; unknown keys are errors (a typo must not
//!   silently drop a price). Amounts are integers in juels (or permyriad), as strings (as in the
//!   original files) or JSON integers:
//!   - `externalJobId` (or `externalJobID`): the job's UUID; the on-chain `specId` is its
//!     32-ASCII-character encoding by default (what Chainlink's docs and the original tools use),
//!     or the raw 16 bytes ([`SpecIdEncoding`]); the node matches both.
//!   - `operator`: the Operator contract; EIP-55 checksummed when written in mixed case; not zero.
//!   - `payment` and `paymentType` (`0`/`"flat"`, default, or `1`/`"permyriad"`): the Operator
//!     escrow; FLAT `0 < payment <= 1e27`, PERMYRIAD `0 < payment <= 10000`.
//!   - `fee` (the first format's `fulfillmentFee` is accepted) and `feeType`: FLAT
//!     `0 < fee <= 1e27`; PERMYRIAD `0 < fee <= 10000` (the contract only needs `fee > 0`; the
//!     upper bound catches a fee typed in juels).
//!   - `gasLimit`: the largest callback gas limit a request may ask for, `>= 400000`.
//!   - `minConfirmations` (first format only): checked `<= 200` and otherwise ignored: requests
//!     carry their own confirmations.
//! - `consumers` (optional): addresses expected to use the spec (the original's authorized
//!   consumers). `IDRCoordinator` does not restrict consumers per spec, so they are validated and
//!   shown (`linkpool drc show` reads their balances) but not written on chain.
//!
//! Two entries with the same key (`keccak256(abi.encodePacked(operator, specId))`) in one
//! directory are an error.

use std::{
    collections::{BTreeMap, HashMap},
    fmt,
    path::{Path, PathBuf},
};

use alloy::primitives::{aliases::U96, keccak256, Address, B256, U256};
pub use linkpool_job::SpecIdEncoding;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::pricing::{
    FeeType, PaymentType, LINK_TOTAL_SUPPLY, MAX_PERMYRIAD_FEE, MAX_REQUEST_CONFIRMATIONS, MIN_SPEC_GAS_LIMIT,
    PERMYRIAD,
};

/// A spec as `IDRCoordinator` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    /// The job's externalJobID in its on-chain encoding.
    pub spec_id: B256,
    /// The Operator contract.
    pub operator: Address,
    /// The Operator escrow (juels for FLAT, permyriad of the MAX gas cost for PERMYRIAD).
    #[serde(serialize_with = "crate::dec::serialize")]
    pub payment: U96,
    /// How `payment` is read.
    pub payment_type: PaymentType,
    /// The operator's fee (juels for FLAT, permyriad for PERMYRIAD).
    #[serde(serialize_with = "crate::dec::serialize")]
    pub fee: U96,
    /// How `fee` is added.
    pub fee_type: FeeType,
    /// The largest callback gas limit a request may ask for.
    pub gas_limit: u32,
}

impl Spec {
    /// This spec's key: [`spec_key`]`(operator, spec_id)`.
    pub fn key(&self) -> B256 {
        spec_key(self.operator, self.spec_id)
    }

    /// The names of the fields that differ from `other`.
    pub fn changed_fields(&self, other: &Self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut check = |differs: bool, name| {
            if differs {
                out.push(name)
            }
        };
        check(self.spec_id != other.spec_id, "specId");
        check(self.operator != other.operator, "operator");
        check(self.payment != other.payment, "payment");
        check(self.payment_type != other.payment_type, "paymentType");
        check(self.fee != other.fee, "fee");
        check(self.fee_type != other.fee_type, "feeType");
        check(self.gas_limit != other.gas_limit, "gasLimit");
        out
    }
}

/// `keccak256(abi.encodePacked(operator, specId))`: the key a spec is stored under.
pub fn spec_key(operator: Address, spec_id: B256) -> B256 {
    let mut packed = [0u8; 52];
    packed[..20].copy_from_slice(operator.as_slice());
    packed[20..].copy_from_slice(spec_id.as_slice());
    keccak256(packed)
}

/// The on-chain `specId` of a job's externalJobID in `encoding`.
pub fn spec_id(external_job_id: Uuid, encoding: SpecIdEncoding) -> B256 {
    let [ascii, raw] = linkpool_job::spec_id_encodings(external_job_id);
    match encoding {
        SpecIdEncoding::AsciiHex => ascii,
        SpecIdEncoding::RawBytes => raw,
    }
}

/// The externalJobID a `specId` encodes, in either encoding; `None` if it is neither.
pub fn external_job_id(spec_id: B256) -> Option<Uuid> {
    let bytes = spec_id.as_slice();
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(id) = Uuid::try_parse(text) {
            return Some(id);
        }
    }
    if bytes[16..].iter().all(|b| *b == 0) {
        return Some(Uuid::from_slice(&bytes[..16]).expect("16 bytes"));
    }
    None
}

/// Where a spec entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EntrySource {
    /// The spec file.
    pub path: PathBuf,
    /// The entry's index in the file's array (0-based).
    pub index: usize,
}

impl fmt::Display for EntrySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} entry {}", self.path.display(), self.index)
    }
}

/// An external adapter a job uses (metadata).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adapter {
    /// The adapter's name.
    pub id: String,
    /// Its `Major.Minor.Patch` version.
    pub version: String,
}

/// An entry's `description` (metadata, never on chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Description {
    /// The chain the spec is for.
    pub chain_id: u64,
    /// The node's job id.
    pub job_id: Option<u64>,
    /// A human name for the job.
    pub job_name: String,
    /// Which node runs the job.
    pub node_id: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// The external adapter the job calls, if any.
    pub adapter: Option<Adapter>,
}

/// One validated spec file entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecEntry {
    /// Where it came from.
    pub source: EntrySource,
    /// Its metadata.
    pub description: Description,
    /// The job's externalJobID.
    pub external_job_id: Uuid,
    /// The spec to store.
    pub spec: Spec,
    /// `spec.key()`.
    pub key: B256,
    /// Consumers expected to use the spec (not stored on chain).
    pub consumers: Vec<Address>,
    /// The first format's `minConfirmations`, validated and otherwise unused.
    pub min_confirmations: Option<u8>,
}

/// How spec files are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// How externalJobIDs become `specId`s.
    pub encoding: SpecIdEncoding,
    /// When set, every entry's `description.chainId` must equal it.
    pub chain_id: Option<u64>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self { encoding: SpecIdEncoding::AsciiHex, chain_id: None }
    }
}

/// A spec file problem. Entry problems name the file, the entry index, its `jobName` when known,
/// and the field.
#[derive(Debug, thiserror::Error)]
pub enum SpecFileError {
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A directory holds no `*.json` file (syncing it would delete every on-chain spec; an empty
    /// array in a file says that on purpose).
    #[error("{}: no *.json spec files", dir.display())]
    NoSpecFiles {
        /// The directory.
        dir: PathBuf,
    },
    /// A file is not JSON, or not an array.
    #[error("{}: {reason}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        reason: String,
    },
    /// An entry is invalid.
    #[error("{entry}{}: {field}: {reason}", job_name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default())]
    Entry {
        /// The entry.
        entry: EntrySource,
        /// Its `description.jobName`, when readable.
        job_name: Option<String>,
        /// The offending field, e.g. `configuration.fee`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two entries have the same spec key (same operator and externalJobID).
    #[error("{second}: same spec key {key} as {first} (same operator and externalJobId)")]
    DuplicateKey {
        /// The key.
        key: B256,
        /// The first entry with it.
        first: EntrySource,
        /// The later one.
        second: EntrySource,
    },
}

/// Every problem found in a set of spec files (all are reported, not just the first).
#[derive(Debug, thiserror::Error)]
#[error("{} invalid spec file entr{}:\n{}", errors.len(), if errors.len() == 1 { "y" } else { "ies" },
    errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
pub struct SpecErrors {
    /// The problems, in file and entry order.
    pub errors: Vec<SpecFileError>,
}

/// The validated entries of a set of spec files, in file and entry order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecSet {
    /// The entries.
    pub entries: Vec<SpecEntry>,
}

impl SpecSet {
    /// Reads and validates every `*.json` file directly in `dir` (sorted by name).
    ///
    /// # Errors
    /// Every problem found, across all files.
    pub fn load_dir(dir: impl AsRef<Path>, options: LoadOptions) -> Result<Self, SpecErrors> {
        let dir = dir.as_ref();
        let io = |source| SpecErrors { errors: vec![SpecFileError::Io { path: dir.to_path_buf(), source }] };
        let mut files = Vec::new();
        for item in std::fs::read_dir(dir).map_err(io)? {
            let path = item.map_err(io)?.path();
            if path.extension().is_some_and(|e| e == "json") && path.is_file() {
                files.push(path);
            }
        }
        if files.is_empty() {
            return Err(SpecErrors { errors: vec![SpecFileError::NoSpecFiles { dir: dir.to_path_buf() }] });
        }
        files.sort();
        Self::load_files(&files, options)
    }

    /// Reads and validates the given files, in order.
    ///
    /// # Errors
    /// Every problem found, across all files.
    pub fn load_files(files: &[PathBuf], options: LoadOptions) -> Result<Self, SpecErrors> {
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        for path in files {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    let (ok, bad) = parse_file(path, &text, options);
                    entries.extend(ok);
                    errors.extend(bad);
                }
                Err(source) => errors.push(SpecFileError::Io { path: path.clone(), source }),
            }
        }
        let mut seen: HashMap<B256, EntrySource> = HashMap::new();
        for e in &entries {
            if let Some(first) = seen.get(&e.key) {
                errors.push(SpecFileError::DuplicateKey { key: e.key, first: first.clone(), second: e.source.clone() });
            } else {
                seen.insert(e.key, e.source.clone());
            }
        }
        if errors.is_empty() {
            Ok(Self { entries })
        } else {
            Err(SpecErrors { errors })
        }
    }

    /// Every consumer listed by any entry, deduplicated, in first-seen order.
    pub fn consumers(&self) -> Vec<Address> {
        let mut out: Vec<Address> = Vec::new();
        for c in self.entries.iter().flat_map(|e| &e.consumers) {
            if !out.contains(c) {
                out.push(*c);
            }
        }
        out
    }
}

/// Parses one file's text: the valid entries and the problems (both, so all errors are shown).
pub fn parse_file(path: &Path, text: &str, options: LoadOptions) -> (Vec<SpecEntry>, Vec<SpecFileError>) {
    let items: Vec<Value> = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items,
        Ok(other) => {
            let reason = format!("expected a JSON array of spec entries, found {}", json_kind(&other));
            return (Vec::new(), vec![SpecFileError::Syntax { path: path.to_path_buf(), reason }]);
        }
        Err(e) => return (Vec::new(), vec![SpecFileError::Syntax { path: path.to_path_buf(), reason: e.to_string() }]),
    };
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let source = EntrySource { path: path.to_path_buf(), index };
        match parse_entry(&source, item, options) {
            Ok(entry) => ok.push(entry),
            Err(e) => bad.push(e),
        }
    }
    (ok, bad)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Builds entry errors with the entry's source and name filled in.
struct EntryCtx<'a> {
    source: &'a EntrySource,
    job_name: Option<String>,
}

impl EntryCtx<'_> {
    fn err(&self, field: &str, reason: impl Into<String>) -> SpecFileError {
        SpecFileError::Entry {
            entry: self.source.clone(),
            job_name: self.job_name.clone(),
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

const CONFIGURATION_KEYS: &[&str] = &[
    "externalJobId",
    "externalJobID",
    "operator",
    "payment",
    "paymentType",
    "fee",
    "fulfillmentFee",
    "feeType",
    "gasLimit",
    "minConfirmations",
];

fn parse_entry(source: &EntrySource, item: &Value, options: LoadOptions) -> Result<SpecEntry, SpecFileError> {
    let mut cx = EntryCtx { source, job_name: None };
    let Value::Object(obj) = item else {
        return Err(cx.err("entry", format!("expected an object, found {}", json_kind(item))));
    };
    let name = obj.get("description").and_then(|d| d.get("jobName")).and_then(Value::as_str);
    if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
        cx.job_name = Some(name.to_owned());
    }
    for key in obj.keys() {
        if !["description", "configuration", "consumers"].contains(&key.as_str()) {
            return Err(cx.err(key, "unknown key (expected description, configuration, consumers)"));
        }
    }
    let description = parse_description(&cx, obj.get("description"), options)?;
    let Some(Value::Object(conf)) = obj.get("configuration") else {
        return Err(cx.err("configuration", "missing, or not an object"));
    };
    for key in conf.keys() {
        if !CONFIGURATION_KEYS.contains(&key.as_str()) {
            return Err(cx.err(
                &format!("configuration.{key}"),
                format!("unknown key (expected one of {})", CONFIGURATION_KEYS.join(", ")),
            ));
        }
    }
    let field = |name: &str| conf.get(name).filter(|v| !v.is_null());

    // externalJobId
    let (id_name, id_value) = match (field("externalJobId"), field("externalJobID")) {
        (Some(_), Some(_)) => {
            return Err(cx.err("configuration.externalJobId", "given twice (externalJobId and externalJobID)"))
        }
        (Some(v), None) => ("configuration.externalJobId", v),
        (None, Some(v)) => ("configuration.externalJobID", v),
        (None, None) => return Err(cx.err("configuration.externalJobId", "missing")),
    };
    let external_job_id =
        id_value.as_str().filter(|s| s.len() == 36).and_then(|s| Uuid::try_parse(s).ok()).ok_or_else(|| {
            cx.err(id_name, format!("{id_value} is not a UUID like 17f946d0-c3fb-47b1-91b8-195f4ec036dc"))
        })?;

    // operator
    let operator_value = field("operator").ok_or_else(|| cx.err("configuration.operator", "missing"))?;
    let operator = parse_address(operator_value).map_err(|reason| cx.err("configuration.operator", reason))?;

    // payment
    let payment_type = match field("paymentType") {
        None => PaymentType::Flat,
        Some(v) => parse_kind::<PaymentType>(v).map_err(|r| cx.err("configuration.paymentType", r))?,
    };
    let payment_value = field("payment").ok_or_else(|| cx.err("configuration.payment", "missing"))?;
    let payment = parse_uint(payment_value).map_err(|r| cx.err("configuration.payment", r))?;
    let payment_max = match payment_type {
        PaymentType::Flat => LINK_TOTAL_SUPPLY,
        PaymentType::Permyriad => U256::from(PERMYRIAD),
    };
    if payment.is_zero() || payment > payment_max {
        return Err(cx.err(
            "configuration.payment",
            format!("{payment} is out of range for paymentType {payment_type}: expected 0 < payment <= {payment_max}"),
        ));
    }

    // fee
    let (fee_name, fee_value) = match (field("fee"), field("fulfillmentFee")) {
        (Some(_), Some(_)) => return Err(cx.err("configuration.fee", "given twice (fee and fulfillmentFee)")),
        (Some(v), None) => ("configuration.fee", v),
        (None, Some(v)) => ("configuration.fulfillmentFee", v),
        (None, None) => return Err(cx.err("configuration.fee", "missing")),
    };
    let fee_type_value = field("feeType").ok_or_else(|| cx.err("configuration.feeType", "missing"))?;
    let fee_type = parse_kind::<FeeType>(fee_type_value).map_err(|r| cx.err("configuration.feeType", r))?;
    let fee = parse_uint(fee_value).map_err(|r| cx.err(fee_name, r))?;
    let fee_max = match fee_type {
        FeeType::Flat => LINK_TOTAL_SUPPLY,
        FeeType::Permyriad => U256::from(MAX_PERMYRIAD_FEE),
    };
    if fee.is_zero() || fee > fee_max {
        let unit = if fee_type == FeeType::Permyriad { " (1 = 0.01 %, 10000 = 100 %)" } else { " juels" };
        return Err(cx.err(
            fee_name,
            format!("{fee} is out of range for feeType {fee_type}: expected 0 < fee <= {fee_max}{unit}"),
        ));
    }

    // gasLimit
    let gas_value = field("gasLimit").ok_or_else(|| cx.err("configuration.gasLimit", "missing"))?;
    let gas_limit = parse_uint(gas_value)
        .ok()
        .and_then(|g| u32::try_from(g).ok())
        .ok_or_else(|| cx.err("configuration.gasLimit", format!("{gas_value} is not an integer of 32 bits")))?;
    if gas_limit < MIN_SPEC_GAS_LIMIT {
        return Err(cx.err(
            "configuration.gasLimit",
            format!("{gas_limit} is below the minimum {MIN_SPEC_GAS_LIMIT} (the Operator's consumer gas limit)"),
        ));
    }

    // minConfirmations (first format)
    let min_confirmations = match field("minConfirmations") {
        None => None,
        Some(v) => Some(
            parse_uint(v)
                .ok()
                .and_then(|c| u8::try_from(c).ok())
                .filter(|c| *c <= MAX_REQUEST_CONFIRMATIONS)
                .ok_or_else(|| {
                    cx.err(
                        "configuration.minConfirmations",
                        format!("{v} is out of range: expected 0 <= minConfirmations <= {MAX_REQUEST_CONFIRMATIONS}"),
                    )
                })?,
        ),
    };

    // consumers
    let mut consumers = Vec::new();
    match obj.get("consumers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                let name = format!("consumers[{i}]");
                let address = parse_address(v).map_err(|r| cx.err(&name, r))?;
                if consumers.contains(&address) {
                    return Err(cx.err(&name, format!("{address} is listed twice")));
                }
                consumers.push(address);
            }
        }
        Some(other) => return Err(cx.err("consumers", format!("expected an array, found {}", json_kind(other)))),
    }

    let spec = Spec {
        spec_id: spec_id(external_job_id, options.encoding),
        operator,
        // Both bounds are below 2^96 (1e27 < 7.9e28), checked above.
        payment: U96::from(payment),
        payment_type,
        fee: U96::from(fee),
        fee_type,
        gas_limit,
    };
    Ok(SpecEntry {
        source: source.clone(),
        description,
        external_job_id,
        key: spec.key(),
        spec,
        consumers,
        min_confirmations,
    })
}

fn parse_description(cx: &EntryCtx<'_>, v: Option<&Value>, options: LoadOptions) -> Result<Description, SpecFileError> {
    let Some(Value::Object(d)) = v else {
        return Err(cx.err("description", "missing, or not an object"));
    };
    let field = |name: &str| d.get(name).filter(|v| !v.is_null());
    let job_name = match field("jobName") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return Err(cx.err("description.jobName", "required: a non-empty string")),
    };
    let chain_id = field("chainId").ok_or_else(|| cx.err("description.chainId", "missing")).and_then(|v| {
        parse_uint(v)
            .ok()
            .and_then(|c| u64::try_from(c).ok())
            .ok_or_else(|| cx.err("description.chainId", format!("{v} is not a chain id")))
    })?;
    if let Some(expected) = options.chain_id {
        if chain_id != expected {
            return Err(cx.err("description.chainId", format!("{chain_id}, but the chain is {expected}")));
        }
    }
    let job_id = match field("jobId") {
        None => None,
        Some(v) => Some(
            parse_uint(v)
                .ok()
                .and_then(|j| u64::try_from(j).ok())
                .ok_or_else(|| cx.err("description.jobId", format!("{v} is not an integer >= 0")))?,
        ),
    };
    let text = |name: &str| -> Result<Option<String>, SpecFileError> {
        match field(name) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            Some(other) => {
                Err(cx.err(&format!("description.{name}"), format!("{other}: expected null or a non-empty string")))
            }
        }
    };
    let node_id = text("nodeId")?;
    let notes = text("notes")?;
    let adapter = match field("adapter") {
        None => None,
        Some(v) => {
            let a: Adapter = serde_json::from_value(v.clone())
                .map_err(|e| cx.err("description.adapter", format!("expected null or {{id, version}}: {e}")))?;
            if a.id.trim().is_empty() {
                return Err(cx.err("description.adapter.id", "required: a non-empty string"));
            }
            if !is_semver(&a.version) {
                return Err(cx.err("description.adapter.version", format!("{:?} is not Major.Minor.Patch", a.version)));
            }
            Some(a)
        }
    };
    Ok(Description { chain_id, job_id, job_name, node_id, notes, adapter })
}

/// `Major.Minor.Patch` with optional `-pre` and `+build` parts, no leading zeros.
fn is_semver(s: &str) -> bool {
    let core = s.split(['-', '+']).next().unwrap_or_default();
    let rest = &s[core.len()..];
    let parts: Vec<&str> = core.split('.').collect();
    let numeric =
        |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p.len() == 1 || !p.starts_with('0'));
    let suffix_ok = rest.is_empty()
        || (rest.len() > 1
            && rest[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'+'));
    parts.len() == 3 && parts.iter().all(numeric) && suffix_ok
}

/// An unsigned integer given as a decimal string or a JSON integer (no sign, fraction or exponent).
fn parse_uint(v: &Value) -> Result<U256, String> {
    let text = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("expected an integer (a decimal string or number), found {}", json_kind(other))),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{v} is not a non-negative integer (digits only, no sign, decimals or exponent)"));
    }
    U256::from_str_radix(&text, 10).map_err(|_| format!("{v} does not fit 256 bits"))
}

fn parse_kind<T: std::str::FromStr<Err = crate::pricing::UnknownVariant>>(v: &Value) -> Result<T, String> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("expected 0, 1, \"flat\" or \"permyriad\", found {}", json_kind(other))),
    };
    text.parse::<T>().map_err(|e| e.to_string())
}

/// A non-zero address; mixed case must be a valid EIP-55 checksum.
fn parse_address(v: &Value) -> Result<Address, String> {
    let Value::String(s) = v else {
        return Err(format!("expected an address string, found {}", json_kind(v)));
    };
    let address: Address = s.parse().map_err(|_| format!("{s:?} is not a 20-byte hex address"))?;
    let digits = s.trim_start_matches("0x");
    let mixed = digits.bytes().any(|b| b.is_ascii_lowercase()) && digits.bytes().any(|b| b.is_ascii_uppercase());
    if mixed && address.to_checksum(None) != *s {
        return Err(format!("{s} has a wrong EIP-55 checksum (expected {})", address.to_checksum(None)));
    }
    if address.is_zero() {
        return Err("the zero address".to_owned());
    }
    Ok(address)
}

/// What a sync does to one spec key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// In the files, not on chain: `setSpecs`.
    Create,
    /// In both, different: `setSpecs`.
    Update,
    /// On chain, not in the files: `removeSpecs`.
    Delete,
    /// In both, equal: nothing.
    Unchanged,
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Unchanged => "unchanged",
        })
    }
}

/// One line of a [`SpecDiff`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecChange {
    /// What happens.
    pub kind: ChangeKind,
    /// The spec key.
    pub key: B256,
    /// The spec on chain now (`None` for a create).
    pub on_chain: Option<Spec>,
    /// The spec in the files (`None` for a delete).
    pub file: Option<Spec>,
    /// The file entry (`None` for a delete).
    pub source: Option<EntrySource>,
    /// The entry's `jobName` (`None` for a delete).
    pub job_name: Option<String>,
    /// For an update, the fields that change.
    pub changed_fields: Vec<&'static str>,
}

impl SpecChange {
    /// The spec this change leaves on chain, if any.
    pub fn target(&self) -> Option<&Spec> {
        self.file.as_ref()
    }
}

/// The difference between spec files and the specs on chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecDiff {
    /// File entries in file order (create, update or unchanged), then deletes by key.
    pub changes: Vec<SpecChange>,
}

impl SpecDiff {
    /// Compares `files` with `on_chain` (key → spec).
    pub fn new(files: &SpecSet, on_chain: &BTreeMap<B256, Spec>) -> Self {
        let mut changes = Vec::new();
        for e in &files.entries {
            let current = on_chain.get(&e.key).copied();
            let (kind, changed_fields) = match &current {
                None => (ChangeKind::Create, Vec::new()),
                Some(c) if c == &e.spec => (ChangeKind::Unchanged, Vec::new()),
                Some(c) => (ChangeKind::Update, c.changed_fields(&e.spec)),
            };
            changes.push(SpecChange {
                kind,
                key: e.key,
                on_chain: current,
                file: Some(e.spec),
                source: Some(e.source.clone()),
                job_name: Some(e.description.job_name.clone()),
                changed_fields,
            });
        }
        for (key, spec) in on_chain {
            if !files.entries.iter().any(|e| e.key == *key) {
                changes.push(SpecChange {
                    kind: ChangeKind::Delete,
                    key: *key,
                    on_chain: Some(*spec),
                    file: None,
                    source: None,
                    job_name: None,
                    changed_fields: Vec::new(),
                });
            }
        }
        Self { changes }
    }

    /// The keys and specs to pass to `setSpecs` (creates and updates), in diff order.
    pub fn to_set(&self) -> Vec<(B256, Spec)> {
        self.changes
            .iter()
            .filter(|c| matches!(c.kind, ChangeKind::Create | ChangeKind::Update))
            .filter_map(|c| c.file.map(|s| (c.key, s)))
            .collect()
    }

    /// The keys to pass to `removeSpecs`.
    pub fn to_remove(&self) -> Vec<B256> {
        self.changes.iter().filter(|c| c.kind == ChangeKind::Delete).map(|c| c.key).collect()
    }

    /// How many changes of `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// Whether applying the diff changes nothing.
    pub fn is_noop(&self) -> bool {
        self.changes.iter().all(|c| c.kind == ChangeKind::Unchanged)
    }
}
