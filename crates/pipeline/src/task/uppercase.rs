//! `uppercase`: the `input` string (default: the first input) in upper case.

use async_trait::async_trait;

use super::{context::coerce, no_validation, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind =
    TaskKind { name: "uppercase", required: &[], validate: no_validation, build: |_, _| Ok(Box::new(Uppercase)) };

struct Uppercase;

#[async_trait]
impl Task for Uppercase {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let input = coerce("input", cx.param_or_input("input")?.as_string())?;
        Ok(Value::String(input.to_uppercase()))
    }
}
