//! PoolOwners (whitepaper §6.2.2): the founders' shares, the whitelisted ETH share sale up to its
//! hard cap, the owners' LINK earnings (reward-per-share accumulator) against exact rational
//! arithmetic, share transfers mid-stream, the admin's limits, and `FullMath` against big integers.

use alloy::{
    primitives::{Address, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionReceipt,
};
use linkpool_bindings::{
    pool_owners::{PoolOwners, PoolOwners::PoolOwnersErrors as E},
    stack::{self, Flavor},
    FullMathHarness, LinkToken,
};
use num_bigint::{BigInt, BigUint};
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use proptest::{prelude::*, test_runner::TestCaseError};

use crate::{
    common::{call_revert, chain, chain_with, revert, Chain},
    operator::events,
};

/// Sale phases (the Solidity enum's values).
const SETUP: u8 = 0;
const OPEN: u8 = 1;
const CLOSED: u8 = 2;
/// 1e18.
const JUELS_PER_LINK: u128 = 1_000_000_000_000_000_000;
/// 1e18.
const WEI_PER_ETH: u128 = 1_000_000_000_000_000_000;

type Po = PoolOwners::PoolOwnersInstance<DynProvider>;

/// A deployed LINK + PoolOwners; the chain's `owner` is both the LINK holder and the admin.
struct Owners {
    link: Address,
    address: Address,
    po: Po,
    token: LinkToken::LinkTokenInstance<DynProvider>,
}

async fn deploy(c: &Chain) -> Owners {
    let link = stack::deploy_link(&c.provider, c.owner, Flavor::Linkpool).await.expect("link");
    let po = PoolOwners::deploy(c.provider.clone(), link, c.owner).await.expect("PoolOwners");
    Owners { link, address: *po.address(), token: LinkToken::new(link, c.provider.clone()), po }
}

/// Every dev account of the chain (`chain()` has ten; `--accounts N` gives more).
async fn accounts(c: &Chain) -> Vec<Address> {
    c.provider.get_accounts().await.expect("eth_accounts")
}

macro_rules! send {
    ($c:expr, $call:expr, $from:expr) => {
        $c.send($call.from($from).into_transaction_request()).await
    };
}

impl Owners {
    async fn issue(&self, c: &Chain, holders: &[Address], shares: &[u64]) -> TransactionReceipt {
        let shares = shares.iter().map(|s| U256::from(*s)).collect();
        send!(c, self.po.issueFounderShares(holders.to_vec(), shares), c.owner).expect("issueFounderShares")
    }

    async fn open(&self, c: &Chain, price: u128, cap: u128, whitelist: &[Address]) {
        send!(c, self.po.openSale(U256::from(price), U256::from(cap), whitelist.to_vec()), c.owner).expect("openSale");
    }

    async fn contribute(
        &self,
        c: &Chain,
        from: Address,
        wei: u128,
    ) -> Result<TransactionReceipt, linkpool_bindings::Error> {
        send!(c, self.po.contribute().value(U256::from(wei)), from)
    }

    /// Sends LINK from the admin (the LINK holder): a plain `transfer`, or `transferAndCall`.
    async fn earn(&self, c: &Chain, juels: u128, call: bool) -> TransactionReceipt {
        let amount = U256::from(juels);
        if call {
            send!(c, self.token.transferAndCall(self.address, amount, Bytes::new()), c.owner).expect("transferAndCall")
        } else {
            send!(c, self.token.transfer(self.address, amount), c.owner).expect("transfer")
        }
    }

    async fn claimable(&self, who: Address) -> u128 {
        self.po.claimable(who).call().await.expect("claimable").to::<u128>()
    }

    async fn shares(&self, who: Address) -> u64 {
        self.po.balanceOf(who).call().await.expect("balanceOf").to::<u64>()
    }

    async fn supply(&self) -> u64 {
        self.po.totalSupply().call().await.expect("totalSupply").to::<u64>()
    }

    async fn link_held(&self, c: &Chain) -> u128 {
        c.link_balance(self.link, self.address).await.to::<u128>()
    }

    async fn outstanding(&self) -> u128 {
        self.po.outstanding().call().await.expect("outstanding").to::<u128>()
    }

    async fn undistributed(&self) -> u128 {
        self.po.undistributed().call().await.expect("undistributed").to::<u128>()
    }

    async fn phase(&self) -> u8 {
        self.po.sale().call().await.expect("sale").phase
    }

    /// Claims for `who` and returns the juels the `EarningsClaimed` event reports, after checking
    /// that exactly that much LINK moved.
    async fn claim(&self, c: &Chain, who: Address) -> u128 {
        let before = c.link_balance(self.link, who).await;
        let receipt = send!(c, self.po.claim(), who).expect("claim");
        let event = events::<PoolOwners::EarningsClaimed>(&receipt, self.address).pop().expect("EarningsClaimed");
        assert_eq!(event.holder, who);
        assert_eq!(c.link_balance(self.link, who).await - before, event.amount, "LINK moved = event");
        event.amount.to::<u128>()
    }
}

/// Names of the non-view functions in the PoolOwners artifact, sorted.
fn state_changing_functions() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../contracts/out/PoolOwners.json");
    let artifact: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut names: Vec<String> = artifact["abi"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["type"] == "function")
        .filter(|item| !matches!(item["stateMutability"].as_str(), Some("view" | "pure")))
        .map(|item| item["name"].as_str().unwrap().to_string())
        .collect();
    names.sort_unstable();
    names
}

/// `floor(shares * amount / total)`, computed with exact rationals.
fn exact_floor(shares: u64, amount: u128, total: u64) -> u128 {
    let share = BigRational::new(BigInt::from(shares) * BigInt::from(amount), BigInt::from(total));
    u128::try_from(share.floor().to_integer()).expect("fits")
}

// ---------------------------------------------------------------------------------------------
// Sale
// ---------------------------------------------------------------------------------------------

/// Founders 3,000,000 shares at 0.0001 ETH: a pre-money valuation of 300 ETH; the hard cap of
/// 100 ETH buys 1,000,000 shares, so contributors end with 25 % (the whitepaper's owners' split).
const PRICE: u128 = WEI_PER_ETH / 10_000;
const CAP: u128 = 100 * WEI_PER_ETH;

