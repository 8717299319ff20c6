//! The variables a `cron` job run starts with.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::Vars;
use crate::value::Value;

/// The variable roots a `cron` pipeline may reference besides its tasks.
pub const CRON_VARIABLES: &[&str] = &["jobSpec", "jobRun"];

/// What a cron run knows when it starts: the job and the time it was scheduled for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronVars {
    /// The job's `externalJobID`.
    pub external_job_id: Uuid,
    /// The job's database id, if any.
    pub job_id: Option<i64>,
    /// The job's name.
    pub job_name: Option<String>,
    /// The fire time the run is for, in unix seconds.
    pub scheduled_at: i64,
    /// Free-form metadata (`$(jobRun.meta)`), `Null` if none.
    pub meta: Value,
}

impl CronVars {
    /// Builds the `jobSpec` and `jobRun` roots.
    ///
    /// `jobSpec`: `externalJobID`, `databaseID`, `name` (Chainlink's).
    /// `jobRun`: `meta` (Chainlink's) and `scheduledAt`, the fire time in unix seconds.
    pub fn into_vars(self) -> Vars {
        let run = BTreeMap::from([
            ("meta".to_owned(), self.meta),
            ("scheduledAt".to_owned(), Value::from(self.scheduled_at)),
        ]);
        let mut vars = Vars::new();
        vars.insert("jobSpec", job_spec_root(self.external_job_id, self.job_id, self.job_name));
        vars.insert("jobRun", Value::Map(run));
        vars
    }
}

/// The `jobSpec` root every job type shares: `externalJobID`, and `databaseID` and `name` when known.
pub(super) fn job_spec_root(external_job_id: Uuid, job_id: Option<i64>, job_name: Option<String>) -> Value {
    let mut spec = BTreeMap::new();
    spec.insert("externalJobID".to_owned(), Value::String(external_job_id.to_string()));
    if let Some(id) = job_id {
        spec.insert("databaseID".to_owned(), Value::from(id));
    }
    if let Some(name) = job_name {
        spec.insert("name".to_owned(), Value::String(name));
    }
    Value::Map(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        let id = Uuid::nil();
        let vars = CronVars {
            external_job_id: id,
            job_id: Some(7),
            job_name: Some("tick".into()),
            scheduled_at: 1_700_000_000,
            meta: Value::Null,
        }
        .into_vars();
        assert_eq!(vars.get("jobSpec.externalJobID").unwrap(), &Value::from(id.to_string().as_str()));
        assert_eq!(vars.get("jobSpec.databaseID").unwrap(), &Value::from(7i64));
        assert_eq!(vars.get("jobSpec.name").unwrap(), &Value::from("tick"));
        assert_eq!(vars.get("jobRun.scheduledAt").unwrap(), &Value::from(1_700_000_000i64));
        assert_eq!(vars.get("jobRun.meta").unwrap(), &Value::Null);
    }
}
