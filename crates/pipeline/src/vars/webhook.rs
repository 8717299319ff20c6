//! The variables a `webhook` job run starts with.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{cron::job_spec_root, Vars};
use crate::value::Value;

/// The variable roots a `webhook` pipeline may reference besides its tasks.
pub const WEBHOOK_VARIABLES: &[&str] = &["jobSpec", "jobRun"];

/// What a webhook run knows when it starts: the job and the body of the request that started it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookVars {
    /// The job's `externalJobID`.
    pub external_job_id: Uuid,
    /// The job's database id, if any.
    pub job_id: Option<i64>,
    /// The job's name.
    pub job_name: Option<String>,
    /// The request body, verbatim (empty when the request had none).
    pub request_body: String,
    /// Free-form metadata (`$(jobRun.meta)`), `Null` if none.
    pub meta: Value,
}

impl WebhookVars {
    /// Builds the `jobSpec` and `jobRun` roots.
    ///
    /// `jobSpec`: `externalJobID`, `databaseID`, `name`. `jobRun`: `requestBody` (the body as a
    /// string, as in Chainlink: `jsonparse` reads it with `data="$(jobRun.requestBody)"`) and `meta`.
    pub fn into_vars(self) -> Vars {
        let run = BTreeMap::from([
            ("meta".to_owned(), self.meta),
            ("requestBody".to_owned(), Value::String(self.request_body)),
        ]);
        let mut vars = Vars::new();
        vars.insert("jobSpec", job_spec_root(self.external_job_id, self.job_id, self.job_name));
        vars.insert("jobRun", Value::Map(run));
        vars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_body_is_the_string_as_sent() {
        let body = r#"{"data": {"result": 12.5}}"#;
        let vars = WebhookVars {
            external_job_id: Uuid::nil(),
            job_id: None,
            job_name: None,
            request_body: body.into(),
            meta: Value::Null,
        }
        .into_vars();
        assert_eq!(vars.get("jobRun.requestBody").unwrap(), &Value::from(body));
        assert!(vars.get("jobSpec.databaseID").is_err(), "absent, not null");
    }
}
