//! Shared logic of the aggregate tasks (`median`, `mean`, `mode`, `sum`) and of arithmetic.

use bigdecimal::{BigDecimal, RoundingMode, Zero};

use super::{context::coerce, TaskContext};
use crate::{error::TaskError, value::Value};

/// Largest accepted `precision` (decimal places), so a hostile value cannot allocate without bound.
pub(crate) const MAX_PRECISION: i64 = 256;
/// Decimal places kept when a division has no `precision` (as Chainlink's decimal library).
pub(crate) const DEFAULT_DIVISION_PRECISION: i64 = 16;

/// The non-errored values of an aggregate task, after enforcing `allowedFaults`
/// (default `N - 1`, N being the number of values): errored inputs count as faults.
pub(crate) fn collect_values(cx: &TaskContext<'_>) -> Result<Vec<Value>, TaskError> {
    let items = cx.values_or_inputs()?;
    let allowed = match cx.param("allowedFaults")? {
        Some(v) => coerce("allowedFaults", v.as_u64())? as usize,
        None => items.len().saturating_sub(1),
    };
    let faults = items.iter().filter(|i| i.is_err()).count();
    if faults > allowed {
        return Err(TaskError::TooManyFaults { faults, allowed });
    }
    let values: Vec<Value> = items.into_iter().filter_map(Result::ok).collect();
    if values.is_empty() {
        return Err(TaskError::NoValues);
    }
    Ok(values)
}

/// Converts every value to a decimal.
pub(crate) fn decimals(values: &[Value]) -> Result<Vec<BigDecimal>, TaskError> {
    values.iter().map(|v| coerce("values", v.as_decimal())).collect()
}

/// The optional `precision` attribute.
pub(crate) fn precision(cx: &TaskContext<'_>) -> Result<Option<i64>, TaskError> {
    let Some(v) = cx.param("precision")? else { return Ok(None) };
    let p = coerce("precision", v.as_i64())?;
    if p.abs() > MAX_PRECISION {
        return Err(TaskError::invalid("precision", format!("must be within ±{MAX_PRECISION}")));
    }
    Ok(Some(p))
}

/// `a / b` rounded half away from zero to `precision` places (16 if `None`).
pub(crate) fn divide(a: &BigDecimal, b: &BigDecimal, precision: Option<i64>) -> Result<BigDecimal, TaskError> {
    if b.is_zero() {
        return Err(TaskError::Arithmetic { message: "division by zero".into() });
    }
    let places = precision.unwrap_or(DEFAULT_DIVISION_PRECISION);
    Ok((a / b).with_scale_round(places, RoundingMode::HalfUp))
}
