//! `estimategaslimit`: `eth_estimateGas` through the injected [`ChainReader`](crate::ChainReader)
//! for a call `to` with `data` (and optional `from`, `evmChainID`, `block` as in `ethcall`),
//! times `multiplier` (a decimal, default 1). Outputs an integer gas limit.
//!
//! The product is rounded **up** to a whole unit of gas: the estimate is an integer and the
//! multiplier an exact decimal, so `ceil(estimate × multiplier)` is computed exactly (no float),
//! and a limit is never below what the multiplier asked for. (Chainlink truncates instead.)
//!
//! Unlike Chainlink, which falls back to the node's configured gas limit when estimation fails,
//! a failed estimate fails the task with `ChainCall` (a revert is not retryable): there is no
//! per-job gas limit here to fall back to, and a silent fallback would hide a reverting call.

use std::sync::Arc;

use async_trait::async_trait;
use bigdecimal::{num_bigint::Sign, BigDecimal, RoundingMode, ToPrimitive};

use super::{
    context::coerce,
    ethcall::{address, block, call_error, evm_chain_id, reader, validate_block},
    validate_number, Task, TaskContext, TaskKind,
};
use crate::{
    chain::{ChainReader, EthCallRequest},
    error::TaskError,
    value::Value,
};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "estimategaslimit",
    required: &["to", "data"],
    validate: |spec| {
        validate_number(spec, "multiplier")?;
        validate_number(spec, "evmChainID")?;
        validate_block(spec)
    },
    build: |_, deps| Ok(Box::new(EstimateGasLimit { chain: deps.chain.clone() })),
};

struct EstimateGasLimit {
    chain: Option<Arc<dyn ChainReader>>,
}

/// `ceil(estimate × multiplier)`, or `None` if it does not fit in a `u64`.
pub(crate) fn scale_gas(estimate: u64, multiplier: &BigDecimal) -> Option<u64> {
    (BigDecimal::from(estimate) * multiplier).with_scale_round(0, RoundingMode::Ceiling).to_u64()
}

#[async_trait]
impl Task for EstimateGasLimit {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let to = coerce("to", cx.required("to")?.as_address())?;
        let data = coerce("data", cx.required("data")?.as_bytes())?;
        let multiplier = match cx.param("multiplier")? {
            Some(v) => coerce("multiplier", v.as_decimal())?,
            None => BigDecimal::from(1),
        };
        if multiplier.sign() != Sign::Plus {
            return Err(TaskError::invalid("multiplier", "must be positive"));
        }
        let request = EthCallRequest {
            to,
            data,
            from: address(cx, "from")?,
            block: block(cx)?,
            evm_chain_id: evm_chain_id(cx)?,
            ..Default::default()
        };
        let chain = reader(&self.chain, "estimategaslimit")?;
        let estimate = chain.estimate_gas(request).await.map_err(|e| call_error(e, true))?;
        let gas = scale_gas(estimate, &multiplier).ok_or_else(|| {
            TaskError::invalid("multiplier", format!("{estimate} × {multiplier} does not fit in a 64-bit gas limit"))
        })?;
        Ok(Value::from(gas))
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn rounds_up_exactly() {
        let m = |s: &str| BigDecimal::from_str(s).unwrap();
        assert_eq!(scale_gas(21_000, &m("1")), Some(21_000));
        assert_eq!(scale_gas(21_001, &m("1.5")), Some(31_502)); // 31501.5 -> 31502
        assert_eq!(scale_gas(3, &m("0.1")), Some(1)); // 0.3 -> 1
        assert_eq!(scale_gas(10, &m("1.0000000000000000000001")), Some(11));
        assert_eq!(scale_gas(u64::MAX, &m("2")), None);
    }
}
