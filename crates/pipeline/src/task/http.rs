//! `http`: sends `method` (default GET) to `url` with optional `requestData` (JSON-with-variables,
//! sent as a JSON body) and `headers` (a JSON array of alternating names and values). Returns
//! the response body as a string. Fails on status >= 400, on bodies over the configured limit,
//! and (when unrestricted access is off for both the node and the task) on restricted addresses:
//! the guarded client checks them when it connects, see [`crate::net_guard`].

use async_trait::async_trait;
use reqwest::{Method, Url};

use super::{context::coerce, validate_bool, AttrError, Task, TaskContext, TaskKind};
use crate::{
    error::TaskError,
    net_guard::{self, HttpClients, NetworkDenied, TooManyRedirects},
    runner::{Deps, HttpLimits},
    value::Value,
};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "http",
    required: &["url"],
    validate: |spec| {
        validate_bool(spec, "allowUnrestrictedNetworkAccess")?;
        match spec.attr("method") {
            Some(a) if a.template.is_literal() => {
                parse_method(a.raw()).map(|_| ()).map_err(|m| AttrError::new("method", m))
            }
            _ => Ok(()),
        }
    },
    build: |_, deps| Ok(Box::new(Http::new(deps))),
};

/// Longest part of an error body kept in the task error.
const ERROR_BODY_CHARS: usize = 512;

struct Http {
    clients: HttpClients,
    limits: HttpLimits,
    unrestricted: bool,
}

impl Http {
    fn new(deps: &Deps) -> Self {
        Self {
            clients: deps.http.clone(),
            limits: deps.http_limits,
            unrestricted: deps.allow_unrestricted_network_access,
        }
    }
}

fn parse_method(s: &str) -> Result<Method, String> {
    let m = s.trim().to_ascii_uppercase();
    match m.as_str() {
        "" => Ok(Method::GET),
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" => {
            Method::from_bytes(m.as_bytes()).map_err(|e| e.to_string())
        }
        other => Err(format!("unsupported HTTP method `{other}`")),
    }
}

fn headers(v: Option<Value>) -> Result<Vec<(String, String)>, TaskError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let items = coerce("headers", v.as_array())?;
    if items.len() % 2 != 0 {
        return Err(TaskError::invalid("headers", "must hold an even number of strings (name, value, ...)"));
    }
    items
        .chunks(2)
        .map(|kv| Ok((coerce("headers", kv[0].as_string())?, coerce("headers", kv[1].as_string())?)))
        .collect()
}

/// Turns a transport error into a task error: refusals by the guard, the request timeout and the
/// redirect limit get their own errors; anything else keeps reqwest's message with its causes.
fn transport_error(e: &reqwest::Error, limits: &HttpLimits) -> TaskError {
    if let Some(denied) = net_guard::find_cause::<NetworkDenied>(e) {
        return TaskError::NetworkAccessDenied { host: denied.host.clone() };
    }
    if e.is_timeout() {
        return TaskError::Timeout { after_ms: u64::try_from(limits.request_timeout.as_millis()).unwrap_or(u64::MAX) };
    }
    if let Some(too_many) = net_guard::find_cause::<TooManyRedirects>(e) {
        let from = e.url().map(|u| format!(" after {u}")).unwrap_or_default();
        return TaskError::Http { message: format!("{too_many}{from}") };
    }
    TaskError::Http { message: net_guard::error_chain(e) }
}

#[async_trait]
impl Task for Http {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let method = match cx.param("method")? {
            Some(m) => parse_method(&coerce("method", m.as_string())?).map_err(|e| TaskError::invalid("method", e))?,
            None => Method::GET,
        };
        let url_s = coerce("url", cx.required("url")?.as_string())?;
        let url = Url::parse(url_s.trim()).map_err(|e| TaskError::invalid("url", e))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(TaskError::invalid("url", format!("unsupported scheme `{}`", url.scheme())));
        }
        let unrestricted = self.unrestricted || cx.bool_param("allowUnrestrictedNetworkAccess", false)?;
        if !unrestricted {
            // IP literals never reach the guarded resolver; names are checked when connecting.
            net_guard::check_url(&url).map_err(|d| TaskError::NetworkAccessDenied { host: d.host })?;
        }
        let client = self.clients.pick(unrestricted);
        let mut req = client.request(method, url).timeout(self.limits.request_timeout);
        for (k, v) in headers(cx.json_param("headers")?)? {
            req = req.header(k, v);
        }
        if let Some(body) = cx.json_param("requestData")? {
            req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_plain_json().to_string());
        }
        let mut resp = req.send().await.map_err(|e| transport_error(&e, &self.limits))?;
        let limit = self.limits.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(TaskError::ResponseTooLarge { limit });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(&e, &self.limits))? {
            if body.len() + chunk.len() > limit {
                return Err(TaskError::ResponseTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8_lossy(&body).into_owned();
        let status = resp.status();
        if status.as_u16() >= 400 {
            return Err(TaskError::HttpStatus {
                status: status.as_u16(),
                body: text.chars().take(ERROR_BODY_CHARS).collect(),
            });
        }
        Ok(Value::String(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_pairs() {
        let v = Value::Array(vec!["X-A".into(), "1".into()]);
        assert_eq!(headers(Some(v)).unwrap(), vec![("X-A".to_owned(), "1".to_owned())]);
        assert!(headers(Some(Value::Array(vec!["X".into()]))).is_err());
        assert!(parse_method("FETCH").is_err());
        assert_eq!(parse_method("post").unwrap(), Method::POST);
    }
}
