//! `bridge`: POSTs to a registered external adapter (REFERENCE §4) and returns its response
//! body as a string, like `http` (so `jsonparse path="data,result"` reads it).
//!
//! Attributes: `name` (the bridge, a literal), `requestData` (JSON-with-variables; a map),
//! `includeInputAtKey` (puts the first input into the body at this key), `async` (the adapter
//! may answer `pending` and call back `PATCH /v2/resume/{runId}`), `cacheTTL` (a Go duration:
//! when the adapter fails, the task's last good answer stands in if it is at most this old;
//! answers are recorded only for tasks with a `cacheTTL`), `headers` (like `http`).
//!
//! The body sent is `requestData` plus `id` (the run id, unless `requestData` has one),
//! `meta` (`$(jobRun.meta)`, `{}` when absent) and, for async tasks, `responseURL`. When the
//! bridge declares JSON Schemas, the body and the answer are checked against them and a
//! violation fails the task with the failing path.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde_json::{Map, Value as Json};

use super::{context::coerce, validate_bool, AttrError, Task, TaskContext, TaskKind};
use crate::{
    bridge::{cache_fresh, parse_adapter_response, AdapterAnswer, Bridge, BridgeRegistry, SchemaViolation},
    duration::parse_go_duration,
    error::TaskError,
    runner::{Deps, HttpLimits},
    value::Value,
    vars::VarPath,
};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "bridge",
    required: &["name"],
    validate: |spec| {
        validate_bool(spec, "async")?;
        if let Some(a) = spec.attr("name") {
            if !a.template.is_literal() {
                return Err(AttrError::new("name", "must be a literal bridge name, not a variable"));
            }
        }
        if let Some(a) = spec.attr("cacheTTL") {
            if a.template.is_literal() && !a.raw().trim().is_empty() {
                parse_go_duration(a.raw().trim()).map_err(|e| AttrError::new("cacheTTL", e))?;
            }
        }
        Ok(())
    },
    build: |_, deps| Ok(Box::new(BridgeTask::new(deps))),
};

/// Header an adapter may set instead of answering `{"pending": true}`.
const PENDING_HEADER: &str = "x-chainlink-pending";

struct BridgeTask {
    client: reqwest::Client,
    limits: HttpLimits,
    bridges: Option<std::sync::Arc<dyn BridgeRegistry>>,
    resume_url_base: Option<String>,
}

impl BridgeTask {
    fn new(deps: &Deps) -> Self {
        Self {
            // Bridges are registered by the operator (usually adapters on the same host): the
            // private-address guard of `http` tasks does not apply.
            client: deps.http.unrestricted.clone(),
            limits: deps.http_limits,
            bridges: deps.bridges.clone(),
            resume_url_base: deps.resume_url_base.clone(),
        }
    }
}

/// The callback URL of an async task: `<base>/<runId>?task=<taskId>`.
pub(crate) fn response_url(base: &str, run_id: i64, task_id: &str) -> Result<String, TaskError> {
    let mut url = reqwest::Url::parse(&format!("{}/{run_id}", base.trim_end_matches('/')))
        .map_err(|e| TaskError::Unavailable { what: format!("a valid callback URL ({e})") })?;
    url.query_pairs_mut().append_pair("task", task_id);
    Ok(url.into())
}

fn schema_error(bridge: &Bridge, direction: &str, v: SchemaViolation) -> TaskError {
    TaskError::Schema {
        bridge: bridge.name.clone(),
        direction: direction.to_owned(),
        path: if v.path.is_empty() { "/".to_owned() } else { v.path },
        message: v.message,
    }
}