#[tokio::test]
async fn founders_shares_then_whitelisted_sale_up_to_the_hard_cap() {
    let c = chain();
    let a = accounts(&c).await;
    let (founder1, founder2, alice, bob, carol) = (a[4], a[5], a[6], a[7], a[8]);
    let o = deploy(&c).await;
    assert_eq!(o.phase().await, SETUP);

    // Founders' shares, before the sale only.
    let receipt = o.issue(&c, &[founder1, founder2], &[2_000_000, 1_000_000]).await;
    let issued = events::<PoolOwners::FounderSharesIssued>(&receipt, o.address);
    assert_eq!(issued.len(), 2);
    assert_eq!((issued[0].holder, issued[0].shares), (founder1, U256::from(2_000_000)));
    let minted = events::<PoolOwners::Transfer>(&receipt, o.address);
    assert_eq!((minted[1].from, minted[1].to, minted[1].value), (Address::ZERO, founder2, U256::from(1_000_000)));
    assert_eq!(
        (o.shares(founder1).await, o.shares(founder2).await, o.supply().await),
        (2_000_000, 1_000_000, 3_000_000)
    );
    let err = send!(c, o.po.issueFounderShares(vec![founder1], vec![]), c.owner);
    assert_eq!(
        revert::<E, _>(err),
        E::ArrayLengthMismatch(PoolOwners::ArrayLengthMismatch { holders: U256::from(1), shares: U256::ZERO })
    );
    let err = send!(c, o.po.issueFounderShares(vec![founder1], vec![U256::ZERO]), c.owner);
    assert_eq!(revert::<E, _>(err), E::ZeroAmount(PoolOwners::ZeroAmount {}));
    let err = send!(c, o.po.issueFounderShares(vec![o.address], vec![U256::ONE]), c.owner);
    assert_eq!(revert::<E, _>(err), E::InvalidRecipient(PoolOwners::InvalidRecipient { to: o.address }));
    // Contributions before the sale opens.
    let err = o.contribute(&c, alice, PRICE).await;
    assert_eq!(revert::<E, _>(err), E::WrongSalePhase(PoolOwners::WrongSalePhase { current: SETUP, required: OPEN }));

    // Whitelist before and at opening; enumerable and public.
    send!(c, o.po.addToWhitelist(vec![alice]), c.owner).expect("addToWhitelist");
    let err = send!(c, o.po.addToWhitelist(vec![alice]), c.owner);
    assert_eq!(revert::<E, _>(err), E::AlreadyWhitelisted(PoolOwners::AlreadyWhitelisted { account: alice }));
    o.open(&c, PRICE, CAP, &[bob]).await;
    assert_eq!(o.po.whitelist().call().await.unwrap(), vec![alice, bob]);
    assert!(o.po.isWhitelisted(bob).call().await.unwrap() && !o.po.isWhitelisted(carol).call().await.unwrap());

    // Valuation math: price x founders' shares, then price x supply.
    let sale = o.po.sale().call().await.unwrap();
    assert_eq!(
        (sale.phase, sale.sharePrice, sale.hardCap, sale.raised, sale.founderShares),
        (OPEN, PRICE, CAP, 0, 3_000_000)
    );
    assert_eq!(o.po.preMoneyValuation().call().await.unwrap(), U256::from(300 * WEI_PER_ETH));

    // Whitelisted contribution: 10 ETH buys 100,000 shares.
    let receipt = o.contribute(&c, alice, 10 * WEI_PER_ETH).await.expect("contribute");
    let event = events::<PoolOwners::ContributionReceived>(&receipt, o.address).pop().unwrap();
    assert_eq!(
        (event.contributor, event.amount, event.shares),
        (alice, U256::from(10 * WEI_PER_ETH), U256::from(100_000))
    );
    assert_eq!(o.shares(alice).await, 100_000);
    assert_eq!(o.po.contributionOf(alice).call().await.unwrap(), U256::from(10 * WEI_PER_ETH));
    assert_eq!(o.po.postMoneyValuation().call().await.unwrap(), U256::from(310 * WEI_PER_ETH));
    assert_eq!(c.provider.get_balance(o.address).await.unwrap(), U256::from(10 * WEI_PER_ETH));

    // Refused: not whitelisted, zero, fractions of a share.
    let err = o.contribute(&c, carol, PRICE).await;
    assert_eq!(revert::<E, _>(err), E::NotWhitelisted(PoolOwners::NotWhitelisted { account: carol }));
    let err = o.contribute(&c, bob, 0).await;
    assert_eq!(revert::<E, _>(err), E::ZeroAmount(PoolOwners::ZeroAmount {}));
    let err = o.contribute(&c, bob, PRICE + 1).await;
    assert_eq!(
        revert::<E, _>(err),
        E::ContributionNotWholeShares(PoolOwners::ContributionNotWholeShares {
            amount: U256::from(PRICE + 1),
            sharePrice: U256::from(PRICE)
        })
    );
    // Plain ETH transfers are refused (no receive function): ETH only comes in through `contribute`.
    let plain = alloy::rpc::types::TransactionRequest::default().to(o.address).value(U256::ONE).from(bob);
    assert!(c.send(plain).await.is_err());

    // Whitelisting continues while the sale is open.
    send!(c, o.po.addToWhitelist(vec![carol]), c.owner).expect("addToWhitelist");

    // The hard cap: a contribution past it is refused whole, the exact remainder closes the sale.
    let remaining = CAP - 10 * WEI_PER_ETH;
    let err = o.contribute(&c, bob, remaining + PRICE).await;
    assert_eq!(
        revert::<E, _>(err),
        E::HardCapExceeded(PoolOwners::HardCapExceeded {
            amount: U256::from(remaining + PRICE),
            remaining: U256::from(remaining)
        })
    );
    o.contribute(&c, carol, 40 * WEI_PER_ETH).await.expect("carol");
    let receipt = o.contribute(&c, bob, remaining - 40 * WEI_PER_ETH).await.expect("bob fills the cap");
    let closed = events::<PoolOwners::SaleClosed>(&receipt, o.address).pop().expect("SaleClosed");
    assert_eq!((closed.raised, closed.sharesSold), (U256::from(CAP), U256::from(1_000_000)));
    assert_eq!(o.phase().await, CLOSED);
    assert_eq!((o.shares(bob).await, o.shares(carol).await, o.supply().await), (500_000, 400_000, 4_000_000));
    // Contributors hold exactly 25 %; post-money valuation = pre-money + raised.
    assert_eq!(o.po.postMoneyValuation().call().await.unwrap(), U256::from(400 * WEI_PER_ETH));
    let err = o.contribute(&c, alice, PRICE).await;
    assert_eq!(revert::<E, _>(err), E::WrongSalePhase(PoolOwners::WrongSalePhase { current: CLOSED, required: OPEN }));
    let err = send!(c, o.po.addToWhitelist(vec![a[9]]), c.owner);
    assert_eq!(revert::<E, _>(err), E::WrongSalePhase(PoolOwners::WrongSalePhase { current: CLOSED, required: OPEN }));
}

