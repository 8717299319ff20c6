//! TOML → [`JobSpec`], with positions on every error.

use std::{str::FromStr, time::Duration};

use alloy::primitives::{Address, U256};
use linkpool_pipeline::{Pipeline, PipelineError, Position};
use serde::Deserialize;
use toml::Spanned;
use uuid::Uuid;

use crate::{CommonSpec, DirectRequestSpec, JobSpec, Result, SpecError};

/// Job types this node knows, for the error message.
const KNOWN_TYPES: &[&str] = &["directrequest", "cron", "webhook", "agreement"];

/// A number that specs write either as a TOML integer or as a decimal string
/// (`minContractPaymentLinkJuels = "100000000000000000"` does not fit an i64).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum IntOrString {
    Int(i64),
    String(String),
}

#[derive(Debug, Deserialize)]
struct TypeOnly {
    #[serde(rename = "type")]
    job_type: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawDirectRequest {
    #[serde(rename = "type")]
    _job_type: String,
    schema_version: Option<Spanned<i64>>,
    name: Option<String>,
    #[serde(rename = "externalJobID")]
    external_job_id: Option<Spanned<String>>,
    max_task_duration: Option<Spanned<String>>,
    gas_limit: Option<Spanned<i64>>,
    forwarding_allowed: Option<bool>,
    observation_source: Option<Spanned<String>>,
    contract_address: Option<Spanned<String>>,
    #[serde(rename = "evmChainID")]
    evm_chain_id: Option<Spanned<IntOrString>>,
    min_incoming_confirmations: Option<Spanned<i64>>,
    min_contract_payment_link_juels: Option<Spanned<IntOrString>>,
    requesters: Option<Spanned<Vec<String>>>,
}

/// Maps byte offsets of the source to 1-based (line, column).
pub(crate) struct Positions<'a>(&'a str);

impl Positions<'_> {
    pub(crate) fn of(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.0.len());
        let before = &self.0[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rfind('\n').map_or(before.chars().count(), |nl| before[nl + 1..].chars().count()) + 1;
        (line, column)
    }

    pub(crate) fn span<T>(&self, s: &Spanned<T>) -> Option<(usize, usize)> {
        Some(self.of(s.span().start))
    }
}

pub(crate) fn toml_error(src: &str, err: toml::de::Error) -> SpecError {
    let pos = err.span().map(|s| Positions(src).of(s.start));
    let message = err.message().to_owned();
    // serde names the field in messages like "unknown field `foo`, expected ...".
    let field = message.split('`').nth(1).map(str::to_owned);
    let mut e = SpecError::new(message).at(pos);
    if let Some(f) = field {
        e = e.field(&f);
    }
    e
}

pub(crate) fn parse(src: &str) -> Result<JobSpec> {
    let pos = Positions(src);
    let head: TypeOnly = toml::from_str(src).map_err(|e| toml_error(src, e))?;
    let Some(job_type) = head.job_type else {
        return Err(SpecError::new(format!("missing; one of: {}", KNOWN_TYPES.join(", "))).field("type"));
    };
    match job_type.get_ref().as_str() {
        "directrequest" => parse_direct_request(src, &pos).map(JobSpec::DirectRequest),
        "cron" => crate::cron::parse_cron(src, &pos).map(JobSpec::Cron),
        "webhook" => crate::webhook::parse_webhook(src, &pos).map(JobSpec::Webhook),
        "agreement" => crate::agreement::parse_agreement(src, &pos).map(JobSpec::Agreement),
        other => {
            Err(SpecError::new(format!("unknown job type {other:?}; this node supports: {}", KNOWN_TYPES.join(", ")))
                .field("type")
                .at(pos.span(&job_type)))
        }
    }
}

