//! What each job type persists as a run's `inputs`, and the pipeline variables
//! (`jobSpec`, `jobRun`) the executor rebuilds from them: one function per job type.
//!
//! A run is executed (and resumed after a crash) from its stored row only, so
//! everything its variables need is in `inputs`.

use alloy::primitives::{Address, Bytes, B256};
use linkpool_job::{CronSpec, DirectRequestSpec, JobSpec, WebhookSpec};
use linkpool_pipeline::{CronVars, DirectRequestVars, Value, Vars, WebhookVars};
use linkpool_store::RunRecord;
use serde_json::json;

/// The variables of `run`, a run of the job `spec`; `Err` says which input is corrupt.
pub(crate) fn run_vars(run: &RunRecord, spec: &JobSpec) -> Result<Vars, String> {
    match spec {
        JobSpec::DirectRequest(dr) => direct_request_vars(run, dr),
        JobSpec::Cron(c) => cron_vars(run, c),
        JobSpec::Webhook(w) => webhook_vars(run, w),
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
