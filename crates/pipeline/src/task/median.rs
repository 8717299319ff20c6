//! `median`: the median of `values` (or of the inputs); with an even count, the mean of the
//! two middle values.

use async_trait::async_trait;

use super::{aggregate, validate_number, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "median",
    required: &[],
    validate: |spec| validate_number(spec, "allowedFaults"),
    build: |_, _| Ok(Box::new(Median)),
};

struct Median;

#[async_trait]
impl Task for Median {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let mut values = aggregate::decimals(&aggregate::collect_values(cx)?)?;
        values.sort();
        let mid = values.len() / 2;
        let median = if values.len() % 2 == 1 {
            values[mid].clone()
        } else {
            // Halving is exact in decimal.
            (&values[mid - 1] + &values[mid]).half()
        };
        Ok(Value::from_decimal(median))
    }

    fn tolerates_input_errors(&self) -> bool {
        true
    }
}
