//! External adapters ("bridges"): the registry seam the `bridge` task looks names up in, the
//! adapter JSON protocol (REFERENCE §4) and JSON-Schema subtask schemas (whitepaper §2.2).
//!
//! The node owns the registry (a database table); the pipeline only sees [`BridgeRegistry`].
//! Responses are parsed by [`parse_adapter_response`], which treats the adapter as untrusted:
//! any byte string yields a typed result or a [`TaskError`], never a panic.

use std::{
    fmt,
    sync::Arc,
    time::{Duration, SystemTime},
};

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::error::TaskError;

/// One registered external adapter, as the `bridge` task needs it.
#[derive(Clone)]
pub struct Bridge {
    /// The bridge name tasks use (`name="..."`), lower case.
    pub name: String,
    /// Where requests are POSTed.
    pub url: String,
    /// Sent to the adapter as `Authorization: Bearer <token>`.
    pub outgoing_token: String,
    /// Schema every request body must satisfy.
    pub input_schema: Option<Arc<Schema>>,
    /// Schema every response body must satisfy.
    pub output_schema: Option<Arc<Schema>>,
}

impl fmt::Debug for Bridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bridge")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("input_schema", &self.input_schema.is_some())
            .field("output_schema", &self.output_schema.is_some())
            .finish_non_exhaustive()
    }
}

/// A cached adapter answer (`cacheTTL`).
#[derive(Debug, Clone, PartialEq)]
pub struct CachedAnswer {
    /// The adapter's response body.
    pub body: String,
    /// When it was received.
    pub at: SystemTime,
}

/// Error of a [`BridgeRegistry`] (the node's store failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BridgeRegistryError(pub String);

/// Looks bridges up by name and keeps each task's last good answer. Injected through
/// [`crate::Deps`].
#[async_trait]
pub trait BridgeRegistry: Send + Sync {
    /// The bridge registered under `name` (case-insensitive), if any.
    async fn bridge(&self, name: &str) -> Result<Option<Bridge>, BridgeRegistryError>;
    /// The last successful answer of task `task_id` of job `job_id`.
    async fn last_answer(&self, job_id: i64, task_id: &str) -> Result<Option<CachedAnswer>, BridgeRegistryError>;
    /// Records the last successful answer of a task.
    async fn save_answer(&self, job_id: i64, task_id: &str, body: &str) -> Result<(), BridgeRegistryError>;
}

/// A compiled JSON Schema (draft 2020-12 unless `$schema` says otherwise). Remote `$ref`s are
/// never fetched: a schema is self-contained.
pub struct Schema {
    source: Json,
    validator: jsonschema::Validator,
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Schema").field(&self.source).finish()
    }
}

/// One way an instance violates a [`Schema`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// JSON pointer of the failing value in the instance (`""` is the root).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "/" } else { &self.path };
        write!(f, "at {path}: {}", self.message)
    }
}

impl Schema {
    /// Compiles a schema; the error says why it is not a valid schema.
    pub fn compile(source: Json) -> Result<Self, String> {
        let validator = jsonschema::validator_for(&source).map_err(|e| e.to_string())?;
        Ok(Self { source, validator })
    }

    /// The schema as given.
    pub fn source(&self) -> &Json {
        &self.source
    }

    /// Every violation of `instance` (empty if valid), in the validator's order.
    pub fn violations(&self, instance: &Json) -> Vec<SchemaViolation> {
        self.validator
            .iter_errors(instance)
            .map(|e| SchemaViolation { path: e.instance_path().to_string(), message: e.to_string() })
            .collect()
    }

    /// Ok if `instance` is valid; otherwise the first violation.
    pub fn check(&self, instance: &Json) -> Result<(), SchemaViolation> {
        match self.violations(instance).into_iter().next() {
            Some(v) => Err(v),
            None => Ok(()),
        }
    }
}

/// What an adapter answered, once parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum AdapterAnswer {
    /// The answer is here: the whole response body (tasks downstream `jsonparse` it).
    Done {
        /// The body as JSON.
        body: Json,
    },
    /// The adapter will call back `PATCH /v2/resume/{runId}` later.
    Pending,
}

