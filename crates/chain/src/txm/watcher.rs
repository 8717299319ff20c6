//! The head watcher: one task per transaction manager. Polls the head, and for each new
//! block fetches the header and all its receipts (`eth_getBlockReceipts`) in one batch
//! request, then hands each sender the receipts of its own address. Senders never poll
//! receipts per tx in the steady state.

use std::{collections::HashMap, sync::Arc};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, U128},
    providers::Provider,
};
use tokio::sync::{mpsc, watch};
use tracing::{debug, info, warn};

use super::Shared;
use crate::{
    rpc::{self, HeaderRef, ReceiptRef},
    Result,
};

/// Blocks fetched per update; a larger gap makes senders check receipts by hash instead.
const MAX_GAP: u64 = 32;

/// The chain state the txm prices and validates against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeadInfo {
    pub(crate) number: u64,
    pub(crate) base_fee: u128,
    pub(crate) gas_limit: u64,
    /// The node's suggested tip (0 when a fixed tip is configured).
    pub(crate) tip: u128,
}

impl HeadInfo {
    pub(crate) fn new(header: &HeaderRef, tip: u128) -> Self {
        Self { number: header.number(), base_fee: header.base_fee(), gas_limit: header.gas_limit.to(), tip }
    }
}

/// What one sender learns from one poll.
#[derive(Debug)]
pub(crate) struct BlockUpdate {
    pub(crate) head: HeadInfo,
    /// Receipts of txs from this sender in the new blocks.
    pub(crate) receipts: Vec<ReceiptRef>,
    /// False if some new blocks' receipts could not be fetched (gap, reorg, unsupported
    /// method, error): the sender must look up its pending txs by hash.
    pub(crate) complete: bool,
}

pub(crate) struct Watcher {
    pub(crate) shared: Arc<Shared>,
    pub(crate) senders: HashMap<Address, mpsc::UnboundedSender<BlockUpdate>>,
    pub(crate) last: Option<u64>,
    pub(crate) block_receipts: bool,
}

impl Watcher {
    pub(crate) async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let interval = self.shared.config.poll_interval;
        loop {
            let result = tokio::select! {
                result = self.poll() => result,
                _ = stop.changed() => break,
            };
            if let Err(err) = result {
                warn!(%err, "txm head poll failed; retrying");
            }
            if self.senders.is_empty() {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.changed() => break,
            }
        }
        debug!("txm head watcher stopped");
    }

    async fn poll(&mut self) -> Result<()> {
        let provider = self.shared.client.provider();
        let head = provider.get_block_number().await?;
        if self.last == Some(head) {
            return Ok(());
        }
        let (first, mut complete) = match self.last {
            Some(last) if head > last && head - last <= MAX_GAP => (last + 1, true),
            _ => (head, false),
        };

        let mut batch = self.shared.client.batch();
        let header = rpc::add_header(&mut batch, BlockNumberOrTag::Number(head))?;
        let tip = match self.shared.config.fees.priority_fee {
            Some(_) => None,
            None => Some(batch.add_call::<_, U128>("eth_maxPriorityFeePerGas", &())?),
        };
        let mut receipt_calls = Vec::new();
        if self.block_receipts {
            for number in first..=head {
                receipt_calls.push(batch.add_call::<_, Option<Vec<ReceiptRef>>>(
                    "eth_getBlockReceipts",
                    &(BlockNumberOrTag::Number(number),),
                )?);
            }
        } else {
            complete = false;
        }
        batch.send().await?;

        let Some(header) = header.await? else { return Ok(()) }; // head moved back: next poll
        let tip = match tip {
            Some(call) => call.await.map(|t| t.to::<u128>()).unwrap_or_else(|err| {
                debug!(%err, "eth_maxPriorityFeePerGas failed; using the configured minimum");
                0
            }),
            None => 0,
        };
        let mut by_sender: HashMap<Address, Vec<ReceiptRef>> = HashMap::new();
        for call in receipt_calls {
            match call.await {
                Ok(Some(receipts)) => {
                    for receipt in receipts {
                        if self.senders.contains_key(&receipt.from) {
                            by_sender.entry(receipt.from).or_default().push(receipt);
                        }
                    }
                }
                Ok(None) => complete = false,
                Err(err) => {
                    complete = false;
                    if rpc::is_method_not_found(&err) {
                        info!("eth_getBlockReceipts unsupported; falling back to receipts by hash");
                        self.block_receipts = false;
                    } else {
                        debug!(%err, "eth_getBlockReceipts failed");
                    }
                }
            }
        }

        let info = HeadInfo::new(&header, tip);
        self.shared.head.send_replace(Some(info));
        self.senders.retain(|address, sender| {
            let receipts = by_sender.remove(address).unwrap_or_default();
            sender.send(BlockUpdate { head: info, receipts, complete }).is_ok()
        });
        self.last = Some(head);
        Ok(())
    }
}
