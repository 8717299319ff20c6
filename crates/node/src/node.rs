//! Node start-up and shutdown.

use std::{net::SocketAddr, path::Path, sync::Arc};

use linkpool_chain::{ChainClient, FeeConfig, KeyStore, Password, TxManager, TxmConfig};
use linkpool_job::JobSpec;
use linkpool_store::Store;
use tokio::{net::TcpListener, task::JoinSet};
use tokio_util::sync::CancellationToken;

use crate::{
    api,
    executor::{ExecutorConfig, RunExecutor},
    services::{
        agreement::{AgreementConfig, AgreementService},
        cron::CronService,
        direct_request::{DirectRequestConfig, DirectRequestService},
        head::HeadTracker,
    },
    Error, NodeConfig, NodeState, Result,
};

/// Entry point: [`Node::start`].
#[derive(Debug)]
pub struct Node;

/// A running node. Dropping it does not stop it; call [`NodeHandle::shutdown`].
#[derive(Debug)]
pub struct NodeHandle {
    /// Where the API listens.
    pub api_addr: SocketAddr,
    /// The API bearer token.
    pub api_token: String,
    /// Shared state (store, jobs, head).
    pub state: Arc<NodeState>,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
}

impl NodeHandle {
    /// Stops every service and waits for them.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        while self.tasks.join_next().await.is_some() {}
    }

    /// Resolves when any service stops on its own (which is a failure).
    pub async fn stopped(&mut self) {
        let _ = self.tasks.join_next().await;
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let what = what.into();
    move |source| Error::Io { what, source }
}

/// The API token: from config, else `<data_dir>/api-token`, created on first start.
fn api_token(config: &NodeConfig) -> Result<String> {
    if let Some(t) = &config.api.token {
        return Ok(t.clone());
    }
    let path = config.data_dir.join("api-token");
    if let Ok(t) = std::fs::read_to_string(&path) {
        return Ok(t.trim().to_owned());
    }
    let token: String = {
        use rand::Rng;
        let bytes: [u8; 24] = rand::thread_rng().gen();
        hex::encode(bytes)
    };
    write_private(&path, &token).map_err(io(format!("writing {}", path.display())))?;
    tracing::info!(path = %path.display(), "created the API token");
    Ok(token)
}

/// The API's URL as adapters see it: `api.external_url`, else the bound address (loopback when
/// bound to every interface).
fn external_url(config: &NodeConfig, bound: SocketAddr) -> String {
    if let Some(url) = &config.api.external_url {
        return url.trim_end_matches('/').to_owned();
    }
    let mut addr = bound;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
    }
    format!("http://{addr}")
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(contents.as_bytes())
}

impl Node {
    /// Connects everything, resumes interrupted work and spawns the services.
    pub async fn start(config: NodeConfig) -> Result<NodeHandle> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(io(format!("creating data dir {}", config.data_dir.display())))?;
        let store = Store::connect(&config.database_url()).await?;
        let api_token = api_token(&config)?;

        let password = Password::resolve(config.keys.password_file.as_deref())?;
        let keystore = KeyStore::new(config.keystore_dir());
        let keys = tokio::task::spawn_blocking(move || keystore.load_all(&password))
            .await
            .map_err(|e| Error::Config(format!("keystore task failed: {e}")))??;
        let Some(key) = keys.into_iter().next() else {
            return Err(Error::Config(format!(
                "no keys in {}: create one with `linkpool keys create --dir {}`",
                config.keystore_dir().display(),
                config.keystore_dir().display()
            )));
        };

        let client = ChainClient::connect(&config.chain.rpc_url, config.chain.chain_id).await?;
        let chain_id = client.chain_id();
        let sender = key.address();
        tracing::info!(chain_id, %sender, rpc = client.endpoint(), "connected");

        // Finish deleting jobs whose purge a restart interrupted.
        let purging = store.clone();
        tokio::spawn(async move {
            if let Err(e) = purging.purge_deleted_jobs().await {
                tracing::warn!(error = %e, "purging deleted jobs failed; retried at next start");
            }
        });
        let state = Arc::new(NodeState::new(store.clone(), chain_id, sender));
        for job in store.list_jobs().await? {
            let mut spec =
                JobSpec::from_toml(&job.spec_toml).map_err(|source| Error::StoredSpec { id: job.id, source })?;
            // A spec without externalJobID got a random one at creation; the stored id wins.
            spec.set_external_job_id(job.external_job_id);
            state.jobs.add(job.id, spec);
        }

        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();