#[tokio::test]
async fn sale_terms_are_checked_and_final() {
    let c = chain();
    let a = accounts(&c).await;
    let o = deploy(&c).await;
    let err = send!(c, o.po.openSale(U256::from(PRICE), U256::from(CAP), vec![]), c.owner);
    assert_eq!(revert::<E, _>(err), E::NoFounderShares(PoolOwners::NoFounderShares {}));
    o.issue(&c, &[a[4]], &[1_000]).await;
    let beyond_u128 = U256::from(u128::MAX) + U256::ONE;
    // Zero price, zero cap, a cap that is not whole shares, amounts beyond 128 bits.
    for (price, cap) in [
        (U256::ZERO, U256::from(CAP)),
        (U256::from(PRICE), U256::ZERO),
        (U256::from(PRICE), U256::from(CAP + 1)),
        (U256::ONE, beyond_u128),
        (beyond_u128, beyond_u128),
    ] {
        let err = send!(c, o.po.openSale(price, cap, vec![]), c.owner);
        assert_eq!(
            revert::<E, _>(err),
            E::InvalidSaleTerms(PoolOwners::InvalidSaleTerms { sharePrice: price, hardCap: cap })
        );
    }
    // founders' shares + cap / price must stay within 2^64 - 1 shares.
    let err = send!(c, o.po.openSale(U256::ONE, U256::from(u64::MAX), vec![]), c.owner);
    assert_eq!(
        revert::<E, _>(err),
        E::ShareSupplyExceeded(PoolOwners::ShareSupplyExceeded {
            requested: U256::from(u64::MAX) + U256::from(1_000),
            max: U256::from(u64::MAX)
        })
    );
    let err = send!(c, o.po.openSale(U256::from(PRICE), U256::from(CAP), vec![Address::ZERO]), c.owner);
    assert_eq!(revert::<E, _>(err), E::ZeroAddress(PoolOwners::ZeroAddress {}));
    o.open(&c, PRICE, CAP, &[a[5]]).await;
    // The terms cannot change once open, and founders' shares cannot be issued any more.
    let err = send!(c, o.po.openSale(U256::ONE, U256::ONE, vec![]), c.owner);
    assert_eq!(revert::<E, _>(err), E::WrongSalePhase(PoolOwners::WrongSalePhase { current: OPEN, required: SETUP }));
    let err = send!(c, o.po.issueFounderShares(vec![a[4]], vec![U256::ONE]), c.owner);
    assert_eq!(revert::<E, _>(err), E::WrongSalePhase(PoolOwners::WrongSalePhase { current: OPEN, required: SETUP }));
    // The admin may close early: no share is ever issued again.
    o.contribute(&c, a[5], 3 * PRICE).await.expect("contribute");
    let receipt = send!(c, o.po.closeSale(), c.owner).expect("closeSale");
    let closed = events::<PoolOwners::SaleClosed>(&receipt, o.address).pop().unwrap();
    assert_eq!((closed.raised, closed.sharesSold), (U256::from(3 * PRICE), U256::from(3)));
    let err = send!(c, o.po.closeSale(), c.owner);
    assert_eq!(revert::<E, _>(err), E::WrongSalePhase(PoolOwners::WrongSalePhase { current: CLOSED, required: OPEN }));
    let err = o.contribute(&c, a[5], PRICE).await;
    assert_eq!(revert::<E, _>(err), E::WrongSalePhase(PoolOwners::WrongSalePhase { current: CLOSED, required: OPEN }));
    assert_eq!(o.supply().await, 1_003);
}

#[tokio::test]
async fn admin_withdraws_eth_but_cannot_touch_link_shares_or_terms() {
    let c = chain();
    let a = accounts(&c).await;
    let (founder, alice, treasury, new_admin) = (a[4], a[5], a[6], a[7]);
    let o = deploy(&c).await;
    o.issue(&c, &[founder], &[3_000_000]).await;
    o.open(&c, PRICE, CAP, &[alice]).await;
    o.contribute(&c, alice, 5 * WEI_PER_ETH).await.expect("contribute");
    o.earn(&c, 1_000 * JUELS_PER_LINK, true).await;
    let link_before = o.link_held(&c).await;

    // Only the admin, only ETH, only what is held.
    let err = send!(c, o.po.withdrawEth(treasury, U256::ONE), c.stranger);
    assert_eq!(revert::<E, _>(err), E::OnlyOwner(PoolOwners::OnlyOwner { caller: c.stranger }));
    let err = send!(c, o.po.withdrawEth(treasury, U256::from(5 * WEI_PER_ETH + 1)), c.owner);
    assert_eq!(
        revert::<E, _>(err),
        E::InsufficientEth(PoolOwners::InsufficientEth {
            balance: U256::from(5 * WEI_PER_ETH),
            amount: U256::from(5 * WEI_PER_ETH + 1)
        })
    );
    let err = send!(c, o.po.withdrawEth(Address::ZERO, U256::ONE), c.owner);
    assert_eq!(revert::<E, _>(err), E::ZeroAddress(PoolOwners::ZeroAddress {}));
    // A recipient that refuses ETH (the LINK token has no receive function).
    let err = send!(c, o.po.withdrawEth(o.link, U256::ONE), c.owner);
    assert_eq!(
        revert::<E, _>(err),
        E::EthTransferFailed(PoolOwners::EthTransferFailed { to: o.link, amount: U256::ONE })
    );
    let treasury_before = c.provider.get_balance(treasury).await.unwrap();
    let receipt = send!(c, o.po.withdrawEth(treasury, U256::from(3 * WEI_PER_ETH)), c.owner).expect("withdrawEth");
    let event = events::<PoolOwners::EthWithdrawn>(&receipt, o.address).pop().unwrap();
    assert_eq!((event.to, event.amount), (treasury, U256::from(3 * WEI_PER_ETH)));
    assert_eq!(c.provider.get_balance(treasury).await.unwrap() - treasury_before, U256::from(3 * WEI_PER_ETH));
    assert_eq!(c.provider.get_balance(o.address).await.unwrap(), U256::from(2 * WEI_PER_ETH));
    assert_eq!(o.link_held(&c).await, link_before, "withdrawEth moves no LINK");

    // The admin holds no shares, so it has no LINK to claim; no function moves LINK but `claim`.
    let err = send!(c, o.po.claim(), c.owner);
    assert_eq!(revert::<E, _>(err), E::NothingToClaim(PoolOwners::NothingToClaim { holder: c.owner }));
    let state_changing = [
        "acceptOwnership",
        "addToWhitelist",
        "approve",
        "claim",
        "closeSale",
        "contribute",
        "distribute",
        "issueFounderShares",
        "onTokenTransfer",
        "openSale",
        "transfer",
        "transferFrom",
        "transferOwnership",
        "withdrawEth",
    ];
    assert_eq!(state_changing_functions(), state_changing, "the complete list of state-changing functions");
    // The admin cannot move holders' shares.
    let err = send!(c, o.po.transferFrom(founder, c.owner, U256::ONE), c.owner);
    assert_eq!(
        revert::<E, _>(err),
        E::InsufficientAllowance(PoolOwners::InsufficientAllowance {
            holder: founder,
            spender: c.owner,
            allowance: U256::ZERO,
            amount: U256::ONE
        })
    );
    // Holders claim whatever the admin does.
    assert!(o.claim(&c, founder).await > 0);

    // Two-step ownership.
    let err = send!(c, o.po.transferOwnership(new_admin), c.stranger);
    assert_eq!(revert::<E, _>(err), E::OnlyOwner(PoolOwners::OnlyOwner { caller: c.stranger }));
    send!(c, o.po.transferOwnership(new_admin), c.owner).expect("transferOwnership");
    assert_eq!(o.po.owner().call().await.unwrap(), c.owner, "not before acceptance");
    let err = send!(c, o.po.acceptOwnership(), c.stranger);
    assert_eq!(revert::<E, _>(err), E::OnlyPendingOwner(PoolOwners::OnlyPendingOwner { caller: c.stranger }));
    send!(c, o.po.acceptOwnership(), new_admin).expect("acceptOwnership");
    assert_eq!(o.po.owner().call().await.unwrap(), new_admin);
    assert_eq!(o.po.pendingOwner().call().await.unwrap(), Address::ZERO);
    let err = send!(c, o.po.closeSale(), c.owner);
    assert_eq!(revert::<E, _>(err), E::OnlyOwner(PoolOwners::OnlyOwner { caller: c.owner }));
    send!(c, o.po.withdrawEth(treasury, U256::from(2 * WEI_PER_ETH)), new_admin).expect("new admin withdraws");
}

