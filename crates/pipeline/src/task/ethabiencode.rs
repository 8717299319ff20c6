//! `ethabiencode`: ABI-encodes `data` (JSON-with-variables, a map by argument name) for `abi`
//! (`(bytes32 requestId, uint256 value)` or `fn(...)`, which prepends the selector).

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{context::coerce, AttrError, Task, TaskContext, TaskKind};
use crate::{abi, error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "ethabiencode",
    required: &["abi"],
    validate: |spec| match spec.attr("abi") {
        Some(a) if a.template.is_literal() => {
            abi::parse_abi_args(a.raw()).map(|_| ()).map_err(|m| AttrError::new("abi", m))
        }
        _ => Ok(()),
    },
    build: |_, _| Ok(Box::new(AbiEncode)),
};

struct AbiEncode;

#[async_trait]
impl Task for AbiEncode {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let sig = coerce("abi", cx.required("abi")?.as_string())?;
        let args = abi::parse_abi_args(&sig).map_err(|e| TaskError::invalid("abi", e))?;
        let data = match cx.json_param("data")? {
            Some(Value::Map(m)) => m,
            None | Some(Value::Null) => BTreeMap::new(),
            Some(other) => {
                return Err(TaskError::invalid("data", format!("expected a map, got {}", other.type_name())))
            }
        };
        let encoded = abi::encode(&args, &data).map_err(|message| TaskError::Abi { message })?;
        Ok(Value::Bytes(encoded.into()))
    }
}
