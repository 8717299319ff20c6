//! A small client for the node's HTTP API.

use eyre::{bail, Context};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::opts::ApiOpts;

pub(crate) struct ApiClient {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl ApiClient {
    pub(crate) fn new(opts: &ApiOpts) -> eyre::Result<Self> {
        Ok(Self::with_token(&opts.api_url, opts.token()?))
    }

    pub(crate) fn with_token(base: &str, token: String) -> Self {
        Self { http: reqwest::Client::new(), base: base.trim_end_matches('/').to_owned(), token }
    }

    async fn send(&self, method: Method, path: &str, body: Option<(String, &str)>) -> eyre::Result<Option<Value>> {
        let url = format!("{}{}", self.base, path);
        let mut req = self.http.request(method, &url).bearer_auth(&self.token);
        if let Some((b, ct)) = body {
            req = req.header(reqwest::header::CONTENT_TYPE, ct).body(b);
        }
        let resp = req.send().await.with_context(|| format!("cannot reach the node API at {url}"))?;
        let status = resp.status();
        let text = resp.text().await?;
        if status == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if !status.is_success() {
            let e = &v["error"];
            let msg = e["message"].as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            bail!("{} ({status})", msg);
        }
        Ok(Some(v))
    }

    pub(crate) async fn get(&self, path: &str) -> eyre::Result<Value> {
        Ok(self.send(Method::GET, path, None).await?.unwrap_or(Value::Null))
    }

    pub(crate) async fn delete(&self, path: &str) -> eyre::Result<()> {
        self.send(Method::DELETE, path, None).await.map(|_| ())
    }

    /// POST without a body; the JSON answer.
    pub(crate) async fn post(&self, path: &str) -> eyre::Result<Value> {
        Ok(self.send(Method::POST, path, None).await?.unwrap_or(Value::Null))
    }

    /// POST a JSON body; the JSON answer.
    pub(crate) async fn post_json(&self, path: &str, body: &Value) -> eyre::Result<Value> {
        Ok(self.send(Method::POST, path, Some((body.to_string(), "application/json"))).await?.unwrap_or(Value::Null))
    }

    pub(crate) async fn post_toml(&self, path: &str, toml: String) -> eyre::Result<Value> {
        Ok(self.send(Method::POST, path, Some((toml, "application/toml"))).await?.unwrap_or(Value::Null))
    }
}
