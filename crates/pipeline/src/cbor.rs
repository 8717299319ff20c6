//! CBOR decoding into [`Value`]s, in Chainlink's two modes.
//!
//! - *diet* (the `ChainlinkClient` request buffer): key/value pairs with no map header. The
//!   buffer is wrapped in `0xBF … 0xFF` (an indefinite map) unless it is a single byte or
//!   already starts with a map header; the result must be a map. Empty input gives an empty map.
//! - *standard*: one CBOR item of any type; empty input gives `null`.
//!
//! Bignums (tags 2 and 3) become integers of any size; floats become exact decimals of their
//! shortest representation; other tags are transparent.
//!
//! The decoder is written for untrusted input: nesting (arrays, maps, tags) is limited, lengths
//! are checked against the bytes actually present before anything is allocated, and every
//! malformation is a [`CborError`].

use std::collections::BTreeMap;

use bigdecimal::num_bigint::{BigInt, Sign};

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
    let mut d = Decoder { b: bytes, i: 0 };
    let v = d.item(0)?;
    if d.i != bytes.len() {
        return Err(CborError(format!("{} trailing bytes", bytes.len() - d.i)));
    }
    Ok(v)
}

/// One data item head (RFC 8949 §3). Lengths are `None` for indefinite-length items.
enum Head {
    Unsigned(u64),
    Negative(u64),
    Bytes(Option<u64>),
    Text(Option<u64>),
    Array(Option<u64>),
    Map(Option<u64>),
    Tag(u64),
    Simple(u8),
    Float(f64),
    Break,
}

/// The `BREAK` stop code ending an indefinite-length item.
const BREAK: u8 = 0xff;

