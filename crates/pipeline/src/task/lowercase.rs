//! `lowercase`: the `input` string (default: the first input) in lower case.

use async_trait::async_trait;

use super::{context::coerce, no_validation, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind =
    TaskKind { name: "lowercase", required: &[], validate: no_validation, build: |_, _| Ok(Box::new(Lowercase)) };

struct Lowercase;

#[async_trait]
impl Task for Lowercase {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let input = coerce("input", cx.param_or_input("input")?.as_string())?;
        Ok(Value::String(input.to_lowercase()))
    }
}
