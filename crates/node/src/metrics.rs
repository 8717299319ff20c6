//! In-process measurements of the node's own overhead.
//!
//! `log_to_tx` is the time from the moment the direct-request service receives
//! an `OracleRequest` log to the moment the run's fulfilment transaction has
//! been persisted and handed to the transaction manager (which broadcasts it
//! at once), minus the time the run spent waiting on data sources (`http`
//! tasks). It is what `linkpool bench direct-request` reports as the node's
//! latency.

use std::time::Duration;

use parking_lot::Mutex;

/// Samples kept at most; older ones are dropped first.
const MAX_SAMPLES: usize = 100_000;

/// The node's overhead measurements.
#[derive(Debug, Default)]
pub struct NodeMetrics {
    log_to_tx: Mutex<Vec<Duration>>,
}

impl NodeMetrics {
    /// Records one log → transaction latency.
    pub fn record_log_to_tx(&self, d: Duration) {
        let mut v = self.log_to_tx.lock();
        if v.len() == MAX_SAMPLES {
            v.remove(0);
        }
        v.push(d);
    }

    /// A copy of the recorded log → transaction latencies, oldest first.
    pub fn log_to_tx(&self) -> Vec<Duration> {
        self.log_to_tx.lock().clone()
    }

    /// Forgets every sample (benchmarks call this after warming up).
    pub fn reset(&self) {
        self.log_to_tx.lock().clear();
    }
}

/// The `q`-quantile (0.0–1.0) of `samples` by the nearest-rank method; `None` when empty.
pub fn quantile(samples: &[Duration], q: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_unstable();
    let rank = ((q * s.len() as f64).ceil() as usize).clamp(1, s.len());
    Some(s[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&s, 0.5), Some(Duration::from_millis(50)));
        assert_eq!(quantile(&s, 0.99), Some(Duration::from_millis(99)));
        assert_eq!(quantile(&s, 1.0), Some(Duration::from_millis(100)));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[Duration::from_millis(7)], 0.99), Some(Duration::from_millis(7)));
    }
}
