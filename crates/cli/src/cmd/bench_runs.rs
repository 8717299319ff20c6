//! `linkpool bench runs`: run management on a big runs table (BENCHMARKS.md).
//!
//! Per database: fills a job with --runs runs (+ task runs), then measures list-page latency,
//! `delete_job` (which must hide the runs at once), the background purge, and a retention pass
//! over a second job as big. While the purge and the retention pass run, a probe inserts one run
//! every few milliseconds and records how long each insert took: that is what the node's own
//! writes would wait.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use clap::Args;
use linkpool_store::{NewJob, NewRun, RetentionPolicy, RunFilter, RunStatus, Store, TaskRunRecord};
use serde_json::{json, Value};

use crate::table;

/// Runs per insert transaction while filling the table.
const FILL_CHUNK: usize = 1_000;
/// Samples per list-latency measure.
const LIST_SAMPLES: usize = 21;
/// Pause between two probe inserts.
const PROBE_EVERY: Duration = Duration::from_millis(5);
/// How long the probe measures an idle database, for comparison.
const IDLE_PROBE: Duration = Duration::from_millis(500);
/// Runs per retention statement (the node's setting).
const RETENTION_BATCH: u32 = 500;

/// `linkpool bench runs`.
#[derive(Debug, Args)]
pub(crate) struct RunsBenchArgs {
    /// Runs per job (one job is deleted, another pruned by retention).
    #[arg(long, default_value_t = 100_000)]
    runs: usize,
    /// Task runs per run (the docs' "Get > Uint256" pipeline has 8 tasks).
    #[arg(long, default_value_t = 8)]
    tasks: usize,
    /// Completed runs per job the retention pass keeps.
    #[arg(long, default_value_t = 1_000)]
    keep: u64,
    /// Page size of the list measures.
    #[arg(long, default_value_t = 50)]
    page: i64,
    /// Also measure this PostgreSQL database (`postgres://…`; must hold no jobs). SQLite, in a
    /// temporary file, is always measured.
    #[arg(long)]
    database_url: Vec<String>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
}

/// p50 and max of some durations, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
struct Spread {
    p50: f64,
    p99: f64,
    max: f64,
    samples: usize,
}

impl Spread {
    fn of(mut d: Vec<Duration>) -> Self {
        if d.is_empty() {
            return Self::default();
        }
        d.sort();
        let at = |q: f64| ms(d[((d.len() - 1) as f64 * q).round() as usize]);
        Self { p50: at(0.5), p99: at(0.99), max: at(1.0), samples: d.len() }
    }