// ---------------------------------------------------------------------------------------------
// Earnings
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn earnings_are_distributed_by_share_and_claimed() {
    let c = chain();
    let a = accounts(&c).await;
    let (x, y, z) = (a[4], a[5], a[6]);
    let o = deploy(&c).await;
    o.issue(&c, &[x, y, z], &[3, 2, 2]).await;

    // A plain transfer waits for `distribute`; claimable already shows it.
    o.earn(&c, 700, false).await;
    assert_eq!((o.undistributed().await, o.outstanding().await), (700, 0));
    assert_eq!((o.claimable(x).await, o.claimable(y).await), (300, 200));
    let receipt = send!(c, o.po.distribute(), c.stranger).expect("distribute");
    let event = events::<PoolOwners::EarningsDistributed>(&receipt, o.address).pop().unwrap();
    assert_eq!((event.amount, event.totalShares), (U256::from(700), U256::from(7)));
    assert_eq!(event.rewardPerShare, U256::from(100) << 128);
    assert_eq!((o.undistributed().await, o.outstanding().await), (0, 700));
    // Nothing new: distribute is a no-op.
    let receipt = send!(c, o.po.distribute(), c.stranger).expect("distribute");
    assert!(events::<PoolOwners::EarningsDistributed>(&receipt, o.address).is_empty());

    // transferAndCall distributes at once; 10 juels over 7 shares leaves fractions in the contract.
    o.earn(&c, 10, true).await;
    assert_eq!(o.undistributed().await, 0);
    let expected = [exact_floor(3, 710, 7), exact_floor(2, 710, 7), exact_floor(2, 710, 7)];
    assert_eq!([o.claimable(x).await, o.claimable(y).await, o.claimable(z).await], expected);
    assert_eq!(expected, [304, 202, 202]);
    let acc = o.po.accumulator().call().await.unwrap();
    // 710 * 2^128 / 7 rounded up; the carry is the division's remainder.
    let scaled = U256::from(710) << 128;
    assert_eq!((acc.rewardPerShare, acc.carry), ((scaled + U256::from(6)) / U256::from(7), scaled % U256::from(7)));

    assert_eq!(o.claim(&c, x).await, 304);
    let err = send!(c, o.po.claim(), x);
    assert_eq!(revert::<E, _>(err), E::NothingToClaim(PoolOwners::NothingToClaim { holder: x }));
    assert_eq!(o.outstanding().await, 710 - 304);
    // Σ claimable + dust = LINK held; dust (2 juels: the three holders' fractions) stays here.
    let held = o.link_held(&c).await;
    assert_eq!(held, 710 - 304);
    assert_eq!(held - o.claimable(y).await - o.claimable(z).await, 2);
    // The fractions are paid as they add up: 4 more juels make x's total exactly 3 * 714 / 7 = 306.
    o.earn(&c, 4, true).await;
    assert_eq!(o.claimable(x).await + 304, exact_floor(3, 714, 7));
    assert_eq!(o.claimable(y).await, exact_floor(2, 714, 7));

    // onTokenTransfer only from LINK.
    let err = send!(c, o.po.onTokenTransfer(c.stranger, U256::from(5), Bytes::new()), c.stranger);
    assert_eq!(revert::<E, _>(err), E::OnlyLinkToken(PoolOwners::OnlyLinkToken { caller: c.stranger }));
}

