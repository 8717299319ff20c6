//! `merge`: the maps `left` (default: the first input) and `right` combined; on a shared key the
//! right value wins (a `null` on the right overwrites too). Both are JSON-with-variables.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{no_validation, Task, TaskContext, TaskInput, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind =
    TaskKind { name: "merge", required: &["right"], validate: no_validation, build: |_, _| Ok(Box::new(Merge)) };

struct Merge;

fn as_map(name: &str, v: Value) -> Result<BTreeMap<String, Value>, TaskError> {
    match v {
        Value::Map(m) => Ok(m),
        // An upstream `http` body or a string variable holding JSON.
        Value::String(s) => match crate::vars::parse_json(&s) {
            Ok(Value::Map(m)) => Ok(m),
            Ok(other) => Err(TaskError::invalid(name, format!("expected a map, got {}", other.type_name()))),
            Err(e) => Err(TaskError::invalid(name, format!("expected a map: {e}"))),
        },
        other => Err(TaskError::invalid(name, format!("expected a map, got {}", other.type_name()))),
    }
}

#[async_trait]
impl Task for Merge {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let left = match cx.json_param("left")? {
            Some(v) => v,
            None => match cx.inputs.first() {
                Some(TaskInput { result: Ok(v), .. }) => v.clone(),
                Some(TaskInput { task_id, result: Err(_) }) => {
                    return Err(TaskError::UpstreamErrored { task: task_id.clone() })
                }
                None => return Err(TaskError::MissingParameter { name: "left".into() }),
            },
        };
        let mut merged = as_map("left", left)?;
        let right = cx.json_param("right")?.ok_or_else(|| TaskError::MissingParameter { name: "right".into() })?;
        merged.extend(as_map("right", right)?);
        Ok(Value::Map(merged))
    }
}