    fn json(&self) -> Value {
        json!({ "p50": round(self.p50), "p99": round(self.p99), "max": round(self.max), "samples": self.samples })
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One backend's figures.
#[derive(Debug)]
struct Report {
    backend: String,
    runs: usize,
    tasks: usize,
    keep: u64,
    page: i64,
    insert: Duration,
    /// (JSON key, label, latency)
    lists: Vec<(&'static str, &'static str, Spread)>,
    delete_job: Duration,
    hidden_at_once: bool,
    purge: Duration,
    purged_runs: u64,
    retention: Duration,
    retention_deleted: u64,
    retention_batches: u64,
    retention_longest_batch: Duration,
    probe_idle: Spread,
    probe_purge: Spread,
    probe_retention: Spread,
}

impl Report {
    fn per_s(n: u64, d: Duration) -> f64 {
        (n as f64 / d.as_secs_f64().max(1e-9)).round()
    }

    fn to_json(&self) -> Value {
        json!({
            "backend": self.backend,
            "runs": self.runs,
            "tasks_per_run": self.tasks,
            "insert_s": round(self.insert.as_secs_f64()),
            "insert_runs_per_s": Self::per_s(self.runs as u64, self.insert),
            "list_ms": self.lists.iter().map(|(k, _, s)| (k.to_string(), s.json())).collect::<serde_json::Map<_, _>>(),
            "page": self.page,
            "delete_job_ms": round(ms(self.delete_job)),
            "hidden_at_once": self.hidden_at_once,
            "purge_s": round(self.purge.as_secs_f64()),
            "purge_runs_per_s": Self::per_s(self.purged_runs, self.purge),
            "retention": {
                "keep": self.keep,
                "deleted": self.retention_deleted,
                "batches": self.retention_batches,
                "pass_s": round(self.retention.as_secs_f64()),
                "runs_per_s": Self::per_s(self.retention_deleted, self.retention),
                "longest_batch_ms": round(ms(self.retention_longest_batch)),
            },
            "writer_ms": {
                "idle": self.probe_idle.json(),
                "during_purge": self.probe_purge.json(),
                "during_retention": self.probe_retention.json(),
            },
        })
    }

    fn table(&self) -> String {
        let f = |x: f64| format!("{x:.2}ms");
        let mut rows = vec![vec![
            format!("insert {} runs + {} task runs", self.runs, self.runs * self.tasks),
            format!("{:.1}s", self.insert.as_secs_f64()),
            format!("{} runs/s, {} runs per transaction", Self::per_s(self.runs as u64, self.insert), FILL_CHUNK),
        ]];
        for (_, name, s) in &self.lists {
            rows.push(vec![
                format!("list page of {}: {name}", self.page),
                format!("p50 {}", f(s.p50)),
                format!("max {} over {} calls", f(s.max), s.samples),
            ]);
        }
        rows.push(vec![
            format!("delete_job ({} runs)", self.runs),
            f(ms(self.delete_job)),
            format!("runs hidden at once: {}", if self.hidden_at_once { "yes" } else { "NO" }),
        ]);
        rows.push(vec![
            "purge after delete (batches of 500)".into(),
            format!("{:.2}s", self.purge.as_secs_f64()),
            format!("{} runs, {} runs/s", self.purged_runs, Self::per_s(self.purged_runs, self.purge)),
        ]);
        rows.push(vec![
            format!("retention pass (keep {}, batches of {RETENTION_BATCH})", self.keep),
            format!("{:.2}s", self.retention.as_secs_f64()),
            format!(
                "{} runs in {} batches, {} runs/s; longest batch {}",
                self.retention_deleted,
                self.retention_batches,
                Self::per_s(self.retention_deleted, self.retention),
                f(ms(self.retention_longest_batch))
            ),
        ]);
        for (name, s) in
            [("idle", self.probe_idle), ("during purge", self.probe_purge), ("during retention", self.probe_retention)]
        {
            rows.push(vec![
                format!("concurrent insert_run, {name}"),
                format!("p50 {}", f(s.p50)),
                format!("p99 {}, max {} over {} inserts", f(s.p99), f(s.max), s.samples),
            ]);
        }
        format!(
            "runs at scale: {} ({} runs per job, {} task runs per run)\n\n{}\n",
            self.backend,
            self.runs,
            self.tasks,
            table::render(&["STEP", "TIME", "DETAIL"], &rows)
        )
    }
}

impl RunsBenchArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        if cfg!(debug_assertions) {
            eprintln!("note: this is a debug build (SQLite itself is always optimized); build with --release for the Rust side");
        }
        eyre::ensure!(self.runs >= 2 && self.page >= 1, "--runs must be at least 2 and --page at least 1");
        let dir = std::env::temp_dir().join(format!("linkpool-bench-runs-{}", std::process::id()));
        let mut targets = vec![("sqlite".to_owned(), format!("sqlite://{}", dir.join("bench.sqlite").display()))];
        for url in &self.database_url {
            eyre::ensure!(
                url.starts_with("postgres://") || url.starts_with("postgresql://"),
                "--database-url takes a PostgreSQL URL (SQLite is always measured)"
            );
            targets.push(("postgres".to_owned(), url.clone()));
        }
        let mut reports = Vec::new();
        for (backend, url) in targets {
            let result = self.measure(&backend, &url).await;
            if backend == "sqlite" {
                let _ = std::fs::remove_dir_all(&dir);
            }
            reports.push(result?);
        }
        if self.json {
            let all: Vec<Value> = reports.iter().map(Report::to_json).collect();
            println!("{}", serde_json::to_string_pretty(&json!({ "backends": all }))?);
        } else {
            for r in &reports {
                println!("{}", r.table());
            }
        }
        Ok(())
    }

