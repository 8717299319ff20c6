//! `drc specs sync|check` and `drc spec-key`.

use std::path::PathBuf;

use alloy::primitives::{Address, B256};
use clap::{Args, Subcommand, ValueEnum};
use linkpool_drc::{
    client::{SentTx, DEFAULT_BATCH_SIZE},
    pricing::{FeeType, PaymentType},
    specs::{self, ChangeKind, LoadOptions, Spec, SpecDiff, SpecIdEncoding, SpecSet},
};
use serde::Serialize;
use uuid::Uuid;

use super::{print_json, print_transactions, ChainOpts, KeyOpts};
use crate::table;

#[derive(Debug, Subcommand)]
pub(crate) enum SpecsCommand {
    /// Make the coordinator's specs equal to a directory of JSON spec files.
    ///
    /// Reads every *.json file in DIR (the original DRCoordinator tools' format: an array of
    /// {description, configuration, consumers}; `linkpool drc specs check --help` describes it),
    /// validates all of it, and prints the diff against the chain: create, update, delete or
    /// unchanged for each spec key. Then, unless --dry-run, it sends `setSpecs` for creates and
    /// updates and `removeSpecs` for deletes, in batches. Specs on chain that no file lists are
    /// deleted. A second run finds nothing to do and sends no transaction.
    ///
    ///   linkpool drc specs sync jobs/drc --dry-run
    ///   LINKPOOL_DRC_PRIVATE_KEY=0x… linkpool drc specs sync jobs/drc --coordinator 0x…
    #[command(verbatim_doc_comment)]
    Sync(SyncArgs),
    /// Validate a directory of spec files offline and print their spec keys.
    ///
    /// Each file is a JSON array of entries:
    ///
    ///   [ { "description": { "chainId": 1, "jobName": "Get > Uint256", "jobId": 1,
    ///                        "nodeId": "node-1", "notes": null, "adapter": null },
    ///       "configuration": { "externalJobId": "17f946d0-c3fb-47b1-91b8-195f4ec036dc",
    ///                          "operator": "0x…", "payment": "100000000000000000", "paymentType": 0,
    ///                          "fee": "1000", "feeType": 1, "gasLimit": 500000 },
    ///       "consumers": ["0x…"] } ]
    ///
    /// Amounts are integers (strings or numbers). Ranges, as in the DRCoordinator FAQ:
    ///   payment     0 < p <= 1e27 juels (paymentType 0, flat), or
    ///               0 < p <= 10000 (paymentType 1, permyriad of the MAX gas cost)
    ///   fee         0 < f <= 1e27 juels (feeType 0, flat), or 0 < f <= 10000 (feeType 1, permyriad)
    ///   gasLimit    >= 400000 (the largest callback gas limit a request may ask for)
    ///   operator    a contract address, EIP-55 checksummed if written in mixed case
    ///   chainId     the chain being synced
    /// The first format's `fulfillmentFee` and `minConfirmations` (<= 200) are accepted; `consumers`
    /// are checked but not stored on chain (`show --specs-dir` reads their balances). Errors name
    /// the file, the entry, its jobName and the field.
    #[command(verbatim_doc_comment)]
    Check(CheckArgs),
}

/// How externalJobIDs are put on chain.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Encoding {
    /// The 32 ASCII characters of the UUID without dashes (Chainlink's docs, the original tools).
    Ascii,
    /// The 16 UUID bytes, right-padded with zeros.
    Raw,
}

