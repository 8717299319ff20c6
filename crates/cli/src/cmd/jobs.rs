use std::path::PathBuf;

use clap::{Args, Subcommand};
use eyre::Context;
use serde_json::Value;

use crate::{client::ApiClient, opts::ApiOpts, table};

#[derive(Debug, Subcommand)]
pub(crate) enum JobsCommand {
    /// Create a job from a Chainlink-compatible TOML spec file (`-` reads standard input).
    ///
    /// Errors name the field and the line, e.g. `line 12, column 5: contractAddress: not an address`.
    Create(CreateArgs),
    /// List the node's jobs.
    List(ListArgs),
    /// Show one job (by id or externalJobID), with the specId values consumers must use.
    Show(ShowArgs),
    /// Delete a job and its runs.
    Delete(ShowArgs),
    /// Run a webhook job now; the pipeline sees the body as `$(jobRun.requestBody)`.
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Numeric job id or externalJobID of a webhook job.
    id: String,
    /// The JSON request body, or `@file` to read it from a file (`@-`: standard input).
    #[arg(long)]
    body: Option<String>,
    /// Makes retries safe: the node starts at most one run per job and key, and answers a
    /// repeated request with the run it already started.
    #[arg(long)]
    idempotency_key: Option<String>,
    #[command(flatten)]
    api: ApiOpts,
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// The TOML spec file.
    file: PathBuf,
    #[command(flatten)]
    api: ApiOpts,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    api: ApiOpts,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Numeric job id or externalJobID.
    id: String,
    #[command(flatten)]
    api: ApiOpts,
}

impl JobsCommand {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::Create(a) => {
                let toml = if a.file.as_os_str() == "-" {
                    std::io::read_to_string(std::io::stdin())?
                } else {
                    std::fs::read_to_string(&a.file).with_context(|| format!("reading {}", a.file.display()))?
                };
                let job = ApiClient::new(&a.api)?.post_toml("/v2/jobs", toml).await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&job)?);
                } else {
                    print_job(&job);
                }
            }
            Self::List(a) => {
                let v = ApiClient::new(&a.api)?.get("/v2/jobs").await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&v)?);
                    return Ok(());
                }
                let rows: Vec<Vec<String>> = v["jobs"]
                    .as_array()
                    .map(|a| a.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|j| {
                        vec![
                            j["id"].to_string(),
                            s(&j["type"]),
                            s(&j["externalJobID"]),
                            s(&j["name"]),
                            s(&j["contractAddress"]),
                        ]
                    })
                    .collect();
                println!("{}", table::render(&["ID", "TYPE", "EXTERNAL JOB ID", "NAME", "CONTRACT"], &rows));
            }
            Self::Show(a) => {
                let job = ApiClient::new(&a.api)?.get(&format!("/v2/jobs/{}", a.id)).await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&job)?);
                } else {
                    print_job(&job);
                    println!("\n{}", s(&job["spec"]));
                }
            }
            Self::Delete(a) => {
                ApiClient::new(&a.api)?.delete(&format!("/v2/jobs/{}", a.id)).await?;
                println!("deleted job {}", a.id);
            }
            Self::Run(a) => run_webhook(a).await?,
        }
        Ok(())
    }
}

fn s(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_else(|| if v.is_null() { "-".into() } else { v.to_string() })
}

fn print_job(j: &Value) {
    println!("job {} ({})", j["id"], s(&j["type"]));
    println!("  name           {}", s(&j["name"]));
    println!("  externalJobID  {}", s(&j["externalJobID"]));
    if !j["contractAddress"].is_null() {
        println!("  contract       {}", s(&j["contractAddress"]));
        println!("  specId (ascii) {}", s(&j["specIds"]["ascii"]));
        println!("  specId (raw)   {}", s(&j["specIds"]["raw"]));
    }
}

/// The `--body` text: inline JSON or `@file`, checked to be JSON before it is sent.
fn webhook_body(arg: Option<&str>) -> eyre::Result<String> {
    let text = match arg {
        None => return Ok(String::new()),
        Some("@-") => std::io::read_to_string(std::io::stdin())?,
        Some(a) => match a.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
            None => a.to_owned(),
        },
    };
    serde_json::from_str::<Value>(&text).context("--body is not JSON")?;
    Ok(text)
}

async fn run_webhook(a: RunArgs) -> eyre::Result<()> {
    let body = webhook_body(a.body.as_deref())?;
    let url = format!("{}/v2/jobs/{}/runs", a.api.api_url.trim_end_matches('/'), a.id);
    let mut req = reqwest::Client::new()
        .post(&url)
        .bearer_auth(a.api.token()?)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(key) = &a.idempotency_key {
        req = req.header("Idempotency-Key", key);
    }
    let resp = req.send().await.with_context(|| format!("cannot reach the node API at {url}"))?;
    let status = resp.status();
    let text = resp.text().await?;
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if !status.is_success() {
        let msg = v["error"]["message"].as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
        eyre::bail!("{msg} ({status})");
    }
    if a.api.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if status == reqwest::StatusCode::CREATED {
        println!("run {} started (job {}); `linkpool runs show {}` follows it", v["id"], v["jobId"], v["id"]);
    } else {
        println!("run {} already exists for this idempotency key ({})", v["id"], s(&v["status"]));
    }
    Ok(())
}
