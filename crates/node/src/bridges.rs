//! The node's bridge registry: bridges stored in the database, compiled once (schemas included)
//! and cached in memory, behind the pipeline's [`BridgeRegistry`] seam.
//!
//! Only this process changes bridges (through the API), which invalidates the cache; a lookup
//! of a name not in the cache reads the store.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, UNIX_EPOCH},
};

use alloy::primitives::keccak256;
use async_trait::async_trait;
use linkpool_pipeline::bridge::{Bridge, BridgeRegistry, BridgeRegistryError, CachedAnswer, Schema};
use linkpool_store::{BridgeRecord, Store};
use parking_lot::RwLock;

/// Bridges by name, compiled.
#[derive(Debug)]
pub struct NodeBridges {
    store: Store,
    cache: RwLock<HashMap<String, Bridge>>,
}

/// Why a stored or submitted bridge cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// A schema does not compile.
    #[error("{which} schema of bridge `{name}` is not a valid JSON Schema: {message}")]
    InvalidSchema {
        /// The bridge.
        name: String,
        /// `input` or `output`.
        which: &'static str,
        /// The compiler's message.
        message: String,
    },
}

/// Compiles a stored bridge for tasks.
pub fn compile(rec: &BridgeRecord) -> Result<Bridge, BridgeError> {
    let schema = |which: &'static str, s: &Option<serde_json::Value>| {
        s.clone()
            .map(|s| {
                Schema::compile(s).map(Arc::new).map_err(|message| BridgeError::InvalidSchema {
                    name: rec.name.clone(),
                    which,
                    message,
                })
            })
            .transpose()
    };
    Ok(Bridge {
        name: rec.name.clone(),
        url: rec.url.clone(),
        outgoing_token: rec.outgoing_token.clone(),
        input_schema: schema("input", &rec.input_schema)?,
        output_schema: schema("output", &rec.output_schema)?,
    })
}

/// A new random token (32 bytes, hex).
pub fn generate_token() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// How an incoming token is stored: `0x` + keccak256 of its bytes.
pub fn hash_token(token: &str) -> String {
    keccak256(token.trim().as_bytes()).to_string()
}

impl NodeBridges {
    /// An empty cache over `store`.
    pub fn new(store: Store) -> Self {
        Self { store, cache: RwLock::default() }
    }

    /// Forgets a bridge (after it changed or was removed).
    pub fn invalidate(&self, name: &str) {
        self.cache.write().remove(&name.trim().to_ascii_lowercase());
    }

    /// The compiled bridge, from the cache or the store.
    pub async fn get(&self, name: &str) -> Result<Option<Bridge>, BridgeRegistryError> {
        let key = name.trim().to_ascii_lowercase();
        if let Some(b) = self.cache.read().get(&key) {
            return Ok(Some(b.clone()));
        }
        let Some(rec) = self.store.get_bridge(&key).await.map_err(|e| BridgeRegistryError(e.to_string()))? else {
            return Ok(None);
        };
        let bridge = compile(&rec).map_err(|e| BridgeRegistryError(e.to_string()))?;
        self.cache.write().insert(key, bridge.clone());
        Ok(Some(bridge))
    }
}

#[async_trait]
impl BridgeRegistry for NodeBridges {
    async fn bridge(&self, name: &str) -> Result<Option<Bridge>, BridgeRegistryError> {
        self.get(name).await
    }

    async fn last_answer(&self, job_id: i64, task_id: &str) -> Result<Option<CachedAnswer>, BridgeRegistryError> {
        let a = self.store.bridge_answer(job_id, task_id).await.map_err(|e| BridgeRegistryError(e.to_string()))?;
        Ok(a.map(|a| CachedAnswer {
            body: a.body,
            at: UNIX_EPOCH + Duration::from_millis(u64::try_from(a.received_at).unwrap_or_default()),
        }))
    }

    async fn save_answer(&self, job_id: i64, task_id: &str, body: &str) -> Result<(), BridgeRegistryError> {
        self.store.save_bridge_answer(job_id, task_id, body).await.map_err(|e| BridgeRegistryError(e.to_string()))
    }
}
