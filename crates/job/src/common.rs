use std::time::Duration;

use linkpool_pipeline::Pipeline;
use uuid::Uuid;

/// Fields every job type has.
#[derive(Debug, Clone)]
pub struct CommonSpec {
    /// `schemaVersion`; only 1 exists.
    pub schema_version: u32,
    /// Human-readable `name`.
    pub name: Option<String>,
    /// `externalJobID`: the job's identity on chain (generated when absent).
    pub external_job_id: Uuid,
    /// `maxTaskDuration`: default timeout of each task; `None` means the node default.
    pub max_task_duration: Option<Duration>,
    /// `gasLimit`: default gas limit of the job's transactions.
    pub gas_limit: Option<u64>,
    /// `forwardingAllowed`: accepted for compatibility; forwarders come later.
    pub forwarding_allowed: bool,
    /// The `observationSource` text, verbatim.
    pub observation_source: String,
    /// The parsed and validated pipeline.
    pub pipeline: Pipeline,
}
