//! `ethcall`: a read-only `eth_call` through the injected [`ChainReader`](crate::ChainReader).
//! Parameters as in Chainlink: `contract`, `data` (calldata, selector included, non-empty),
//! `from`, `gas`, `gasPrice`, `gasTipCap`, `gasFeeCap`, `gasUnlimited` (then `gas` must be
//! absent or zero), `extractRevertReason`, `evmChainID` (default `$(jobSpec.evmChainID)` when
//! the run has it) and `block` (`latest` by default, `pending`, `earliest`, `safe`, `finalized`
//! or a block number). Outputs the returned bytes.
//!
//! Without `gas` the call gets the RPC node's default gas (there is no per-job call gas limit
//! here), so `gasUnlimited=true` only forbids `gas`.
//!
//! A revert fails the task with `ChainCall { reverted: true }`. Readers append the revert data
//! to their message as `; revert data: 0x…` (see [`REVERT_DATA_MARKER`]); the task keeps it only
//! with `extractRevertReason=true`, and then also decodes `Error(string)` / `Panic(uint256)` or
//! names the custom error's selector.

use std::sync::Arc;

use alloy::{
    primitives::Address,
    sol_types::{Panic, Revert, SolError},
};
use async_trait::async_trait;

use super::{context::coerce, validate_bool, validate_number, AttrError, Task, TaskContext, TaskKind};
use crate::{
    chain::{ChainReadError, ChainReader, EthCallRequest},
    error::TaskError,
    pipeline::TaskSpec,
    value::Value,
};

/// What a [`ChainReader`] puts between the RPC error message and the hex revert data.
pub(crate) const REVERT_DATA_MARKER: &str = "; revert data: ";

pub(crate) const KIND: TaskKind = TaskKind {
    name: "ethcall",
    required: &["contract", "data"],
    validate: |spec| {
        for n in ["gas", "gasPrice", "gasTipCap", "gasFeeCap", "evmChainID"] {
            validate_number(spec, n)?;
        }
        validate_bool(spec, "gasUnlimited")?;
        validate_bool(spec, "extractRevertReason")?;
        validate_block(spec)
    },
    build: |_, deps| Ok(Box::new(EthCall { chain: deps.chain.clone() })),
};

struct EthCall {
    chain: Option<Arc<dyn ChainReader>>,
}

/// Canonical form of a `block` value: a lower-case tag or a decimal block number.
pub(crate) fn parse_block(s: &str) -> Result<String, String> {
    let t = s.trim().to_ascii_lowercase();
    match t.as_str() {
        "latest" | "pending" | "earliest" | "safe" | "finalized" => return Ok(t),
        _ => {}
    }
    let n = match t.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => t.parse::<u64>().ok(),
    };
    n.map(|n| n.to_string())
        .ok_or_else(|| format!("expected latest, pending, earliest, safe, finalized or a block number, got `{s}`"))
}

/// Parse-time check of a literal `block`.
pub(crate) fn validate_block(spec: &TaskSpec) -> Result<(), AttrError> {
    match spec.attr("block") {
        Some(a) if a.template.is_literal() && !a.raw().trim().is_empty() => {
            parse_block(a.raw()).map(|_| ()).map_err(|m| AttrError::new("block", m))
        }
        _ => Ok(()),
    }
}

/// The `block` parameter, canonicalised; `None` means latest.
pub(crate) fn block(cx: &TaskContext<'_>) -> Result<Option<String>, TaskError> {
    cx.param("block")?
        .map(|v| parse_block(&coerce("block", v.as_string())?).map_err(|e| TaskError::invalid("block", e)))
        .transpose()
}

/// `evmChainID`, falling back to `$(jobSpec.evmChainID)` as Chainlink does.
pub(crate) fn evm_chain_id(cx: &TaskContext<'_>) -> Result<Option<u64>, TaskError> {
    let v = match cx.param("evmChainID")? {
        Some(v) => Some(v),
        None => cx.vars.get("jobSpec.evmChainID").ok().filter(|v| !v.is_null()).cloned(),
    };
    v.map(|v| coerce("evmChainID", v.as_u64())).transpose()
}

/// An optional address parameter.
pub(crate) fn address(cx: &TaskContext<'_>, name: &str) -> Result<Option<Address>, TaskError> {
    cx.param(name)?.map(|v| coerce(name, v.as_address())).transpose()
}

