//! Chainlink-compatible job pipelines: parse, validate and run `observationSource` DAGs.
//!
//! Bird's-eye view:
//! - [`Pipeline::parse`] reads Chainlink's DOT dialect (a `digraph` body: `task [attr=...]`,
//!   `a -> b -> c`, quoted/`<...>` strings, `//`/`#`/`/* */` comments), checks task types,
//!   required attributes, cycles and `$(task.path)` references, and orders tasks topologically
//!   (`index` breaks ties). [`Pipeline::validate_variables`] checks the remaining roots against
//!   what a job type provides ([`DIRECT_REQUEST_VARIABLES`]).
//! - [`Value`] is the typed data that flows between tasks (big integers and decimals, never
//!   floats; address, bytes32, bytes; arrays; maps). It persists losslessly as JSON.
//! - [`Vars`] holds the run's variables (`jobSpec`, `jobRun`, see [`DirectRequestVars`]) and the
//!   results of finished tasks; attribute templates resolve against it.
//! - Tasks (`src/task/*.rs`, one file per type): `http`, `jsonparse`, `cborparse`,
//!   `ethabidecodelog`, `ethabiencode`, `ethtx`, `multiply`, `divide`, `median`, `mean`, `mode`,
//!   `sum`, `any`; `ethabidecode`, `ethabiencode2`, `ethcall` and `estimategaslimit` (through the
//!   injected [`ChainReader`]), `lessthan`, `length`, `lookup`, `merge`, `conditional`,
//!   `lowercase`, `uppercase`, `hexencode`, `hexdecode`, `base64encode`, `base64decode`, and our
//!   `trimmedmean` (mean without the ⌊n/4⌋ lowest and highest values by default). A [`TaskKind`]
//!   builds a [`Task`] with its dependencies ([`Deps`]).
//! - [`net_guard`] keeps `http` tasks off loopback and private networks unless allowed: a guarded
//!   client ([`HttpClients`]) whose resolver drops restricted addresses when connecting (DNS
//!   rebinding cannot slip one in), with IP literals and redirects checked as well.
//! - [`Runner::run`] executes the DAG: independent branches concurrently inside the caller's
//!   future (it spawns nothing), error propagation as in Chainlink, results reported to a
//!   [`RunObserver`] before children start, and resumption from previously persisted results.
//!   `ethtx` never sends anything itself: it calls the injected [`EthTxSender`].

mod abi;
pub mod bridge;
pub mod cbor;
mod chain;
mod dot;
mod duration;
mod error;
pub mod net_guard;
mod pipeline;
mod runner;
mod task;
mod tx;
pub mod value;
pub mod vars;

pub use chain::{ChainReadError, ChainReader, EthCallRequest};
pub use duration::parse_go_duration;
pub use error::{Error, PipelineError, Position, Result, TaskError};
pub use net_guard::HttpClients;
pub use pipeline::{Attribute, Pipeline, TaskSpec, COMMON_ATTRIBUTES};
pub use runner::{
    Deps, HttpLimits, NoopObserver, ObserverError, RunContext, RunObserver, RunResult, Runner, TaskResult,
};
pub use task::{no_validation, AttrError, BuildFn, Task, TaskContext, TaskInput, TaskKind, TaskRegistry, ValidateFn};
pub use tx::{EthTxError, EthTxOutcome, EthTxRequest, EthTxSender};
pub use value::Value;
pub use vars::{
    CronVars, DirectRequestVars, VarError, VarPath, Vars, WebhookVars, CRON_VARIABLES, DIRECT_REQUEST_VARIABLES,
    WEBHOOK_VARIABLES,
};

/// The `ethtx` idempotency key of a task in a run: `run:<run_id>:task:<task_id>`.
pub fn ethtx_idempotency_key(run_id: i64, task_id: &str) -> String {
    task::ethtx_idempotency_key(run_id, task_id)
}