/// Parses an adapter's HTTP answer according to REFERENCE §4.
///
/// - `{"pending": true}` or the `X-Chainlink-Pending` header (`pending_header`) → [`AdapterAnswer::Pending`];
/// - a `statusCode` or `providerStatusCode` other than 200, or a non-empty `error`, fails the task
///   ([`TaskError::Adapter`]; retryable when the status is 5xx);
/// - an HTTP status ≥ 400 fails it likewise;
/// - anything that is not a JSON object fails with [`TaskError::Json`] (serde_json refuses
///   nesting deeper than 128 instead of recursing without bound).
pub fn parse_adapter_response(http_status: u16, pending_header: bool, body: &[u8]) -> Result<AdapterAnswer, TaskError> {
    // An error status wins over whatever the body holds (an HTML error page, say), so that a
    // 5xx stays retryable.
    if http_status >= 400 {
        let text = String::from_utf8_lossy(body);
        let message = serde_json::from_str::<Json>(&text)
            .ok()
            .and_then(|j| j.as_object().and_then(error_message))
            .unwrap_or_else(|| truncate(&text));
        return Err(TaskError::Adapter { status: http_status, message });
    }
    let text = std::str::from_utf8(body).map_err(|e| TaskError::Json { message: format!("not UTF-8: {e}") })?;
    let json: Option<Json> = if text.trim().is_empty() {
        None
    } else {
        Some(serde_json::from_str(text).map_err(|e| TaskError::Json { message: e.to_string() })?)
    };
    let obj = json.as_ref().and_then(Json::as_object);
    let pending = pending_header || obj.and_then(|o| o.get("pending")).is_some_and(|p| p.as_bool() == Some(true));
    if pending && (200..300).contains(&http_status) {
        return Ok(AdapterAnswer::Pending);
    }
    let Some(json) = json else {
        return Err(TaskError::Json { message: "empty adapter response".into() });
    };
    let Some(o) = json.as_object() else {
        return Err(TaskError::Json { message: format!("adapter response is not a JSON object: {}", truncate(text)) });
    };
    for key in ["statusCode", "providerStatusCode"] {
        if let Some(code) = o.get(key).filter(|c| !c.is_null()) {
            let code_num = code.as_u64().or_else(|| code.as_str().and_then(|s| s.parse().ok()));
            if code_num != Some(200) {
                let status = code_num.and_then(|c| u16::try_from(c).ok()).unwrap_or(500);
                let message = error_message(o).unwrap_or_else(|| format!("{key} {code}"));
                return Err(TaskError::Adapter { status, message });
            }
        }
    }
    if let Some(message) = error_message(o) {
        return Err(TaskError::Adapter { status: http_status, message });
    }
    Ok(AdapterAnswer::Done { body: json })
}

/// A non-empty `error` (string, or object with a `message`, or anything else rendered).
fn error_message(o: &serde_json::Map<String, Json>) -> Option<String> {
    let e = o.get("error")?;
    let msg = match e {
        Json::Null => return None,
        Json::String(s) => s.clone(),
        Json::Bool(false) => return None,
        Json::Object(m) => match m.get("message").and_then(Json::as_str) {
            Some(s) => s.to_owned(),
            None if m.is_empty() => return None,
            None => e.to_string(),
        },
        other => other.to_string(),
    };
    (!msg.trim().is_empty()).then(|| truncate(&msg))
}

fn truncate(s: &str) -> String {
    const MAX: usize = 512;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        s.chars().take(MAX).chain("…".chars()).collect()
    }
}

/// True for a `bridge` task whose `async` attribute is the literal `true`: only those may be
/// suspended and resumed through the node's resume route.
pub fn is_async_bridge(task: &crate::TaskSpec) -> bool {
    task.task_type == "bridge" && task.attr("async").is_some_and(|a| a.raw().trim().eq_ignore_ascii_case("true"))
}

/// Stands for a `$(...)` reference in [`check_request_template`]: its value is unknown until run time.
const UNKNOWN: &str = "\u{1}linkpool:unknown\u{1}";

/// Checks, when a job is created, that a `bridge` task can produce a body the bridge's input
/// `schema` accepts. Values that come from `$(...)` references are unknown then, so violations
/// located at them are ignored; everything literal (required keys, literal values, the shape of
/// `requestData`) is checked. `Ok` when `requestData` is a lone reference (nothing is known).
pub fn check_request_template(schema: &Schema, task: &crate::TaskSpec) -> Result<(), SchemaViolation> {
    let mut body = match task.attr("requestData").filter(|a| !a.raw().trim().is_empty()) {
        None => serde_json::Map::new(),
        Some(a) if a.template.single_var().is_some() => return Ok(()),
        Some(a) => {
            let mut unknown = |_: &crate::VarPath| Ok::<_, ()>(crate::Value::String(UNKNOWN.to_owned()));
            match crate::vars::json::parse_json_template(a.raw(), &mut unknown) {
                Ok(v) => match v.to_plain_json() {
                    Json::Object(o) => o,
                    other => {
                        return Err(SchemaViolation {
                            path: String::new(),
                            message: format!("requestData must be a JSON object, not {other}"),
                        })
                    }
                },
                Err(_) => {
                    return Err(SchemaViolation {
                        path: String::new(),
                        message: "requestData is not valid JSON".into(),
                    })
                }
            }
        }
    };
    if let Some(key) = task.attr("includeInputAtKey").filter(|a| a.template.is_literal()) {
        body.insert(key.raw().trim().to_owned(), Json::String(UNKNOWN.to_owned()));
    }
    body.entry("id").or_insert_with(|| Json::String(UNKNOWN.to_owned()));
    body.insert("meta".into(), Json::String(UNKNOWN.to_owned()));
    if is_async_bridge(task) {
        body.insert("responseURL".into(), Json::String(UNKNOWN.to_owned()));
    }
    let body = Json::Object(body);
    let known = |path: &str| match body.pointer(path) {
        Some(Json::String(s)) => !s.contains(UNKNOWN),
        _ => true,
    };
    match schema.violations(&body).into_iter().find(|v| known(&v.path)) {
        Some(v) => Err(v),
        None => Ok(()),
    }
}

