//! The docs' job specs and a small client of the node API to create them.

use alloy::primitives::{Address, B256};
use serde_json::Value;
use uuid::Uuid;

use crate::{DevnetError, Result};

/// Chainlink docs' "Get > Uint256" job, verbatim.
pub const GET_UINT256: &str = include_str!("../fixtures/get-uint256.toml");
/// Chainlink docs' "MultiWord" job, verbatim.
pub const MULTIWORD: &str = include_str!("../fixtures/multiword.toml");
/// The placeholder the docs use for the Operator address.
pub const ADDRESS_PLACEHOLDER: &str = "YOUR_ORACLE_CONTRACT_ADDRESS";
/// "Get > Uint256" answering through a DRCoordinator (ours; see fixtures/README.md).
pub const DRC_GET_UINT256: &str = include_str!("../fixtures/drc-get-uint256.toml");
/// Where [`DRC_GET_UINT256`] names the coordinator, its only allowed requester.
pub const COORDINATOR_PLACEHOLDER: &str = "YOUR_DRCOORDINATOR_ADDRESS";

/// A docs spec with only the Operator address replaced.
pub fn fill(spec: &str, operator: Address) -> String {
    spec.replace(ADDRESS_PLACEHOLDER, &operator.to_string())
}

/// A job created on the node.
#[derive(Debug, Clone)]
pub struct CreatedJob {
    /// Store id.
    pub id: i64,
    /// The job's externalJobID.
    pub external_job_id: Uuid,
    /// The `specId` consumers send (the ASCII encoding, as the docs' consumers do).
    pub spec_id: B256,
}

/// A minimal client of the node API.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl ApiClient {
    /// A client for `base` (e.g. `http://127.0.0.1:6688`) with a bearer token.
    pub fn new(base: String, token: String) -> Self {
        Self { http: reqwest::Client::new(), base, token }
    }

    /// `POST /v2/jobs` with a TOML body.
    pub async fn create_job(&self, toml: &str) -> Result<CreatedJob> {
        let v = self.post_toml(toml).await?;
        let ext: Uuid = v["externalJobID"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| DevnetError::Api(format!("job without externalJobID: {v}")))?;
        Ok(CreatedJob {
            id: v["id"].as_i64().unwrap_or_default(),
            external_job_id: ext,
            spec_id: linkpool_job_spec_id(ext),
        })
    }

    /// `POST /v2/jobs`, returning the JSON answer (an error for non-2xx).
    pub async fn post_toml(&self, toml: &str) -> Result<Value> {
        self.send(
            self.http
                .post(format!("{}/v2/jobs", self.base))
                .header("content-type", "application/toml")
                .body(toml.to_owned()),
        )
        .await
    }

    /// `POST` a JSON body to a path, returning the JSON answer (an error for non-2xx).
    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value> {
        self.send(self.http.post(format!("{}{}", self.base, path)).json(body)).await
    }

    /// `DELETE` a path (an error for non-2xx).
    pub async fn delete(&self, path: &str) -> Result<()> {
        let resp = self
            .http
            .delete(format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| DevnetError::Api(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            let text = resp.text().await.unwrap_or_default();
            return Err(DevnetError::Api(format!("{status}: {text}")));
        }
        Ok(())
    }

    /// The API's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET` a path, returning the JSON answer.
    pub async fn get(&self, path: &str) -> Result<Value> {
        self.send(self.http.get(format!("{}{}", self.base, path))).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Value> {
        let resp = req.bearer_auth(&self.token).send().await.map_err(|e| DevnetError::Api(e.to_string()))?;
        let status = resp.status();
        let v: Value = resp.json().await.map_err(|e| DevnetError::Api(e.to_string()))?;
        if !status.is_success() {
            return Err(DevnetError::Api(format!("{status}: {v}")));
        }
        Ok(v)
    }
}

fn linkpool_job_spec_id(id: Uuid) -> B256 {
    linkpool_job::spec_id_encodings(id)[0]
}