fn wei(cx: &TaskContext<'_>, name: &str) -> Result<Option<u128>, TaskError> {
    let Some(v) = cx.param(name)? else { return Ok(None) };
    let i = coerce(name, v.as_integer())?;
    u128::try_from(&i).map(Some).map_err(|_| TaskError::invalid(name, format!("{i} is not a wei amount")))
}

/// The reader `chain`, or [`TaskError::Unavailable`] naming the task type.
pub(crate) fn reader<'a>(
    chain: &'a Option<Arc<dyn ChainReader>>,
    task: &str,
) -> Result<&'a Arc<dyn ChainReader>, TaskError> {
    chain.as_ref().ok_or_else(|| TaskError::Unavailable { what: format!("chain access (for `{task}`)") })
}

/// A reader error as a task error; revert data is kept (and decoded) only if `extract`.
pub(crate) fn call_error(e: ChainReadError, extract: bool) -> TaskError {
    let (base, data) = match e.message.split_once(REVERT_DATA_MARKER) {
        Some((base, data)) => (base.to_owned(), Some(data.trim().to_owned())),
        None => (e.message.clone(), None),
    };
    let message = match data {
        Some(data) if extract => match revert_reason(&data) {
            Some(reason) => format!("{base}; revert reason: {reason}{REVERT_DATA_MARKER}{data}"),
            None => format!("{base}{REVERT_DATA_MARKER}{data}"),
        },
        _ => base,
    };
    TaskError::ChainCall { message, reverted: e.reverted }
}

/// `Error(string)`, `Panic(uint256)`, or the selector of a custom error.
fn revert_reason(data_hex: &str) -> Option<String> {
    let data = hex::decode(data_hex.strip_prefix("0x").unwrap_or(data_hex)).ok()?;
    if let Ok(r) = Revert::abi_decode(&data) {
        return Some(r.reason);
    }
    if let Ok(p) = Panic::abi_decode(&data) {
        return Some(p.to_string());
    }
    (data.len() >= 4).then(|| format!("custom error 0x{}", hex::encode(&data[..4])))
}

#[async_trait]
impl Task for EthCall {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let contract = coerce("contract", cx.required("contract")?.as_address())?;
        let data = coerce("data", cx.required("data")?.as_bytes())?;
        if data.is_empty() {
            return Err(TaskError::invalid("data", "must not be empty"));
        }
        let gas = cx.param("gas")?.map(|v| coerce("gas", v.as_u64())).transpose()?.filter(|g| *g > 0);
        if cx.bool_param("gasUnlimited", false)? && gas.is_some() {
            return Err(TaskError::invalid("gas", "must be zero or absent when gasUnlimited is true"));
        }
        let request = EthCallRequest {
            to: contract,
            data,
            from: address(cx, "from")?,
            gas,
            gas_price: wei(cx, "gasPrice")?,
            gas_tip_cap: wei(cx, "gasTipCap")?,
            gas_fee_cap: wei(cx, "gasFeeCap")?,
            value: None,
            block: block(cx)?,
            evm_chain_id: evm_chain_id(cx)?,
        };
        let extract = cx.bool_param("extractRevertReason", false)?;
        let chain = reader(&self.chain, "ethcall")?;
        let out = chain.call(request).await.map_err(|e| call_error(e, extract))?;
        Ok(Value::Bytes(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks() {
        assert_eq!(parse_block(" Pending ").unwrap(), "pending");
        assert_eq!(parse_block("0x10").unwrap(), "16");
        assert_eq!(parse_block("42").unwrap(), "42");
        assert!(parse_block("-1").is_err());
        assert!(parse_block("yesterday").is_err());
    }

    #[test]
    fn revert_data_is_kept_only_when_extracting() {
        let data = format!("0x{}", hex::encode(Revert::from("no funds").abi_encode()));
        let e = ChainReadError { message: format!("execution reverted{REVERT_DATA_MARKER}{data}"), reverted: true };
        assert_eq!(
            call_error(e.clone(), false),
            TaskError::ChainCall { message: "execution reverted".into(), reverted: true }
        );
        let TaskError::ChainCall { message, reverted: true } = call_error(e, true) else { panic!() };
        assert_eq!(message, format!("execution reverted; revert reason: no funds{REVERT_DATA_MARKER}{data}"));
        assert_eq!(revert_reason("0xdeadbeef00").unwrap(), "custom error 0xdeadbeef");
        assert!(revert_reason("0x01").is_none());
    }
}
