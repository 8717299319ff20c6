//! What a running task sees: its spec, the variables and its inputs, with parameter helpers
//! that follow Chainlink's resolution rules.

use crate::{
    error::TaskError,
    pipeline::{Attribute, TaskSpec},
    value::{CoerceError, Value},
    vars::{VarError, Vars},
};

/// The result of one direct upstream task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInput {
    /// The upstream task id.
    pub task_id: String,
    /// Its output or error.
    pub result: Result<Value, TaskError>,
}

/// The context of one task execution.
#[derive(Debug)]
pub struct TaskContext<'a> {
    /// The run id (part of `ethtx` idempotency keys and async bridge callback URLs).
    pub run_id: i64,
    /// The job's database id, if the run belongs to a stored job.
    pub job_id: Option<i64>,
    /// The task being run.
    pub spec: &'a TaskSpec,
    /// Run variables plus the results of finished tasks.
    pub vars: &'a Vars,
    /// Direct inputs, ordered by the upstream tasks' `index`.
    pub inputs: &'a [TaskInput],
}

impl TaskContext<'_> {
    /// A non-blank attribute.
    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        self.spec.attr(name).filter(|a| !a.raw().trim().is_empty())
    }

    /// The attribute rendered: a lone `$(...)` keeps its type, embedded references are
    /// interpolated, a literal stays a string. `None` if absent or blank.
    pub fn param(&self, name: &str) -> Result<Option<Value>, TaskError> {
        self.attr(name).map(|a| self.vars.render(&a.template).map_err(TaskError::from)).transpose()
    }

    /// The attribute read as JSON-with-variables. `None` if absent or blank.
    pub fn json_param(&self, name: &str) -> Result<Option<Value>, TaskError> {
        self.attr(name).map(|a| self.vars.render_json(&a.template)).transpose()
    }

    /// The attribute, or else the first input (Chainlink's implicit `$(input)`).
    pub fn param_or_input(&self, name: &str) -> Result<Value, TaskError> {
        if let Some(v) = self.param(name)? {
            return Ok(v);
        }
        match self.inputs.first() {
            Some(TaskInput { result: Ok(v), .. }) => Ok(v.clone()),
            Some(TaskInput { task_id, result: Err(_) }) => Err(TaskError::UpstreamErrored { task: task_id.clone() }),
            None => Err(TaskError::MissingParameter { name: name.to_owned() }),
        }
    }

    /// The attribute, which must be present.
    pub fn required(&self, name: &str) -> Result<Value, TaskError> {
        self.param(name)?.ok_or_else(|| TaskError::MissingParameter { name: name.to_owned() })
    }

    /// An optional boolean attribute with a default.
    pub fn bool_param(&self, name: &str, default: bool) -> Result<bool, TaskError> {
        match self.param(name)? {
            Some(v) => coerce(name, v.as_bool()),
            None => Ok(default),
        }
    }

    /// The values of an aggregate task: the `values` attribute (a JSON array whose items may
    /// reference errored tasks) or, if absent, the inputs. Errors mark faults.
    pub fn values_or_inputs(&self) -> Result<Vec<Result<Value, String>>, TaskError> {
        match self.attr("values") {
            Some(a) => Ok(self
                .vars
                .render_json_list(&a.template)?
                .into_iter()
                .map(|r| r.map_err(|e: VarError| e.to_string()))
                .collect()),
            None => {
                Ok(self.inputs.iter().map(|i| i.result.clone().map_err(|e| format!("{}: {e}", i.task_id))).collect())
            }
        }
    }
}

/// Names the parameter in a coercion error.
pub(crate) fn coerce<T>(name: &str, r: Result<T, CoerceError>) -> Result<T, TaskError> {
    r.map_err(|e| TaskError::invalid(name, e))
}
