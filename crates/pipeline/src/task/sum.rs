//! `sum`: the sum of `values` (or of the inputs), tolerating `allowedFaults` errored ones.

use async_trait::async_trait;
use bigdecimal::BigDecimal;

use super::{aggregate, validate_number, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "sum",
    required: &[],
    validate: |spec| validate_number(spec, "allowedFaults"),
    build: |_, _| Ok(Box::new(Sum)),
};

struct Sum;

#[async_trait]
impl Task for Sum {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let values = aggregate::decimals(&aggregate::collect_values(cx)?)?;
        Ok(Value::from_decimal(values.iter().fold(BigDecimal::from(0), |acc, v| acc + v)))
    }

    fn tolerates_input_errors(&self) -> bool {
        true
    }
}
