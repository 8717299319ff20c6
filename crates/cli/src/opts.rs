use std::path::PathBuf;

use clap::Args;

/// How to reach a running node's API.
#[derive(Debug, Clone, Args)]
pub(crate) struct ApiOpts {
    /// The node's API base URL.
    #[arg(long, env = "LINKPOOL_API_URL", default_value = "http://127.0.0.1:6688", global = true)]
    pub(crate) api_url: String,

    /// The API bearer token (the node prints where it keeps it at start).
    #[arg(long, env = "LINKPOOL_API_TOKEN", hide_env_values = true, global = true)]
    pub(crate) token: Option<String>,

    /// A file holding the API token; defaults to `.linkpool/api-token`.
    #[arg(long, env = "LINKPOOL_API_TOKEN_FILE", global = true)]
    pub(crate) token_file: Option<PathBuf>,

    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

impl ApiOpts {
    pub(crate) fn token(&self) -> eyre::Result<String> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let path = self.token_file.clone().unwrap_or_else(|| PathBuf::from(".linkpool/api-token"));
        let t = std::fs::read_to_string(&path).map_err(|e| {
            eyre::eyre!(
                "no API token: pass --token, set LINKPOOL_API_TOKEN, or point --token-file at the node's api-token file ({}: {e})",
                path.display()
            )
        })?;
        Ok(t.trim().to_owned())
    }
}
