//! Callers of [`TxManager::wait`](super::TxManager::wait) parked until their tx is final.

use std::{collections::HashMap, sync::Mutex};

use tokio::sync::oneshot;

use super::TxOutcome;

/// A final result as delivered to waiters: the outcome, or why the tx failed for good.
pub(crate) type Final = std::result::Result<TxOutcome, String>;

#[derive(Debug, Default)]
pub(crate) struct Waiters {
    // Never held across an await.
    inner: Mutex<HashMap<i64, Vec<oneshot::Sender<Final>>>>,
}

impl Waiters {
    /// Registers before the caller checks the store, so a result written in between is
    /// still delivered.
    pub(crate) fn register(&self, tx_id: i64) -> oneshot::Receiver<Final> {
        let (tx, rx) = oneshot::channel();
        self.lock().entry(tx_id).or_default().push(tx);
        rx
    }

    /// Drops registrations whose receivers are gone.
    pub(crate) fn forget_closed(&self, tx_id: i64) {
        let mut map = self.lock();
        if let Some(list) = map.get_mut(&tx_id) {
            list.retain(|s| !s.is_closed());
            if list.is_empty() {
                map.remove(&tx_id);
            }
        }
    }

    /// Called after the final state is persisted.
    pub(crate) fn notify(&self, tx_id: i64, result: Final) {
        let senders = self.lock().remove(&tx_id).unwrap_or_default();
        for sender in senders {
            let _ = sender.send(result.clone());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Vec<oneshot::Sender<Final>>>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
