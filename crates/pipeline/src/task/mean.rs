//! `mean`: the average of `values` (or of the inputs), rounded to `precision` places.

use async_trait::async_trait;
use bigdecimal::BigDecimal;

use super::{aggregate, validate_number, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "mean",
    required: &[],
    validate: |spec| {
        validate_number(spec, "allowedFaults")?;
        validate_number(spec, "precision")
    },
    build: |_, _| Ok(Box::new(Mean)),
};

struct Mean;

#[async_trait]
impl Task for Mean {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let values = aggregate::decimals(&aggregate::collect_values(cx)?)?;
        let total = values.iter().fold(BigDecimal::from(0), |acc, v| acc + v);
        let count = BigDecimal::from(values.len() as u64);
        Ok(Value::from_decimal(aggregate::divide(&total, &count, aggregate::precision(cx)?)?))
    }

    fn tolerates_input_errors(&self) -> bool {
        true
    }
}
