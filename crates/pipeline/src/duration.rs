//! Go-style durations (`"10s"`, `"1m30s"`, `"1.5h"`, `"300ms"`, `"0s"`), the format Chainlink
//! job specs use for `maxTaskDuration` and task `timeout`.

use std::time::Duration;

/// Parses a Go `time.ParseDuration` string. Negative durations are rejected.
pub fn parse_go_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err("empty duration".into());
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.starts_with('-') {
        return Err(format!("negative duration `{s}`"));
    }
    let mut total: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!("invalid duration `{s}`"));
        }
        let (num, tail) = rest.split_at(num_len);
        let unit_len = tail.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let nanos_per: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("missing unit in duration `{s}`")),
            other => return Err(format!("unknown unit `{other}` in duration `{s}`")),
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
            return Err(format!("invalid duration `{s}`"));
        }
        let int_v: u128 =
            if int.is_empty() { 0 } else { int.parse().map_err(|_| format!("invalid duration `{s}`"))? };
        let mut v = int_v.checked_mul(nanos_per).ok_or_else(|| format!("duration `{s}` overflows"))?;
        // Fractional part, exact to the nanosecond (extra digits are truncated, as Go does).
        let mut scale = nanos_per;
        for d in frac.chars().take(30) {
            scale /= 10;
            v += u128::from(d.to_digit(10).ok_or_else(|| format!("invalid duration `{s}`"))?) * scale;
        }
        total = total.checked_add(v).ok_or_else(|| format!("duration `{s}` overflows"))?;
        rest = tail;
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| format!("duration `{s}` overflows"))?;
    Ok(Duration::new(secs, (total % 1_000_000_000) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_go_duration("0s").unwrap(), Duration::ZERO);
        assert_eq!(parse_go_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_go_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_go_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_go_duration("1.5h").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_go_duration("300ms").unwrap(), Duration::from_millis(300));
        assert_eq!(parse_go_duration("2us").unwrap(), Duration::from_micros(2));
        for bad in ["", "10", "s", "-1s", "1x", "1..2s", "1.s.", "99999999999999999999999h"] {
            assert!(parse_go_duration(bad).is_err(), "{bad}");
        }
    }
}