fn parse_direct_request(src: &str, pos: &Positions<'_>) -> Result<DirectRequestSpec> {
    let raw: RawDirectRequest = toml::from_str(src).map_err(|e| toml_error(src, e))?;
    let common = common(src, pos, common_raw!(raw), linkpool_pipeline::DIRECT_REQUEST_VARIABLES)?;
    let contract_address = match raw.contract_address {
        Some(a) => address("contractAddress", &a, pos)?,
        None => {
            return Err(SpecError::new("missing; the Operator contract whose requests this job answers")
                .field("contractAddress"))
        }
    };
    let evm_chain_id = raw
        .evm_chain_id
        .map(|v| {
            let n = uint("evmChainID", &v, pos)?;
            u64::try_from(n).map_err(|_| SpecError::new("too large").field("evmChainID").at(pos.span(&v)))
        })
        .transpose()?;
    let min_incoming_confirmations = raw
        .min_incoming_confirmations
        .map(|v| non_negative("minIncomingConfirmations", &v, pos).map(|n| n as u64))
        .transpose()?
        .unwrap_or(0);
    let min_contract_payment_link_juels = raw
        .min_contract_payment_link_juels
        .map(|v| uint("minContractPaymentLinkJuels", &v, pos))
        .transpose()?
        .unwrap_or_default();
    let requesters = match raw.requesters {
        None => Vec::new(),
        Some(list) => list
            .get_ref()
            .iter()
            .map(|a| {
                Address::from_str(a.trim()).map_err(|e| {
                    SpecError::new(format!("not an address: {a:?} ({e})")).field("requesters").at(pos.span(&list))
                })
            })
            .collect::<Result<_>>()?,
    };
    Ok(DirectRequestSpec {
        common,
        contract_address,
        evm_chain_id,
        min_incoming_confirmations,
        min_contract_payment_link_juels,
        requesters,
    })
}

/// The fields every job type shares, before validation.
/// Moves the common fields out of a job type's raw struct (each job type repeats them there:
/// serde cannot `flatten` them into a struct with `deny_unknown_fields`).
macro_rules! common_raw {
    ($raw:expr) => {
        $crate::parse::CommonRaw {
            schema_version: $raw.schema_version,
            name: $raw.name,
            external_job_id: $raw.external_job_id,
            max_task_duration: $raw.max_task_duration,
            gas_limit: $raw.gas_limit,
            forwarding_allowed: $raw.forwarding_allowed,
            observation_source: $raw.observation_source,
        }
    };
}
pub(crate) use common_raw;

pub(crate) struct CommonRaw {
    pub(crate) schema_version: Option<Spanned<i64>>,
    pub(crate) name: Option<String>,
    pub(crate) external_job_id: Option<Spanned<String>>,
    pub(crate) max_task_duration: Option<Spanned<String>>,
    pub(crate) gas_limit: Option<Spanned<i64>>,
    pub(crate) forwarding_allowed: Option<bool>,
    pub(crate) observation_source: Option<Spanned<String>>,
}

pub(crate) fn common(src: &str, pos: &Positions<'_>, raw: CommonRaw, variables: &[&str]) -> Result<CommonSpec> {
    let Some(source) = raw.observation_source else {
        return Err(SpecError::new("missing; the DOT pipeline of tasks").field("observationSource"));
    };
    let pipeline =
        Pipeline::parse_for(source.get_ref(), variables).map_err(|e| pipeline_error(src, pos, &source, e))?;
    Ok(CommonSpec {
        schema_version: schema_version(raw.schema_version, pos)?,
        name: raw.name,
        external_job_id: external_job_id(raw.external_job_id, pos)?,
        max_task_duration: raw
            .max_task_duration
            .map(|d| duration("maxTaskDuration", &d, pos))
            .transpose()?
            .filter(|d| !d.is_zero()),
        gas_limit: raw.gas_limit.map(|g| non_negative("gasLimit", &g, pos).map(|v| v as u64)).transpose()?,
        forwarding_allowed: raw.forwarding_allowed.unwrap_or(false),
        observation_source: source.into_inner(),
        pipeline,
    })
}