#[tokio::test]
async fn earnings_arriving_without_shares_wait_for_the_first_holders() {
    let c = chain();
    let a = accounts(&c).await;
    let (first, later) = (a[4], a[5]);
    let o = deploy(&c).await;
    // No shares: nothing is distributed, nothing is lost.
    o.earn(&c, 1_000, false).await;
    o.earn(&c, 234, true).await;
    let distributed = o.po.distribute().from(c.stranger).call().await.unwrap();
    assert_eq!(distributed, U256::ZERO);
    send!(c, o.po.distribute(), c.stranger).expect("distribute with no shares");
    assert_eq!((o.undistributed().await, o.outstanding().await, o.claimable(first).await), (1_234, 0, 0));
    let acc = o.po.accumulator().call().await.unwrap();
    assert_eq!((acc.rewardPerShare, acc.carry), (U256::ZERO, U256::ZERO));

    // The first holders get it.
    o.issue(&c, &[first], &[3]).await;
    assert_eq!(o.claimable(first).await, 1_234);
    // Earnings that arrived before new shares are issued stay with the earlier holders, even if
    // nobody called distribute: issuing distributes first.
    o.earn(&c, 66, false).await;
    o.issue(&c, &[later], &[1]).await;
    assert_eq!((o.claimable(first).await, o.claimable(later).await), (1_300, 0));
    o.earn(&c, 400, true).await;
    assert_eq!((o.claimable(first).await, o.claimable(later).await), (1_600, 100));
    assert_eq!(o.claim(&c, first).await, 1_600);
    assert_eq!(o.claim(&c, later).await, 100);
    assert_eq!(o.link_held(&c).await, 0);
}

#[tokio::test]
async fn a_share_transfer_keeps_earlier_earnings_with_the_sender() {
    let c = chain();
    let a = accounts(&c).await;
    let (x, y, z, spender) = (a[4], a[5], a[6], a[7]);
    let o = deploy(&c).await;
    o.issue(&c, &[x, y], &[1, 1]).await;
    o.earn(&c, 1_000, true).await;
    // Arrived by plain transfer and not yet distributed: still the sender's, the transfer
    // distributes before it settles.
    o.earn(&c, 2_000, false).await;
    let receipt = send!(c, o.po.transfer(z, U256::ONE), x).expect("transfer");
    let moved = events::<PoolOwners::Transfer>(&receipt, o.address).pop().unwrap();
    assert_eq!((moved.from, moved.to, moved.value), (x, z, U256::ONE));
    assert!(!events::<PoolOwners::EarningsDistributed>(&receipt, o.address).is_empty());
    o.earn(&c, 600, true).await;
    assert_eq!([o.claimable(x).await, o.claimable(y).await, o.claimable(z).await], [1_500, 1_800, 300]);

    // transferFrom spends an allowance (an unlimited one is not spent); the same settlement.
    let receipt = send!(c, o.po.approve(spender, U256::from(1)), z).expect("approve");
    let approval = events::<PoolOwners::Approval>(&receipt, o.address).pop().unwrap();
    assert_eq!((approval.owner, approval.spender, approval.value), (z, spender, U256::ONE));
    let err = send!(c, o.po.transferFrom(z, x, U256::from(2)), spender);
    assert_eq!(
        revert::<E, _>(err),
        E::InsufficientAllowance(PoolOwners::InsufficientAllowance {
            holder: z,
            spender,
            allowance: U256::ONE,
            amount: U256::from(2)
        })
    );
    send!(c, o.po.transferFrom(z, x, U256::ONE), spender).expect("transferFrom");
    assert_eq!(o.po.allowance(z, spender).call().await.unwrap(), U256::ZERO);
    send!(c, o.po.approve(spender, U256::MAX), y).expect("approve max");
    send!(c, o.po.transferFrom(y, x, U256::ONE), spender).expect("transferFrom");
    assert_eq!(o.po.allowance(y, spender).call().await.unwrap(), U256::MAX);
    o.earn(&c, 1_000, true).await;
    assert_eq!([o.claimable(x).await, o.claimable(y).await, o.claimable(z).await], [2_500, 1_800, 300]);
    assert_eq!((o.shares(x).await, o.shares(y).await, o.shares(z).await), (2, 0, 0));

    // Refused movements.
    let err = send!(c, o.po.transfer(z, U256::from(3)), x);
    assert_eq!(
        revert::<E, _>(err),
        E::InsufficientShares(PoolOwners::InsufficientShares {
            holder: x,
            balance: U256::from(2),
            amount: U256::from(3)
        })
    );
    for to in [Address::ZERO, o.address] {
        let err = send!(c, o.po.transfer(to, U256::ONE), x);
        assert_eq!(revert::<E, _>(err), E::InvalidRecipient(PoolOwners::InvalidRecipient { to }));
    }
    let err = send!(c, o.po.approve(Address::ZERO, U256::ONE), x);
    assert_eq!(revert::<E, _>(err), E::ZeroAddress(PoolOwners::ZeroAddress {}));
    // Former holders still claim what they earned.
    assert_eq!(o.claim(&c, y).await, 1_800);
    assert_eq!(o.claim(&c, z).await, 300);
    // ERC-20 metadata.
    assert_eq!(o.po.name().call().await.unwrap(), "LinkPool Owners");
    assert_eq!(o.po.symbol().call().await.unwrap(), "LPO");
    assert_eq!(o.po.decimals().call().await.unwrap(), 0);
}

