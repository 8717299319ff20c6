//! `ethtx`: hands a transaction (`to`, `data`, `gasLimit`, `minConfirmations`, `failOnRevert`,
//! `evmChainID`) to the injected [`EthTxSender`](crate::EthTxSender) under the idempotency key
//! `run:<run_id>:task:<task_id>`. Outputs the transaction hash. Never sends anything itself.

use std::sync::Arc;

use async_trait::async_trait;

use super::{context::coerce, validate_bool, validate_number, Task, TaskContext, TaskKind};
use crate::{
    error::TaskError,
    tx::{EthTxRequest, EthTxSender},
    value::Value,
};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "ethtx",
    required: &["to", "data"],
    validate: |spec| {
        validate_bool(spec, "failOnRevert")?;
        validate_number(spec, "gasLimit")?;
        validate_number(spec, "minConfirmations")?;
        validate_number(spec, "evmChainID")
    },
    build: |_, deps| Ok(Box::new(EthTx { sender: deps.tx_sender.clone() })),
};

struct EthTx {
    sender: Option<Arc<dyn EthTxSender>>,
}

/// The idempotency key of an `ethtx` task in a run.
pub(crate) fn idempotency_key(run_id: i64, task_id: &str) -> String {
    format!("run:{run_id}:task:{task_id}")
}

#[async_trait]
impl Task for EthTx {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let to = coerce("to", cx.required("to")?.as_address())?;
        let data = coerce("data", cx.required("data")?.as_bytes())?;
        let gas_limit = cx.param("gasLimit")?.map(|v| coerce("gasLimit", v.as_u64())).transpose()?;
        let min_confirmations =
            cx.param("minConfirmations")?.map(|v| coerce("minConfirmations", v.as_u64())).transpose()?.unwrap_or(0);
        let fail_on_revert = cx.bool_param("failOnRevert", false)?;
        let evm_chain_id = cx.param("evmChainID")?.map(|v| coerce("evmChainID", v.as_u64())).transpose()?;
        let sender = self.sender.as_ref().ok_or(TaskError::NoTxSender)?;
        let request = EthTxRequest {
            idempotency_key: idempotency_key(cx.run_id, &cx.spec.id),
            to,
            data,
            gas_limit,
            min_confirmations,
            fail_on_revert,
            evm_chain_id,
        };
        let outcome = sender.send(request).await.map_err(|e| TaskError::TxSender { message: e.0 })?;
        if outcome.reverted && fail_on_revert {
            return Err(TaskError::TxReverted { tx_hash: outcome.tx_hash.to_string() });
        }
        Ok(Value::Bytes32(outcome.tx_hash))
    }

    fn uses_default_timeout(&self) -> bool {
        false
    }
}