/// Places a pipeline error at its line in the TOML document: the DOT text
/// starts right after the string's opening quotes (a newline right after
/// `"""` is not part of the string).
fn pipeline_error(src: &str, pos: &Positions<'_>, source: &Spanned<String>, e: PipelineError) -> SpecError {
    let start = source.span().start;
    let rest = &src[start.min(src.len())..];
    let quote = if rest.starts_with("\"\"\"") || rest.starts_with("'''") { 3 } else { 1 };
    let mut content = start + quote;
    if src[content.min(src.len())..].starts_with('\n') {
        content += 1;
    } else if src[content.min(src.len())..].starts_with("\r\n") {
        content += 2;
    }
    let (base_line, base_col) = pos.of(content);
    let at = pipeline_position(&e).map(|p| {
        let line = base_line + p.line as usize - 1;
        let column = if p.line == 1 { base_col + p.column as usize - 1 } else { p.column as usize };
        (line, column)
    });
    SpecError::new(e.to_string()).field("observationSource").at(at.or_else(|| pos.span(source)))
}

/// Locates a pipeline problem found after parsing (for example by the node, against its
/// bridges) in the TOML document `src`, like the parser's own errors.
pub(crate) fn locate_pipeline_error(src: &str, e: PipelineError) -> SpecError {
    #[derive(serde::Deserialize)]
    struct Source {
        #[serde(rename = "observationSource")]
        observation_source: Option<Spanned<String>>,
    }
    match toml::from_str::<Source>(src).ok().and_then(|s| s.observation_source) {
        Some(source) => pipeline_error(src, &Positions(src), &source, e),
        None => SpecError::new(e.to_string()).field("observationSource"),
    }
}

fn pipeline_position(e: &PipelineError) -> Option<Position> {
    use PipelineError as E;
    match e {
        E::Syntax { pos, .. }
        | E::DuplicateTask { pos, .. }
        | E::DuplicateAttribute { pos, .. }
        | E::MissingType { pos, .. }
        | E::UnknownTaskType { pos, .. }
        | E::MissingAttribute { pos, .. }
        | E::InvalidAttribute { pos, .. }
        | E::UndefinedVariable { pos, .. } => Some(*pos),
        E::Empty | E::Cycle { .. } => None,
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn schema_version(v: Option<Spanned<i64>>, pos: &Positions<'_>) -> Result<u32> {
    match v {
        None => Err(SpecError::new("missing; must be 1").field("schemaVersion")),
        Some(v) if *v.get_ref() == 1 => Ok(1),
        Some(v) => Err(SpecError::new(format!("unsupported schema version {}; must be 1", v.get_ref()))
            .field("schemaVersion")
            .at(pos.span(&v))),
    }
}

fn external_job_id(v: Option<Spanned<String>>, pos: &Positions<'_>) -> Result<Uuid> {
    match v {
        None => Ok(Uuid::new_v4()),
        Some(s) => Uuid::parse_str(s.get_ref().trim())
            .map_err(|e| SpecError::new(format!("not a UUID ({e})")).field("externalJobID").at(pos.span(&s))),
    }
}

fn duration(field: &str, v: &Spanned<String>, pos: &Positions<'_>) -> Result<Duration> {
    linkpool_pipeline::parse_go_duration(v.get_ref().trim()).map_err(|e| {
        SpecError::new(format!("not a duration like \"30s\" or \"1m30s\" ({e})")).field(field).at(pos.span(v))
    })
}

fn non_negative(field: &str, v: &Spanned<i64>, pos: &Positions<'_>) -> Result<i64> {
    if *v.get_ref() < 0 {
        return Err(SpecError::new("must not be negative").field(field).at(pos.span(v)));
    }
    Ok(*v.get_ref())
}

pub(crate) fn address(field: &str, v: &Spanned<String>, pos: &Positions<'_>) -> Result<Address> {
    Address::from_str(v.get_ref().trim())
        .map_err(|e| SpecError::new(format!("not an address: {:?} ({e})", v.get_ref())).field(field).at(pos.span(v)))
}

pub(crate) fn uint(field: &str, v: &Spanned<IntOrString>, pos: &Positions<'_>) -> Result<U256> {
    let bad = |msg: String| SpecError::new(msg).field(field).at(pos.span(v));
    match v.get_ref() {
        IntOrString::Int(i) if *i >= 0 => Ok(U256::from(*i as u64)),
        IntOrString::Int(i) => Err(bad(format!("must not be negative, got {i}"))),
        IntOrString::String(s) => {
            U256::from_str_radix(s.trim(), 10).map_err(|e| bad(format!("not an unsigned integer: {s:?} ({e})")))
        }
    }
}
