//! `type = "webhook"`: run a pipeline when an authenticated API caller asks.

use serde::Deserialize;
use toml::Spanned;

use crate::{
    parse::{common, common_raw, toml_error, Positions},
    CommonSpec, Result, SpecError,
};

/// A `webhook` job: each `POST /v2/jobs/{id}/runs` runs its pipeline, with the request's body
/// as `$(jobRun.requestBody)`.
#[derive(Debug, Clone)]
pub struct WebhookSpec {
    /// Fields shared by all job types.
    pub common: CommonSpec,
    /// `externalInitiators`: accepted and kept for compatibility; this node does not call
    /// external initiators (API callers with the node's token trigger runs).
    pub external_initiators: Vec<ExternalInitiator>,
}

/// One entry of `externalInitiators`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalInitiator {
    /// `name`: the initiator as registered with the node.
    pub name: String,
    /// `spec`: the JSON document sent to the initiator when the job is created (`{}` if absent).
    pub spec: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawWebhook {
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
    external_initiators: Option<Vec<Spanned<RawExternalInitiator>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExternalInitiator {
    name: Option<String>,
    spec: Option<String>,
}

pub(crate) fn parse_webhook(src: &str, pos: &Positions<'_>) -> Result<WebhookSpec> {
    let raw: RawWebhook = toml::from_str(src).map_err(|e| toml_error(src, e))?;
    let common = common(src, pos, common_raw!(raw), linkpool_pipeline::WEBHOOK_VARIABLES)?;
    let mut external_initiators: Vec<ExternalInitiator> = Vec::new();
    for entry in raw.external_initiators.unwrap_or_default() {
        let at = pos.span(&entry);
        let bad = |msg: String| SpecError::new(msg).field("externalInitiators").at(at);
        let RawExternalInitiator { name, spec } = entry.into_inner();
        let name = match name.map(|n| n.trim().to_owned()) {
            Some(n) if !n.is_empty() => n,
            _ => return Err(bad("every entry needs a name".into())),
        };
        if external_initiators.iter().any(|e| e.name == name) {
            return Err(bad(format!("{name:?} is listed twice")));
        }
        let spec = match spec {
            None => serde_json::Value::Object(Default::default()),
            Some(s) => serde_json::from_str(&s).map_err(|e| bad(format!("spec of {name:?} is not JSON ({e})")))?,
        };
        external_initiators.push(ExternalInitiator { name, spec });
    }
    Ok(WebhookSpec { common, external_initiators })
}
