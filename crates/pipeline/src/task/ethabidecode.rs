//! `ethabidecode`: decodes `data` (bytes or a `0x` string; default: the first input), typically
//! an `ethcall` result, with the named argument list `abi` (`uint256 foo, bytes32 bar, address[]
//! baz`) into a map by argument name. Empty data gives an empty map, as in Chainlink.

use std::collections::BTreeMap;

use alloy::dyn_abi::DynSolType;
use async_trait::async_trait;

use super::{context::coerce, AttrError, Task, TaskContext, TaskKind};
use crate::{
    abi::{self, from_sol, AbiArgs},
    error::TaskError,
    value::Value,
};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "ethabidecode",
    required: &["abi"],
    validate: |spec| match spec.attr("abi") {
        Some(a) if a.template.is_literal() => parse_args(a.raw()).map(|_| ()).map_err(|m| AttrError::new("abi", m)),
        _ => Ok(()),
    },
    build: |_, _| Ok(Box::new(AbiDecode)),
};

struct AbiDecode;

fn parse_args(abi: &str) -> Result<AbiArgs, String> {
    let args = abi::parse_abi_args(abi)?;
    if args.selector.is_some() {
        return Err(format!("expected named arguments such as `uint256 a, bool b`, not a function signature: `{abi}`"));
    }
    Ok(args)
}

#[async_trait]
impl Task for AbiDecode {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let sig = coerce("abi", cx.required("abi")?.as_string())?;
        let args = parse_args(&sig).map_err(|e| TaskError::invalid("abi", e))?;
        let data = coerce("data", cx.param_or_input("data")?.as_bytes())?;
        let mut out = BTreeMap::new();
        if data.is_empty() {
            return Ok(Value::Map(out));
        }
        let ty = DynSolType::Tuple(args.params.iter().map(|(_, t)| t.clone()).collect());
        let decoded = ty.abi_decode_sequence(&data).map_err(|e| TaskError::Abi { message: e.to_string() })?;
        let alloy::dyn_abi::DynSolValue::Tuple(values) = decoded else {
            return Err(TaskError::Abi { message: "decoded value is not a tuple".into() });
        };
        for ((name, _), v) in args.params.iter().zip(values) {
            out.insert(name.clone(), from_sol(v));
        }
        Ok(Value::Map(out))
    }
}
