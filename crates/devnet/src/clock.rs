//! anvil's clock and short renderings shared by the scenarios and benches.

use alloy::{
    primitives::Address,
    providers::{DynProvider, Provider},
};

use crate::{DevnetError, Result};

/// The latest block's timestamp (the chain's "now").
pub(crate) async fn latest_timestamp(p: &DynProvider) -> Result<u64> {
    let block = p
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .map_err(DevnetError::contract("eth_getBlockByNumber"))?
        .ok_or_else(|| DevnetError::Contract {
            what: "eth_getBlockByNumber".into(),
            message: "no latest block".into(),
        })?;
    Ok(block.header.timestamp)
}

/// Moves anvil's clock `seconds` ahead and mines a block.
pub(crate) async fn increase_time(p: &DynProvider, seconds: u64) -> Result<()> {
    let _: serde_json::Value = p
        .raw_request("evm_increaseTime".into(), (seconds,))
        .await
        .map_err(DevnetError::contract("evm_increaseTime"))?;
    let _: serde_json::Value = p.raw_request("evm_mine".into(), ()).await.map_err(DevnetError::contract("evm_mine"))?;
    Ok(())
}

/// `0x1234…abcd`.
pub(crate) fn short(a: Address) -> String {
    let s = a.to_string();
    format!("{}…{}", &s[..6], &s[s.len() - 4..])
}
