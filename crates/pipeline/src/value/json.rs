//! Conversions between [`Value`] and `serde_json`.
//!
//! Two forms exist:
//! - the *plain* form (`to_plain_json`/`from_plain_json`) is what Chainlink shows and what HTTP
//!   bodies carry: bytes, hashes and addresses become `0x` strings;
//! - the *typed* form (`to_json`/`from_json`, also used by `Serialize`/`Deserialize`) is lossless
//!   and is what gets persisted: bytes, bytes32 and addresses are one-key objects
//!   `{"$bytes": "0x.."}`, `{"$bytes32": "0x.."}`, `{"$address": "0x.."}`, and a real map whose
//!   only key starts with `$` is wrapped as `{"$map": {...}}`. Numbers are exact JSON numbers
//!   (serde_json's `arbitrary_precision` is on).

use std::{collections::BTreeMap, str::FromStr};

use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number};

use super::{number, Value};

const TAG_BYTES: &str = "$bytes";
const TAG_BYTES32: &str = "$bytes32";
const TAG_ADDRESS: &str = "$address";
const TAG_MAP: &str = "$map";

/// Error converting JSON into a [`Value`].
#[derive(Debug, thiserror::Error)]
#[error("invalid value JSON: {0}")]
pub struct ValueJsonError(String);

fn number_to_json(text: &str) -> serde_json::Value {
    // Always valid: our numbers print as JSON number literals.
    Number::from_str(text).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)
}

fn number_from_json(n: &Number) -> Result<Value, ValueJsonError> {
    number::parse_decimal(&n.to_string()).ok_or_else(|| ValueJsonError(format!("number {n} out of range")))
}

impl Value {
    /// Plain JSON, as Chainlink shows task outputs and as HTTP request bodies carry them.
    pub fn to_plain_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Integer(i) => number_to_json(&i.to_string()),
            Value::Decimal(d) => number_to_json(&number::plain(d)),
            Value::Bytes(_) | Value::Address(_) | Value::Bytes32(_) => {
                serde_json::Value::String(self.to_interpolated_string())
            }
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Value::to_plain_json).collect()),
            Value::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_plain_json())).collect()),
        }
    }

    /// Reads plain JSON: numbers become integers or decimals, everything else maps directly.
    pub fn from_plain_json(json: &serde_json::Value) -> Result<Value, ValueJsonError> {
        Ok(match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Number(n) => number_from_json(n)?,
            serde_json::Value::Array(a) => {
                Value::Array(a.iter().map(Value::from_plain_json).collect::<Result<_, _>>()?)
            }
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| Ok((k.clone(), Value::from_plain_json(v)?)))
                    .collect::<Result<_, ValueJsonError>>()?,
            ),
        })
    }

    /// Lossless typed JSON, for persistence (see the module docs for the format).
    pub fn to_json(&self) -> serde_json::Value {
        let tagged = |tag: &str, v: serde_json::Value| {
            let mut m = Map::new();
            m.insert(tag.to_owned(), v);
            serde_json::Value::Object(m)
        };
        match self {
            Value::Bytes(_) => tagged(TAG_BYTES, self.to_interpolated_string().into()),
            Value::Bytes32(_) => tagged(TAG_BYTES32, self.to_interpolated_string().into()),
            Value::Address(a) => tagged(TAG_ADDRESS, a.to_string().into()),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Value::to_json).collect()),
            Value::Map(m) => {
                let obj: Map<String, serde_json::Value> = m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
                if m.len() == 1 && m.keys().all(|k| k.starts_with('$')) {
                    tagged(TAG_MAP, serde_json::Value::Object(obj))
                } else {
                    serde_json::Value::Object(obj)
                }
            }
            _ => self.to_plain_json(),
        }
    }

    /// Reads the typed JSON written by [`Value::to_json`].
    pub fn from_json(json: &serde_json::Value) -> Result<Value, ValueJsonError> {
        Ok(match json {
            serde_json::Value::Array(a) => Value::Array(a.iter().map(Value::from_json).collect::<Result<_, _>>()?),
            serde_json::Value::Object(o) => {
                if o.len() == 1 {
                    let (k, v) = o.iter().next().expect("one entry");
                    if k.starts_with('$') {
                        return tagged_from_json(k, v);
                    }
                }
                Value::Map(map_from_json(o)?)
            }
            other => Value::from_plain_json(other)?,
        })
    }
}

fn map_from_json(o: &Map<String, serde_json::Value>) -> Result<BTreeMap<String, Value>, ValueJsonError> {
    o.iter().map(|(k, v)| Ok((k.clone(), Value::from_json(v)?))).collect()
}

fn tagged_from_json(tag: &str, v: &serde_json::Value) -> Result<Value, ValueJsonError> {
    let hex_str = || v.as_str().ok_or_else(|| ValueJsonError(format!("{tag} must hold a hex string")));
    let bad = |e: &dyn std::fmt::Display| ValueJsonError(format!("{tag}: {e}"));
    Ok(match tag {
        TAG_BYTES => Value::Bytes(alloy::primitives::Bytes::from_str(hex_str()?).map_err(|e| bad(&e))?),
        TAG_BYTES32 => Value::Bytes32(alloy::primitives::B256::from_str(hex_str()?).map_err(|e| bad(&e))?),
        TAG_ADDRESS => Value::Address(alloy::primitives::Address::from_str(hex_str()?).map_err(|e| bad(&e))?),
        TAG_MAP => match v {
            serde_json::Value::Object(o) => Value::Map(map_from_json(o)?),
            _ => return Err(ValueJsonError("$map must hold an object".into())),
        },
        other => return Err(ValueJsonError(format!("unknown tag {other}"))),
    })
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = serde_json::Value::deserialize(deserializer)?;
        Value::from_json(&json).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{address, b256, Bytes};
    use bigdecimal::BigDecimal;

    fn sample() -> Value {
        let mut m = BTreeMap::new();
        m.insert(
            "big".into(),
            Value::Integer(
                "115792089237316195423570985008687907853269984665640564039457584007913129639935".parse().unwrap(),
            ),
        );
        m.insert("dec".into(), Value::Decimal(BigDecimal::from_str("-1234.000000000000000000001").unwrap()));
        m.insert("b".into(), Value::Bytes(Bytes::from_static(&[1, 2, 3])));
        m.insert("a".into(), Value::Address(address!("0x00000000000000000000000000000000000000ff")));
        m.insert(
            "w".into(),
            Value::Bytes32(b256!("0x0000000000000000000000000000000000000000000000000000000000000001")),
        );
        m.insert("arr".into(), Value::Array(vec![Value::Null, Value::Bool(true), "x".into()]));
        let mut tricky = BTreeMap::new();
        tricky.insert("$bytes".to_owned(), Value::from("not bytes"));
        m.insert("tricky".into(), Value::Map(tricky));
        Value::Map(m)
    }

    #[test]
    fn typed_json_round_trips_exactly() {
        let v = sample();
        let text = serde_json::to_string(&v).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
        assert!(text.contains("115792089237316195423570985008687907853269984665640564039457584007913129639935"));
    }

    #[test]
    fn plain_json_shows_hex_and_exact_numbers() {
        let plain = sample().to_plain_json();
        assert_eq!(plain["b"], "0x010203");
        assert_eq!(plain["dec"].to_string(), "-1234.000000000000000000001");
        assert_eq!(plain["a"].as_str().unwrap().to_lowercase(), "0x00000000000000000000000000000000000000ff");
    }
}
