//! The typed pipeline [`Value`] that flows between tasks.
//!
//! Numbers are never floats: integers are [`BigInt`] and fractions are [`BigDecimal`].
//! Ethereum types (address, bytes32, bytes) keep their identity so that ABI encoding
//! downstream does not have to guess.

mod coerce;
mod json;
mod number;

use std::{collections::BTreeMap, fmt};

use alloy::primitives::{Address, Bytes, B256};
use bigdecimal::{num_bigint::BigInt, BigDecimal};

pub use coerce::CoerceError;
pub use json::ValueJsonError;
pub use number::{parse_decimal, MAX_DECIMAL_EXPONENT};

/// A value produced or consumed by a pipeline task.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    /// No value (JSON `null`, CBOR `null`/`undefined`, a lax `jsonparse` miss).
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A UTF-8 string.
    String(String),
    /// Arbitrary bytes (ABI `bytes`, `bytesN` with N != 32, CBOR byte strings).
    Bytes(Bytes),
    /// An integer of any size.
    Integer(BigInt),
    /// A decimal of any size and precision (never a float). Build it with
    /// [`Value::from_decimal`] so integral results become [`Value::Integer`] (persisted JSON
    /// reads an integral number back as an integer).
    Decimal(BigDecimal),
    /// A 20-byte Ethereum address.
    Address(Address),
    /// A 32-byte word (ABI `bytes32`, log topics, hashes).
    Bytes32(B256),
    /// An ordered list.
    Array(Vec<Value>),
    /// A string-keyed map, ordered by key.
    Map(BTreeMap<String, Value>),
}

impl Value {
    /// Builds a number from a decimal: integral values become [`Value::Integer`].
    pub fn from_decimal(d: BigDecimal) -> Self {
        if d.is_integer() {
            let (digits, scale) = d.with_scale(0).into_bigint_and_scale();
            debug_assert_eq!(scale, 0);
            Value::Integer(digits)
        } else {
            Value::Decimal(d.normalized())
        }
    }

    /// A short name of the variant, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Integer(_) => "integer",
            Value::Decimal(_) => "decimal",
            Value::Address(_) => "address",
            Value::Bytes32(_) => "bytes32",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Looks up one key (maps) or index (arrays) in this value.
    pub fn get_key(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m.get(key),
            Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        }
    }

    /// The text used when this value is interpolated inside a larger string.
    ///
    /// Strings are inserted raw; numbers in plain notation; bytes, hashes and addresses
    /// as `0x` hex (addresses checksummed); arrays and maps as JSON; null as `null`.
    pub fn to_interpolated_string(&self) -> String {
        match self {
            Value::String(s) => s.clone(),
            Value::Null => "null".to_owned(),
            Value::Bool(b) => b.to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Decimal(d) => number::plain(d),
            Value::Bytes(b) => b.to_string(),
            Value::Address(a) => a.to_checksum(None),
            Value::Bytes32(b) => b.to_string(),
            Value::Array(_) | Value::Map(_) => self.to_plain_json().to_string(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_interpolated_string())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Integer(i.into())
    }
}
impl From<u64> for Value {
    fn from(i: u64) -> Self {
        Value::Integer(i.into())
    }
}
impl From<BigInt> for Value {
    fn from(i: BigInt) -> Self {
        Value::Integer(i)
    }
}
impl From<BigDecimal> for Value {
    fn from(d: BigDecimal) -> Self {
        Value::from_decimal(d)
    }
}
impl From<Address> for Value {
    fn from(a: Address) -> Self {
        Value::Address(a)
    }
}
impl From<B256> for Value {
    fn from(b: B256) -> Self {
        Value::Bytes32(b)
    }
}
impl From<Bytes> for Value {
    fn from(b: Bytes) -> Self {
        Value::Bytes(b)
    }
}
impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Value::Bytes(b.into())
    }
}
impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Self {
        Value::Array(a)
    }
}
impl From<BTreeMap<String, Value>> for Value {
    fn from(m: BTreeMap<String, Value>) -> Self {
        Value::Map(m)
    }
}
impl From<alloy::primitives::U256> for Value {
    fn from(u: alloy::primitives::U256) -> Self {
        Value::Integer(BigInt::from_bytes_be(bigdecimal::num_bigint::Sign::Plus, &u.to_be_bytes::<32>()))
    }
}
