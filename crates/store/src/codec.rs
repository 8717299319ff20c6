//! Conversions between API values and their stored form, with validation both ways.

use crate::{Error, Result};
use std::time::{SystemTime, UNIX_EPOCH};

/// Current time as unix millis, the unit of every stored timestamp.
pub(crate) fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

/// JSON is stored as TEXT so both backends hold the exact same bytes.
pub(crate) fn json_to_text(value: &serde_json::Value) -> String {
    value.to_string()
}

pub(crate) fn json_from_text(text: &str, what: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| Error::corrupt(format!("{what}: invalid JSON: {e}")))
}

pub(crate) fn opt_json_from_text(text: Option<&str>, what: &str) -> Result<Option<serde_json::Value>> {
    text.map(|t| json_from_text(t, what)).transpose()
}

/// Both backends store integers as signed 64-bit; a u64 above i64::MAX is refused, not wrapped.
pub(crate) fn u64_to_i64(value: u64, what: &str) -> Result<i64> {
    i64::try_from(value).map_err(|_| Error::invalid(format!("{what} {value} exceeds i64::MAX")))
}

pub(crate) fn i64_to_u64(value: i64, what: &str) -> Result<u64> {
    u64::try_from(value).map_err(|_| Error::corrupt(format!("{what} is negative: {value}")))
}

/// Validates a 0x-prefixed hex string of `bytes` bytes and returns it lowercased.
pub(crate) fn hex_fixed(value: &str, bytes: usize, what: &str) -> Result<String> {
    let digits = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
        .ok_or_else(|| Error::invalid(format!("{what} {value:?} must start with 0x")))?;
    if digits.len() != bytes * 2 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::invalid(format!("{what} {value:?} must be 0x + {} hex digits", bytes * 2)));
    }
    Ok(format!("0x{}", digits.to_ascii_lowercase()))
}

/// An EVM address, normalized to lowercase so lookups do not depend on checksum casing.
pub(crate) fn address(value: &str, what: &str) -> Result<String> {
    hex_fixed(value, 20, what)
}

/// A 32-byte hash (tx or block), normalized to lowercase.
pub(crate) fn hash32(value: &str, what: &str) -> Result<String> {
    hex_fixed(value, 32, what)
}

/// `2^256 - 1` in decimal.
const U256_MAX_DECIMAL: &str = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

/// A U256 amount as a canonical decimal string: digits only, no sign, at most `2^256 - 1`, and
/// leading zeros dropped (so `"01"` and `"1"` are one key, as they are one number).
pub(crate) fn decimal_u256(value: &str, what: &str) -> Result<String> {
    let invalid = || Error::invalid(format!("{what} {value:?} must be a decimal U256"));
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let digits = value.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    // Same length: decimal strings compare as numbers.
    if digits.len() > U256_MAX_DECIMAL.len() || (digits.len() == U256_MAX_DECIMAL.len() && digits > U256_MAX_DECIMAL) {
        return Err(invalid());
    }
    Ok(digits.to_owned())
}

/// Text-encoded enums (run status, tx state).
pub(crate) trait TextEnum: Sized + Copy + 'static {
    /// Name used in error messages.
    const NAME: &'static str;
    /// Every variant, used for decoding.
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;

    fn from_text(text: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == text)
            .ok_or_else(|| Error::corrupt(format!("unknown {} {text:?}", Self::NAME)))
    }
}

/// `$first, $first+1, ...` placeholders for an `IN (...)` list; both backends accept `$N`.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_is_lowercased_and_validated() {
        let a = address("0xAbCdEf0123456789abcdef0123456789ABCDEF01", "from").unwrap();
        assert_eq!(a, "0xabcdef0123456789abcdef0123456789abcdef01");
        assert!(matches!(address("0x1234", "from"), Err(Error::Invalid { .. })));
        assert!(matches!(address("abcdef0123456789abcdef0123456789abcdef01", "from"), Err(Error::Invalid { .. })));
        assert!(matches!(address("0xzzcdef0123456789abcdef0123456789abcdef01", "from"), Err(Error::Invalid { .. })));
    }

    #[test]
    fn decimal_amounts() {
        assert_eq!(decimal_u256("0", "v").unwrap(), "0");
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        assert_eq!(decimal_u256(max, "v").unwrap(), max);
        assert_eq!(decimal_u256("000", "v").unwrap(), "0");
        assert_eq!(decimal_u256("0042", "v").unwrap(), "42", "leading zeros dropped");
        assert_eq!(decimal_u256(&format!("00{max}"), "v").unwrap(), max);
        let above = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
        for bad in ["", "-1", "1.5", "0x10", " 1", "1e18", &"9".repeat(79), &"9".repeat(78), above] {
            assert!(matches!(decimal_u256(bad, "v"), Err(Error::Invalid { .. })), "{bad:?}");
        }
    }

    #[test]
    fn integer_ranges() {
        assert_eq!(u64_to_i64(5, "x").unwrap(), 5);
        assert!(matches!(u64_to_i64(u64::MAX, "x"), Err(Error::Invalid { .. })));
        assert!(matches!(i64_to_u64(-1, "x"), Err(Error::Corrupt { .. })));
    }

    #[test]
    fn placeholder_lists() {
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
        assert_eq!(placeholders(1, 1), "$1");
    }
}