    async fn measure(&self, backend: &str, url: &str) -> eyre::Result<Report> {
        let progress = |msg: String| eprintln!("… {backend}: {msg}");
        let store = Store::connect(url).await?;
        eyre::ensure!(
            store.list_jobs().await?.is_empty(),
            "the {backend} database already holds jobs: point --database-url at an empty scratch database"
        );
        let probe_job = new_job(&store, "bench probe").await?;

        progress(format!("inserting {} runs with {} task runs each", self.runs, self.tasks));
        let doomed = new_job(&store, "bench delete").await?;
        let started = Instant::now();
        fill(&store, doomed, self.runs, self.tasks).await?;
        let insert = started.elapsed();
        // PostgreSQL: the statistics autovacuum would have gathered a minute later (without them
        // the planner picks slow plans right after a bulk load); nothing on SQLite
        store.analyze().await?;

        progress("list latency".into());
        let mid = self.middle_id(&store, doomed).await?;
        let page = |job_id, status, before_id| RunFilter { job_id, status, limit: self.page, before_id };
        let lists = vec![
            ("job_newest", "job, newest", self.list_latency(&store, page(Some(doomed), None, None)).await?),
            (
                "job_middle",
                "job, middle of the table",
                self.list_latency(&store, page(Some(doomed), None, Some(mid))).await?,
            ),
            (
                "job_errored_newest",
                "job + errored, newest",
                self.list_latency(&store, page(Some(doomed), Some(RunStatus::Errored), None)).await?,
            ),
            (
                "job_errored_middle",
                "job + errored, middle",
                self.list_latency(&store, page(Some(doomed), Some(RunStatus::Errored), Some(mid))).await?,
            ),
            (
                "all_errored_newest",
                "all jobs, errored, newest",
                self.list_latency(&store, page(None, Some(RunStatus::Errored), None)).await?,
            ),
        ];

        let probe_idle = probe(&store, probe_job, async { tokio::time::sleep(IDLE_PROBE).await }).await?.1;

        progress("delete_job and purge".into());
        let started = Instant::now();
        eyre::ensure!(store.delete_job(doomed).await?, "the bench job vanished");
        let delete_job = started.elapsed();
        let hidden_at_once = store.list_runs(&page(Some(doomed), None, None)).await?.is_empty();
        // delete_job spawned the purge; this waits for it (purges run one at a time)
        let ((purge, purged), probe_purge) = probe(&store, probe_job, async {
            let n = store.purge_deleted_jobs().await;
            (started.elapsed() - delete_job, n)
        })
        .await?;
        purged?;
        let purged_runs = self.runs as u64;

        progress(format!("inserting {} more runs for the retention pass", self.runs));
        let pruned = new_job(&store, "bench retention").await?;
        fill(&store, pruned, self.runs, self.tasks).await?;
        store.analyze().await?;
        progress("retention pass".into());
        let policy = RetentionPolicy { keep_completed_per_job: self.keep, batch_size: RETENTION_BATCH };
        let ((retention, pass), probe_retention) = probe(&store, probe_job, async {
            let started = Instant::now();
            let pass = store.prune_runs(&policy, || false).await;
            (started.elapsed(), pass)
        })
        .await?;
        let pass = pass?;
        let completed = (0..self.runs).filter(|i| status_of(*i) == RunStatus::Completed).count() as u64;
        eyre::ensure!(
            pass.runs_deleted == completed.saturating_sub(self.keep),
            "retention deleted {} runs, expected {}",
            pass.runs_deleted,
            completed.saturating_sub(self.keep)
        );

        // leave the database as we found it (the purges delete_job spawns may still be queued
        // behind this one, so the pool is left open for them rather than closed)
        store.delete_job(pruned).await?;
        store.delete_job(probe_job).await?;
        store.purge_deleted_jobs().await?;
        Ok(Report {
            backend: backend.to_owned(),
            runs: self.runs,
            tasks: self.tasks,
            keep: self.keep,
            page: self.page,
            insert,
            lists,
            delete_job,
            hidden_at_once,
            purge,
            purged_runs,
            retention,
            retention_deleted: pass.runs_deleted,
            retention_batches: pass.batches,
            retention_longest_batch: pass.longest_batch,
            probe_idle,
            probe_purge,
            probe_retention,
        })
    }

    /// The id halfway down the job's runs (they were inserted in one go): a cursor deep into the table.
    async fn middle_id(&self, store: &Store, job_id: i64) -> eyre::Result<i64> {
        let newest = store.list_runs(&RunFilter { job_id: Some(job_id), limit: 1, ..Default::default() }).await?;
        let newest = newest.first().map(|r| r.id).ok_or_else(|| eyre::eyre!("the bench job has no runs"))?;
        Ok(newest - self.runs as i64 / 2)
    }

    async fn list_latency(&self, store: &Store, filter: RunFilter) -> eyre::Result<Spread> {
        let mut samples = Vec::with_capacity(LIST_SAMPLES);
        for _ in 0..LIST_SAMPLES {
            let started = Instant::now();
            let page = store.list_runs(&filter).await?;
            samples.push(started.elapsed());
            eyre::ensure!(!page.is_empty(), "empty page for {filter:?}");
        }
        Ok(Spread::of(samples))
    }
}