/// The original suite's owner case (§6.2.2): 2 founders and 43 contributors share a
/// 5000.1234567 LINK distribution; each payout is `floor(shares * D / T)` exactly.
#[tokio::test]
async fn forty_three_contributors_share_5000_1234567_link_exactly() {
    let c = chain_with(&["--accounts", "48"]);
    let a = accounts(&c).await;
    let (founder1, founder2) = (a[1], a[2]);
    let contributors = &a[3..46];
    let o = deploy(&c).await;

    // Contributions of 1,001 to ~100,000 shares; founder 1 ends with exactly half the supply
    // (6,000,002 shares), a case a rounded-down accumulator gets wrong by one juel.
    let bought: Vec<u64> = (1..=43u64).map(|i| (i * 7_919) % 997 * 100 + 1_000 + i).collect();
    let sold: u64 = bought.iter().sum();
    let (f1, f2) = (3_000_001, 3_000_001 - sold);
    o.issue(&c, &[founder1, founder2], &[f1, f2]).await;
    o.open(&c, PRICE, u128::from(sold) * PRICE, contributors).await;
    for (i, (who, shares)) in contributors.iter().zip(&bought).enumerate() {
        let receipt = o.contribute(&c, *who, u128::from(*shares) * PRICE).await.expect("contribute");
        let event = events::<PoolOwners::ContributionReceived>(&receipt, o.address).pop().unwrap();
        assert_eq!(event.shares, U256::from(*shares));
        // The last contribution hits the hard cap and closes the sale.
        assert_eq!(events::<PoolOwners::SaleClosed>(&receipt, o.address).len(), usize::from(i == 42));
    }
    assert_eq!(o.phase().await, CLOSED);
    let total = o.supply().await;
    assert_eq!(total, 6_000_002);
    assert_eq!(u128::from(sold) * PRICE, o.po.sale().call().await.unwrap().raised);

    let amount: u128 = 5_000_123_456_700_000_000_000; // 5000.1234567 LINK
    let receipt = o.earn(&c, amount, true).await;
    let event = events::<PoolOwners::EarningsDistributed>(&receipt, o.address).pop().unwrap();
    assert_eq!((event.amount, event.totalShares), (U256::from(amount), U256::from(total)));
    println!("distribution to 45 holders via transferAndCall: {} gas", receipt.gas_used);

    let holders: Vec<(Address, u64)> = [(founder1, f1), (founder2, f2)]
        .into_iter()
        .chain(contributors.iter().copied().zip(bought.iter().copied()))
        .collect();
    let mut paid = 0u128;
    let mut naive_short = 0;
    let floor_acc = BigUint::from(amount) * (BigUint::one() << 128u32) / BigUint::from(total);
    for (who, shares) in &holders {
        assert_eq!(o.shares(*who).await, *shares);
        let expected = exact_floor(*shares, amount, total);
        assert_eq!(o.claimable(*who).await, expected, "holder {who} with {shares} shares");
        // What a rounded-down accumulator would pay.
        let naive = (BigUint::from(*shares) * &floor_acc) >> 128u32;
        if naive != BigUint::from(expected) {
            naive_short += 1;
        }
        paid += expected;
    }
    assert!(naive_short > 0, "the case discriminates a rounded-down accumulator");
    let dust = o.outstanding().await - paid;
    assert_eq!(o.link_held(&c).await, paid + dust);
    assert!(dust < holders.len() as u128, "dust {dust}");
    println!("5000.1234567 LINK over {total} shares: {paid} juels claimable, {dust} juels of dust");

    for (who, _) in &holders {
        let expected = o.claimable(*who).await;
        assert_eq!(o.claim(&c, *who).await, expected);
        assert_eq!(c.link_balance(o.link, *who).await, U256::from(expected));
    }
    assert_eq!((o.link_held(&c).await, o.outstanding().await), (dust, dust));
}

#[tokio::test]
async fn gas_of_distribute_claim_and_transfer() {
    let c = chain();
    let a = accounts(&c).await;
    let (x, y, newcomer) = (a[4], a[5], a[6]);
    let o = deploy(&c).await;
    // 7 shares: 1 LINK never divides evenly, so claims leave fractions and the holders' slots stay
    // non-zero (steady state, as in production).
    o.issue(&c, &[x, y], &[3, 4]).await;
    o.earn(&c, JUELS_PER_LINK, true).await;
    send!(c, o.po.transfer(y, U256::ONE), x).unwrap();
    send!(c, o.po.transfer(x, U256::ONE), y).unwrap();
    o.claim(&c, x).await;
    o.claim(&c, y).await;

    o.earn(&c, JUELS_PER_LINK, false).await;
    let distribute = send!(c, o.po.distribute(), c.stranger).unwrap().gas_used;
    let transfer_and_call = o.earn(&c, JUELS_PER_LINK, true).await.gas_used;
    let transfer = send!(c, o.po.transfer(y, U256::ONE), x).unwrap().gas_used;
    o.earn(&c, JUELS_PER_LINK, false).await;
    let transfer_distributing = send!(c, o.po.transfer(x, U256::ONE), y).unwrap().gas_used;
    let claim = send!(c, o.po.claim(), x).unwrap().gas_used;
    let to_newcomer = send!(c, o.po.transfer(newcomer, U256::ONE), x).unwrap().gas_used;
    println!(
        "PoolOwners gas (steady state): distribute {distribute}; LINK transferAndCall to PoolOwners \
         {transfer_and_call}; share transfer {transfer} ({transfer_distributing} when it distributes first, \
         {to_newcomer} to a new holder); claim {claim}"
    );
    // Constant cost whatever the number of holders: a handful of storage slots.
    for (what, gas) in [
        ("distribute", distribute),
        ("transferAndCall", transfer_and_call),
        ("transfer", transfer_distributing),
        ("claim", claim),
    ] {
        assert!(gas < 90_000, "{what}: {gas}");
    }
}

// ---------------------------------------------------------------------------------------------
// Random sequences against an exact rational model
// ---------------------------------------------------------------------------------------------

/// Share holders in the property test.
const HOLDERS: usize = 5;
const MAX_OPS: usize = 24;
const CASES: u32 = 32;
const PROP_PRICE: u128 = 1_000;
const PROP_CAP: u128 = 1_000 * PROP_PRICE;

#[derive(Clone, Debug)]
enum Op {
    /// LINK arrives by plain transfer or by transferAndCall.
    Earn {
        juels: u128,
        call: bool,
    },
    Distribute,
    Claim {
        who: usize,
    },
    /// `permille` of `from`'s shares move (by transfer, or by transferFrom with an allowance).
    Transfer {
        from: usize,
        to: usize,
        permille: u16,
        allowance: bool,
    },
    /// Founders' shares (Setup only; refused afterwards).
    Issue {
        who: usize,
        shares: u64,
    },
    OpenSale,
    /// Buys `shares`, or exactly what remains under the cap (`fill`).
    Contribute {
        who: usize,
        shares: u64,
        fill: bool,
    },
    CloseSale,
}

fn op() -> impl Strategy<Value = Op> {
    let juels = prop_oneof![1..1_000u128, 1..10u128.pow(24)];
    prop_oneof![
        4 => (juels, any::<bool>()).prop_map(|(juels, call)| Op::Earn { juels, call }),
        1 => Just(Op::Distribute),
        5 => (0..HOLDERS).prop_map(|who| Op::Claim { who }),
        4 => (0..HOLDERS, 0..HOLDERS, 0..=1_000u16, any::<bool>())
            .prop_map(|(from, to, permille, allowance)| Op::Transfer { from, to, permille, allowance }),
        2 => (0..HOLDERS, prop_oneof![1..20u64, 1..1_000_000u64]).prop_map(|(who, shares)| Op::Issue { who, shares }),
        1 => Just(Op::OpenSale),
        5 => (0..HOLDERS, 1..600u64, prop::bool::weighted(0.1))
            .prop_map(|(who, shares, fill)| Op::Contribute { who, shares, fill }),
        1 => Just(Op::CloseSale),
    ]
}

/// The exact model: each holder's entitlement as a rational number of juels.
struct Model {
    shares: [u64; HOLDERS],
    exact: Vec<BigRational>,
    received: [u128; HOLDERS],
    ever_held: [bool; HOLDERS],
    /// LINK that arrived and was not distributed yet.
    pending: u128,
    phase: u8,
    raised: u128,
}