struct Decoder<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Decoder<'a> {
    fn err<T>(&self, message: impl std::fmt::Display) -> Result<T, CborError> {
        Err(CborError(format!("{message} at byte {}", self.i)))
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], CborError> {
        let rest = self.b.len() - self.i;
        match usize::try_from(n) {
            Ok(n) if n <= rest => {
                let s = &self.b[self.i..self.i + n];
                self.i += n;
                Ok(s)
            }
            _ => self.err(format!("length {n} exceeds the {rest} remaining bytes")),
        }
    }

    fn uint(&mut self, n: usize) -> Result<u64, CborError> {
        Ok(self.take(n as u64)?.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn head(&mut self) -> Result<Head, CborError> {
        let initial = self.take(1)?[0];
        let (major, info) = (initial >> 5, initial & 0x1f);
        let arg = match info {
            0..=23 => Some(u64::from(info)),
            24 => Some(self.uint(1)?),
            25 => Some(self.uint(2)?),
            26 => Some(self.uint(4)?),
            27 => Some(self.uint(8)?),
            31 => None,
            _ => return self.err(format!("reserved additional information {info}")),
        };
        let definite = |d: &Self| arg.map_or_else(|| d.err("indefinite length not allowed here"), Ok);
        Ok(match major {
            0 => Head::Unsigned(definite(self)?),
            1 => Head::Negative(definite(self)?),
            2 => Head::Bytes(arg),
            3 => Head::Text(arg),
            4 => Head::Array(arg),
            5 => Head::Map(arg),
            6 => Head::Tag(definite(self)?),
            _ => match (info, arg) {
                (31, _) => Head::Break,
                (25, Some(h)) => Head::Float(f16_to_f64(h as u16)),
                (26, Some(f)) => Head::Float(f64::from(f32::from_bits(f as u32))),
                (27, Some(f)) => Head::Float(f64::from_bits(f)),
                // Simple values below 32 have only the one-byte form (RFC 8949 §3.3).
                (24, Some(simple)) if simple < 32 => return self.err("simple value in a two-byte form"),
                (_, Some(simple)) => Head::Simple(simple as u8),
                (_, None) => unreachable!("info 31 is handled above"),
            },
        })
    }

    fn at_break(&mut self) -> bool {
        if self.b.get(self.i) == Some(&BREAK) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// The content of a byte or text string; an indefinite one is the concatenation of its
    /// definite chunks of the same major type.
    fn chunks(&mut self, len: Option<u64>, text: bool) -> Result<Vec<u8>, CborError> {
        let Some(len) = len else {
            let mut out = Vec::new();
            while !self.at_break() {
                let chunk = match (self.head()?, text) {
                    (Head::Bytes(Some(n)), false) | (Head::Text(Some(n)), true) => self.take(n)?,
                    _ => return self.err("invalid chunk in an indefinite-length string"),
                };
                if text && std::str::from_utf8(chunk).is_err() {
                    return self.err("invalid UTF-8 in a text chunk");
                }
                out.extend_from_slice(chunk);
            }
            return Ok(out);
        };
        Ok(self.take(len)?.to_vec())
    }

    fn text(&mut self, len: Option<u64>) -> Result<String, CborError> {
        let bytes = self.chunks(len, true)?;
        String::from_utf8(bytes).or_else(|_| self.err("invalid UTF-8 in a text string"))
    }

    /// Room for at most `n` items, bounded by the remaining input (each item is at least a byte).
    fn capacity(&self, n: u64) -> usize {
        usize::try_from(n).unwrap_or(usize::MAX).min(self.b.len() - self.i)
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        if depth > MAX_CBOR_DEPTH {
            return self.err(format!("nesting deeper than {MAX_CBOR_DEPTH}"));
        }
        Ok(match self.head()? {
            Head::Unsigned(n) => Value::Integer(n.into()),
            Head::Negative(n) => Value::Integer(-BigInt::from(n) - 1),
            Head::Bytes(len) => Value::Bytes(self.chunks(len, false)?.into()),
            Head::Text(len) => Value::String(self.text(len)?),
            Head::Array(len) => {
                let mut items = Vec::with_capacity(self.capacity(len.unwrap_or(0)));
                match len {
                    Some(n) => {
                        for _ in 0..n {
                            items.push(self.item(depth + 1)?);
                        }
                    }
                    None => {
                        while !self.at_break() {
                            items.push(self.item(depth + 1)?);
                        }
                    }
                }
                Value::Array(items)
            }
            Head::Map(len) => {
                let mut m = BTreeMap::new();
                let mut remaining = len;
                loop {
                    match &mut remaining {
                        Some(0) => break,
                        Some(n) => *n -= 1,
                        None if self.at_break() => break,
                        None => {}
                    }
                    let key = self.key()?;
                    let value = self.item(depth + 1)?;
                    m.insert(key, value);
                }
                Value::Map(m)
            }
            Head::Tag(tag @ (2 | 3)) => match self.head()? {
                Head::Bytes(len) => {
                    let n = BigInt::from_bytes_be(Sign::Plus, &self.chunks(len, false)?);
                    Value::Integer(if tag == 3 { -n - 1 } else { n })
                }
                _ => return self.err(format!("bignum tag {tag} must wrap a byte string")),
            },
            Head::Tag(_) => self.item(depth + 1)?,
            Head::Simple(20) => Value::Bool(false),
            Head::Simple(21) => Value::Bool(true),
            Head::Simple(22 | 23) => Value::Null,
            Head::Simple(other) => return self.err(format!("unsupported simple value {other}")),
            Head::Float(f) if !f.is_finite() => return self.err(format!("unsupported float {f}")),
            // Shortest round-trip text, then exact decimal: the float never reaches arithmetic.
            Head::Float(f) => match parse_decimal(&format!("{f:e}")) {
                Some(v) => v,
                None => return self.err(format!("float {f} out of range")),
            },
            Head::Break => return self.err("unexpected break"),
        })
    }

    /// A map key: text, or an integer (as its decimal text).
    fn key(&mut self) -> Result<String, CborError> {
        match self.head()? {
            Head::Text(len) => self.text(len),
            Head::Unsigned(n) => Ok(n.to_string()),
            Head::Negative(n) => Ok((-i128::from(n) - 1).to_string()),
            _ => self.err("unsupported map key (only text and integers)"),
        }
    }
}

/// IEEE 754 half precision to double (exact).
fn f16_to_f64(h: u16) -> f64 {
    let exp = i32::from((h >> 10) & 0x1f);
    let mant = f64::from(h & 0x3ff);
    let v = match exp {
        0 => mant / 16_777_216.0,
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (mant + 1024.0) * 2f64.powi(exp - 25),
    };
    if h & 0x8000 != 0 {
        -v
    } else {
        v
    }
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
