use std::time::{Duration, UNIX_EPOCH};

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::{client::ApiClient, opts::ApiOpts, table};

#[derive(Debug, Subcommand)]
pub(crate) enum RunsCommand {
    /// List runs, newest first. Filter by job and status; page with --before.
    ///
    /// When there are more runs, the last line gives the command for the next
    /// page (`--before <cursor>`, the id of the last run listed).
    List(ListArgs),
    /// Show one run: its inputs and outputs, then each task's inputs (what its
    /// parent tasks produced), output or error, and timing.
    Show(ShowArgs),
    /// Rerun an errored or cancelled run as a new run with the same job and inputs.
    ///
    /// The original run stays as it was; the new run records which run it
    /// repeats (`rerun of`) and starts at once. A run whose earlier rerun is
    /// still in flight, or completed, is refused unless --force is given.
    /// Completed and running runs are never rerun.
    Rerun(RerunArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only runs of this job (numeric id or externalJobID).
    #[arg(long)]
    job: Option<String>,
    /// Only runs in this status: pending_confirmations, running, suspended, completed, errored, cancelled.
    #[arg(long)]
    status: Option<String>,
    /// Page size (1–500).
    #[arg(long, default_value_t = 50)]
    limit: i64,
    /// Cursor: show runs older than this run id (printed at the end of the previous page).
    #[arg(long)]
    before: Option<i64>,
    #[command(flatten)]
    api: ApiOpts,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Run id.
    id: i64,
    /// Print inputs, outputs and errors in full instead of cutting them at 120 characters.
    #[arg(long)]
    full: bool,
    #[command(flatten)]
    api: ApiOpts,
}

#[derive(Debug, Args)]
pub(crate) struct RerunArgs {
    /// Id of the errored or cancelled run.
    id: i64,
    /// Rerun even if an earlier rerun of this run is still in flight or completed.
    #[arg(long)]
    force: bool,
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

/// Unix millis as UTC time to the second, `-` when absent.
fn time(v: &Value) -> String {
    match v.as_u64() {
        Some(ms) => humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(ms)).to_string(),
        None => "-".into(),
    }
}

fn millis(v: &Value) -> String {
    v.as_i64().map_or_else(|| "-".into(), |ms| format!("{ms}ms"))
}

/// `/v2/runs?…` with the filters, query values encoded.
fn list_path(a: &ListArgs) -> eyre::Result<String> {
    let mut url = reqwest::Url::parse("http://node/v2/runs")?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("limit", &a.limit.to_string());
        if let Some(j) = &a.job {
            q.append_pair("jobId", j);
        }
        if let Some(st) = &a.status {
            q.append_pair("status", st);
        }
        if let Some(b) = a.before {
            q.append_pair("before", &b.to_string());
        }
    }
    Ok(format!("{}?{}", url.path(), url.query().unwrap_or_default()))
}

/// The `runs list` command line for the page after `cursor`.
fn next_page_command(a: &ListArgs, cursor: i64) -> String {
    let mut cmd = String::from("linkpool runs list");
    if let Some(j) = &a.job {
        cmd.push_str(&format!(" --job {j}"));
    }
    if let Some(st) = &a.status {
        cmd.push_str(&format!(" --status {st}"));
    }
    if a.limit != 50 {
        cmd.push_str(&format!(" --limit {}", a.limit));
    }
    cmd.push_str(&format!(" --before {cursor}"));
    cmd
}

fn array(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn print_list(a: &ListArgs, v: &Value) {
    let rows: Vec<Vec<String>> = array(&v["runs"])
        .iter()
        .map(|r| {
            let took = match (r["createdAt"].as_i64(), r["finishedAt"].as_i64()) {
                (Some(c), Some(f)) => format!("{}ms", f - c),
                _ => "-".into(),
            };
            vec![
                r["id"].to_string(),
                r["jobId"].to_string(),
                s(&r["status"]),
                time(&r["createdAt"]),
                took,
                s(&r["rerunOf"]),
                s(&r["requestId"]),
                truncate(s(&r["error"]), 60),
            ]
        })
        .collect();
    println!(
        "{}",
        table::render(&["RUN", "JOB", "STATUS", "CREATED (UTC)", "TOOK", "RERUN OF", "REQUEST ID", "ERROR"], &rows)
    );
    match v["nextBefore"].as_i64() {
        Some(cursor) => println!("\nnext page: {}", next_page_command(a, cursor)),
        None if rows.is_empty() => println!("\nno runs"),
        None => {}
    }
}

fn print_run(r: &Value, full: bool) {
    let cut = |v: &Value| if full { s(v) } else { truncate(s(v), 120) };
    print!("run {} of job {}: {}", r["id"], r["jobId"], s(&r["status"]));
    if let Some(of) = r["rerunOf"].as_i64() {
        print!(" (rerun of run {of})");
    }
    println!();
    println!(
        "created {}, finished {}, took {}",
        time(&r["createdAt"]),
        time(&r["finishedAt"]),
        millis(&r["durationMs"])
    );
    let reruns: Vec<String> =
        array(&r["reruns"]).iter().map(|x| format!("{} ({})", x["id"], s(&x["status"]))).collect();
    if !reruns.is_empty() {
        println!("reruns: {}", reruns.join(", "));
    }
    if !r["requestId"].is_null() {
        println!("request id: {}", s(&r["requestId"]));
    }
    println!("inputs: {}", cut(&r["inputs"]));
    if !r["outputs"].is_null() {
        println!("outputs: {}", cut(&r["outputs"]));
    }
    if !r["error"].is_null() {
        println!("error: {}", cut(&r["error"]));
    }
    println!();
    let rows: Vec<Vec<String>> = array(&r["tasks"])
        .iter()
        .map(|t| vec![s(&t["taskId"]), s(&t["type"]), s(&t["status"]), millis(&t["durationMs"])])
        .collect();
    println!("{}", table::render(&["TASK", "TYPE", "STATUS", "TOOK"], &rows));
    for t in array(&r["tasks"]) {
        let took = if t["durationMs"].is_null() { String::new() } else { format!(" in {}", millis(&t["durationMs"])) };
        println!("\n{} ({}): {}{took}", s(&t["taskId"]), s(&t["type"]), s(&t["status"]));
        for input in array(&t["inputs"]) {
            let value = if input["error"].is_null() {
                cut(&input["output"])
            } else {
                format!("ERROR {}", cut(&input["error"]))
            };
            println!("  input  {}: {value}", s(&input["taskId"]));
        }
        if !t["error"].is_null() {
            println!("  error  {}", cut(&t["error"]));
        } else if !t["output"].is_null() {
            println!("  output {}", cut(&t["output"]));
        }
    }
}

impl RunsCommand {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::List(a) => {
                let v = ApiClient::new(&a.api)?.get(&list_path(&a)?).await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&v)?);
                } else {
                    print_list(&a, &v);
                }
            }
            Self::Show(a) => {
                let r = ApiClient::new(&a.api)?.get(&format!("/v2/runs/{}", a.id)).await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&r)?);
                } else {
                    print_run(&r, a.full);
                }
            }
            Self::Rerun(a) => {
                let path = format!("/v2/runs/{}/rerun{}", a.id, if a.force { "?force=true" } else { "" });
                let r = ApiClient::new(&a.api)?.post(&path).await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&r)?);
                } else {
                    println!("run {} started: rerun of run {} (job {})", r["id"], a.id, r["jobId"]);
                    println!("follow it with: linkpool runs show {}", r["id"]);
                }
            }
        }
        Ok(())
    }
}