        let defaults = TxmConfig::default();
        let txm_config = TxmConfig {
            confirmations: config.chain.tx_confirmations,
            poll_interval: config.chain.poll_interval,
            bump_after: Some(config.chain.bump_after),
            bump_after_blocks: Some(config.chain.bump_after_blocks.max(1)),
            fees: FeeConfig { max_fee_per_gas: u128::from(config.chain.max_fee_per_gas_wei), ..defaults.fees.clone() },
            ..defaults
        };
        let txm = Arc::new(TxManager::spawn(client.clone(), store.clone(), [key.signer().clone()], txm_config)?);

        let txm_for_pool = txm.clone();
        let executor = RunExecutor::new(
            state.clone(),
            txm.clone(),
            Arc::new(crate::NodeChainReader::new(client.clone())),
            ExecutorConfig {
                default_task_timeout: config.pipeline.default_task_timeout,
                default_gas_limit: config.chain.default_gas_limit,
                allow_unrestricted_network_access: config.pipeline.allow_unrestricted_network_access,
                max_http_body_bytes: config.pipeline.max_http_body_bytes,
            },
        );
        // Bound before runs resume: async bridge tasks need the callback address.
        let listener = TcpListener::bind(config.api.listen)
            .await
            .map_err(io(format!("binding the API to {}", config.api.listen)))?;
        let api_addr = listener.local_addr().map_err(io("reading the API address"))?;
        state.set_resume_url_base(format!("{}/v2/resume", external_url(&config, api_addr)));
        state.set_executor(&executor);
        executor.resume().await?;

        let service = DirectRequestService::new(
            state.clone(),
            client.clone(),
            executor.clone(),
            DirectRequestConfig { poll_interval: config.chain.poll_interval, start_block: config.chain.start_block },
        );
        let token = shutdown.clone();
        tasks.spawn(async move {
            if let Err(e) = service.run(token).await {
                tracing::error!(error = %e, "direct-request service stopped");
            }
        });
        let agreements = AgreementService::new(
            state.clone(),
            client.clone(),
            txm.clone(),
            executor.clone(),
            AgreementConfig {
                poll_interval: config.chain.poll_interval,
                start_block: config.chain.start_block,
                pool_storage: config.pool.storage,
            },
        );
        let token = shutdown.clone();
        tasks.spawn(async move {
            if let Err(e) = agreements.run(token).await {
                tracing::error!(error = %e, "agreement service stopped");
            }
        });
        let cron = CronService::new(state.clone(), executor.clone());
        let token = shutdown.clone();
        tasks.spawn(async move {
            if let Err(e) = cron.run(token).await {
                tracing::error!(error = %e, "cron service stopped");
            }
        });
        let heads = HeadTracker::new(state.clone(), client.clone(), config.chain.poll_interval);
        tasks.spawn(heads.run(shutdown.clone()));

        if let Some(retention) = crate::retention::RunRetention::from_config(&config.runs) {
            // Returns on shutdown, between two delete batches at most.
            tasks.spawn(retention.run(store.clone(), shutdown.clone()));
        }

        let app = api::router(state.clone(), api_token.clone(), config.api.max_body_bytes);
        let token = shutdown.clone();
        tasks.spawn(async move {
            let r = axum::serve(listener, app).with_graceful_shutdown(token.cancelled_owned()).await;
            if let Err(e) = r {
                tracing::error!(error = %e, "API server stopped");
            }
        });
        let token = shutdown.clone();
        let exec = executor.clone();
        tasks.spawn(async move {
            token.cancelled().await;
            // Runs stay `running` in the store and resume on the next start.
            exec.stop_all();
            drop(exec);
            let mut txm = txm;
            for _ in 0..50 {
                match Arc::try_unwrap(txm) {
                    Ok(t) => return t.shutdown().await,
                    Err(still_shared) => txm = still_shared,
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            tracing::warn!("transaction manager still in use at shutdown");
        });
        if config.pool.storage.is_some() {
            let (pool, state, client, txm) = (config.pool.clone(), state.clone(), client.clone(), txm_for_pool);
            let token = shutdown.clone();
            tasks.spawn(async move {
                tokio::select! {
                    () = token.cancelled() => {}
                    joined = crate::pool::join(&pool, state, client, txm, sender) => {
                        if let Err(e) = joined {
                            tracing::error!(error = %e, "joining the pool failed; fix [pool] and restart");
                        }
                        // Stay alive: a service that stops means the node failed.
                        token.cancelled().await;
                    }
                }
            });
        }
        tracing::info!(api = %api_addr, "node started");
        Ok(NodeHandle { api_addr, api_token, state, shutdown, tasks })
    }
}
