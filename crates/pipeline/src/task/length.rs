//! `length`: the length in bytes of `input` (default: the first input), a string or bytes.
//! As in Chainlink, a string counts its UTF-8 bytes and a `0x` string its decoded bytes.

use async_trait::async_trait;

use super::{context::coerce, no_validation, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind =
    TaskKind { name: "length", required: &[], validate: no_validation, build: |_, _| Ok(Box::new(Length)) };

struct Length;

#[async_trait]
impl Task for Length {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let input = coerce("input", cx.param_or_input("input")?.as_bytes())?;
        Ok(Value::from(input.len() as u64))
    }
}
