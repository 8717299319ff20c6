//! `jsonparse`: parses `data` (a JSON string or bytes; default: the first input) and returns the
//! value at `path`, a `separator`-delimited key path (default `,`) or an array of keys.
//! Array indexes may be negative (from the end). With `lax=true` a missing path yields `null`.

use async_trait::async_trait;

use super::{context::coerce, validate_bool, AttrError, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value, vars::parse_json};

pub(crate) const KIND: TaskKind = TaskKind {
    name: "jsonparse",
    required: &[],
    validate: |spec| {
        validate_bool(spec, "lax")?;
        match spec.attr("separator") {
            Some(a) if a.template.is_literal() && a.raw().is_empty() => {
                Err(AttrError::new("separator", "must not be empty"))
            }
            _ => Ok(()),
        }
    },
    build: |_, _| Ok(Box::new(JsonParse)),
};

struct JsonParse;

/// Splits the `path` parameter into keys.
pub(crate) fn path_keys(path: Option<Value>, separator: &str) -> Result<Vec<String>, TaskError> {
    match path {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(|k| coerce("path", k.as_string())).collect(),
        Some(other) => {
            let s = coerce("path", other.as_string())?;
            if s.trim().is_empty() {
                Ok(Vec::new())
            } else {
                Ok(s.split(separator).map(str::to_owned).collect())
            }
        }
    }
}

/// Follows `keys` into `doc`. `Ok(None)` if the path does not exist.
pub(crate) fn extract<'a>(doc: &'a Value, keys: &[String]) -> Result<Option<&'a Value>, TaskError> {
    let mut cur = doc;
    for key in keys {
        cur = match cur {
            Value::Map(m) => match m.get(key) {
                Some(v) => v,
                None => return Ok(None),
            },
            Value::Array(a) => {
                let Ok(i) = key.trim().parse::<i64>() else { return Ok(None) };
                let idx = if i < 0 { a.len() as i64 + i } else { i };
                match usize::try_from(idx).ok().and_then(|i| a.get(i)) {
                    Some(v) => v,
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
    }
    Ok(Some(cur))
}

#[async_trait]
impl Task for JsonParse {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let data = cx.param_or_input("data")?;
        let doc = match &data {
            Value::String(s) => parse_json(s).map_err(|e| TaskError::Json { message: e.to_string() })?,
            Value::Bytes(b) => {
                let s = std::str::from_utf8(b).map_err(|_| TaskError::Json { message: "data is not UTF-8".into() })?;
                parse_json(s).map_err(|e| TaskError::Json { message: e.to_string() })?
            }
            // Already structured (e.g. a map from an upstream task): use as is.
            Value::Map(_) | Value::Array(_) => data.clone(),
            other => {
                return Err(TaskError::invalid("data", format!("expected a JSON string, got {}", other.type_name())))
            }
        };
        let separator = match cx.spec.attr("separator") {
            Some(a) if !a.raw().is_empty() => coerce("separator", cx.vars.render(&a.template)?.as_string())?,
            _ => ",".to_owned(),
        };
        if separator.is_empty() {
            return Err(TaskError::invalid("separator", "must not be empty"));
        }
        let keys = path_keys(cx.param("path")?, &separator)?;
        let lax = cx.bool_param("lax", false)?;
        match extract(&doc, &keys)? {
            Some(v) => Ok(v.clone()),
            None if lax => Ok(Value::Null),
            None => Err(TaskError::PathNotFound { path: keys.join(",") }),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn path_forms() {
        assert_eq!(path_keys(Some("a,b".into()), ",").unwrap(), ["a", "b"]);
        assert_eq!(path_keys(Some("a.b".into()), ".").unwrap(), ["a", "b"]);
        assert_eq!(path_keys(Some(Value::Array(vec!["x".into(), "0".into()])), ",").unwrap(), ["x", "0"]);
        assert!(path_keys(Some("".into()), ",").unwrap().is_empty());
        assert!(path_keys(None, ",").unwrap().is_empty());
    }

    proptest! {
        #[test]
        fn extract_never_panics(doc in ".{0,60}", path in prop::collection::vec("-?[0-9a-z]{0,3}|-9223372036854775808", 0..5)) {
            if let Ok(v) = parse_json(&doc) {
                let _ = extract(&v, &path);
            }
            let nested = parse_json(r#"{"a":[1,{"b":[true,null]}],"0":"zero"}"#).unwrap();
            let _ = extract(&nested, &path);
        }
    }
}
