//! The "best effort" conversions Chainlink task parameters accept
//! (a number may arrive as a number, a numeric string or numeric bytes, and so on).

use std::str::FromStr;

use alloy::primitives::{Address, Bytes, B256};
use bigdecimal::{num_bigint::BigInt, BigDecimal, ToPrimitive};

use super::{number, Value};

/// A value could not be converted into the type a parameter needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, got {found}")]
pub struct CoerceError {
    /// What the parameter needs.
    pub expected: &'static str,
    /// A short description of what was given.
    pub found: String,
}

impl CoerceError {
    fn new(expected: &'static str, v: &Value) -> Self {
        let mut found = format!("{} {}", v.type_name(), v.to_interpolated_string());
        if found.len() > 80 {
            let mut cut = 77;
            while !found.is_char_boundary(cut) {
                cut -= 1;
            }
            found.truncate(cut);
            found.push_str("...");
        }
        Self { expected, found }
    }
}

fn hex_body(s: &str) -> Option<&str> {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
}

impl Value {
    /// A decimal from a number, a numeric string or UTF-8 numeric bytes.
    pub fn as_decimal(&self) -> Result<BigDecimal, CoerceError> {
        match self {
            Value::Integer(i) => Ok(number::int_to_decimal(i)),
            Value::Decimal(d) => Ok(d.clone()),
            Value::String(s) => match number::parse_decimal(s) {
                Some(Value::Integer(i)) => Ok(number::int_to_decimal(&i)),
                Some(Value::Decimal(d)) => Ok(d),
                _ => Err(CoerceError::new("a number", self)),
            },
            Value::Bytes(b) => match std::str::from_utf8(b) {
                Ok(s) => Value::String(s.to_owned()).as_decimal().map_err(|_| CoerceError::new("a number", self)),
                Err(_) => Err(CoerceError::new("a number", self)),
            },
            _ => Err(CoerceError::new("a number", self)),
        }
    }

    /// An integer. Decimals are truncated toward zero, as Chainlink's `decimal.BigInt()` does.
    pub fn as_integer(&self) -> Result<BigInt, CoerceError> {
        match self {
            Value::Integer(i) => Ok(i.clone()),
            Value::Bool(_) | Value::Null | Value::Array(_) | Value::Map(_) | Value::Address(_) => {
                Err(CoerceError::new("an integer", self))
            }
            Value::Bytes32(b) => Ok(BigInt::from_bytes_be(bigdecimal::num_bigint::Sign::Plus, b.as_slice())),
            _ => {
                let d = self.as_decimal().map_err(|_| CoerceError::new("an integer", self))?;
                Ok(d.with_scale_round(0, bigdecimal::RoundingMode::Down).into_bigint_and_scale().0)
            }
        }
    }

    /// An `i64` (for counts, indexes, precisions).
    pub fn as_i64(&self) -> Result<i64, CoerceError> {
        self.as_integer()?.to_i64().ok_or_else(|| CoerceError::new("a 64-bit integer", self))
    }

    /// A `u64` (for gas limits, confirmations, chain ids).
    pub fn as_u64(&self) -> Result<u64, CoerceError> {
        self.as_integer()?.to_u64().ok_or_else(|| CoerceError::new("an unsigned 64-bit integer", self))
    }

    /// A boolean from a bool or the strings `true`/`false` (any case).
    pub fn as_bool(&self) -> Result<bool, CoerceError> {
        match self {
            Value::Bool(b) => Ok(*b),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(CoerceError::new("a boolean", self)),
            },
            _ => Err(CoerceError::new("a boolean", self)),
        }
    }

    /// A string: strings as-is, bytes as UTF-8, scalars in their interpolated form.
    pub fn as_string(&self) -> Result<String, CoerceError> {
        match self {
            Value::String(s) => Ok(s.clone()),
            Value::Bytes(b) => String::from_utf8(b.to_vec()).map_err(|_| CoerceError::new("a UTF-8 string", self)),
            Value::Null | Value::Array(_) | Value::Map(_) => Err(CoerceError::new("a string", self)),
            other => Ok(other.to_interpolated_string()),
        }
    }

    /// Bytes: bytes as-is, `0x` strings hex-decoded, other strings as UTF-8, words and addresses raw.
    pub fn as_bytes(&self) -> Result<Bytes, CoerceError> {
        match self {
            Value::Bytes(b) => Ok(b.clone()),
            Value::Bytes32(b) => Ok(Bytes::copy_from_slice(b.as_slice())),
            Value::Address(a) => Ok(Bytes::copy_from_slice(a.as_slice())),
            Value::String(s) => match hex_body(s) {
                Some(h) => hex::decode(h).map(Bytes::from).map_err(|_| CoerceError::new("hex bytes", self)),
                None => Ok(Bytes::copy_from_slice(s.as_bytes())),
            },
            _ => Err(CoerceError::new("bytes", self)),
        }
    }

    /// A 32-byte word from bytes32, 32 raw bytes or a `0x` hex string of 32 bytes.
    pub fn as_bytes32(&self) -> Result<B256, CoerceError> {
        match self {
            Value::Bytes32(b) => Ok(*b),
            Value::Bytes(b) if b.len() == 32 => Ok(B256::from_slice(b)),
            Value::String(s) if hex_body(s).is_some() => {
                B256::from_str(s.trim()).map_err(|_| CoerceError::new("bytes32", self))
            }
            _ => Err(CoerceError::new("bytes32", self)),
        }
    }

    /// An address from an address, 20 raw bytes or a `0x` hex string.
    pub fn as_address(&self) -> Result<Address, CoerceError> {
        match self {
            Value::Address(a) => Ok(*a),
            Value::Bytes(b) if b.len() == 20 => Ok(Address::from_slice(b)),
            Value::Bytes32(b) if b[..12].iter().all(|x| *x == 0) => Ok(Address::from_slice(&b[12..])),
            Value::String(s) => Address::from_str(s.trim()).map_err(|_| CoerceError::new("an address", self)),
            _ => Err(CoerceError::new("an address", self)),
        }
    }

    /// The elements of an array.
    pub fn as_array(&self) -> Result<&[Value], CoerceError> {
        match self {
            Value::Array(a) => Ok(a),
            _ => Err(CoerceError::new("an array", self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_many_shapes() {
        assert_eq!(Value::from("10").as_decimal().unwrap(), BigDecimal::from(10));
        assert_eq!(Value::from(b"12.5".to_vec()).as_decimal().unwrap(), BigDecimal::from_str("12.5").unwrap());
        assert_eq!(Value::from("1234.99").as_integer().unwrap(), BigInt::from(1234));
        assert_eq!(Value::from("-1.9").as_integer().unwrap(), BigInt::from(-1));
        assert!(Value::from("ten").as_decimal().is_err());
        assert!(Value::Bool(true).as_integer().is_err());
    }

    #[test]
    fn bytes_and_addresses() {
        assert_eq!(Value::from("0x0102").as_bytes().unwrap().as_ref(), &[1, 2]);
        assert_eq!(Value::from("hi").as_bytes().unwrap().as_ref(), b"hi");
        assert!(Value::from("0xzz").as_bytes().is_err());
        let a = Value::from("0x00000000000000000000000000000000000000ff").as_address().unwrap();
        assert_eq!(a.as_slice()[19], 0xff);
        assert!(Value::from("0x1234").as_address().is_err());
        assert_eq!(Value::from("TRUE").as_bool(), Ok(true));
    }
}
