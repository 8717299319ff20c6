//! Shared fixtures: an anvil with funded signers, stacks, time travel, revert decoding.

use alloy::{
    node_bindings::AnvilInstance,
    primitives::{keccak256, Address, B256, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    sol_types::SolInterface,
};
use linkpool_bindings::{
    stack::{self, DirectRequestStack, StackConfig},
    Error, LinkToken,
};

/// A fresh anvil and a provider that signs for its ten dev accounts.
pub(crate) struct Chain {
    // Kept alive: anvil is killed when this drops.
    _anvil: AnvilInstance,
    pub(crate) provider: DynProvider,
    /// Deployer, Operator owner, LINK holder.
    pub(crate) owner: Address,
    /// The Operator's authorized sender.
    pub(crate) node: Address,
    /// An account with no role.
    pub(crate) stranger: Address,
    /// An EOA that sends hand-built requests through LINK.transferAndCall.
    pub(crate) requester: Address,
}

pub(crate) fn chain() -> Chain {
    chain_with(&[])
}

/// [`chain`] with extra anvil flags (e.g. `--steps-tracing` for opcode traces).
pub(crate) fn chain_with(args: &[&str]) -> Chain {
    let anvil = linkpool_devtools::anvil().expect("anvil (run `make tools`)").args(args.iter().copied()).spawn();
    let provider = linkpool_devtools::test_provider(&anvil);
    let a = anvil.addresses().to_vec();
    Chain { provider, owner: a[0], node: a[1], stranger: a[2], requester: a[3], _anvil: anvil }
}

impl Chain {
    pub(crate) async fn stack(&self, config: StackConfig) -> DirectRequestStack {
        if config != StackConfig::LINKPOOL {
            ensure_reference();
        }
        DirectRequestStack::deploy(&self.provider, self.owner, self.node, config).await.expect("deploy stack")
    }

    pub(crate) async fn send(&self, tx: TransactionRequest) -> Result<alloy::rpc::types::TransactionReceipt, Error> {
        stack::send(&self.provider, tx).await
    }

    /// Moves the chain clock forward and mines a block.
    pub(crate) async fn increase_time(&self, seconds: u64) {
        let _: serde_json::Value =
            self.provider.raw_request("evm_increaseTime".into(), (seconds,)).await.expect("evm_increaseTime");
        let _: serde_json::Value = self.provider.raw_request("evm_mine".into(), ()).await.expect("evm_mine");
    }

    pub(crate) async fn timestamp(&self, block: u64) -> u64 {
        self.provider.get_block_by_number(block.into()).await.expect("rpc").expect("block").header.timestamp
    }

    pub(crate) async fn link_balance(&self, link: Address, who: Address) -> U256 {
        LinkToken::new(link, self.provider.clone()).balanceOf(who).call().await.expect("balanceOf")
    }

    /// Gives `to` LINK from the owner.
    pub(crate) async fn fund(&self, link: Address, to: Address, amount: U256) {
        let token = LinkToken::new(link, self.provider.clone());
        self.send(token.transfer(to, amount).from(self.owner).into_transaction_request()).await.expect("fund");
    }
}

/// Builds the Chainlink reference peer if needed (once across parallel test processes).
pub(crate) fn ensure_reference() {
    linkpool_bindings::reference::ensure_built().expect("build the Chainlink reference peer");
}

/// The custom error a failed call reverted with, decoded as interface `E`; panics with the error
/// otherwise so a test shows what really happened.
pub(crate) fn revert<E: SolInterface + std::fmt::Debug, T>(result: Result<T, Error>) -> E {
    let Err(err) = result else { panic!("expected a revert, got success") };
    err.decode_revert::<E>().unwrap_or_else(|| panic!("not a {} revert: {err}", std::any::type_name::<E>()))
}

/// Same as [`revert`] for alloy contract call results.
pub(crate) fn call_revert<E: SolInterface + std::fmt::Debug, T>(result: Result<T, alloy::contract::Error>) -> E {
    revert(result.map_err(Error::from))
}

/// keccak256(abi.encodePacked(requester, nonce)).
pub(crate) fn request_id(requester: Address, nonce: u64) -> B256 {
    let mut packed = requester.to_vec();
    packed.extend_from_slice(&U256::from(nonce).to_be_bytes::<32>());
    keccak256(packed)
}
