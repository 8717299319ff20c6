//! Error types: [`PipelineError`] for parsing and validation, [`TaskError`] for one task's run,
//! and the crate-level [`Error`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::vars::VarError;

/// A 1-based line and column (in characters) in the pipeline source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Position {
    /// Line, starting at 1.
    pub line: u32,
    /// Column in characters, starting at 1.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a pipeline source was rejected by [`crate::Pipeline::parse`] or
/// [`crate::Pipeline::validate_variables`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    /// The DOT text is malformed.
    #[error("syntax error at {pos}: {message}")]
    Syntax {
        /// Where.
        pos: Position,
        /// What was wrong.
        message: String,
    },
    /// The source declares no task.
    #[error("pipeline has no tasks")]
    Empty,
    /// Two statements declare attributes for the same task id.
    #[error("duplicate task `{task}` at {pos} (first declared at {first})")]
    DuplicateTask {
        /// The task id.
        task: String,
        /// The second declaration.
        pos: Position,
        /// The first declaration.
        first: Position,
    },
    /// One attribute is given twice for a task.
    #[error("duplicate attribute `{attribute}` on task `{task}` at {pos}")]
    DuplicateAttribute {
        /// The task id.
        task: String,
        /// The attribute name.
        attribute: String,
        /// Where.
        pos: Position,
    },
    /// A task (maybe only named in an edge) has no `type` attribute.
    #[error("task `{task}` at {pos} has no `type` attribute")]
    MissingType {
        /// The task id.
        task: String,
        /// Where it first appears.
        pos: Position,
    },
    /// The `type` attribute names no registered task type.
    #[error("task `{task}` at {pos} has unknown type `{task_type}`")]
    UnknownTaskType {
        /// The task id.
        task: String,
        /// The type given.
        task_type: String,
        /// Where.
        pos: Position,
    },
    /// A required attribute of the task type is missing.
    #[error("task `{task}` at {pos} is missing required attribute `{attribute}`")]
    MissingAttribute {
        /// The task id.
        task: String,
        /// The attribute name.
        attribute: String,
        /// Where the task is declared.
        pos: Position,
    },
    /// An attribute value is invalid (bad ABI, bad duration, bad variable syntax, ...).
    #[error("task `{task}` attribute `{attribute}` at {pos}: {message}")]
    InvalidAttribute {
        /// The task id.
        task: String,
        /// The attribute name.
        attribute: String,
        /// What is wrong.
        message: String,
        /// Where the value starts.
        pos: Position,
    },
    /// The edges form a cycle through these tasks.
    #[error("pipeline has a cycle: {}", tasks.join(" -> "))]
    Cycle {
        /// The tasks on the cycle, the first repeated at the end.
        tasks: Vec<String>,
    },
    /// A `$(...)` reference names nothing the task can see.
    #[error("task `{task}` at {pos}: undefined variable `$({variable})`: {reason}")]
    UndefinedVariable {
        /// The referencing task.
        task: String,
        /// The variable path as written.
        variable: String,
        /// Why it is undefined (unknown root, not an upstream task, self reference).
        reason: String,
        /// Where the attribute value starts.
        pos: Position,
    },
}

