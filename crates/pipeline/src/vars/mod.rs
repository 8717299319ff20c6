//! Pipeline variables: the values `$(a.b.c)` references resolve against.
//!
//! A run starts with the job-type variables (`jobSpec`, `jobRun`, see [`DirectRequestVars`],
//! [`CronVars`] and [`WebhookVars`]) and
//! gains one root per finished task, named by its id (an errored task is remembered as such, so
//! that a reference to it fails with [`VarError::TaskErrored`]).

mod cron;
mod direct_request;
pub(crate) mod json;
mod template;
mod webhook;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use cron::{CronVars, CRON_VARIABLES};
pub use direct_request::{DirectRequestVars, DIRECT_REQUEST_VARIABLES};
pub use json::{parse_json, JsonSyntaxError, MAX_DEPTH};
pub use template::{Segment, Template, TemplateError, VarPath};
pub use webhook::{WebhookVars, WEBHOOK_VARIABLES};

use crate::{error::TaskError, value::Value};

/// Why a `$(...)` reference did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum VarError {
    /// Nothing exists at this path.
    #[error("variable `$({path})` is not defined")]
    Missing {
        /// The full path as written.
        path: String,
    },
    /// The path goes through a task that errored.
    #[error("variable `$({path})` refers to errored task `{task}`")]
    TaskErrored {
        /// The full path as written.
        path: String,
        /// The errored task.
        task: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Value(Value),
    Errored,
}

/// The variables visible to a task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vars {
    roots: BTreeMap<String, Slot>,
}

impl Vars {
    /// No variables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a root variable (e.g. `jobRun`) to `value`.
    pub fn insert(&mut self, root: impl Into<String>, value: Value) {
        self.roots.insert(root.into(), Slot::Value(value));
    }

    /// Records that the task named `root` errored.
    pub(crate) fn insert_errored(&mut self, root: impl Into<String>) {
        self.roots.insert(root.into(), Slot::Errored);
    }

    /// Records a task result under its id.
    pub(crate) fn insert_result(&mut self, root: &str, result: Result<&Value, &TaskError>) {
        match result {
            Ok(v) => self.insert(root, v.clone()),
            Err(_) => self.insert_errored(root),
        }
    }

    /// True if a root of this name exists (value or errored task).
    pub fn contains_root(&self, root: &str) -> bool {
        self.roots.contains_key(root)
    }

    /// The names of all roots.
    pub fn root_names(&self) -> impl Iterator<Item = &str> {
        self.roots.keys().map(String::as_str)
    }

    /// Resolves a parsed reference. Map keys select entries, numbers select array items.
    pub fn resolve(&self, path: &VarPath) -> Result<&Value, VarError> {
        let missing = || VarError::Missing { path: path.to_string() };
        let mut cur = match self.roots.get(&path.root) {
            Some(Slot::Value(v)) => v,
            Some(Slot::Errored) => {
                return Err(VarError::TaskErrored { path: path.to_string(), task: path.root.clone() })
            }
            None => return Err(missing()),
        };
        for key in &path.keys {
            cur = cur.get_key(key).ok_or_else(missing)?;
        }
        Ok(cur)
    }

    /// Resolves a textual path such as `jobRun.logData`.
    pub fn get(&self, path: &str) -> Result<&Value, VarError> {
        let parsed = VarPath::parse(path).map_err(|_| VarError::Missing { path: path.to_owned() })?;
        self.resolve(&parsed)
    }

    /// Resolves an attribute template: a lone reference keeps its type; otherwise references are
    /// interpolated as text into the surrounding string.
    pub fn render(&self, template: &Template) -> Result<Value, VarError> {
        if let Some(path) = template.single_var() {
            return self.resolve(path).cloned();
        }
        if template.is_literal() {
            return Ok(Value::String(template.raw().to_owned()));
        }
        let mut out = String::new();
        for seg in template.segments() {
            match seg {
                Segment::Text(t) => out.push_str(t),
                Segment::Var(p) => out.push_str(&self.resolve(p)?.to_interpolated_string()),
            }
        }
        Ok(Value::String(out))
    }

    /// Resolves JSON-with-variables (`{ "value": $(multiply) }`). A lone reference keeps its type.
    ///
    /// With `allow_errors`, a reference to an errored task yields `Err` in its place instead of
    /// failing the whole value (aggregate tasks count those as faults).
    pub fn render_json(&self, template: &Template) -> Result<Value, TaskError> {
        if let Some(path) = template.single_var() {
            return Ok(self.resolve(path)?.clone());
        }
        let mut resolve = |p: &VarPath| self.resolve(p).cloned();
        json::parse_json_template(template.raw(), &mut resolve).map_err(|e| match e {
            json::JsonTemplateError::Syntax(e) => TaskError::Json { message: e.to_string() },
            json::JsonTemplateError::Var(e) => TaskError::from(e),
        })
    }

