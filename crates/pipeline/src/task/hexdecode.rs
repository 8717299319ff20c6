//! `hexdecode`: decodes `input` (default: the first input), a hex string that must start with
//! `0x`, into bytes.

use async_trait::async_trait;

use super::{context::coerce, AttrError, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "hexdecode",
    required: &[],
    validate: |spec| match spec.attr("input") {
        Some(a) if a.template.is_literal() && !a.raw().trim().is_empty() => {
            decode(a.raw()).map(|_| ()).map_err(|m| AttrError::new("input", m))
        }
        _ => Ok(()),
    },
    build: |_, _| Ok(Box::new(HexDecode)),
};

struct HexDecode;

fn decode(s: &str) -> Result<Vec<u8>, String> {
    let body = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).ok_or("hex string must start with 0x")?;
    hex::decode(body).map_err(|e| format!("invalid hex: {e}"))
}

#[async_trait]
impl Task for HexDecode {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        // Bytes are read as the text they hold, as in Chainlink.
        let input = coerce("input", cx.param_or_input("input")?.as_string())?;
        decode(&input).map(Value::from).map_err(|e| TaskError::invalid("input", e))
    }
}