/// `cacheTTL` of a task: how old a cached answer may be to stand in for a failed request.
pub fn cache_fresh(answer: &CachedAnswer, ttl: Duration, now: SystemTime) -> bool {
    now.duration_since(answer.at).map(|age| age <= ttl).unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_cases() {
        let ok = br#"{"jobRunID":"1","data":{"result":42},"result":42,"statusCode":200}"#;
        assert!(matches!(parse_adapter_response(200, false, ok), Ok(AdapterAnswer::Done { .. })));
        assert_eq!(parse_adapter_response(200, false, br#"{"pending":true}"#), Ok(AdapterAnswer::Pending));
        assert_eq!(parse_adapter_response(200, true, b""), Ok(AdapterAnswer::Pending));
        let e = parse_adapter_response(200, false, br#"{"statusCode":500,"error":{"message":"boom"}}"#).unwrap_err();
        assert_eq!(e, TaskError::Adapter { status: 500, message: "boom".into() });
        assert!(e.is_retryable());
        let e = parse_adapter_response(200, false, br#"{"providerStatusCode":404,"result":1}"#).unwrap_err();
        assert!(matches!(e, TaskError::Adapter { status: 404, .. }));
        assert!(!e.is_retryable());
        assert!(parse_adapter_response(200, false, br#"{"error":"bad"}"#).is_err());
        assert!(parse_adapter_response(200, false, br#"{"error":null,"result":1}"#).is_ok());
        assert!(parse_adapter_response(200, false, b"[1]").is_err());
        assert!(parse_adapter_response(502, false, b"<html>").is_err());
        assert!(parse_adapter_response(200, false, &[0xff, 0xfe]).is_err());
        let deep = "[".repeat(10_000);
        assert!(parse_adapter_response(200, false, deep.as_bytes()).is_err());
    }

    #[test]
    fn request_templates_are_checked_where_known() {
        let schema = Schema::compile(serde_json::json!({
            "type": "object",
            "required": ["data"],
            "properties": {"data": {"type": "object", "required": ["base"],
                "properties": {"base": {"type": "string", "enum": ["ETH", "BTC"]}, "amount": {"type": "integer"}}}}
        }))
        .unwrap();
        let task = |attrs: &str| {
            let src = format!("b [type=bridge name=x {attrs}]");
            crate::Pipeline::parse(&src).unwrap().tasks()[0].clone()
        };
        // Literal values are checked; a reference stands for anything.
        assert!(check_request_template(&schema, &task(r#"requestData="{\"data\": {\"base\": \"ETH\"}}""#)).is_ok());
        assert!(check_request_template(
            &schema,
            &task(r#"requestData="{\"data\": {\"base\": $(x), \"amount\": $(y)}}""#)
        )
        .is_ok());
        let v =
            check_request_template(&schema, &task(r#"requestData="{\"data\": {\"base\": \"DOGE\"}}""#)).unwrap_err();
        assert_eq!(v.path, "/data/base");
        let v = check_request_template(&schema, &task(r#"requestData="{\"data\": {\"amount\": $(y)}}""#)).unwrap_err();
        assert_eq!(v.path, "/data", "{v}");
        assert!(check_request_template(&schema, &task("")).is_err());
        assert!(check_request_template(&schema, &task(r#"requestData="$(x)""#)).is_ok());
    }

    #[test]
    fn schema_paths() {
        let s = Schema::compile(serde_json::json!({
            "type": "object",
            "required": ["data"],
            "properties": {"data": {"type": "object", "properties": {"base": {"type": "string"}}}}
        }))
        .unwrap();
        assert!(s.check(&serde_json::json!({"data": {"base": "ETH"}})).is_ok());
        let v = s.check(&serde_json::json!({"data": {"base": 1}})).unwrap_err();
        assert_eq!(v.path, "/data/base");
        let v = s.check(&serde_json::json!({})).unwrap_err();
        assert_eq!(v.path, "");
        assert!(Schema::compile(serde_json::json!({"type": 12})).is_err());
    }
}
