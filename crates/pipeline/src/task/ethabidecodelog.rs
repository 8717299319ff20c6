//! `ethabidecodelog`: decodes a log (`data`, `topics`) with the event signature `abi`
//! (e.g. `OracleRequest(bytes32 indexed specId, address requester, ...)`) into a map by
//! argument name. topic0 must match the signature.

use std::collections::BTreeMap;

use alloy::{dyn_abi::EventExt, json_abi::Event, primitives::B256};
use async_trait::async_trait;

use super::{context::coerce, AttrError, Task, TaskContext, TaskKind};
use crate::{abi::from_sol, error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "ethabidecodelog",
    required: &["abi", "topics"],
    validate: |spec| match spec.attr("abi") {
        Some(a) if a.template.is_literal() => parse_event(a.raw()).map(|_| ()).map_err(|m| AttrError::new("abi", m)),
        _ => Ok(()),
    },
    build: |_, _| Ok(Box::new(DecodeLog)),
};

struct DecodeLog;

fn parse_event(abi: &str) -> Result<Event, String> {
    let s = abi.trim();
    let s = s.strip_prefix("event ").unwrap_or(s);
    let e = Event::parse(s).map_err(|e| format!("invalid event signature: {e}"))?;
    if let Some(p) = e.inputs.iter().find(|p| p.name.is_empty()) {
        return Err(format!("every event argument must be named (unnamed {})", p.ty));
    }
    Ok(e)
}

#[async_trait]
impl Task for DecodeLog {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let abi = coerce("abi", cx.required("abi")?.as_string())?;
        let event = parse_event(&abi).map_err(|e| TaskError::invalid("abi", e))?;
        let data = match cx.param("data")? {
            Some(v) => coerce("data", v.as_bytes())?,
            None => Default::default(),
        };
        let topics_v = cx.required("topics")?;
        let topics: Vec<B256> = coerce("topics", topics_v.as_array())?
            .iter()
            .map(|t| coerce("topics", t.as_bytes32()))
            .collect::<Result<_, _>>()?;
        let decoded = event.decode_log_parts(topics, &data).map_err(|e| TaskError::Abi { message: e.to_string() })?;
        let (mut indexed, mut body) = (decoded.indexed.into_iter(), decoded.body.into_iter());
        let mut out = BTreeMap::new();
        for p in &event.inputs {
            let v = if p.indexed { indexed.next() } else { body.next() };
            let v = v.ok_or_else(|| TaskError::Abi { message: format!("no value decoded for `{}`", p.name) })?;
            out.insert(p.name.clone(), from_sol(v));
        }
        Ok(Value::Map(out))
    }
}
