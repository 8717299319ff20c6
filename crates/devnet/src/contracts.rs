//! Deploys and funds the devnet's contracts, in our flavour or Chainlink's.

use alloy::{primitives::Address, providers::DynProvider};
use linkpool_bindings::stack::{DirectRequestStack, StackConfig};

use crate::{DevnetError, Result};

/// Payment per request in the scenarios: 0.1 LINK, as in the docs.
pub const REQUEST_PAYMENT: u128 = 10u128.pow(17);

/// Addresses of the devnet's contracts.
#[derive(Debug, Clone, Copy)]
pub struct Contracts {
    /// Which implementations were deployed.
    pub flavors: StackConfig,
    /// The LINK token (ERC-677).
    pub link: Address,
    /// The Operator the node serves.
    pub operator: Address,
    /// The "Get > Uint256" consumer.
    pub consumer_uint256: Address,
    /// The "MultiWord" consumer.
    pub consumer_multiword: Address,
}

impl Contracts {
    /// Deploys LINK, an Operator owned by `owner` that authorizes
    /// `node_sender`, and both consumers, funded with LINK. `flavors` picks
    /// ours or Chainlink's (from `@chainlink/contracts`) for each.
    pub async fn deploy(
        provider: &DynProvider,
        owner: Address,
        node_sender: Address,
        flavors: StackConfig,
    ) -> Result<Self> {
        let s = DirectRequestStack::deploy(provider, owner, node_sender, flavors)
            .await
            .map_err(DevnetError::contract("deploy the direct-request stack"))?;
        Ok(Self {
            flavors,
            link: s.link,
            operator: s.operator,
            consumer_uint256: s.consumer,
            consumer_multiword: s.multi_word_consumer,
        })
    }
}
