//! `http`: sends `method` (default GET) to `url` with optional `requestData` (JSON-with-variables,
//! sent as a JSON body) and `headers` (a JSON array of alternating names and values). Returns
//! the response body as a string. Fails on status >= 400, on bodies over the configured limit,
//! and (when unrestricted access is off for both the node and the task) on private addresses.

use std::net::IpAddr;

use async_trait::async_trait;
use reqwest::{Method, Url};

use super::{context::coerce, validate_bool, AttrError, Task, TaskContext, TaskKind};
use crate::{
    error::TaskError,
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
    client: reqwest::Client,
    limits: HttpLimits,
    unrestricted: bool,
}

impl Http {
    fn new(deps: &Deps) -> Self {
        Self {
            client: deps.http.clone(),
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

/// True for addresses that must not be reached without unrestricted access.
fn is_restricted(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast()
                // 100.64.0.0/10 (carrier-grade NAT)
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_restricted(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback() || v6.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

async fn check_network_access(url: &Url) -> Result<(), TaskError> {
    let host = url.host_str().unwrap_or_default().to_owned();
    let denied = || TaskError::NetworkAccessDenied { host: host.clone() };
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| TaskError::Http { message: format!("cannot resolve {host}: {e}") })?;
    for a in addrs {
        if is_restricted(a.ip()) {
            return Err(denied());
        }
    }
    Ok(())
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
        if !self.unrestricted && !cx.bool_param("allowUnrestrictedNetworkAccess", false)? {
            check_network_access(&url).await?;
        }
        let mut req = self.client.request(method, url).timeout(self.limits.request_timeout);
        for (k, v) in headers(cx.json_param("headers")?)? {
            req = req.header(k, v);
        }
        if let Some(body) = cx.json_param("requestData")? {
            req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_plain_json().to_string());
        }
        let mut resp = req.send().await.map_err(|e| TaskError::Http { message: e.to_string() })?;
        let limit = self.limits.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(TaskError::ResponseTooLarge { limit });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| TaskError::Http { message: e.to_string() })? {
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
    fn restricted_ranges() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.0.1",
            "169.254.1.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_restricted(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(!is_restricted(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn header_pairs() {
        let v = Value::Array(vec!["X-A".into(), "1".into()]);
        assert_eq!(headers(Some(v)).unwrap(), vec![("X-A".to_owned(), "1".to_owned())]);
        assert!(headers(Some(Value::Array(vec!["X".into()]))).is_err());
        assert!(parse_method("FETCH").is_err());
        assert_eq!(parse_method("post").unwrap(), Method::POST);
    }
}
