//! `conditional`: fails the task (and so stops the branch) unless `data` (default: the first
//! input) is true; outputs `true` otherwise, as Chainlink does.

use async_trait::async_trait;

use super::{context::coerce, validate_bool, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "conditional",
    required: &[],
    validate: |spec| validate_bool(spec, "data"),
    build: |_, _| Ok(Box::new(Conditional)),
};

struct Conditional;

#[async_trait]
impl Task for Conditional {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        if coerce("data", cx.param_or_input("data")?.as_bool())? {
            Ok(Value::Bool(true))
        } else {
            Err(TaskError::ConditionNotMet)
        }
    }
}
