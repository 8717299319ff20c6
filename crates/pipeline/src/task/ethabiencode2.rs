//! `ethabiencode2`: ABI-encodes `data` (JSON-with-variables, a map by argument name) for `abi`, a
//! JSON ABI fragment `{"name": "fn", "inputs": [{"name": "a", "type": "uint256"}, ...]}` (other
//! keys such as `type`, `outputs` or `stateMutability` are ignored). A non-empty `name` prepends
//! the function selector. Tuples (`"type": "tuple"` with `components`) take a map by component
//! name or an array in component order.

use std::collections::BTreeMap;

use alloy::{
    dyn_abi::{DynSolType, DynSolValue, Specifier},
    json_abi::{Function, Param, StateMutability},
};
use async_trait::async_trait;
use serde::Deserialize;

use super::{AttrError, Task, TaskContext, TaskKind};
use crate::{abi, error::TaskError, value::Value};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "ethabiencode2",
    required: &["abi"],
    validate: |spec| match spec.attr("abi") {
        Some(a) if a.template.is_literal() => {
            parse_method(&Value::from(a.raw())).map(|_| ()).map_err(|m| AttrError::new("abi", m))
        }
        _ => Ok(()),
    },
    build: |_, _| Ok(Box::new(AbiEncode2)),
};

struct AbiEncode2;

/// The part of a JSON ABI function entry the task uses.
#[derive(Deserialize)]
struct MethodJson {
    #[serde(default, alias = "Name")]
    name: String,
    #[serde(default, alias = "Inputs")]
    inputs: Vec<Param>,
}

/// A parsed `abi`: the selector (if named) and the inputs with their resolved types.
struct Method {
    selector: Option<[u8; 4]>,
    inputs: Vec<(Param, DynSolType)>,
}

fn parse_method(abi: &Value) -> Result<Method, String> {
    let json = match abi {
        Value::String(s) => serde_json::from_str::<serde_json::Value>(s).map_err(|e| format!("invalid JSON: {e}"))?,
        Value::Map(_) => abi.to_plain_json(),
        other => return Err(format!("expected a JSON ABI fragment, got {}", other.type_name())),
    };
    let m: MethodJson = serde_json::from_value(json).map_err(|e| format!("invalid ABI fragment: {e}"))?;
    let mut inputs = Vec::with_capacity(m.inputs.len());
    for p in m.inputs {
        if p.name.is_empty() {
            return Err(format!("every ABI argument must be named (unnamed {})", p.ty));
        }
        let ty = p.resolve().map_err(|e| format!("invalid type of `{}`: {e}", p.name))?;
        inputs.push((p, ty));
    }
    let selector = (!m.name.is_empty()).then(|| {
        let f = Function {
            name: m.name.clone(),
            inputs: inputs.iter().map(|(p, _)| p.clone()).collect(),
            outputs: Vec::new(),
            state_mutability: StateMutability::NonPayable,
        };
        f.selector().0
    });
    Ok(Method { selector, inputs })
}

/// `tuple[2][]` → `tuple[2]`; `None` if `ty` is not an array.
fn strip_array(ty: &str) -> Option<&str> {
    ty.strip_suffix(']').and_then(|t| t.rfind('[').map(|i| &ty[..i]))
}

/// Rewrites tuples given as maps into arrays in component order, so [`abi::to_sol`] can encode them.
fn shape(v: Value, ty: &str, components: &[Param]) -> Result<Value, String> {
    if components.is_empty() {
        return Ok(v);
    }
    if let Some(inner) = strip_array(ty) {
        return match v {
            Value::Array(items) => {
                items.into_iter().map(|x| shape(x, inner, components)).collect::<Result<_, _>>().map(Value::Array)
            }
            other => Ok(other),
        };
    }
    match v {
        Value::Map(mut m) => components
            .iter()
            .map(|c| {
                let x = m.remove(&c.name).ok_or_else(|| format!("tuple component `{}` is missing", c.name))?;
                shape(x, &c.ty, &c.components)
            })
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Value::Array(items) if items.len() == components.len() => items
            .into_iter()
            .zip(components)
            .map(|(x, c)| shape(x, &c.ty, &c.components))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        // Wrong shapes are reported by `to_sol` with the expected type.
        other => Ok(other),
    }
}

#[async_trait]
impl Task for AbiEncode2 {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let method = parse_method(&cx.required("abi")?).map_err(|e| TaskError::invalid("abi", e))?;
        let mut data = match cx.json_param("data")? {
            Some(Value::Map(m)) => m,
            None | Some(Value::Null) => BTreeMap::new(),
            Some(other) => {
                return Err(TaskError::invalid("data", format!("expected a map, got {}", other.type_name())))
            }
        };
        let mut values = Vec::with_capacity(method.inputs.len());
        for (p, ty) in &method.inputs {
            let abi_err = |e: String| TaskError::Abi { message: format!("argument `{}`: {e}", p.name) };
            let v = data.remove(&p.name).ok_or_else(|| abi_err("missing value".into()))?;
            let v = shape(v, &p.ty, &p.components).map_err(abi_err)?;
            values.push(abi::to_sol(&v, ty).map_err(abi_err)?);
        }
        let mut out = method.selector.map(|s| s.to_vec()).unwrap_or_default();
        out.extend(DynSolValue::Tuple(values).abi_encode_params());
        Ok(Value::from(out))
    }
}
