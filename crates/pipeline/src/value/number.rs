//! Number parsing and formatting with limits, so that untrusted input such as `1e999999999`
//! cannot make a task allocate gigabytes.

use std::str::FromStr;

use bigdecimal::{num_bigint::BigInt, BigDecimal};

use super::Value;

/// Largest accepted decimal exponent (and number of digits) in parsed numbers.
pub const MAX_DECIMAL_EXPONENT: i64 = 1024;

/// Parses a decimal number (`-12`, `3.5`, `1e18`, `0x1f`) into an integer or decimal [`Value`].
///
/// Returns `None` for anything that is not a number or that exceeds [`MAX_DECIMAL_EXPONENT`].
pub fn parse_decimal(text: &str) -> Option<Value> {
    let s = text.trim();
    if s.is_empty() || s.len() > 2 * MAX_DECIMAL_EXPONENT as usize {
        return None;
    }
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return BigInt::parse_bytes(hex.as_bytes(), 16).map(Value::Integer);
    }
    // Only the JSON/Go decimal grammar: optional sign, digits, optional fraction, optional exponent.
    let bytes = s.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let int_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    let mut fractional = false;
    if i < bytes.len() && bytes[i] == b'.' {
        fractional = true;
        i += 1;
        let frac_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    let mut exponent: i64 = 0;
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        fractional = true;
        i += 1;
        let exp_str = &s[i..];
        let exp_digits = exp_str.trim_start_matches(['+', '-']);
        if exp_digits.is_empty()
            || exp_digits.len() > 6
            || !exp_digits.bytes().all(|b| b.is_ascii_digit())
            || exp_str.len() - exp_digits.len() > 1
        {
            return None;
        }
        exponent = exp_str.parse().ok()?;
        i = bytes.len();
    }
    if i != bytes.len() || exponent.abs() > MAX_DECIMAL_EXPONENT {
        return None;
    }
    if !fractional {
        return BigInt::from_str(s.trim_start_matches('+')).ok().map(Value::Integer);
    }
    BigDecimal::from_str(s.trim_start_matches('+')).ok().map(Value::from_decimal)
}

/// Formats a decimal without exponent notation, trailing zeros removed.
pub(crate) fn plain(d: &BigDecimal) -> String {
    let n = d.normalized();
    if n.fractional_digit_count() < 0 {
        // A big integer stored with a negative scale: print all its digits.
        n.with_scale(0).to_plain_string()
    } else {
        n.to_plain_string()
    }
}

/// Converts an integer into a decimal.
pub(crate) fn int_to_decimal(i: &BigInt) -> BigDecimal {
    BigDecimal::new(i.clone(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_integers_decimals_and_hex() {
        assert_eq!(parse_decimal("42"), Some(Value::Integer(42.into())));
        assert_eq!(parse_decimal(" -7 "), Some(Value::Integer((-7).into())));
        assert_eq!(parse_decimal("0x1f"), Some(Value::Integer(31.into())));
        assert_eq!(parse_decimal("1e3"), Some(Value::Integer(1000.into())));
        assert_eq!(parse_decimal("1.50"), Some(Value::Decimal(BigDecimal::from_str("1.5").unwrap())));
        let big = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        assert_eq!(parse_decimal(big).unwrap().to_string(), big);
    }

    #[test]
    fn rejects_garbage_and_huge_exponents() {
        for s in ["", "abc", "1.2.3", "--1", "1e", "1e99999999", ".", "0x", "0xzz", "1 2", "NaN", "inf"] {
            assert_eq!(parse_decimal(s), None, "{s}");
        }
    }

    #[test]
    fn plain_formatting_has_no_exponent() {
        assert_eq!(plain(&BigDecimal::from_str("1E+3").unwrap()), "1000");
        assert_eq!(plain(&BigDecimal::from_str("0.000001").unwrap()), "0.000001");
        assert_eq!(plain(&BigDecimal::from_str("2.500").unwrap()), "2.5");
    }
}
