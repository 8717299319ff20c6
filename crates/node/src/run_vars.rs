//! What each job type persists as a run's `inputs`, and the pipeline variables
//! (`jobSpec`, `jobRun`) the executor rebuilds from them: one function per job type.
//!
//! A run is executed (and resumed after a crash) from its stored row only, so
//! everything its variables need is in `inputs`.

use alloy::primitives::{Address, Bytes, B256};
use linkpool_job::{AgreementSpec, CronSpec, DirectRequestSpec, JobSpec, WebhookSpec};
use linkpool_pipeline::{CronVars, DirectRequestVars, Value, Vars, WebhookVars};
use linkpool_store::RunRecord;
use serde_json::json;

/// The variables of `run`, a run of the job `spec`; `Err` says which input is corrupt.
pub(crate) fn run_vars(run: &RunRecord, spec: &JobSpec) -> Result<Vars, String> {
    match spec {
        JobSpec::DirectRequest(dr) => direct_request_vars(run, dr),
        JobSpec::Cron(c) => cron_vars(run, c),
        JobSpec::Webhook(w) => webhook_vars(run, w),
        JobSpec::Agreement(a) => agreement_vars(run, a),
    }
}

fn input<T: serde::de::DeserializeOwned>(run: &RunRecord, key: &str) -> Result<T, String> {
    serde_json::from_value(run.inputs[key].clone()).map_err(|e| format!("run input {key} is corrupt: {e}"))
}

/// Rebuilds the `jobSpec`/`jobRun` variables from what the direct-request service persisted.
fn direct_request_vars(run: &RunRecord, spec: &DirectRequestSpec) -> Result<Vars, String> {
    let log_topics: Vec<B256> = input(run, "logTopics")?;
    let log_data: Bytes = input(run, "logData")?;
    let log_address: Address = input(run, "logAddress")?;
    let block_hash: B256 = input(run, "blockHash")?;
    let tx_hash: B256 = input(run, "txHash")?;
    let request_id: Option<B256> = input(run, "requestId").ok();
    Ok(DirectRequestVars {
        external_job_id: spec.common.external_job_id,
        job_id: Some(run.job_id),
        job_name: spec.common.name.clone(),
        log_address,
        log_topics,
        log_data,
        block_hash,
        block_number: run.inputs["blockNumber"].as_u64().unwrap_or_default(),
        tx_hash,
        request_id,
        meta: Value::Null,
    }
    .into_vars())
}

/// The `inputs` of a cron run for the fire time `scheduled_at` (unix seconds).
pub(crate) fn cron_inputs(spec: &CronSpec, scheduled_at: i64) -> serde_json::Value {
    json!({
        "externalJobID": spec.common.external_job_id,
        "jobName": spec.common.name,
        "schedule": spec.schedule.as_str(),
        "scheduledAt": scheduled_at,
    })
}

fn cron_vars(run: &RunRecord, spec: &CronSpec) -> Result<Vars, String> {
    Ok(CronVars {
        external_job_id: spec.common.external_job_id,
        job_id: Some(run.job_id),
        job_name: spec.common.name.clone(),
        scheduled_at: input(run, "scheduledAt")?,
        meta: Value::Null,
    }
    .into_vars())
}

/// The `inputs` of a webhook run started with `request_body` (verbatim; empty if none).
pub(crate) fn webhook_inputs(spec: &WebhookSpec, request_body: &str) -> serde_json::Value {
    json!({
        "externalJobID": spec.common.external_job_id,
        "jobName": spec.common.name,
        "requestBody": request_body,
    })
}

fn webhook_vars(run: &RunRecord, spec: &WebhookSpec) -> Result<Vars, String> {
    Ok(WebhookVars {
        external_job_id: spec.common.external_job_id,
        job_id: Some(run.job_id),
        job_name: spec.common.name.clone(),
        request_body: input(run, "requestBody")?,
        meta: Value::Null,
    }
    .into_vars())
}

/// Rebuilds the variables of an agreement run from what the agreement service persisted:
/// `jobSpec` (`externalJobID`, `databaseID`, `name`) and `jobRun` with `queryParams` (the SLA's
/// query parameters as text), `query` (the same, parsed; `null` when not JSON), `slaId` and
/// `sessionId` (integers), `requester` and `orderMatching` (addresses), `jobType` (bytes32),
/// `deadline` (unix seconds) and `meta`.
fn agreement_vars(run: &RunRecord, spec: &AgreementSpec) -> Result<Vars, String> {
    let query_params: String = input(run, "queryParams")?;
    let query = serde_json::from_str::<serde_json::Value>(&query_params)
        .ok()
        .and_then(|j| Value::from_plain_json(&j).ok())
        .unwrap_or(Value::Null);
    let integer = |key: &str| -> Result<Value, String> {
        let text: String = input(run, key)?;
        match linkpool_pipeline::value::parse_decimal(&text) {
            Some(v @ Value::Integer(_)) => Ok(v),
            _ => Err(format!("run input {key} is corrupt: {text:?} is not an integer")),
        }
    };
    let requester: Address = input(run, "requester")?;
    let order_matching: Address = input(run, "orderMatching")?;
    let job_type: B256 = input(run, "jobType")?;
    let deadline: u64 = input(run, "deadline")?;
    let job_run = std::collections::BTreeMap::from([
        ("meta".to_owned(), Value::Null),
        ("queryParams".to_owned(), Value::String(query_params)),
        ("query".to_owned(), query),
        ("slaId".to_owned(), integer("slaId")?),
        ("sessionId".to_owned(), integer("sessionId")?),
        ("requester".to_owned(), Value::Address(requester)),
        ("orderMatching".to_owned(), Value::Address(order_matching)),
        ("jobType".to_owned(), Value::Bytes32(job_type)),
        ("deadline".to_owned(), Value::from(i64::try_from(deadline).unwrap_or(i64::MAX))),
    ]);
    let mut job_spec = std::collections::BTreeMap::from([
        ("externalJobID".to_owned(), Value::String(spec.common.external_job_id.to_string())),
        ("databaseID".to_owned(), Value::from(run.job_id)),
    ]);
    if let Some(name) = &spec.common.name {
        job_spec.insert("name".to_owned(), Value::String(name.clone()));
    }
    let mut vars = Vars::new();
    vars.insert("jobSpec", Value::Map(job_spec));
    vars.insert("jobRun", Value::Map(job_run));
    Ok(vars)
}
