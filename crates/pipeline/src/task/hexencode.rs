//! `hexencode`: `input` (default: the first input) as a `0x` hex string, or `""` if it is empty.
//! Strings encode their UTF-8 bytes (`"xyz"` → `0x78797a`); bytes, words and addresses their
//! bytes; integers (and integral decimals) their value in hex, without leading zeros (`255` →
//! `0xff`). Negative and fractional numbers are rejected, as in Chainlink.

use async_trait::async_trait;
use bigdecimal::num_bigint::Sign;

use super::{context::coerce, no_validation, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind =
    TaskKind { name: "hexencode", required: &[], validate: no_validation, build: |_, _| Ok(Box::new(HexEncode)) };

struct HexEncode;

fn prefixed(hex: String) -> Value {
    Value::String(if hex.is_empty() { hex } else { format!("0x{hex}") })
}

#[async_trait]
impl Task for HexEncode {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let input = cx.param_or_input("input")?;
        match &input {
            Value::String(s) => Ok(prefixed(hex::encode(s.as_bytes()))),
            Value::Bytes(_) | Value::Bytes32(_) | Value::Address(_) => {
                Ok(prefixed(hex::encode(coerce("input", input.as_bytes())?)))
            }
            Value::Integer(_) | Value::Decimal(_) => {
                if !coerce("input", input.as_decimal())?.is_integer() {
                    return Err(TaskError::invalid("input", "a fractional number has no hex encoding"));
                }
                let i = coerce("input", input.as_integer())?;
                if i.sign() == Sign::Minus {
                    return Err(TaskError::invalid("input", "a negative integer has no hex encoding"));
                }
                Ok(prefixed(i.to_str_radix(16)))
            }
            other => Err(TaskError::invalid(
                "input",
                format!("expected a string, bytes or an integer, got {}", other.type_name()),
            )),
        }
    }
}
