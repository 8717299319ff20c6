//! `divide`: `input / divisor`, rounded to `precision` decimal places.

use async_trait::async_trait;

use super::{aggregate, context::coerce, validate_number, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "divide",
    required: &["divisor"],
    validate: |spec| {
        validate_number(spec, "divisor")?;
        validate_number(spec, "precision")
    },
    build: |_, _| Ok(Box::new(Divide)),
};

struct Divide;

#[async_trait]
impl Task for Divide {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let input = coerce("input", cx.param_or_input("input")?.as_decimal())?;
        let divisor = coerce("divisor", cx.required("divisor")?.as_decimal())?;
        let precision = aggregate::precision(cx)?;
        Ok(Value::from_decimal(aggregate::divide(&input, &divisor, precision)?))
    }
}
