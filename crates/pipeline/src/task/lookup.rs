//! `lookup`: the entry `key` of the map `input` (default: the first input), or `null` if the map
//! has no such key.

use async_trait::async_trait;

use super::{context::coerce, no_validation, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind =
    TaskKind { name: "lookup", required: &["key"], validate: no_validation, build: |_, _| Ok(Box::new(Lookup)) };

struct Lookup;

#[async_trait]
impl Task for Lookup {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let key = coerce("key", cx.required("key")?.as_string())?;
        match cx.param_or_input("input")? {
            Value::Map(mut m) => Ok(m.remove(&key).unwrap_or(Value::Null)),
            other => Err(TaskError::invalid("input", format!("expected a map, got {}", other.type_name()))),
        }
    }
}
