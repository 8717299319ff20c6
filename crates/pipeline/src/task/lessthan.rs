//! `lessthan`: `left < right` as a boolean. Both are numbers (numeric strings or bytes work);
//! `left` defaults to the first input.

use async_trait::async_trait;

use super::{context::coerce, validate_number, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "lessthan",
    required: &["right"],
    validate: |spec| {
        validate_number(spec, "left")?;
        validate_number(spec, "right")
    },
    build: |_, _| Ok(Box::new(LessThan)),
};

struct LessThan;

#[async_trait]
impl Task for LessThan {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let left = coerce("left", cx.param_or_input("left")?.as_decimal())?;
        let right = coerce("right", cx.required("right")?.as_decimal())?;
        Ok(Value::Bool(left < right))
    }
}
