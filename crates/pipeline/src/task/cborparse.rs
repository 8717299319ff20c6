//! `cborparse`: decodes `data` (bytes; default: the first input) in `mode` `diet` (default)
//! or `standard`. See [`crate::cbor`].

use async_trait::async_trait;

use super::{context::coerce, AttrError, Task, TaskContext, TaskKind};
use crate::{cbor, error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "cborparse",
    required: &[],
    validate: |spec| match spec.attr("mode") {
        Some(a) if a.template.is_literal() => parse_mode(a.raw()).map(|_| ()).map_err(|m| AttrError::new("mode", m)),
        _ => Ok(()),
    },
    build: |_, _| Ok(Box::new(CborParse)),
};

struct CborParse;

fn parse_mode(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "diet" => Ok(true),
        "standard" => Ok(false),
        other => Err(format!("unknown mode `{other}` (expected `diet` or `standard`)")),
    }
}

#[async_trait]
impl Task for CborParse {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let data = coerce("data", cx.param_or_input("data")?.as_bytes())?;
        let diet = match cx.param("mode")? {
            Some(m) => parse_mode(&coerce("mode", m.as_string())?).map_err(|e| TaskError::invalid("mode", e))?,
            None => true,
        };
        let parsed = if diet { cbor::parse_diet(&data) } else { cbor::parse_standard(&data) };
        parsed.map_err(|e| TaskError::Cbor { message: e.0 })
    }
}
