//! `ethcall` and `estimategaslimit` against a real anvil, through the node's
//! [`NodeChainReader`] and our `LinkToken`.

use std::{collections::HashMap, sync::Arc};

use alloy::{
    eips::BlockId,
    network::{EthereumWallet, TransactionBuilder},
    node_bindings::AnvilInstance,
    primitives::{keccak256, Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use linkpool_bindings::LinkToken;
use linkpool_chain::ChainClient;
use linkpool_node::NodeChainReader;
use linkpool_pipeline::{Deps, NoopObserver, Pipeline, RunContext, RunResult, Runner, TaskError, Value, Vars};

const TOTAL_SUPPLY: &str = "1000000000000000000000000000";

/// Anvil with our LinkToken deployed by `owner`, and a pipeline runner reading that chain.
struct Fixture {
    _anvil: AnvilInstance,
    provider: DynProvider,
    link: Address,
    owner: Address,
    stranger: Address,
    chain_id: u64,
    runner: Runner,
}

async fn fixture() -> Fixture {
    let anvil = linkpool_devtools::anvil().expect("anvil (run `make tools`)").spawn();
    let wallet = EthereumWallet::new(PrivateKeySigner::from(anvil.keys()[0].clone()));
    let provider = ProviderBuilder::new().wallet(wallet).connect_http(anvil.endpoint_url()).erased();
    let link = *LinkToken::deploy(provider.clone()).await.expect("deploy LinkToken").address();
    let client = ChainClient::connect(&anvil.endpoint(), Some(anvil.chain_id())).await.expect("connect");
    let reader = NodeChainReader::new(client);
    let runner = Runner::new(Deps { chain: Some(Arc::new(reader)), ..Default::default() });
    Fixture {
        owner: anvil.addresses()[0],
        stranger: anvil.addresses()[2],
        chain_id: anvil.chain_id(),
        _anvil: anvil,
        provider,
        link,
        runner,
    }
}

impl Fixture {
    async fn run(&self, src: &str) -> RunResult {
        let p = Pipeline::parse(src).unwrap_or_else(|e| panic!("parse failed: {e}\n{src}"));
        let ctx = RunContext { run_id: 1, job_id: None, vars: Vars::new(), max_task_duration: None };
        self.runner.run(&p, ctx, HashMap::new(), &NoopObserver).await.expect("run")
    }

    /// The output of task `id` (panics if it errored).
    async fn output(&self, src: &str, id: &str) -> Value {
        let r = self.run(src).await;
        let t = r.task(id).unwrap_or_else(|| panic!("no task {id}"));
        t.result().unwrap_or_else(|e| panic!("task {id} failed: {e:?}")).clone()
    }

    /// The error of task `id` (panics if it succeeded).
    async fn error(&self, src: &str, id: &str) -> TaskError {
        let r = self.run(src).await;
        let t = r.task(id).unwrap_or_else(|| panic!("no task {id}"));
        t.error.clone().unwrap_or_else(|| panic!("task {id} succeeded: {:?}", t.output))
    }

    /// `balanceOf(holder)` through ethabiencode → ethcall → ethabidecode, with extra `ethcall`
    /// attributes.
    fn balance_pipeline(&self, holder: Address, call_attrs: &str) -> String {
        format!(
            r#"
            encode [type=ethabiencode abi="balanceOf(address account)" data="{{\"account\": \"{holder}\"}}"]
            call   [type=ethcall contract="{link}" data="$(encode)" {call_attrs}]
            decode [type=ethabidecode abi="uint256 balance" data="$(call)"]
            encode -> call -> decode
            "#,
            link = self.link,
        )
    }

    async fn transfer(&self, to: Address, value: u64) -> u64 {
        let receipt = LinkToken::new(self.link, &self.provider)
            .transfer(to, U256::from(value))
            .send()
            .await
            .expect("send transfer")
            .get_receipt()
            .await
            .expect("receipt");
        assert!(receipt.status());
        receipt.block_number.expect("mined")
    }
}

#[tokio::test]
async fn ethcall_reads_balances_at_the_requested_block() {
    let f = fixture().await;
    let out = f.output(&f.balance_pipeline(f.owner, ""), "decode").await;
    assert_eq!(out.get_key("balance").unwrap().to_string(), TOTAL_SUPPLY);
    // The raw ethcall output is the ABI-encoded uint256.
    let raw = f.output(&f.balance_pipeline(f.owner, ""), "call").await;
    assert_eq!(raw, Value::Bytes(U256::from_str_radix(TOTAL_SUPPLY, 10).unwrap().to_be_bytes::<32>().to_vec().into()));

    let before = f.provider.get_block_number().await.unwrap();
    let mined_in = f.transfer(f.stranger, 1_234).await;
    assert!(mined_in > before);
    let now = f.output(&f.balance_pipeline(f.stranger, ""), "decode").await;
    assert_eq!(now.get_key("balance"), Some(&Value::from(1_234u64)));
    // History: at the block before the transfer the stranger had nothing.
    let then = f.output(&f.balance_pipeline(f.stranger, &format!("block={before}")), "decode").await;
    assert_eq!(then.get_key("balance"), Some(&Value::from(0u64)));
    let pending = f.output(&f.balance_pipeline(f.stranger, "block=pending gas=100000"), "decode").await;
    assert_eq!(pending.get_key("balance"), Some(&Value::from(1_234u64)));
    // The right chain id is accepted, another is refused without a call.
    let same = f.output(&f.balance_pipeline(f.stranger, &format!("evmChainID={}", f.chain_id)), "decode").await;
    assert_eq!(same.get_key("balance"), Some(&Value::from(1_234u64)));
    let e = f.error(&f.balance_pipeline(f.stranger, "evmChainID=1"), "call").await;
    assert!(
        matches!(&e, TaskError::ChainCall { message, reverted: false } if message.contains("evmChainID 1")),
        "{e:?}"
    );
}

#[tokio::test]
async fn ethcall_reports_reverts() {
    let f = fixture().await;
    let transfer = |from: Address, to: Address, extract: bool| {
        format!(
            r#"
            encode [type=ethabiencode abi="transfer(address to, uint256 value)" data="{{\"to\": \"{to}\", \"value\": 5}}"]
            call   [type=ethcall contract="{link}" from="{from}" data="$(encode)" extractRevertReason={extract}]
            encode -> call
            "#,
            link = f.link,
        )
    };
    // The owner may transfer: the call returns `true`.
    let ok = f.output(&transfer(f.owner, f.stranger, false), "call").await;
    assert_eq!(ok, Value::Bytes(U256::from(1).to_be_bytes::<32>().to_vec().into()));
    // The stranger has no LINK: InsufficientFunds(stranger, 0, 5), a custom error.
    let selector = |sig: &str| alloy::hex::encode(&keccak256(sig)[..4]);
    let insufficient = selector("InsufficientFunds(address,uint256,uint256)");
    match f.error(&transfer(f.stranger, f.owner, true), "call").await {
        TaskError::ChainCall { message, reverted: true } => {
            assert!(message.contains(&format!("custom error 0x{insufficient}")), "{message}");
            assert!(message.contains(&format!("; revert data: 0x{insufficient}")), "{message}");
        }
        other => panic!("expected a revert, got {other:?}"),
    }
    // Without extractRevertReason only the RPC node's own message is kept (anvil's names the
    // selector too), not the revert data.
    match f.error(&transfer(f.stranger, f.owner, false), "call").await {
        TaskError::ChainCall { message, reverted: true } => {
            assert!(message.starts_with("execution reverted"), "{message}");
            assert!(!message.contains("revert data"), "{message}");
        }
        other => panic!("expected a revert, got {other:?}"),
    }
    // Not retryable.
    assert!(!f.error(&transfer(f.owner, Address::ZERO, false), "call").await.is_retryable());
}

#[tokio::test]
async fn estimategaslimit_scales_the_estimate_and_rounds_up() {
    let f = fixture().await;
    let data = LinkToken::transferCall { to: f.stranger, value: U256::from(5) }.abi_encode();
    let tx = TransactionRequest::default().with_from(f.owner).with_to(f.link).with_input(data.clone());
    let estimate = f.provider.estimate_gas(tx).block(BlockId::latest()).await.unwrap();
    let src = |from: Address, multiplier: &str| {
        format!(
            r#"g [type=estimategaslimit to="{link}" from="{from}" data="0x{data}" {multiplier}]"#,
            link = f.link,
            data = alloy::hex::encode(&data),
        )
    };
    // Integer math, rounded up: ceil(estimate × 3 / 2).
    let out = f.output(&src(f.owner, "multiplier=\"1.5\""), "g").await;
    assert_eq!(out, Value::from((estimate * 3).div_ceil(2)));
    assert_eq!(f.output(&src(f.owner, ""), "g").await, Value::from(estimate));
    // A product that is almost surely fractional shows the rounding direction.
    let fine = f.output(&src(f.owner, "multiplier=\"1.0001\""), "g").await;
    assert_eq!(fine, Value::from((estimate * 10_001).div_ceil(10_000)));
    // The stranger's transfer reverts: the estimate fails instead of falling back.
    let e = f.error(&src(f.stranger, "multiplier=2"), "g").await;
    assert!(matches!(&e, TaskError::ChainCall { reverted: true, .. }), "{e:?}");
    let e = f.error(&src(f.owner, &format!("evmChainID={}", f.chain_id + 1)), "g").await;
    assert!(matches!(&e, TaskError::ChainCall { reverted: false, .. }), "{e:?}");
}