/// Why one task failed. Serializable, so it can be persisted with the task result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaskError {
    /// A `$(...)` reference could not be resolved.
    #[error("{error}")]
    Variable {
        /// The resolution error.
        error: VarError,
    },
    /// A parameter the task needs is absent (and there is no input to fall back to).
    #[error("missing parameter `{name}`")]
    MissingParameter {
        /// The attribute name.
        name: String,
    },
    /// A parameter has the wrong shape.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter {
        /// The attribute name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A direct input task errored and this task does not tolerate faults.
    #[error("upstream task `{task}` errored")]
    UpstreamErrored {
        /// The errored input task.
        task: String,
    },
    /// The task ran longer than its `timeout` (or the job's `maxTaskDuration`).
    #[error("task timed out after {after_ms} ms")]
    Timeout {
        /// The limit that was hit, in milliseconds.
        after_ms: u64,
    },
    /// The HTTP request failed before a response arrived.
    #[error("http request failed: {message}")]
    Http {
        /// The transport error.
        message: String,
    },
    /// The server answered with an error status (>= 400).
    #[error("http status {status}: {body}")]
    HttpStatus {
        /// The status code.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// The response body exceeded the configured limit.
    #[error("http response body exceeds {limit} bytes")]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The URL points at a private or loopback address and unrestricted access is off.
    #[error("access to {host} is not allowed (set allowUnrestrictedNetworkAccess=true)")]
    NetworkAccessDenied {
        /// The host that was refused.
        host: String,
    },
    /// The data is not valid JSON.
    #[error("invalid JSON: {message}")]
    Json {
        /// The parse error.
        message: String,
    },
    /// A `jsonparse` key path does not exist (and `lax` is false).
    #[error("key path `{path}` not found")]
    PathNotFound {
        /// The path, joined with `,`.
        path: String,
    },
    /// The data is not valid CBOR (or not a map in diet mode).
    #[error("invalid CBOR: {message}")]
    Cbor {
        /// The decode error.
        message: String,
    },
    /// ABI encoding or decoding failed.
    #[error("ABI error: {message}")]
    Abi {
        /// The error.
        message: String,
    },
    /// Arithmetic was impossible (division by zero, out-of-range precision).
    #[error("arithmetic error: {message}")]
    Arithmetic {
        /// The error.
        message: String,
    },
    /// More inputs errored than `allowedFaults` permits.
    #[error("too many errored inputs: {faults} faults, {allowed} allowed")]
    TooManyFaults {
        /// How many inputs errored.
        faults: usize,
        /// The `allowedFaults` limit.
        allowed: usize,
    },
    /// An aggregate task got no usable value.
    #[error("no values to aggregate")]
    NoValues,
    /// `ethtx` ran but the runner has no transaction sender.
    #[error("no transaction sender is configured")]
    NoTxSender,
    /// The transaction sender refused or failed.
    #[error("transaction failed: {message}")]
    TxSender {
        /// The sender's error.
        message: String,
    },
    /// An external adapter answered with an error (`statusCode`/`providerStatusCode` other than
    /// 200, a non-empty `error`, or an HTTP error status).
    #[error("adapter error (status {status}): {message}")]
    Adapter {
        /// The status the adapter reported (HTTP status, `statusCode` or `providerStatusCode`).
        status: u16,
        /// The adapter's error message.
        message: String,
    },
    /// A bridge request or response violates the bridge's JSON Schema.
    #[error("{direction} violates the schema of bridge `{bridge}` at {path}: {message}")]
    Schema {
        /// The bridge.
        bridge: String,
        /// `request` or `response`.
        direction: String,
        /// JSON pointer of the failing value (`/` is the root).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// No bridge of this name is registered.
    #[error("bridge `{name}` is not registered")]
    UnknownBridge {
        /// The name asked for.
        name: String,
    },
    /// A dependency the task needs is not available to this runner (no chain, no bridges).
    #[error("{what} is not available to this pipeline")]
    Unavailable {
        /// What is missing.
        what: String,
    },
    /// A read-only chain call failed (`ethcall`, `estimategaslimit`).
    #[error("chain call failed: {message}")]
    ChainCall {
        /// The RPC error.
        message: String,
        /// True if the call reverted (not retryable).
        reverted: bool,
    },
    /// A `conditional` task's `data` was false: the branch stops here.
    #[error("conditional was not satisfied")]
    ConditionNotMet,
    /// An error restored from storage (its text as it was recorded), e.g. the error an async
    /// adapter reported through the resume route.
    #[error("{message}")]
    Restored {
        /// The recorded text.
        message: String,
    },
    /// Not an error: the task waits for an external callback (async bridge). The run is
    /// suspended and resumes when the result arrives.
    #[error("waiting for an asynchronous answer")]
    Pending,
    /// The transaction reverted and `failOnRevert` is true.
    #[error("transaction {tx_hash} reverted")]
    TxReverted {
        /// The transaction hash.
        tx_hash: String,
    },
}

impl TaskError {
    /// Whether retrying the task may help (transport failures, 5xx, timeouts).
    pub fn is_retryable(&self) -> bool {
        match self {
            TaskError::Http { .. } | TaskError::Timeout { .. } => true,
            TaskError::HttpStatus { status, .. } | TaskError::Adapter { status, .. } => *status >= 500,
            TaskError::ChainCall { reverted, .. } => !reverted,
            _ => false,
        }
    }

    /// Shorthand for [`TaskError::InvalidParameter`].
    pub fn invalid(name: &str, message: impl fmt::Display) -> Self {
        TaskError::InvalidParameter { name: name.to_owned(), message: message.to_string() }
    }
}

impl From<VarError> for TaskError {
    fn from(error: VarError) -> Self {
        TaskError::Variable { error }
    }
}

/// Crate-level error of the runner.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The pipeline itself is invalid.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The observer failed to record a task result; the run stopped so that no
    /// downstream side effect happens without a persisted record.
    #[error("run observer failed: {0}")]
    Observer(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
