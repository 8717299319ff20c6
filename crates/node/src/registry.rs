//! The in-memory set of active jobs, shared by the API (which changes it) and
//! the job-type services (which watch it).

use std::{collections::BTreeMap, sync::Arc};

use linkpool_job::JobSpec;
use parking_lot::RwLock;
use tokio::sync::watch;

/// Active jobs by store id. Every change bumps a version that services watch.
#[derive(Debug)]
pub struct JobRegistry {
    jobs: RwLock<BTreeMap<i64, Arc<JobSpec>>>,
    version: watch::Sender<u64>,
}

impl Default for JobRegistry {
    fn default() -> Self {
        Self { jobs: RwLock::default(), version: watch::channel(0).0 }
    }
}

impl JobRegistry {
    /// Adds (or replaces) a job and notifies watchers.
    pub fn add(&self, id: i64, spec: JobSpec) {
        self.jobs.write().insert(id, Arc::new(spec));
        self.version.send_modify(|v| *v += 1);
    }

    /// Removes a job and notifies watchers; returns whether it was there.
    pub fn remove(&self, id: i64) -> bool {
        let removed = self.jobs.write().remove(&id).is_some();
        if removed {
            self.version.send_modify(|v| *v += 1);
        }
        removed
    }

    /// One job.
    pub fn get(&self, id: i64) -> Option<Arc<JobSpec>> {
        self.jobs.read().get(&id).cloned()
    }

    /// A snapshot of every job.
    pub fn snapshot(&self) -> Vec<(i64, Arc<JobSpec>)> {
        self.jobs.read().iter().map(|(k, v)| (*k, v.clone())).collect()
    }

    /// A receiver that changes whenever the set of jobs does.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }
}
