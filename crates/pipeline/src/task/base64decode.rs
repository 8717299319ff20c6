//! `base64decode`: decodes `input` (default: the first input), a standard padded base64 string,
//! into bytes.

use async_trait::async_trait;
use base64::{engine::general_purpose::STANDARD, Engine};

use super::{context::coerce, AttrError, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "base64decode",
    required: &[],
    validate: |spec| match spec.attr("input") {
        Some(a) if a.template.is_literal() && !a.raw().trim().is_empty() => {
            STANDARD.decode(a.raw()).map(|_| ()).map_err(|e| AttrError::new("input", format!("invalid base64: {e}")))
        }
        _ => Ok(()),
    },
    build: |_, _| Ok(Box::new(Base64Decode)),
};

struct Base64Decode;

#[async_trait]
impl Task for Base64Decode {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let input = coerce("input", cx.param_or_input("input")?.as_string())?;
        let bytes = STANDARD.decode(input).map_err(|e| TaskError::invalid("input", format!("invalid base64: {e}")))?;
        Ok(Value::from(bytes))
    }
}
