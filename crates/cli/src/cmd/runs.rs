use clap::{Args, Subcommand};
use serde_json::Value;

use crate::{client::ApiClient, opts::ApiOpts, table};

#[derive(Debug, Subcommand)]
pub(crate) enum RunsCommand {
    /// List runs, newest first. Filter by job and status; page with --before.
    List(ListArgs),
    /// Show one run with each task's output or error.
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only runs of this job id.
    #[arg(long)]
    job: Option<i64>,
    /// Only runs in this status: pending_confirmations, running, suspended, completed, errored, cancelled.
    #[arg(long)]
    status: Option<String>,
    /// Page size (1–500).
    #[arg(long, default_value_t = 50)]
    limit: i64,
    /// Show runs older than this run id (the previous page's last id).
    #[arg(long)]
    before: Option<i64>,
    #[command(flatten)]
    api: ApiOpts,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Run id.
    id: i64,
    #[command(flatten)]
    api: ApiOpts,
}

fn s(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_else(|| if v.is_null() { "-".into() } else { v.to_string() })
}

fn truncate(s: String, n: usize) -> String {
    if s.chars().count() <= n {
        s
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

impl RunsCommand {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::List(a) => {
                let mut q = format!("/v2/runs?limit={}", a.limit);
                if let Some(j) = a.job {
                    q.push_str(&format!("&job={j}"));
                }
                if let Some(st) = &a.status {
                    q.push_str(&format!("&status={st}"));
                }
                if let Some(b) = a.before {
                    q.push_str(&format!("&before={b}"));
                }
                let v = ApiClient::new(&a.api)?.get(&q).await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&v)?);
                    return Ok(());
                }
                let rows: Vec<Vec<String>> = v["runs"]
                    .as_array()
                    .map(|a| a.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|r| {
                        vec![
                            r["id"].to_string(),
                            r["jobId"].to_string(),
                            s(&r["status"]),
                            s(&r["requestId"]),
                            truncate(s(&r["error"]), 60),
                        ]
                    })
                    .collect();
                println!("{}", table::render(&["RUN", "JOB", "STATUS", "REQUEST ID", "ERROR"], &rows));
                if let Some(n) = v["nextBefore"].as_i64() {
                    println!("\nmore: --before {n}");
                }
            }
            Self::Show(a) => {
                let r = ApiClient::new(&a.api)?.get(&format!("/v2/runs/{}", a.id)).await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&r)?);
                    return Ok(());
                }
                println!("run {} of job {}: {}", r["id"], r["jobId"], s(&r["status"]));
                if !r["error"].is_null() {
                    println!("error: {}", s(&r["error"]));
                }
                let rows: Vec<Vec<String>> = r["tasks"]
                    .as_array()
                    .map(|a| a.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|t| {
                        let result =
                            if t["error"].is_null() { s(&t["output"]) } else { format!("ERROR {}", s(&t["error"])) };
                        vec![s(&t["taskId"]), s(&t["type"]), truncate(result, 80)]
                    })
                    .collect();
                println!("{}", table::render(&["TASK", "TYPE", "RESULT"], &rows));
            }
        }
        Ok(())
    }
}
