//! Results of tasks and runs.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::{error::TaskError, value::Value};

static NULL: Value = Value::Null;

/// The outcome of one task, as persisted and as reported to the [`super::RunObserver`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskResult {
    /// The task id.
    pub task_id: String,
    /// The task type.
    pub task_type: String,
    /// The task's `index`.
    pub index: i32,
    /// The output (`None` if the task errored).
    pub output: Option<Value>,
    /// The error (`None` if the task succeeded).
    pub error: Option<TaskError>,
    /// When it started (RFC 3339 in JSON).
    #[serde(with = "rfc3339")]
    pub started_at: SystemTime,
    /// When it finished (RFC 3339 in JSON).
    #[serde(with = "rfc3339")]
    pub finished_at: SystemTime,
}

impl TaskResult {
    /// The output, or the error. A success without output reads as `Null`.
    pub fn result(&self) -> Result<&Value, &TaskError> {
        match &self.error {
            Some(e) => Err(e),
            None => Ok(self.output.as_ref().unwrap_or(&NULL)),
        }
    }

    /// True if the task errored.
    pub fn is_error(&self) -> bool {
        self.error.is_some()
    }
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    /// Every task's result in topological order (resumed ones included).
    pub task_results: Vec<TaskResult>,
    /// One entry per terminal task (ordered by `index`): its output, `None` if it errored.
    pub outputs: Vec<Option<Value>>,
    /// Parallel to `outputs`: the terminal task's error, if any.
    pub fatal_errors: Vec<Option<TaskError>>,
    /// Tasks waiting for an asynchronous answer. When not empty, the run is suspended:
    /// `outputs` and `fatal_errors` are empty and only finished tasks are in `task_results`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspended: Vec<String>,
}

impl RunResult {
    /// True if some task waits for an asynchronous answer (the run is suspended).
    pub fn is_suspended(&self) -> bool {
        !self.suspended.is_empty()
    }

    /// True if some terminal task errored (the run failed).
    pub fn has_fatal_errors(&self) -> bool {
        self.fatal_errors.iter().any(Option::is_some)
    }

    /// The result of one task.
    pub fn task(&self, id: &str) -> Option<&TaskResult> {
        self.task_results.iter().find(|r| r.task_id == id)
    }

    /// All errors of all tasks, with task ids.
    pub fn all_errors(&self) -> impl Iterator<Item = (&str, &TaskError)> {
        self.task_results.iter().filter_map(|r| r.error.as_ref().map(|e| (r.task_id.as_str(), e)))
    }
}

mod rfc3339 {
    use std::time::SystemTime;

    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&humantime::format_rfc3339_nanos(*t))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_rfc3339_weak(&s).map_err(D::Error::custom)
    }
}