impl Model {
    fn new() -> Self {
        Model {
            shares: [0; HOLDERS],
            exact: vec![BigRational::zero(); HOLDERS],
            received: [0; HOLDERS],
            ever_held: [false; HOLDERS],
            pending: 0,
            phase: SETUP,
            raised: 0,
        }
    }

    fn total(&self) -> u64 {
        self.shares.iter().sum()
    }

    /// `exact + what the pending LINK would add`, the entitlement `claimable` reflects.
    fn entitled(&self, i: usize) -> BigRational {
        let total = self.total();
        if total == 0 || self.pending == 0 {
            return self.exact[i].clone();
        }
        &self.exact[i]
            + BigRational::new(BigInt::from(self.shares[i]) * BigInt::from(self.pending), BigInt::from(total))
    }

    /// What the contract does before every share movement and claim.
    fn distribute(&mut self) {
        if self.total() == 0 {
            return;
        }
        self.exact = (0..HOLDERS).map(|i| self.entitled(i)).collect();
        self.pending = 0;
    }

    fn issue(&mut self, who: usize, shares: u64) {
        self.distribute();
        self.shares[who] += shares;
        self.ever_held[who] = true;
    }
}

/// What the cases did, to check the generator reaches every path.
#[derive(Default, Debug)]
struct Stats {
    earned_without_shares: u32,
    distributions: u32,
    claims: u32,
    transfers: u32,
    contributions: u32,
    refused_contributions: u32,
    cap_reached: u32,
}

async fn run_case(
    c: &Chain,
    o: &Owners,
    holders: &[Address; HOLDERS],
    ops: &[Op],
    stats: &mut Stats,
) -> Result<(), TestCaseError> {
    let mut m = Model::new();
    for op in ops {
        match op.clone() {
            Op::Earn { juels, call } => {
                let receipt = o.earn(c, juels, call).await;
                stats.earned_without_shares += u32::from(m.total() == 0);
                stats.distributions += events::<PoolOwners::EarningsDistributed>(&receipt, o.address).len() as u32;
                m.pending += juels;
                if call {
                    m.distribute();
                }
            }
            Op::Distribute => {
                send!(c, o.po.distribute(), c.stranger).unwrap();
                m.distribute();
            }
            Op::Claim { who } => {
                let claimable = o.claimable(holders[who]).await;
                if claimable == 0 {
                    let err = send!(c, o.po.claim(), holders[who]);
                    prop_assert_eq!(
                        revert::<E, _>(err),
                        E::NothingToClaim(PoolOwners::NothingToClaim { holder: holders[who] })
                    );
                } else {
                    m.distribute();
                    let got = o.claim(c, holders[who]).await;
                    prop_assert_eq!(got, claimable);
                    m.received[who] += got;
                    stats.claims += 1;
                }
            }
            Op::Transfer { from, to, permille, allowance } => {
                let value = m.shares[from] * u64::from(permille) / 1_000;
                let (sender, recipient) = (holders[from], holders[to]);
                if allowance {
                    send!(c, o.po.approve(c.stranger, U256::from(value)), sender).unwrap();
                    send!(c, o.po.transferFrom(sender, recipient, U256::from(value)), c.stranger).unwrap();
                } else {
                    send!(c, o.po.transfer(recipient, U256::from(value)), sender).unwrap();
                }
                m.distribute();
                m.shares[from] -= value;
                m.shares[to] += value;
                m.ever_held[to] |= value > 0;
                stats.transfers += 1;
            }
            Op::Issue { who, shares } => {
                let result = send!(c, o.po.issueFounderShares(vec![holders[who]], vec![U256::from(shares)]), c.owner);
                if m.phase == SETUP {
                    result.unwrap();
                    m.issue(who, shares);
                } else {
                    prop_assert_eq!(
                        revert::<E, _>(result),
                        E::WrongSalePhase(PoolOwners::WrongSalePhase { current: m.phase, required: SETUP })
                    );
                }
            }
            Op::OpenSale => {
                if m.phase == SETUP && m.total() > 0 {
                    o.open(c, PROP_PRICE, PROP_CAP, holders).await;
                    m.phase = OPEN;
                }
            }
            Op::Contribute { who, shares, fill } => {
                let remaining_shares = ((PROP_CAP - m.raised) / PROP_PRICE) as u64;
                let shares = if fill && remaining_shares > 0 { remaining_shares } else { shares };
                let wei = u128::from(shares) * PROP_PRICE;
                let result = o.contribute(c, holders[who], wei).await;
                if m.phase != OPEN {
                    prop_assert_eq!(
                        revert::<E, _>(result),
                        E::WrongSalePhase(PoolOwners::WrongSalePhase { current: m.phase, required: OPEN })
                    );
                } else if m.raised + wei > PROP_CAP {
                    let remaining = U256::from(PROP_CAP - m.raised);
                    prop_assert_eq!(
                        revert::<E, _>(result),
                        E::HardCapExceeded(PoolOwners::HardCapExceeded { amount: U256::from(wei), remaining })
                    );
                    stats.refused_contributions += 1;
                } else {
                    result.unwrap();
                    m.issue(who, shares);
                    m.raised += wei;
                    stats.contributions += 1;
                    if m.raised == PROP_CAP {
                        prop_assert_eq!(o.phase().await, CLOSED);
                        m.phase = CLOSED;
                        stats.cap_reached += 1;
                    }
                }
            }
            Op::CloseSale => {
                if m.phase == OPEN {
                    send!(c, o.po.closeSale(), c.owner).unwrap();
                    m.phase = CLOSED;
                }
            }
        }
        check(c, o, holders, &m).await?;
    }
    // Everyone claims; what stays is the dust.
    for (i, who) in holders.iter().enumerate() {
        if o.claimable(*who).await > 0 {
            m.distribute();
            m.received[i] += o.claim(c, *who).await;
        }
    }
    check(c, o, holders, &m).await
}

