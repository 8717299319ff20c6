//! `linkpool bridges`: the node's registry of external adapters.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use eyre::Context;
use serde_json::{json, Value};

use crate::{client::ApiClient, opts::ApiOpts, table};

#[derive(Debug, Subcommand)]
pub(crate) enum BridgesCommand {
    /// Register an external adapter (or replace the one of the same name).
    ///
    /// Jobs call it with `fetch [type=bridge name="<name>" requestData="{...}"]`. The node
    /// POSTs `requestData` plus `id`, `meta` (and `responseURL` for `async=true` tasks) to the
    /// URL with `Authorization: Bearer <outgoing token>`. An async adapter answers
    /// `{"pending": true}` and later calls `PATCH <responseURL>` with
    /// `Authorization: Bearer <incoming token>` and `{"value": ...}` or `{"error": "..."}`.
    /// Tokens you do not give are generated; the incoming token is printed once, here.
    ///
    /// With --input-schema/--output-schema (JSON Schema files), every request and answer is
    /// checked, and jobs whose requestData cannot fit the input schema are refused at creation.
    Add(AddArgs),
    /// List the registered bridges.
    List(ListArgs),
    /// Show one bridge, with its outgoing token and schemas.
    Show(NameArgs),
    /// Remove a bridge (refused while a job uses it).
    Remove(NameArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The name tasks use: 1-64 characters of a-z, 0-9, _ and -.
    name: String,
    /// The adapter's URL, e.g. http://127.0.0.1:8080.
    url: String,
    /// Token the node sends to the adapter (default: random).
    #[arg(long, env = "LINKPOOL_BRIDGE_OUTGOING_TOKEN")]
    outgoing_token: Option<String>,
    /// Token the adapter presents when it resumes an async run (default: random).
    #[arg(long, env = "LINKPOOL_BRIDGE_INCOMING_TOKEN")]
    incoming_token: Option<String>,
    /// JSON Schema file every request body must satisfy.
    #[arg(long)]
    input_schema: Option<PathBuf>,
    /// JSON Schema file every answer must satisfy.
    #[arg(long)]
    output_schema: Option<PathBuf>,
    #[command(flatten)]
    api: ApiOpts,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    api: ApiOpts,
}

#[derive(Debug, Args)]
pub(crate) struct NameArgs {
    /// The bridge name.
    name: String,
    #[command(flatten)]
    api: ApiOpts,
}

fn read_schema(path: &Option<PathBuf>) -> eyre::Result<Value> {
    let Some(path) = path else { return Ok(Value::Null) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn s(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_else(|| if v.is_null() { "-".into() } else { v.to_string() })
}

fn yes_no(v: &Value) -> &'static str {
    if v.is_null() {
        "no"
    } else {
        "yes"
    }
}

impl BridgesCommand {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::Add(a) => {
                let mut body = json!({ "name": a.name, "url": a.url });
                for (key, v) in [("outgoingToken", &a.outgoing_token), ("incomingToken", &a.incoming_token)] {
                    if let Some(t) = v {
                        body[key] = json!(t);
                    }
                }
                for (key, v) in
                    [("inputSchema", read_schema(&a.input_schema)?), ("outputSchema", read_schema(&a.output_schema)?)]
                {
                    if !v.is_null() {
                        body[key] = v;
                    }
                }
                let b = ApiClient::new(&a.api)?.post_json("/v2/bridge_types", &body).await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&b)?);
                } else {
                    println!("bridge {} -> {}", s(&b["name"]), s(&b["url"]));
                    println!("  outgoing token  {}", s(&b["outgoingToken"]));
                    println!(
                        "  incoming token  {}  (shown once: give it to the adapter for async callbacks)",
                        s(&b["incomingToken"])
                    );
                    println!("  input schema    {}", yes_no(&b["inputSchema"]));
                    println!("  output schema   {}", yes_no(&b["outputSchema"]));
                }
            }
            Self::List(a) => {
                let v = ApiClient::new(&a.api)?.get("/v2/bridge_types").await?;
                if a.api.json {
                    println!("{}", serde_json::to_string_pretty(&v)?);
                    return Ok(());
                }
                let rows: Vec<Vec<String>> = v["bridges"]
                    .as_array()
                    .map(|a| a.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|b| {
                        vec![
                            s(&b["name"]),
                            s(&b["url"]),
                            yes_no(&b["inputSchema"]).into(),
                            yes_no(&b["outputSchema"]).into(),
                        ]
                    })
                    .collect();
                println!("{}", table::render(&["NAME", "URL", "INPUT SCHEMA", "OUTPUT SCHEMA"], &rows));
            }
            Self::Show(a) => {
                let b = ApiClient::new(&a.api)?.get(&format!("/v2/bridge_types/{}", a.name)).await?;
                println!("{}", serde_json::to_string_pretty(&b)?);
            }
            Self::Remove(a) => {
                ApiClient::new(&a.api)?.delete(&format!("/v2/bridge_types/{}", a.name)).await?;
                println!("removed bridge {}", a.name);
            }
        }
        Ok(())
    }
}
