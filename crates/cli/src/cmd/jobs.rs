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
