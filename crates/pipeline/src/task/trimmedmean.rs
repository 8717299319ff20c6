//! `trimmedmean` (a linkpool extension, whitepaper §4.1): the mean of `values` (or of the
//! inputs) after sorting them and dropping `trim` values at each end. `trim` defaults to
//! ⌊n/4⌋, n being the number of non-faulty values, which gives the interquartile mean; it must
//! leave at least one value (2·trim < n). `allowedFaults` and `precision` work as in `mean`.

use async_trait::async_trait;
use bigdecimal::BigDecimal;

use super::{aggregate, context::coerce, validate_number, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "trimmedmean",
    required: &[],
    validate: |spec| {
        validate_number(spec, "allowedFaults")?;
        validate_number(spec, "precision")?;
        validate_number(spec, "trim")
    },
    build: |_, _| Ok(Box::new(TrimmedMean)),
};

struct TrimmedMean;

#[async_trait]
impl Task for TrimmedMean {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let mut values = aggregate::decimals(&aggregate::collect_values(cx)?)?;
        let n = values.len();
        let trim = match cx.param("trim")? {
            Some(v) => usize::try_from(coerce("trim", v.as_u64())?).unwrap_or(usize::MAX),
            None => n / 4,
        };
        if trim.saturating_mul(2) >= n {
            return Err(TaskError::invalid("trim", format!("trimming {trim} at each end leaves none of {n} values")));
        }
        values.sort();
        let kept = &values[trim..n - trim];
        let total = kept.iter().fold(BigDecimal::from(0), |acc, v| acc + v);
        let count = BigDecimal::from(kept.len() as u64);
        Ok(Value::from_decimal(aggregate::divide(&total, &count, aggregate::precision(cx)?)?))
    }

    fn tolerates_input_errors(&self) -> bool {
        true
    }
}
