//! The variables a `directrequest` job run starts with.

use std::collections::BTreeMap;

use alloy::primitives::{Address, Bytes, B256};
use uuid::Uuid;

use super::Vars;
use crate::value::Value;

/// The variable roots a `directrequest` pipeline may reference besides its tasks.
pub const DIRECT_REQUEST_VARIABLES: &[&str] = &["jobSpec", "jobRun"];

/// What a direct-request run knows when it starts: the job and the `OracleRequest` log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectRequestVars {
    /// The job's `externalJobID`.
    pub external_job_id: Uuid,
    /// The job's database id, if any.
    pub job_id: Option<i64>,
    /// The job's name.
    pub job_name: Option<String>,
    /// The address that emitted the log (the operator contract).
    pub log_address: Address,
    /// The log topics (topic0 is the event signature).
    pub log_topics: Vec<B256>,
    /// The log data.
    pub log_data: Bytes,
    /// Hash of the block holding the log.
    pub block_hash: B256,
    /// Number of the block holding the log.
    pub block_number: u64,
    /// Hash of the transaction that emitted the log.
    pub tx_hash: B256,
    /// The request id, when the caller has decoded it already.
    pub request_id: Option<B256>,
    /// Free-form metadata (`$(jobRun.meta)`), `Null` if none.
    pub meta: Value,
}

impl DirectRequestVars {
    /// Builds the `jobSpec` and `jobRun` roots.
    ///
    /// `jobSpec`: `externalJobID`, `databaseID`, `name`.
    /// `jobRun`: Chainlink's names `logAddress`, `logTopics`, `logData`, `logBlockHash`,
    /// `logBlockNumber`, `logTxHash`, `meta`, plus the aliases `blockHash`, `blockNumber`,
    /// `txHash` and (when known) `requestId`.
    pub fn into_vars(self) -> Vars {
        let mut spec = BTreeMap::new();
        spec.insert("externalJobID".to_owned(), Value::String(self.external_job_id.to_string()));
        if let Some(id) = self.job_id {
            spec.insert("databaseID".to_owned(), Value::from(id));
        }
        if let Some(name) = self.job_name {
            spec.insert("name".to_owned(), Value::String(name));
        }
        let mut run = BTreeMap::new();
        run.insert("logAddress".to_owned(), Value::Address(self.log_address));
        run.insert("logTopics".to_owned(), Value::Array(self.log_topics.into_iter().map(Value::Bytes32).collect()));
        run.insert("logData".to_owned(), Value::Bytes(self.log_data));
        for (chainlink, alias, v) in [
            ("logBlockHash", "blockHash", Value::Bytes32(self.block_hash)),
            ("logBlockNumber", "blockNumber", Value::from(self.block_number)),
            ("logTxHash", "txHash", Value::Bytes32(self.tx_hash)),
        ] {
            run.insert(chainlink.to_owned(), v.clone());
            run.insert(alias.to_owned(), v);
        }
        if let Some(id) = self.request_id {
            run.insert("requestId".to_owned(), Value::Bytes32(id));
        }
        run.insert("meta".to_owned(), self.meta);
        let mut vars = Vars::new();
        vars.insert("jobSpec", Value::Map(spec));
        vars.insert("jobRun", Value::Map(run));
        vars
    }
}
