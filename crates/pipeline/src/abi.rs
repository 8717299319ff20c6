//! ABI helpers: Chainlink-style argument signatures and conversions between [`Value`] and
//! alloy's `DynSolValue`.

use std::{collections::BTreeMap, str::FromStr};

use alloy::{
    dyn_abi::{DynSolType, DynSolValue, Specifier},
    json_abi::Function,
    primitives::{B256, I256, U256},
};
use bigdecimal::num_bigint::{BigInt, Sign};

use crate::value::Value;

/// A parsed `abi` attribute: named arguments, plus a selector if a function name was given.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AbiArgs {
    /// The 4-byte selector when the signature names a function.
    pub(crate) selector: Option<[u8; 4]>,
    /// `(name, type)` per argument.
    pub(crate) params: Vec<(String, DynSolType)>,
}

/// Parses `(bytes32 requestId, uint256 value)`, `uint256 a, bytes b` or
/// `fulfill(bytes32 requestId, bytes calldata data)`. Every argument must be named.
pub(crate) fn parse_abi_args(abi: &str) -> Result<AbiArgs, String> {
    let s = abi.trim();
    let (text, named) = if s.starts_with('(') {
        (format!("f{s}"), false)
    } else if s.contains('(') {
        (s.to_owned(), true)
    } else {
        (format!("f({s})"), false)
    };
    let f = Function::parse(&text).map_err(|e| format!("invalid ABI `{s}`: {e}"))?;
    let mut params = Vec::with_capacity(f.inputs.len());
    for p in &f.inputs {
        if p.name.is_empty() {
            return Err(format!("every ABI argument must be named (in `{s}`)"));
        }
        let ty = p.resolve().map_err(|e| format!("invalid type of `{}`: {e}", p.name))?;
        params.push((p.name.clone(), ty));
    }
    Ok(AbiArgs { selector: named.then(|| f.selector().0), params })
}

fn bigint_to_u256(i: &BigInt) -> Option<U256> {
    let (sign, bytes) = i.to_bytes_be();
    if sign == Sign::Minus || bytes.len() > 32 {
        return None;
    }
    Some(U256::from_be_slice(&bytes))
}

/// Converts a value into the ABI type `ty`, best effort (as Chainlink's `ethabiencode`).
pub(crate) fn to_sol(v: &Value, ty: &DynSolType) -> Result<DynSolValue, String> {
    let err = |e: &dyn std::fmt::Display| format!("cannot encode as {ty}: {e}");
    Ok(match ty {
        DynSolType::Address => DynSolValue::Address(v.as_address().map_err(|e| err(&e))?),
        DynSolType::Bool => DynSolValue::Bool(v.as_bool().map_err(|e| err(&e))?),
        DynSolType::Uint(bits) => {
            let i = v.as_integer().map_err(|e| err(&e))?;
            let u = bigint_to_u256(&i).ok_or_else(|| err(&format!("{i} is out of range")))?;
            if *bits < 256 && u >> *bits != U256::ZERO {
                return Err(err(&format!("{i} does not fit in {bits} bits")));
            }
            DynSolValue::Uint(u, *bits)
        }
        DynSolType::Int(bits) => {
            let i = v.as_integer().map_err(|e| err(&e))?;
            let bound = BigInt::from(1) << (*bits - 1);
            if i >= bound || i < -bound {
                return Err(err(&format!("{i} does not fit in {bits} bits")));
            }
            DynSolValue::Int(I256::from_dec_str(&i.to_string()).map_err(|e| err(&e))?, *bits)
        }
        DynSolType::FixedBytes(n) => {
            let b = v.as_bytes().map_err(|e| err(&e))?;
            // Exact length, as Chainlink: silently padding a wrong-sized value hides mistakes.
            if b.len() != *n {
                return Err(err(&format!("expected {n} bytes, got {}", b.len())));
            }
            let mut word = B256::ZERO;
            word[..b.len()].copy_from_slice(&b);
            DynSolValue::FixedBytes(word, *n)
        }
        DynSolType::Bytes => DynSolValue::Bytes(v.as_bytes().map_err(|e| err(&e))?.to_vec()),
        DynSolType::String => DynSolValue::String(v.as_string().map_err(|e| err(&e))?),
        DynSolType::Array(inner) => DynSolValue::Array(
            v.as_array().map_err(|e| err(&e))?.iter().map(|x| to_sol(x, inner)).collect::<Result<_, _>>()?,
        ),
        DynSolType::FixedArray(inner, n) => {
            let items = v.as_array().map_err(|e| err(&e))?;
            if items.len() != *n {
                return Err(err(&format!("expected {n} items, got {}", items.len())));
            }
            DynSolValue::FixedArray(items.iter().map(|x| to_sol(x, inner)).collect::<Result<_, _>>()?)
        }
        DynSolType::Tuple(types) => {
            let items = v.as_array().map_err(|e| err(&e))?;
            if items.len() != types.len() {
                return Err(err(&format!("expected {} items, got {}", types.len(), items.len())));
            }
            DynSolValue::Tuple(items.iter().zip(types).map(|(x, t)| to_sol(x, t)).collect::<Result<_, _>>()?)
        }
        other => return Err(format!("unsupported ABI type {other}")),
    })
}