impl BridgeTask {
    fn body(&self, cx: &TaskContext<'_>, is_async: bool) -> Result<Map<String, Json>, TaskError> {
        let mut body = match cx.json_param("requestData")? {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Map(m)) => match Value::Map(m).to_plain_json() {
                Json::Object(o) => o,
                _ => unreachable!("a map renders as an object"),
            },
            Some(other) => {
                return Err(TaskError::invalid("requestData", format!("must be a JSON object, got {}", other.type_name())))
            }
        };
        if let Some(key) = cx.param("includeInputAtKey")? {
            let key = coerce("includeInputAtKey", key.as_string())?;
            let input = match cx.inputs.first() {
                Some(i) => i.result.clone().map_err(|_| TaskError::UpstreamErrored { task: i.task_id.clone() })?,
                None => return Err(TaskError::MissingParameter { name: "includeInputAtKey (no input)".into() }),
            };
            body.insert(key, input.to_plain_json());
        }
        body.entry("id").or_insert_with(|| Json::String(cx.run_id.to_string()));
        let meta = VarPath::parse("jobRun.meta").ok().and_then(|p| cx.vars.resolve(&p).ok().cloned());
        let meta = match meta {
            Some(v) if !v.is_null() => v.to_plain_json(),
            _ => Json::Object(Map::new()),
        };
        body.insert("meta".into(), meta);
        if is_async {
            let base = self.resume_url_base.as_deref().ok_or_else(|| TaskError::Unavailable {
                what: "an API address for async adapters to call back".into(),
            })?;
            body.insert("responseURL".into(), Json::String(response_url(base, cx.run_id, &cx.spec.id)?));
        }
        Ok(body)
    }

    async fn post(&self, cx: &TaskContext<'_>, bridge: &Bridge, body: &Json) -> Result<(u16, bool, Vec<u8>), TaskError> {
        let mut req = self
            .client
            .post(&bridge.url)
            .timeout(self.limits.request_timeout)
            .bearer_auth(&bridge.outgoing_token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(h) = cx.json_param("headers")? {
            let items = coerce("headers", h.as_array())?;
            if items.len() % 2 != 0 {
                return Err(TaskError::invalid("headers", "must hold an even number of strings (name, value, ...)"));
            }
            for kv in items.chunks(2) {
                req = req.header(coerce("headers", kv[0].as_string())?, coerce("headers", kv[1].as_string())?);
            }
        }
        let mut resp = req.send().await.map_err(|e| TaskError::Http { message: e.to_string() })?;
        let limit = self.limits.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(TaskError::ResponseTooLarge { limit });
        }
        let pending = resp.headers().get(PENDING_HEADER).is_some_and(|v| {
            let v = v.to_str().unwrap_or_default().trim();
            v.is_empty() || v.eq_ignore_ascii_case("true") || v == "1"
        });
        let status = resp.status().as_u16();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| TaskError::Http { message: e.to_string() })? {
            if bytes.len() + chunk.len() > limit {
                return Err(TaskError::ResponseTooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((status, pending, bytes))
    }

    /// One exchange with the adapter: the body to return, or `Pending`, or an error.
    async fn exchange(&self, cx: &TaskContext<'_>, bridge: &Bridge, is_async: bool) -> Result<String, TaskError> {
        let body = Json::Object(self.body(cx, is_async)?);
        if let Some(schema) = &bridge.input_schema {
            schema.check(&body).map_err(|v| schema_error(bridge, "request", v))?;
        }
        let (status, pending_header, bytes) = self.post(cx, bridge, &body).await?;
        match parse_adapter_response(status, pending_header, &bytes)? {
            AdapterAnswer::Pending if is_async => Err(TaskError::Pending),
            AdapterAnswer::Pending => Err(TaskError::Adapter {
                status,
                message: "the adapter answered `pending` but the task is not async (set async=true)".into(),
            }),
            AdapterAnswer::Done { body } => {
                if let Some(schema) = &bridge.output_schema {
                    schema.check(&body).map_err(|v| schema_error(bridge, "response", v))?;
                }
                Ok(String::from_utf8_lossy(&bytes).into_owned())
            }
        }
    }
}

/// Failures a cached answer may stand in for: the adapter's, not the job's.
fn cacheable(e: &TaskError) -> bool {
    matches!(
        e,
        TaskError::Http { .. }
            | TaskError::HttpStatus { .. }
            | TaskError::Adapter { .. }
            | TaskError::Timeout { .. }
            | TaskError::Json { .. }
            | TaskError::ResponseTooLarge { .. }
    )
}

#[async_trait]
impl Task for BridgeTask {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let registry = self.bridges.as_ref().ok_or_else(|| TaskError::Unavailable { what: "the bridge registry".into() })?;
        let name = coerce("name", cx.required("name")?.as_string())?;
        let bridge = registry
            .bridge(name.trim())
            .await
            .map_err(|e| TaskError::Unavailable { what: format!("the bridge registry ({e})") })?
            .ok_or_else(|| TaskError::UnknownBridge { name: name.trim().to_owned() })?;
        let is_async = cx.bool_param("async", false)?;
        let ttl = match cx.param("cacheTTL")? {
            Some(v) => {
                let d = parse_go_duration(coerce("cacheTTL", v.as_string())?.trim())
                    .map_err(|e| TaskError::invalid("cacheTTL", e))?;
                (!d.is_zero()).then_some(d)
            }
            None => None,
        };
        let cache_key = ttl.and(cx.job_id);
        match self.exchange(cx, &bridge, is_async).await {
            Ok(body) => {
                if let Some(job) = cache_key {
                    if let Err(e) = registry.save_answer(job, &cx.spec.id, &body).await {
                        tracing::warn!(task = %cx.spec.id, error = %e, "could not record the bridge answer for cacheTTL");
                    }
                }
                Ok(Value::String(body))
            }
            Err(e) if cacheable(&e) && cache_key.is_some() => {
                let (job, ttl) = (cache_key.expect("checked"), ttl.unwrap_or(Duration::ZERO));
                match registry.last_answer(job, &cx.spec.id).await {
                    Ok(Some(cached)) if cache_fresh(&cached, ttl, SystemTime::now()) => {
                        tracing::warn!(task = %cx.spec.id, bridge = %bridge.name, error = %e, "adapter failed; using the cached answer (cacheTTL)");
                        Ok(Value::String(cached.body))
                    }
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}
