//! A network on a fresh anvil: LINK, `Reputation`, `OrderMatching`, the aggregators, a requester
//! contract and funded oracles, with helpers to run SLAs and sessions.

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, FixedBytes, B256, I256, U256},
    providers::{DynProvider, Provider},
    sol_types::SolCall,
};
use linkpool_agreements::{
    commitment::{commitment, random_salt},
    deploy::{self, AgreementContracts},
    terms::SlaTermsBuilder,
    Agreements, Error,
};
use linkpool_bindings::{agreements::SlaConsumer, stack, LinkToken};

pub(crate) const LINK: u128 = 1_000_000_000_000_000_000;
/// LINK each oracle starts with.
pub(crate) const ORACLE_FUNDS: u128 = 1_000 * LINK;

pub(crate) struct Net {
    pub(crate) p: DynProvider,
    pub(crate) admin: Address,
    /// The purchaser (and requester).
    pub(crate) purchaser: Address,
    pub(crate) oracles: Vec<Address>,
    pub(crate) c: AgreementContracts,
    pub(crate) consumer: Address,
    _anvil: alloy::node_bindings::AnvilInstance,
}

impl Net {
    /// A network with `oracles` funded oracle accounts and, if given, a LinkPool registry whose
    /// nodes may bid with pooled stake.
    pub(crate) async fn new(oracles: usize) -> Self {
        Self::with_pool(oracles, |_| async { None }).await
    }

    pub(crate) async fn with_pool<F, Fut>(oracles: usize, pool: F) -> Self
    where
        F: FnOnce((DynProvider, Address, Address)) -> Fut,
        Fut: std::future::Future<Output = Option<Address>>,
    {
        let anvil = linkpool_devtools::anvil()
            .expect("anvil (run `make tools`)")
            .args(["--accounts", &(oracles + 4).to_string()])
            .spawn();
        let p = linkpool_devtools::test_provider(&anvil);
        let a = anvil.addresses().to_vec();
        let (admin, purchaser) = (a[0], a[1]);
        let link = stack::deploy_link(&p, admin, stack::Flavor::Linkpool).await.expect("LINK");
        let registry = pool((p.clone(), link, admin)).await;
        let c = deploy::deploy(&p, link, admin, registry).await.expect("deploy");
        let consumer = *SlaConsumer::deploy(p.clone(), c.order_matching).await.expect("SlaConsumer").address();
        let net = Self { p, admin, purchaser, oracles: a[2..2 + oracles].to_vec(), c, consumer, _anvil: anvil };
        net.fund(purchaser, 100_000 * LINK).await;
        for o in net.oracles.clone() {
            net.fund(o, ORACLE_FUNDS).await;
        }
        net
    }

    pub(crate) fn link(&self) -> LinkToken::LinkTokenInstance<DynProvider> {
        LinkToken::new(self.c.link, self.p.clone())
    }

    /// The client sending as `from`.
    pub(crate) fn om(&self, from: Address) -> Agreements {
        Agreements::new(self.p.clone(), self.c.order_matching).with_sender(from)
    }

    pub(crate) async fn fund(&self, to: Address, amount: u128) {
        let tx = self.link().transfer(to, U256::from(amount)).into_transaction_request().with_from(self.admin);
        stack::send(&self.p, tx).await.expect("fund");
    }

    pub(crate) async fn balance(&self, who: Address) -> U256 {
        self.link().balanceOf(who).call().await.expect("balanceOf")
    }

    pub(crate) async fn now(&self) -> u64 {
        let block = self.p.get_block_by_number(Default::default()).await.expect("block").expect("latest");
        block.header.timestamp
    }

    /// Moves the chain's clock `seconds` ahead and mines a block.
    pub(crate) async fn advance(&self, seconds: u64) {
        let _: serde_json::Value =
            self.p.raw_request("evm_increaseTime".into(), (U256::from(seconds),)).await.expect("evm_increaseTime");
        let _: serde_json::Value = self.p.raw_request("evm_mine".into(), ()).await.expect("evm_mine");
    }

    /// Default terms for `n` oracles with the mode (majority) aggregator.
    pub(crate) fn terms(&self, n: u8) -> SlaTermsBuilder {
        let mut t = SlaTermsBuilder::new(B256::repeat_byte(0x11), self.c.reputation, self.c.mode);
        t.oracles = n;
        t.max_misses = 0;
        t.payment_per_oracle = LINK / 10;
        t.penalty = 10 * LINK;
        t.bidding_window = 120;
        t.service_period = 3_600;
        t.response_window = 600;
        t
    }

    pub(crate) async fn propose(&self, t: &SlaTermsBuilder) -> U256 {
        let terms = t.build(self.now().await).expect("terms");
        self.om(self.purchaser).propose(terms).await.expect("propose").0
    }

    /// Proposes, lets the first `n` oracles bid, closes the window and finalizes.
    pub(crate) async fn active_sla(&self, t: &SlaTermsBuilder) -> U256 {
        let id = self.propose(t).await;
        for o in &self.oracles[..usize::from(t.oracles)] {
            self.om(*o).bid(id).await.expect("bid");
        }
        self.advance(t.bidding_window + 1).await;
        self.om(self.admin).finalize(id).await.expect("finalize");
        id
    }

    /// A request answered to the consumer's `fulfill(uint256,int256)`.
    pub(crate) async fn request(&self, sla: U256) -> U256 {
        self.om(self.purchaser).request(sla, self.consumer, fulfill_selector()).await.expect("request").0
    }

    pub(crate) async fn report(&self, oracle: Address) -> linkpool_agreements::Report {
        self.om(self.admin).report(self.c.reputation, oracle).await.expect("report")
    }

    pub(crate) fn consumer(&self) -> SlaConsumer::SlaConsumerInstance<DynProvider> {
        SlaConsumer::new(self.consumer, self.p.clone())
    }
}

pub(crate) fn fulfill_selector() -> FixedBytes<4> {
    SlaConsumer::fulfillCall::SELECTOR.into()
}

/// An oracle's answer for one session, with the salt it commits with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer {
    pub(crate) value: I256,
    pub(crate) salt: B256,
}

impl Answer {
    pub(crate) fn new(value: i64) -> Self {
        Self { value: I256::try_from(value).unwrap(), salt: random_salt() }
    }

    pub(crate) async fn commit(&self, net: &Net, oracle: Address, session: U256) -> Result<(), Error> {
        net.om(oracle).commit(session, commitment(self.value, self.salt, oracle)).await.map(drop)
    }

    pub(crate) async fn reveal(&self, net: &Net, oracle: Address, session: U256) -> Result<(), Error> {
        net.om(oracle).reveal(session, self.value, self.salt).await.map(drop)
    }
}

/// The name of the custom error in a revert, e.g. `CommitPhaseClosed`.
pub(crate) fn revert_name(e: &Error) -> String {
    e.revert_name().unwrap_or_else(|| panic!("expected a revert, got {e}")).to_owned()
}
