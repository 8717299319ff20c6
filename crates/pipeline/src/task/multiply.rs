//! `multiply`: `input * times`.

use async_trait::async_trait;

use super::{context::coerce, validate_number, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "multiply",
    required: &["times"],
    validate: |spec| validate_number(spec, "times"),
    build: |_, _| Ok(Box::new(Multiply)),
};

struct Multiply;

#[async_trait]
impl Task for Multiply {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let input = coerce("input", cx.param_or_input("input")?.as_decimal())?;
        let times = coerce("times", cx.required("times")?.as_decimal())?;
        Ok(Value::from_decimal(input * times))
    }
}
