//! CBOR decoding into [`Value`]s, in Chainlink's two modes.
//!
//! - *diet* (the `ChainlinkClient` request buffer): key/value pairs with no map header. The
//!   buffer is wrapped in `0xBF … 0xFF` (an indefinite map) unless it is a single byte or
//!   already starts with a map header; the result must be a map. Empty input gives an empty map.
//! - *standard*: one CBOR item of any type; empty input gives `null`.
//!
//! Bignums (tags 2 and 3) become integers; floats become exact decimals of their shortest
//! representation; other tags are transparent.

use std::collections::BTreeMap;

use bigdecimal::num_bigint::{BigInt, Sign};
use ciborium::value::Value as Cbor;

use crate::value::{parse_decimal, Value};

/// Deepest accepted nesting.
const MAX_CBOR_DEPTH: usize = 128;

/// A CBOR decoding error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CborError(pub String);

/// Decodes a diet-CBOR request buffer into a map.
pub fn parse_diet(data: &[u8]) -> Result<Value, CborError> {
    let wrap = data.is_empty() || (data.len() > 1 && data[0] >> 5 != 5);
    let buf;
    let bytes = if wrap {
        let mut b = Vec::with_capacity(data.len() + 2);
        b.push(0xbf);
        b.extend_from_slice(data);
        b.push(0xff);
        buf = b;
        &buf[..]
    } else {
        data
    };
    match decode(bytes)? {
        v @ Value::Map(_) => Ok(v),
        other => Err(CborError(format!("diet CBOR must be a map, got {}", other.type_name()))),
    }
}

/// Decodes one standard CBOR item (empty input is `null`).
pub fn parse_standard(data: &[u8]) -> Result<Value, CborError> {
    if data.is_empty() {
        return Ok(Value::Null);
    }
    decode(data)
}

fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    let mut rest = bytes;
    let item: Cbor = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_CBOR_DEPTH)
        .map_err(|e| CborError(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CborError(format!("{} trailing bytes", rest.len())));
    }
    convert(item)
}

fn bignum(bytes: &[u8], negative: bool) -> Value {
    let n = BigInt::from_bytes_be(Sign::Plus, bytes);
    Value::Integer(if negative { -n - 1 } else { n })
}

fn convert(item: Cbor) -> Result<Value, CborError> {
    Ok(match item {
        Cbor::Integer(i) => Value::Integer(i128::from(i).into()),
        Cbor::Bytes(b) => Value::Bytes(b.into()),
        Cbor::Float(f) => {
            if !f.is_finite() {
                return Err(CborError(format!("unsupported float {f}")));
            }
            // Shortest round-trip text, then exact decimal: the float never reaches arithmetic.
            parse_decimal(&format!("{f:e}")).ok_or_else(|| CborError(format!("float {f} out of range")))?
        }
        Cbor::Text(s) => Value::String(s),
        Cbor::Bool(b) => Value::Bool(b),
        Cbor::Null => Value::Null,
        Cbor::Tag(tag @ (2 | 3), inner) => match *inner {
            Cbor::Bytes(b) => bignum(&b, tag == 3),
            _ => return Err(CborError(format!("bignum tag {tag} must wrap a byte string"))),
        },
        Cbor::Tag(_, inner) => convert(*inner)?,
        Cbor::Array(a) => Value::Array(a.into_iter().map(convert).collect::<Result<_, _>>()?),
        Cbor::Map(entries) => {
            let mut m = BTreeMap::new();
            for (k, v) in entries {
                let key = match k {
                    Cbor::Text(s) => s,
                    Cbor::Integer(i) => i128::from(i).to_string(),
                    other => return Err(CborError(format!("unsupported map key {other:?}"))),
                };
                m.insert(key, convert(v)?);
            }
            Value::Map(m)
        }
        other => return Err(CborError(format!("unsupported CBOR item {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Vec<u8> {
        let mut v = vec![0x60 | s.len() as u8];
        v.extend_from_slice(s.as_bytes());
        v
    }

    #[test]
    fn diet_buffer_as_chainlink_client_writes_it() {
        // "get": "u", "times": 100, "neg": -5, "big": bignum(2^64), "arr": ["a"] (indefinite)
        let mut b = text("get");
        b.extend(text("u"));
        b.extend(text("times"));
        b.extend([0x18, 100]);
        b.extend(text("neg"));
        b.push(0x24);
        b.extend(text("big"));
        b.push(0xc2);
        b.push(0x58);
        b.push(32);
        let mut word = [0u8; 32];
        word[23] = 1;
        b.extend(word);
        b.extend(text("arr"));
        b.push(0x9f);
        b.extend(text("a"));
        b.push(0xff);
        let v = parse_diet(&b).unwrap();
        assert_eq!(v.get_key("get"), Some(&Value::from("u")));
        assert_eq!(v.get_key("times"), Some(&Value::Integer(100.into())));
        assert_eq!(v.get_key("neg"), Some(&Value::Integer((-5).into())));
        assert_eq!(v.get_key("big").unwrap().to_string(), "18446744073709551616");
        assert_eq!(v.get_key("arr"), Some(&Value::Array(vec!["a".into()])));
    }

    #[test]
    fn negative_bignum_and_modes() {
        let v = parse_standard(&[0xc3, 0x41, 0x01]).unwrap();
        assert_eq!(v, Value::Integer((-2).into()));
        assert_eq!(parse_standard(&[]).unwrap(), Value::Null);
        assert_eq!(parse_diet(&[]).unwrap(), Value::Map(BTreeMap::new()));
        // Already a map: not wrapped.
        assert_eq!(parse_diet(&[0xa1, 0x61, b'a', 0x01]).unwrap().get_key("a"), Some(&Value::Integer(1.into())));
        assert_eq!(parse_standard(&[0xf9, 0x3e, 0x00]).unwrap().to_string(), "1.5");
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert!(parse_diet(&[0x63, b'a']).is_err());
        assert!(parse_standard(&[0x01, 0x02]).is_err());
        assert!(parse_diet(&[0x01]).is_err());
        assert!(parse_standard(&[0xc2, 0x01]).is_err());
        assert!(parse_standard(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
    }
}