impl From<Encoding> for SpecIdEncoding {
    fn from(e: Encoding) -> Self {
        match e {
            Encoding::Ascii => Self::AsciiHex,
            Encoding::Raw => Self::RawBytes,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// The directory of *.json spec files.
    dir: PathBuf,
    /// Print the diff and stop: no transaction.
    #[arg(long)]
    dry_run: bool,
    /// Specs per setSpecs/removeSpecs transaction.
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    /// How externalJobIDs become on-chain specIds (the node matches both).
    #[arg(long, value_enum, default_value = "ascii")]
    spec_id_encoding: Encoding,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The directory of *.json spec files.
    dir: PathBuf,
    /// How externalJobIDs become on-chain specIds.
    #[arg(long, value_enum, default_value = "ascii")]
    spec_id_encoding: Encoding,
}

#[derive(Debug, Args)]
pub(crate) struct SpecKeyArgs {
    /// The Operator contract of the spec.
    #[arg(long)]
    operator: Address,
    /// The spec id: a bytes32, or an externalJobID (UUID).
    #[arg(long)]
    spec_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncReport<'a> {
    dry_run: bool,
    diff: &'a SpecDiff,
    transactions: Vec<SentTx>,
}

impl SpecsCommand {
    pub(crate) async fn run(self, chain: &ChainOpts, key: &KeyOpts) -> eyre::Result<()> {
        match self {
            Self::Sync(a) => sync(a, chain, key).await,
            Self::Check(a) => {
                let opts = LoadOptions { encoding: a.spec_id_encoding.into(), chain_id: chain.chain_id };
                let set = SpecSet::load_dir(&a.dir, opts)?;
                if chain.json {
                    return print_json(&set);
                }
                let rows = set
                    .entries
                    .iter()
                    .map(|e| {
                        vec![
                            e.source.to_string(),
                            e.description.job_name.clone(),
                            e.key.to_string(),
                            e.external_job_id.to_string(),
                            e.spec.operator.to_string(),
                            payment(&e.spec),
                            fee(&e.spec),
                            e.spec.gas_limit.to_string(),
                        ]
                    })
                    .collect::<Vec<_>>();
                println!(
                    "{}",
                    table::render(
                        &["ENTRY", "JOB", "KEY", "EXTERNAL JOB ID", "OPERATOR", "PAYMENT", "FEE", "GAS LIMIT"],
                        &rows
                    )
                );
                println!("{} valid spec entr{}", rows.len(), if rows.len() == 1 { "y" } else { "ies" });
                Ok(())
            }
        }
    }
}

async fn sync(a: SyncArgs, chain: &ChainOpts, key: &KeyOpts) -> eyre::Result<()> {
    let address = chain.coordinator()?;
    // A dry run needs no key; a real one needs it before anything is read, to fail early.
    let signer = if a.dry_run { None } else { Some(key.require_signer("specs sync").await?) };
    let sender = signer.as_ref().map(|s| s.address());
    let provider = chain.provider(signer).await?;
    let chain_id = alloy::providers::Provider::get_chain_id(&provider).await?;
    let opts = LoadOptions { encoding: a.spec_id_encoding.into(), chain_id: Some(chain_id) };
    let set = SpecSet::load_dir(&a.dir, opts)?;
    let mut coordinator = linkpool_drc::client::Coordinator::new(address, provider);
    if let Some(sender) = sender {
        coordinator = coordinator.with_sender(sender);
    }
    coordinator.ensure_deployed().await?;
    let diff = coordinator.diff(&set).await?;
    if !chain.json {
        print_diff(&diff);
    }
    let mut transactions = Vec::new();
    if !a.dry_run && !diff.is_noop() {
        transactions = coordinator.sync(&diff, a.batch_size).await?;
    }
    if chain.json {
        return print_json(&SyncReport { dry_run: a.dry_run, diff: &diff, transactions });
    }
    if a.dry_run {
        println!("dry run: no transaction sent");
    } else if transactions.is_empty() {
        println!("nothing to do: the coordinator matches the files");
    } else {
        print_transactions(&transactions);
    }
    Ok(())
}

/// A spec's payment with its unit.
pub(super) fn payment(s: &Spec) -> String {
    match s.payment_type {
        PaymentType::Flat => format!("{} juels", s.payment),
        PaymentType::Permyriad => format!("{}‱ of MAX", s.payment),
    }
}

/// A spec's fee with its unit.
pub(super) fn fee(s: &Spec) -> String {
    match s.fee_type {
        FeeType::Flat => format!("{} juels", s.fee),
        FeeType::Permyriad => format!("{}‱", s.fee),
    }
}

fn print_diff(diff: &SpecDiff) {
    let rows: Vec<Vec<String>> = diff
        .changes
        .iter()
        .map(|c| {
            let spec = c.file.as_ref().or(c.on_chain.as_ref()).expect("a change has a spec");
            let what = match c.kind {
                ChangeKind::Update => c
                    .changed_fields
                    .iter()
                    .map(|f| {
                        let (old, new) = (c.on_chain.as_ref().expect("update"), c.file.as_ref().expect("update"));
                        format!("{f}: {} → {}", field(old, f), field(new, f))
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => String::new(),
            };
            vec![
                c.kind.to_string(),
                c.key.to_string(),
                c.job_name.clone().unwrap_or_else(|| "(not in the files)".into()),
                specs::external_job_id(spec.spec_id).map(|u| u.to_string()).unwrap_or_else(|| spec.spec_id.to_string()),
                payment(spec),
                fee(spec),
                spec.gas_limit.to_string(),
                what,
            ]
        })
        .collect();
    println!(
        "{}",
        table::render(&["ACTION", "KEY", "JOB", "EXTERNAL JOB ID", "PAYMENT", "FEE", "GAS LIMIT", "CHANGES"], &rows)
    );
    println!(
        "create {}, update {}, delete {}, unchanged {}",
        diff.count(ChangeKind::Create),
        diff.count(ChangeKind::Update),
        diff.count(ChangeKind::Delete),
        diff.count(ChangeKind::Unchanged)
    );
}

fn field(s: &Spec, name: &str) -> String {
    match name {
        "specId" => s.spec_id.to_string(),
        "operator" => s.operator.to_string(),
        "payment" => s.payment.to_string(),
        "paymentType" => s.payment_type.to_string(),
        "fee" => s.fee.to_string(),
        "feeType" => s.fee_type.to_string(),
        "gasLimit" => s.gas_limit.to_string(),
        _ => String::new(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyRow {
    operator: Address,
    spec_id: B256,
    encoding: Option<&'static str>,
    key: B256,
}

impl SpecKeyArgs {
    pub(crate) fn run(self, chain: &ChainOpts) -> eyre::Result<()> {
        let rows: Vec<KeyRow> = if let Ok(id) = Uuid::try_parse(self.spec_id.trim()) {
            [("ascii", SpecIdEncoding::AsciiHex), ("raw", SpecIdEncoding::RawBytes)]
                .into_iter()
                .map(|(name, enc)| {
                    let spec_id = specs::spec_id(id, enc);
                    KeyRow {
                        operator: self.operator,
                        spec_id,
                        encoding: Some(name),
                        key: specs::spec_key(self.operator, spec_id),
                    }
                })
                .collect()
        } else {
            let spec_id: B256 = self
                .spec_id
                .trim()
                .parse()
                .map_err(|_| eyre::eyre!("--spec-id {:?} is neither a bytes32 nor a UUID", self.spec_id))?;
            vec![KeyRow {
                operator: self.operator,
                spec_id,
                encoding: None,
                key: specs::spec_key(self.operator, spec_id),
            }]
        };
        if chain.json {
            return print_json(&rows);
        }
        let table_rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| vec![r.encoding.unwrap_or("-").to_owned(), r.spec_id.to_string(), r.key.to_string()])
            .collect();
        println!("operator {}", self.operator);
        println!("{}", table::render(&["ENCODING", "SPEC ID", "KEY"], &table_rows));
        Ok(())
    }
}