    /// Like [`Vars::render_json`] for a JSON array whose items may reference errored tasks:
    /// returns one `Result` per item (a lone reference to an array expands to its items).
    pub fn render_json_list(&self, template: &Template) -> Result<Vec<Result<Value, VarError>>, TaskError> {
        if let Some(path) = template.single_var() {
            return match self.resolve(path) {
                Ok(Value::Array(items)) => Ok(items.iter().cloned().map(Ok).collect()),
                Ok(other) => Err(TaskError::invalid("values", format!("expected an array, got {}", other.type_name()))),
                Err(e) => Err(e.into()),
            };
        }
        // Errored references become placeholders that are swapped back after parsing.
        let mut faults = Vec::new();
        let mut resolve = |p: &VarPath| match self.resolve(p) {
            Ok(v) => Ok(v.clone()),
            Err(e @ VarError::TaskErrored { .. }) => {
                faults.push(e);
                Ok(Value::Map(BTreeMap::from([(FAULT_KEY.to_owned(), Value::Integer((faults.len() - 1).into()))])))
            }
            Err(e) => Err(e),
        };
        let parsed = json::parse_json_template(template.raw(), &mut resolve).map_err(|e| match e {
            json::JsonTemplateError::Syntax(e) => TaskError::Json { message: e.to_string() },
            json::JsonTemplateError::Var(e) => TaskError::from(e),
        })?;
        let Value::Array(items) = parsed else {
            return Err(TaskError::invalid("values", format!("expected an array, got {}", parsed.type_name())));
        };
        Ok(items
            .into_iter()
            .map(|item| match &item {
                Value::Map(m) if m.len() == 1 => match m.get(FAULT_KEY) {
                    Some(Value::Integer(i)) => {
                        let idx: usize = i.try_into().unwrap_or(usize::MAX);
                        Err(faults.get(idx).cloned().unwrap_or(VarError::Missing { path: "?".into() }))
                    }
                    _ => Ok(item),
                },
                _ => Ok(item),
            })
            .collect())
    }
}

/// Marker key used while rendering a values list; contains a NUL so no real JSON key matches it.
const FAULT_KEY: &str = "\u{0}linkpool-fault";

/// Serializes the value roots as a map of typed JSON (see [`Value::to_json`]); errored-task
/// markers are skipped (they are rebuilt from task results). Lets a caller persist a run's
/// initial variables and resume it later.
impl Serialize for Vars {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let values: BTreeMap<&String, &Value> = self
            .roots
            .iter()
            .filter_map(|(k, s)| match s {
                Slot::Value(v) => Some((k, v)),
                Slot::Errored => None,
            })
            .collect();
        values.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Vars {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<String, Value>::deserialize(deserializer)?.into())
    }
}

impl From<BTreeMap<String, Value>> for Vars {
    fn from(m: BTreeMap<String, Value>) -> Self {
        Self { roots: m.into_iter().map(|(k, v)| (k, Slot::Value(v))).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.insert("n", Value::Integer(5.into()));
        v.insert("m", Value::Map(BTreeMap::from([("list".to_owned(), Value::Array(vec!["a".into(), "b".into()]))])));
        v.insert_errored("bad");
        v
    }

    #[test]
    fn resolves_paths_and_errors() {
        let v = vars();
        assert_eq!(v.get("m.list.1").unwrap(), &Value::from("b"));
        assert!(matches!(v.get("m.nope"), Err(VarError::Missing { .. })));
        assert!(matches!(v.get("nope"), Err(VarError::Missing { .. })));
        assert!(matches!(v.get("bad.x"), Err(VarError::TaskErrored { task, .. }) if task == "bad"));
    }

    #[test]
    fn render_keeps_types_or_interpolates() {
        let v = vars();
        assert_eq!(v.render(&Template::parse("$(n)").unwrap()).unwrap(), Value::Integer(5.into()));
        assert_eq!(v.render(&Template::parse("x=$(n)&y=$(m.list.0)").unwrap()).unwrap(), Value::from("x=5&y=a"));
        assert_eq!(v.render(&Template::parse("lit").unwrap()).unwrap(), Value::from("lit"));
    }

    #[test]
    fn serde_round_trip_keeps_values_and_drops_error_markers() {
        let v = vars();
        let text = serde_json::to_string(&v).unwrap();
        let back: Vars = serde_json::from_str(&text).unwrap();
        assert_eq!(back.get("m.list.0").unwrap(), &Value::from("a"));
        assert_eq!(back.get("n").unwrap(), &Value::Integer(5.into()));
        assert!(!back.contains_root("bad"));
    }

    #[test]
    fn json_list_marks_faults_per_item() {
        let v = vars();
        let items = v.render_json_list(&Template::parse("[ $(n), $(bad), 3 ]").unwrap()).unwrap();
        assert_eq!(items.len(), 3);
        assert!(items[1].is_err());
        assert_eq!(items[2], Ok(Value::Integer(3.into())));
        assert!(v.render_json_list(&Template::parse("[ $(missing) ]").unwrap()).is_err());
    }
}