/// Converts a decoded ABI value into a pipeline value.
pub(crate) fn from_sol(v: DynSolValue) -> Value {
    #[allow(unreachable_patterns)]
    match v {
        DynSolValue::Address(a) => Value::Address(a),
        DynSolValue::Bool(b) => Value::Bool(b),
        DynSolValue::Int(i, _) => Value::Integer(BigInt::from_str(&i.to_dec_string()).unwrap_or_default()),
        DynSolValue::Uint(u, _) => Value::from(u),
        DynSolValue::FixedBytes(w, 32) => Value::Bytes32(w),
        DynSolValue::FixedBytes(w, n) => Value::Bytes(w[..n.min(32)].to_vec().into()),
        DynSolValue::Bytes(b) => Value::Bytes(b.into()),
        DynSolValue::String(s) => Value::String(s),
        DynSolValue::Function(f) => Value::Bytes(f.as_slice().to_vec().into()),
        DynSolValue::Array(a) | DynSolValue::FixedArray(a) | DynSolValue::Tuple(a) => {
            Value::Array(a.into_iter().map(from_sol).collect())
        }
        _ => Value::Null,
    }
}

/// Encodes `data` (a map by argument name) for `args`, selector first if any.
pub(crate) fn encode(args: &AbiArgs, data: &BTreeMap<String, Value>) -> Result<Vec<u8>, String> {
    let mut values = Vec::with_capacity(args.params.len());
    for (name, ty) in &args.params {
        let v = data.get(name).ok_or_else(|| format!("missing value for argument `{name}`"))?;
        values.push(to_sol(v, ty).map_err(|e| format!("argument `{name}`: {e}"))?);
    }
    let mut out = args.selector.map(|s| s.to_vec()).unwrap_or_default();
    out.extend(DynSolValue::Tuple(values).abi_encode_params());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_signature_forms() {
        let a = parse_abi_args("(bytes32 requestId, uint256 value)").unwrap();
        assert_eq!(a.selector, None);
        assert_eq!(a.params[1], ("value".to_owned(), DynSolType::Uint(256)));
        let f = parse_abi_args(
            "fulfillOracleRequest2(bytes32 requestId, uint256 payment, address callbackAddress, bytes4 callbackFunctionId, uint256 expiration, bytes calldata data)",
        )
        .unwrap();
        assert_eq!(f.selector, Some([0x6a, 0xe0, 0xbc, 0x76]));
        assert_eq!(parse_abi_args("uint256 a, bytes b").unwrap().params.len(), 2);
        assert!(parse_abi_args("(uint256)").is_err());
        assert!(parse_abi_args("(uint257 a)").is_err());
        assert!(parse_abi_args("f(").is_err());
    }

    #[test]
    fn range_checks() {
        assert!(to_sol(&Value::from(-1i64), &DynSolType::Uint(256)).is_err());
        assert!(to_sol(&Value::from(256u64), &DynSolType::Uint(8)).is_err());
        assert!(to_sol(&Value::from(255u64), &DynSolType::Uint(8)).is_ok());
        assert!(to_sol(&Value::from(-128i64), &DynSolType::Int(8)).is_ok());
        assert!(to_sol(&Value::from(128i64), &DynSolType::Int(8)).is_err());
        assert!(to_sol(&Value::from("0x0102030405"), &DynSolType::FixedBytes(4)).is_err());
        assert!(to_sol(&Value::from("0x0102"), &DynSolType::FixedBytes(4)).is_err());
        let v = to_sol(&Value::from("0x01020304"), &DynSolType::FixedBytes(4)).unwrap();
        assert_eq!(from_sol(v), Value::Bytes(vec![1, 2, 3, 4].into()));
    }
}
