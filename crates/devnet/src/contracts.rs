//! Deploys and funds the devnet's contracts.

use alloy::{
    primitives::{Address, U256},
    providers::DynProvider,
};
use linkpool_bindings::{ConsumerMultiWord, ConsumerUint256, LinkToken, Operator};

use crate::{DevnetError, Result};

/// LINK given to each consumer (juels): enough for thousands of requests.
pub const CONSUMER_FUNDING: u128 = 10_000 * 10u128.pow(18);

/// Payment per request in the scenarios: 0.1 LINK, as in the docs.
pub const REQUEST_PAYMENT: u128 = 10u128.pow(17);

/// Addresses of the devnet's contracts.
#[derive(Debug, Clone, Copy)]
pub struct Contracts {
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
    /// `node_sender`, and both consumers, each funded with [`CONSUMER_FUNDING`].
    pub async fn deploy(provider: &DynProvider, owner: Address, node_sender: Address) -> Result<Self> {
        let link = LinkToken::deploy(provider.clone()).await.map_err(DevnetError::contract("deploy LinkToken"))?;
        let operator = Operator::deploy(provider.clone(), *link.address(), owner)
            .await
            .map_err(DevnetError::contract("deploy Operator"))?;
        operator
            .setAuthorizedSenders(vec![node_sender])
            .send()
            .await
            .map_err(DevnetError::contract("setAuthorizedSenders"))?
            .get_receipt()
            .await
            .map_err(|e| DevnetError::Contract { what: "setAuthorizedSenders".into(), message: e.to_string() })?;
        let uint = ConsumerUint256::deploy(provider.clone(), *link.address())
            .await
            .map_err(DevnetError::contract("deploy ConsumerUint256"))?;
        let multi = ConsumerMultiWord::deploy(provider.clone(), *link.address())
            .await
            .map_err(DevnetError::contract("deploy ConsumerMultiWord"))?;
        for consumer in [*uint.address(), *multi.address()] {
            link.transfer(consumer, U256::from(CONSUMER_FUNDING))
                .send()
                .await
                .map_err(DevnetError::contract("fund consumer"))?
                .get_receipt()
                .await
                .map_err(|e| DevnetError::Contract { what: "fund consumer".into(), message: e.to_string() })?;
        }
        Ok(Self {
            link: *link.address(),
            operator: *operator.address(),
            consumer_uint256: *uint.address(),
            consumer_multiword: *multi.address(),
        })
    }
}
