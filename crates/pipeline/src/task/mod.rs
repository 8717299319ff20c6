//! Task types: the [`Task`] trait, the [`TaskKind`] descriptors and the [`TaskRegistry`].
//!
//! Adding a task type = one file defining a `KIND: TaskKind` + its name in `builtin_tasks!`.
//! A kind's `build` receives the runner's [`Deps`], so tasks get their dependencies (HTTP client,
//! transaction sender) when they are built.

mod context;

pub(crate) mod aggregate;

/// The built-in task types: one module each, named by its `type`. Adding a task type is one
/// file (`src/task/<type>.rs` defining `pub(crate) const KIND: TaskKind`) plus its name here.
macro_rules! builtin_tasks {
    ($($name:ident,)*) => {
        $(mod $name;)*

        /// The [`TaskKind`] of every built-in task type.
        const BUILTIN: &[TaskKind] = &[$($name::KIND,)*];
    };
}

builtin_tasks! {
    any,
    base64decode,
    base64encode,
    bridge,
    cborparse,
    conditional,
    divide,
    estimategaslimit,
    ethabidecode,
    ethabidecodelog,
    ethabiencode,
    ethabiencode2,
    ethcall,
    ethtx,
    hexdecode,
    hexencode,
    http,
    jsonparse,
    length,
    lessthan,
    lookup,
    lowercase,
    mean,
    median,
    merge,
    mode,
    multiply,
    sum,
    trimmedmean,
    uppercase,
}

use std::collections::BTreeMap;

use async_trait::async_trait;

pub use context::{TaskContext, TaskInput};
pub(crate) use ethtx::idempotency_key as ethtx_idempotency_key;

use crate::{error::TaskError, pipeline::TaskSpec, runner::Deps, value::Value};

/// One runnable task, built from its [`TaskSpec`] for one run.
#[async_trait]
pub trait Task: Send + Sync {
    /// Runs the task. Parameters come from `cx` (attributes, variables, inputs).
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError>;

    /// Whether the task runs even if some of its inputs errored (aggregates with `allowedFaults`).
    fn tolerates_input_errors(&self) -> bool {
        false
    }

    /// Whether the job's `maxTaskDuration` applies when the task has no `timeout` attribute.
    /// `ethtx` opts out: waiting for confirmations may legitimately take long.
    fn uses_default_timeout(&self) -> bool {
        true
    }
}

/// A static attribute problem found while validating a task at parse time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrError {
    /// The attribute name.
    pub attribute: String,
    /// What is wrong.
    pub message: String,
}

impl AttrError {
    /// Creates an error for `attribute`.
    pub fn new(attribute: &str, message: impl Into<String>) -> Self {
        Self { attribute: attribute.to_owned(), message: message.into() }
    }
}

/// Checks a task's literal attributes at parse time.
pub type ValidateFn = fn(&TaskSpec) -> Result<(), AttrError>;
/// Builds a task for one run, handing it its dependencies.
pub type BuildFn = fn(&TaskSpec, &Deps) -> Result<Box<dyn Task>, TaskError>;

/// Describes one task type.
#[derive(Debug, Clone, Copy)]
pub struct TaskKind {
    /// The `type` attribute value (lower case).
    pub name: &'static str,
    /// Attributes that must be present and non-empty.
    pub required: &'static [&'static str],
    /// Parse-time validation of literal attributes.
    pub validate: ValidateFn,
    /// Builds the task.
    pub build: BuildFn,
}

/// A no-op [`ValidateFn`].
pub fn no_validation(_: &TaskSpec) -> Result<(), AttrError> {
    Ok(())
}

/// The task types a pipeline may use.
#[derive(Debug, Clone, Default)]
pub struct TaskRegistry {
    kinds: BTreeMap<&'static str, TaskKind>,
}

impl TaskRegistry {
    /// No task types.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The built-in task types.
    pub fn builtin() -> Self {
        let mut r = Self::empty();
        for kind in BUILTIN {
            r.register(*kind);
        }
        r
    }

    /// Adds (or replaces) a task type.
    pub fn register(&mut self, kind: TaskKind) {
        self.kinds.insert(kind.name, kind);
    }

    /// A task type by its lower-case name.
    pub fn get(&self, name: &str) -> Option<&TaskKind> {
        self.kinds.get(name)
    }

    /// The registered type names.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.kinds.keys().copied()
    }
}

/// Parse-time check of a literal boolean attribute.
pub(crate) fn validate_bool(spec: &TaskSpec, name: &str) -> Result<(), AttrError> {
    if let Some(a) = spec.attr(name) {
        if a.template.is_literal() && !a.raw().trim().is_empty() {
            Value::from(a.raw()).as_bool().map_err(|e| AttrError::new(name, e.to_string()))?;
        }
    }
    Ok(())
}

/// Parse-time check of a literal numeric attribute.
pub(crate) fn validate_number(spec: &TaskSpec, name: &str) -> Result<(), AttrError> {
    if let Some(a) = spec.attr(name) {
        if a.template.is_literal() && !a.raw().trim().is_empty() {
            Value::from(a.raw()).as_decimal().map_err(|e| AttrError::new(name, e.to_string()))?;
        }
    }
    Ok(())
}
