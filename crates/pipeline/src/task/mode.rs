//! `mode`: the most common of `values` (or of the inputs), any types mixed.
//! Output `{"results": [...], "occurrences": n}`; ties keep every value, in order of first
//! appearance. Numbers compare by value (`2`, `"2"` differ; `2` and `2.0` match).

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{aggregate, validate_number, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "mode",
    required: &[],
    validate: |spec| validate_number(spec, "allowedFaults"),
    build: |_, _| Ok(Box::new(Mode)),
};

struct Mode;

/// A key under which equal values collide.
fn key(v: &Value) -> String {
    match v {
        Value::Integer(_) | Value::Decimal(_) => format!("n:{}", v.to_interpolated_string()),
        other => format!("{}:{}", other.type_name(), other.to_json()),
    }
}

#[async_trait]
impl Task for Mode {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let values = aggregate::collect_values(cx)?;
        // key -> (first position, count)
        let mut counts: BTreeMap<String, (usize, u64)> = BTreeMap::new();
        for (i, v) in values.iter().enumerate() {
            counts.entry(key(v)).or_insert((i, 0)).1 += 1;
        }
        let max = counts.values().map(|(_, c)| *c).max().unwrap_or(0);
        let mut winners: Vec<usize> = counts.values().filter(|(_, c)| *c == max).map(|(i, _)| *i).collect();
        winners.sort_unstable();
        let results = winners.into_iter().map(|i| values[i].clone()).collect();
        Ok(Value::Map(BTreeMap::from([
            ("results".to_owned(), Value::Array(results)),
            ("occurrences".to_owned(), Value::from(max)),
        ])))
    }

    fn tolerates_input_errors(&self) -> bool {
        true
    }
}