/// After every operation: LINK held = undistributed + outstanding = Σ claimable + dust with
/// 0 <= dust <= holders that ever held shares; each holder's received + claimable is within one
/// juel of its exact rational entitlement E, and more precisely `floor(E - 2^-32) <= got <=
/// floor(E + 2^-32)`: the credit is within a hair of E, so the payout is `floor(E)`, or one less
/// only when E is a whole number reached across transfers or share issues.
async fn check(c: &Chain, o: &Owners, holders: &[Address; HOLDERS], m: &Model) -> Result<(), TestCaseError> {
    let held = o.link_held(c).await;
    let (undistributed, outstanding) = (o.undistributed().await, o.outstanding().await);
    prop_assert_eq!(held, undistributed + outstanding);
    prop_assert_eq!(o.supply().await, m.total());
    let mut claimable_sum = 0u128;
    for (i, who) in holders.iter().enumerate() {
        prop_assert_eq!(o.shares(*who).await, m.shares[i]);
        let claimable = o.claimable(*who).await;
        claimable_sum += claimable;
        let got = BigRational::from_integer(BigInt::from(m.received[i] + claimable));
        let entitled = m.entitled(i);
        let eps = BigRational::new(BigInt::one(), BigInt::one() << 32u32);
        let (low, high) = ((&entitled - &eps).floor(), (&entitled + &eps).floor());
        prop_assert!(
            low <= got && got <= high,
            "holder {}: got {} juels, entitled to {} ({:.3})",
            i,
            got,
            entitled,
            num_traits::ToPrimitive::to_f64(&entitled).unwrap_or(f64::NAN)
        );
        prop_assert!((got - &entitled).abs() <= BigRational::one());
    }
    if m.total() == 0 {
        prop_assert_eq!((outstanding, claimable_sum), (0, 0));
        prop_assert_eq!(undistributed, m.pending);
    } else {
        // claimable includes the undistributed LINK, so the dust is what remains of all of it.
        prop_assert!(claimable_sum <= held);
        let dust = held - claimable_sum;
        let bound = m.ever_held.iter().filter(|h| **h).count() as u128;
        prop_assert!(dust <= bound, "dust {} > {} holders", dust, bound);
    }
    Ok(())
}

#[test]
fn random_transfers_distributions_and_claims_match_exact_arithmetic() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: CASES,
        max_shrink_iters: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    // Most cases start with founders' shares (and open the sale early); the others start with no
    // shares at all, so earnings arrive before any holder exists.
    let start = prop::option::weighted(0.8, (0..HOLDERS, 1..1_000u64, any::<bool>()));
    let strategy = (start, proptest::collection::vec(op(), 1..=MAX_OPS)).prop_map(|(start, mut ops)| {
        if let Some((who, shares, open)) = start {
            let mut first = vec![Op::Issue { who, shares }];
            if open {
                first.push(Op::OpenSale);
            }
            ops.splice(0..0, first);
        }
        ops
    });
    let stats = std::sync::Mutex::new(Stats::default());
    runner
        .run(&strategy, |ops| {
            runtime.block_on(async {
                // A fresh chain per case (identical transactions would repeat hashes).
                let c = chain();
                let a = accounts(&c).await;
                let holders: [Address; HOLDERS] = a[4..4 + HOLDERS].try_into().unwrap();
                let o = deploy(&c).await;
                let mut case = Stats::default();
                let result = run_case(&c, &o, &holders, &ops, &mut case).await;
                let mut total = stats.lock().unwrap();
                total.earned_without_shares += case.earned_without_shares;
                total.distributions += case.distributions;
                total.claims += case.claims;
                total.transfers += case.transfers;
                total.contributions += case.contributions;
                total.refused_contributions += case.refused_contributions;
                total.cap_reached += case.cap_reached;
                result
            })
        })
        .unwrap();
    let stats = stats.into_inner().unwrap();
    // Refused contributions, the cap and earnings arriving before any share exists are reached in
    // a few cases per run (too rare to assert on every seed: a run without earnings-before-shares
    // was seen); the sale tests and `earnings_arriving_without_shares_wait_for_the_first_holders`
    // cover them deterministically.
    println!("{CASES} cases: {stats:?}");
    assert!(stats.claims > 0 && stats.transfers > 0 && stats.contributions > 0, "{stats:?}");
}

// ---------------------------------------------------------------------------------------------
// FullMath
// ---------------------------------------------------------------------------------------------

fn big(x: U256) -> BigUint {
    BigUint::from_bytes_be(&x.to_be_bytes::<32>())
}

/// A 256-bit number with a random number of significant bits (so every magnitude is hit).
fn word() -> impl Strategy<Value = U256> {
    (0..=256usize, any::<[u8; 32]>()).prop_map(|(bits, bytes)| {
        let x = U256::from_be_bytes(bytes);
        if bits == 256 {
            x
        } else {
            x & ((U256::ONE << bits) - U256::ONE)
        }
    })
}

#[test]
fn full_math_matches_big_integers() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let c = chain();
    let harness = runtime.block_on(async { FullMathHarness::deploy(c.provider.clone()).await.expect("harness") });
    let limit = BigUint::one() << 256u32;
    let check = |a: U256, b: U256, d: U256| {
        runtime.block_on(async {
            let down = harness.mulDiv(a, b, d).call().await;
            let up = harness.mulDivUp(a, b, d).call().await;
            let product = big(a) * big(b);
            let overflow = FullMathHarness::FullMathHarnessErrors::MulDivOverflow(FullMathHarness::MulDivOverflow {
                a,
                b,
                denominator: d,
            });
            if d.is_zero() {
                for r in [down, up] {
                    assert_eq!(call_revert::<FullMathHarness::FullMathHarnessErrors, _>(r), overflow.clone());
                }
                return;
            }
            let (q, rem) = (&product / big(d), &product % big(d));
            let q_up = if rem.is_zero() { q.clone() } else { &q + 1u32 };
            for (r, expected) in [(down, q), (up, q_up)] {
                if expected >= limit {
                    assert_eq!(call_revert::<FullMathHarness::FullMathHarnessErrors, _>(r), overflow.clone());
                } else {
                    assert_eq!(big(r.expect("mulDiv")), expected, "{a} * {b} / {d}");
                }
            }
        })
    };
    let max = U256::MAX;
    for (a, b, d) in [
        (max, max, max),
        (max, max, max - U256::ONE),
        (max, max, U256::ONE),
        (max, U256::from(2), U256::from(2)),
        (max, U256::from(3), U256::from(2)),
        (max - U256::ONE, max, max),
        (U256::ONE << 255, U256::from(2), U256::ONE << 255),
        (U256::ONE << 128, U256::ONE << 128, (U256::ONE << 128) + U256::ONE),
        (U256::from(5_000_123_456_700_000_000_000u128), U256::ONE << 128, U256::from(6_000_002)),
        (U256::ZERO, max, U256::ZERO),
        (U256::from(7), U256::from(3), U256::ZERO),
    ] {
        check(a, b, d);
    }
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&(word(), word(), word()), |(a, b, d)| {
            check(a, b, d);
            Ok(())
        })
        .unwrap();
}
