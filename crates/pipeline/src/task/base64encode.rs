//! `base64encode`: `input` (default: the first input), a string (its UTF-8 bytes) or bytes, in
//! standard padded base64.

use async_trait::async_trait;
use base64::{engine::general_purpose::STANDARD, Engine};

use super::{context::coerce, no_validation, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind =
    TaskKind { name: "base64encode", required: &[], validate: no_validation, build: |_, _| Ok(Box::new(Base64Encode)) };

struct Base64Encode;

#[async_trait]
impl Task for Base64Encode {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let bytes = match cx.param_or_input("input")? {
            // A string is encoded as text, even if it looks like hex (as Chainlink).
            Value::String(s) => s.into_bytes(),
            other @ (Value::Bytes(_) | Value::Bytes32(_) | Value::Address(_)) => {
                coerce("input", other.as_bytes())?.to_vec()
            }
            other => {
                return Err(TaskError::invalid(
                    "input",
                    format!("expected a string or bytes, got {}", other.type_name()),
                ))
            }
        };
        Ok(Value::String(STANDARD.encode(bytes)))
    }
}
