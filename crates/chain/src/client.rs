//! The JSON-RPC connection to one EVM chain.

use std::{fmt, time::Duration};

use alloy::{
    providers::{Provider, RootProvider},
    rpc::client::{BatchRequest, RpcClient},
    transports::http::reqwest,
};

use crate::{Error, Result};

/// How to reach a chain's JSON-RPC endpoint.
#[derive(Clone)]
pub struct ClientConfig {
    /// `http://` or `https://` endpoint. It may embed an API key, so it is never logged in full.
    pub url: String,
    /// If set, [`ChainClient::connect`] fails unless `eth_chainId` returns this value.
    pub expected_chain_id: Option<u64>,
    /// Per-request timeout (a hung provider must not stall the poller or the txm forever).
    pub request_timeout: Duration,
}

impl ClientConfig {
    /// A config for `url` with a 30 s timeout and no chain id check.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), expected_chain_id: None, request_timeout: Duration::from_secs(30) }
    }

    /// Requires the endpoint to report this chain id.
    pub fn expect_chain_id(mut self, chain_id: u64) -> Self {
        self.expected_chain_id = Some(chain_id);
        self
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("url", &redact_url(&self.url))
            .field("expected_chain_id", &self.expected_chain_id)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

/// A connected chain: an alloy [`RootProvider`] over HTTP plus the verified chain id.
///
/// Cheap to clone (the provider is reference counted); every component of one chain
/// (log pollers, the transaction manager) shares one client and thus one connection pool.
#[derive(Clone)]
pub struct ChainClient {
    provider: RootProvider,
    chain_id: u64,
    endpoint: String,
}

impl ChainClient {
    /// Connects to `url` and reads its chain id; fails with [`Error::ChainIdMismatch`] if it
    /// differs from `expected_chain_id`.
    pub async fn connect(url: &str, expected_chain_id: Option<u64>) -> Result<Self> {
        let mut config = ClientConfig::new(url);
        config.expected_chain_id = expected_chain_id;
        Self::connect_with(&config).await
    }

    /// Connects with a full [`ClientConfig`].
    pub async fn connect_with(config: &ClientConfig) -> Result<Self> {
        let url = config.url.parse::<reqwest::Url>().map_err(|e| invalid_url(&config.url, e.to_string()))?;
        match url.scheme() {
            "http" | "https" => {}
            "ws" | "wss" => {
                return Err(invalid_url(
                    &config.url,
                    "websocket endpoints are not supported by this build; use the http(s) endpoint",
                ))
            }
            other => return Err(invalid_url(&config.url, format!("unsupported scheme {other:?}"))),
        }
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| invalid_url(&config.url, e.to_string()))?;
        let provider = RootProvider::new(RpcClient::new_http_with_client(http, url));
        let chain_id = provider.get_chain_id().await?;
        if let Some(expected) = config.expected_chain_id {
            if expected != chain_id {
                return Err(Error::ChainIdMismatch { expected, actual: chain_id });
            }
        }
        Ok(Self { provider, chain_id, endpoint: redact_url(&config.url) })
    }

    /// The chain id reported by the endpoint at connect time.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The underlying alloy provider (no fillers: callers build complete transactions).
    pub fn provider(&self) -> &RootProvider {
        &self.provider
    }

    /// Starts a JSON-RPC batch: several calls in one HTTP request.
    pub fn batch(&self) -> BatchRequest<'_> {
        BatchRequest::new(self.provider.client())
    }

    /// The endpoint with any path, query or credentials removed (safe to log).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl fmt::Debug for ChainClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainClient").field("endpoint", &self.endpoint).field("chain_id", &self.chain_id).finish()
    }
}

fn invalid_url(url: &str, reason: impl Into<String>) -> Error {
    Error::InvalidUrl { url: redact_url(url), reason: reason.into() }
}

/// Keeps scheme, host and port only: API keys often live in the path or the query.
pub(crate) fn redact_url(url: &str) -> String {
    match url.parse::<reqwest::Url>() {
        Ok(u) => {
            let host = u.host_str().unwrap_or("?");
            match u.port() {
                Some(port) => format!("{}://{host}:{port}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            }
        }
        Err(_) => "<unparseable url>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials_path_and_query() {
        assert_eq!(redact_url("https://user:pw@mainnet.example.com/v3/SECRET?key=abc"), "https://mainnet.example.com");
        assert_eq!(redact_url("http://127.0.0.1:8545"), "http://127.0.0.1:8545");
        assert_eq!(redact_url("not a url"), "<unparseable url>");
    }

    #[tokio::test]
    async fn rejects_bad_urls_with_typed_errors() {
        for url in ["not a url", "ftp://example.com", "ws://127.0.0.1:8546"] {
            let err = ChainClient::connect(url, None).await.unwrap_err();
            assert!(matches!(err, Error::InvalidUrl { .. }), "{url}: {err}");
        }
    }
}
