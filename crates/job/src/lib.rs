//! Job specs: the Chainlink-compatible TOML documents that tell a node what to
//! run and when.
//!
//! A spec is parsed with [`JobSpec::from_toml`] into one enum variant per job
//! type ([`JobSpec::DirectRequest`], [`JobSpec::Cron`], [`JobSpec::Webhook`],
//! [`JobSpec::Agreement`]); every variant shares the
//! [`CommonSpec`] fields (`name`, `externalJobID`, `maxTaskDuration`,
//! `gasLimit`, and the parsed `observationSource` pipeline).
//!
//! Parsing is strict and precise, because specs come from untrusted API
//! callers: unknown fields, bad addresses, bad durations and pipeline errors
//! are all reported as a [`SpecError`] that names the field and the line and
//! column *in the TOML document*, including errors found inside the DOT
//! `observationSource`.
//!
//! The crate also owns the two on-chain encodings of an `externalJobID`
//! ([`spec_id_encodings`]): requests may name a job by either one.

mod agreement;
mod common;
mod cron;
mod directrequest;
mod error;
mod parse;
mod spec_id;
mod webhook;

pub use agreement::{job_type_bytes32, AgreementSpec, BidRefusal, SlaOffer, AGREEMENT_VARIABLES};
pub use common::CommonSpec;
pub use cron::{CronSpec, Schedule, ScheduleError};
pub use directrequest::DirectRequestSpec;
pub use error::{Result, SpecError};
pub use spec_id::{spec_id_encodings, SpecIdEncoding};
pub use webhook::{ExternalInitiator, WebhookSpec};

/// A parsed, validated job spec: one variant per job type.
#[derive(Debug, Clone)]
pub enum JobSpec {
    /// `type = "directrequest"`: answer `OracleRequest` logs of an Operator contract.
    DirectRequest(DirectRequestSpec),
    /// `type = "cron"`: run the pipeline on a schedule.
    Cron(CronSpec),
    /// `type = "webhook"`: run the pipeline when an API caller asks, with a JSON body as input.
    Webhook(WebhookSpec),
    /// `type = "agreement"`: bid on the SLAs of an `OrderMatching` and answer their requests by
    /// commit and reveal.
    Agreement(AgreementSpec),
}

impl JobSpec {
    /// Turns a pipeline problem found after parsing (e.g. a bridge the node does not know) into
    /// a [`SpecError`] located in the TOML document `src`.
    pub fn locate_pipeline_error(src: &str, error: linkpool_pipeline::PipelineError) -> SpecError {
        parse::locate_pipeline_error(src, error)
    }

    /// Parses and validates a TOML job spec.
    pub fn from_toml(src: &str) -> Result<Self> {
        parse::parse(src)
    }

    /// Fields shared by every job type.
    pub fn common(&self) -> &CommonSpec {
        match self {
            Self::DirectRequest(s) => &s.common,
            Self::Cron(s) => &s.common,
            Self::Webhook(s) => &s.common,
            Self::Agreement(s) => &s.common,
        }
    }

    /// Replaces the `externalJobID` (a stored job keeps the id it was created with,
    /// even when its TOML had none and one was generated).
    pub fn set_external_job_id(&mut self, id: uuid::Uuid) {
        match self {
            Self::DirectRequest(s) => s.common.external_job_id = id,
            Self::Cron(s) => s.common.external_job_id = id,
            Self::Webhook(s) => s.common.external_job_id = id,
            Self::Agreement(s) => s.common.external_job_id = id,
        }
    }

    /// The job type as written in the spec's `type` field.
    pub fn job_type(&self) -> &'static str {
        match self {
            Self::DirectRequest(_) => "directrequest",
            Self::Cron(_) => "cron",
            Self::Webhook(_) => "webhook",
            Self::Agreement(_) => "agreement",
        }
    }
}
