//! The cron service: runs the pipelines of `cron` jobs on their schedules.
//!
//! One scheduler task per cron job, started when the job appears in the
//! [`JobRegistry`](crate::JobRegistry) (at start-up or when the API creates
//! it) and stopped when the job is deleted. At each fire time `t` (unix
//! seconds) the scheduler persists a run keyed `cron:<job id>:<t>` and only
//! then starts executing it, so a crash or restart around a fire never runs it
//! twice: the second insert finds the first run, and an interrupted run is
//! resumed by the executor.
//!
//! Fire times that pass while the node is down are **not** made up for after
//! a restart (as in Chainlink): the schedule continues with its next time. A
//! scheduler that falls behind (a store slower than the schedule) likewise
//! skips to the most recent fire time instead of queuing every missed one.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use linkpool_job::{CronSpec, JobSpec};
use linkpool_store::{Inserted, NewRun, RunStatus};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::{executor::RunExecutor, run_vars, NodeState, Result};

/// Attempts at persisting one fire before it is skipped.
const INSERT_ATTEMPTS: u32 = 3;

/// The idempotency key of the run of cron job `job_id` for the fire time `scheduled_at`.
pub fn idempotency_key(job_id: i64, scheduled_at: i64) -> String {
    format!("cron:{job_id}:{scheduled_at}")
}

/// The running service.
pub struct CronService {
    state: Arc<NodeState>,
    executor: Arc<RunExecutor>,
}

/// A scheduler task and the spec it was started for (a replaced spec restarts it).
struct Scheduler {
    spec: Arc<JobSpec>,
    stop: CancellationToken,
}

impl CronService {
    /// Creates the service; [`Self::run`] drives it.
    pub fn new(state: Arc<NodeState>, executor: Arc<RunExecutor>) -> Self {
        Self { state, executor }
    }

    /// Runs until `shutdown` fires, keeping one scheduler per cron job.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        let mut jobs_changed = self.state.jobs.subscribe();
        let mut schedulers: HashMap<i64, Scheduler> = HashMap::new();
        let mut tasks = JoinSet::new();
        loop {
            jobs_changed.borrow_and_update();
            self.sync(&mut schedulers, &mut tasks, &shutdown);
            while tasks.try_join_next().is_some() {}
            tokio::select! {
                _ = shutdown.cancelled() => break,
                r = jobs_changed.changed() => if r.is_err() { break },
            }
        }
        for s in schedulers.values() {
            s.stop.cancel();
        }
        while tasks.join_next().await.is_some() {}
        Ok(())
    }

    /// Starts schedulers for new (or replaced) cron jobs and stops those of deleted ones.
    fn sync(&self, schedulers: &mut HashMap<i64, Scheduler>, tasks: &mut JoinSet<()>, shutdown: &CancellationToken) {
        let jobs: HashMap<i64, Arc<JobSpec>> =
            self.state.jobs.snapshot().into_iter().filter(|(_, s)| matches!(s.as_ref(), JobSpec::Cron(_))).collect();
        schedulers.retain(|id, s| {
            let keep = jobs.get(id).is_some_and(|spec| Arc::ptr_eq(spec, &s.spec));
            if !keep {
                s.stop.cancel();
                tracing::info!(job = id, "cron job stopped");
            }
            keep
        });
        for (id, spec) in jobs {
            if schedulers.contains_key(&id) {
                continue;
            }
            let stop = shutdown.child_token();
            let fire = Fire { state: self.state.clone(), executor: self.executor.clone(), job_id: id };
            tasks.spawn(schedule(fire, spec.clone(), stop.clone()));
            schedulers.insert(id, Scheduler { spec, stop });
        }
    }
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

/// Sleeps until the wall clock reaches `at` (unix seconds); false if stopped first.
async fn sleep_until(at: i64, stop: &CancellationToken) -> bool {
    let target = UNIX_EPOCH + Duration::from_secs(at.max(0) as u64);
    loop {
        // Timers follow the monotonic clock: check the wall clock again after each sleep.
        let Ok(left) = target.duration_since(SystemTime::now()) else { return true };
        if left.is_zero() {
            return true;
        }
        tokio::select! {
            _ = stop.cancelled() => return false,
            _ = tokio::time::sleep(left) => {}
        }
    }
}

/// One job's scheduler: sleeps to each fire time and fires.
async fn schedule(fire: Fire, spec: Arc<JobSpec>, stop: CancellationToken) {
    let JobSpec::Cron(cron) = spec.as_ref() else { return };
    tracing::info!(job = fire.job_id, schedule = %cron.schedule, "cron job scheduled");
    let mut after = now_secs();
    loop {
        let Some(at) = cron.schedule.next_after(after) else {
            tracing::warn!(job = fire.job_id, schedule = %cron.schedule, "the schedule has no further fire time");
            return;
        };
        if !sleep_until(at, &stop).await || !fire.fire(cron, at, &stop).await {
            return;
        }
        // No backlog: fire times that passed while this one was persisted are skipped,
        // except one that is due right now.
        let now = now_secs();
        if let Some(next) = cron.schedule.next_after(at).filter(|n| *n < now - 1) {
            tracing::warn!(
                job = fire.job_id,
                from = next,
                until = now - 1,
                "cron fell behind; skipping missed fire times"
            );
        }
        after = at.max(now - 1);
    }
}

/// What a fire needs.
struct Fire {
    state: Arc<NodeState>,
    executor: Arc<RunExecutor>,
    job_id: i64,
}

impl Fire {
    /// Persists the run for fire time `at`, then starts it. False when the job is gone or the
    /// scheduler is stopped.
    async fn fire(&self, spec: &CronSpec, at: i64, stop: &CancellationToken) -> bool {
        let new = NewRun {
            job_id: self.job_id,
            idempotency_key: idempotency_key(self.job_id, at),
            inputs: run_vars::cron_inputs(spec, at),
            request_id: None,
            ready_at_block: None,
            status: RunStatus::Running,
        };
        for attempt in 1..=INSERT_ATTEMPTS {
            match self.state.store.insert_run(&new).await {
                Ok(Inserted::New(run)) => {
                    tracing::debug!(job = self.job_id, run = run.id, scheduled_at = at, "cron fired");
                    if stop.is_cancelled() {
                        // Shutting down: the run stays `running` and resumes at the next start.
                        return false;
                    }
                    self.executor.start(run.id);
                    return true;
                }
                Ok(Inserted::Existing(run)) => {
                    // Fired before a restart; the executor resumes it if it was interrupted.
                    tracing::debug!(job = self.job_id, run = run.id, scheduled_at = at, "fire already has a run");
                    return true;
                }
                Err(linkpool_store::Error::NotFound { .. }) => {
                    tracing::debug!(job = self.job_id, "cron job deleted; scheduler stops");
                    return false;
                }
                Err(e) => {
                    tracing::warn!(job = self.job_id, scheduled_at = at, attempt, error = %e, "persisting a cron fire failed");
                    tokio::select! {
                        _ = stop.cancelled() => return false,
                        _ = tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))) => {}
                    }
                }
            }
        }
        tracing::error!(job = self.job_id, scheduled_at = at, "cron fire skipped: the store keeps failing");
        true
    }
}