/// The status of the `i`-th bench run: 1 in 10 errored, 1 in 100 cancelled, the rest completed.
fn status_of(i: usize) -> RunStatus {
    match (i % 10, i % 100) {
        (0, _) => RunStatus::Errored,
        (_, 1) => RunStatus::Cancelled,
        _ => RunStatus::Completed,
    }
}

/// The Get > Uint256 tasks, cycled when --tasks asks for more.
const TASKS: [(&str, &str); 8] = [
    ("decode_log", "ethabidecodelog"),
    ("decode_cbor", "cborparse"),
    ("fetch", "http"),
    ("parse", "jsonparse"),
    ("multiply", "multiply"),
    ("encode_data", "ethabiencode"),
    ("encode_tx", "ethabiencode"),
    ("submit_tx", "ethtx"),
];

async fn new_job(store: &Store, name: &str) -> eyre::Result<i64> {
    let job = store
        .insert_job(&NewJob {
            external_job_id: uuid::Uuid::new_v4(),
            name: Some(name.to_owned()),
            job_type: "directrequest".to_owned(),
            spec_toml: format!("type = \"directrequest\"\nschemaVersion = 1\nname = \"{name}\"\n"),
        })
        .await?;
    Ok(job.id)
}

/// Inserts `runs` runs of `job_id` with `tasks` task runs each, through the store's batch API
/// (one transaction per [`FILL_CHUNK`] runs, and one per chunk of task runs).
async fn fill(store: &Store, job_id: i64, runs: usize, tasks: usize) -> eyre::Result<()> {
    // about the size of a real run's inputs (a decoded OracleRequest log)
    let inputs = json!({
        "logAddress": format!("0x{}", "ab".repeat(20)),
        "logTopics": [format!("0x{}", "11".repeat(32)), format!("0x{}", "22".repeat(32))],
        "logData": format!("0x{}", "00".repeat(288)),
        "blockHash": format!("0x{}", "33".repeat(32)),
        "txHash": format!("0x{}", "44".repeat(32)),
        "blockNumber": 123_456,
    });
    let mut done = 0;
    while done < runs {
        let n = FILL_CHUNK.min(runs - done);
        let batch: Vec<NewRun> = (done..done + n)
            .map(|i| NewRun {
                job_id,
                idempotency_key: format!("bench:{job_id}:{i}"),
                inputs: inputs.clone(),
                request_id: Some(format!("0x{i:064x}")),
                ready_at_block: None,
                status: status_of(i),
            })
            .collect();
        let inserted = store.insert_runs(&batch).await?;
        let task_runs: Vec<TaskRunRecord> = inserted
            .iter()
            .flat_map(|r| {
                let run = r.get();
                let failed = run.status == RunStatus::Errored;
                (0..tasks).map(move |t| {
                    let (id, ty) = TASKS[t % TASKS.len()];
                    let last = t + 1 == tasks;
                    TaskRunRecord {
                        run_id: run.id,
                        task_id: if t < TASKS.len() { id.to_owned() } else { format!("{id}_{t}") },
                        task_type: ty.to_owned(),
                        index: t as i64,
                        output: (!(failed && last)).then(|| json!("3021450000000000000000")),
                        error: (failed && last).then(|| "http status 500".to_owned()),
                        started_at: run.created_at,
                        finished_at: Some(run.created_at + 1),
                    }
                })
            })
            .collect();
        store.upsert_task_runs(&task_runs).await?;
        done += n;
    }
    Ok(())
}

/// Runs `work` while inserting a run into `job_id` every [`PROBE_EVERY`]; returns what `work`
/// returned and how long each insert took.
async fn probe<T>(store: &Store, job_id: i64, work: impl std::future::Future<Output = T>) -> eyre::Result<(T, Spread)> {
    let stop = Arc::new(AtomicBool::new(false));
    let prober = {
        let (store, stop) = (store.clone(), stop.clone());
        tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let run = NewRun {
                    job_id,
                    idempotency_key: format!("probe:{}:{i}", uuid::Uuid::new_v4()),
                    inputs: json!({}),
                    request_id: None,
                    ready_at_block: None,
                    // never pruned, so the probe does not change what retention deletes
                    status: RunStatus::Running,
                };
                let started = Instant::now();
                store.insert_run(&run).await?;
                samples.push(started.elapsed());
                i += 1;
                tokio::time::sleep(PROBE_EVERY).await;
            }
            Ok::<_, linkpool_store::Error>(samples)
        })
    };
    let out = work.await;
    stop.store(true, Ordering::Relaxed);
    let samples = prober.await??;
    Ok((out, Spread::of(samples)))
}
