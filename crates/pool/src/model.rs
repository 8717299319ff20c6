//! An exact-rational model of a pool node's money (LinkPool whitepaper §6.1.4, D = S/T·O),
//! written independently of the contracts to check them.
//!
//! The model keeps every staker's stake and earnings as exact fractions of juels: a stake is what
//! was put in, minus what was taken out, minus its pro-rata part `S/T` of every forfeit; a
//! distribution of `R` juels to stakers gives each `S/T·R`. The only integer roundings are the
//! contract's documented ones that decide *what* is distributed: the owners' cut (operational
//! cost, then makers' percentage of the rest, each rounded down). How the contract then shares
//! `R` (shares, accumulator, floors) is exactly what the model checks: a claim must be the floor
//! of the exact earnings (never more, less by under one juel), and a stake may fall short of the
//! exact stake only by the rounding of share burns.

use std::collections::BTreeMap;

use alloy::primitives::{Address, U256};
use num_bigint::{BigInt, Sign};
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

/// Basis points in 100 %.
pub const BPS: u64 = 10_000;

/// A juel amount as an exact integer.
pub fn big(v: U256) -> BigInt {
    BigInt::from_bytes_be(Sign::Plus, &v.to_be_bytes::<32>())
}

/// The largest whole number of juels not above `r`.
pub fn floor(r: &BigRational) -> BigInt {
    r.floor().to_integer()
}

/// `r` as a float, for messages only.
pub fn approx(r: &BigRational) -> f64 {
    r.to_f64().unwrap_or(f64::NAN)
}

/// The owners' and stakers' parts of a distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The earnings distributed.
    pub earnings: BigInt,
    /// Operational cost plus makers' percentage (each rounded down).
    pub to_owners: BigInt,
    /// The rest.
    pub to_stakers: BigInt,
}

/// Splits `earnings`: `op = ⌊E·op_bps/10⁴⌋`, `makers = ⌊(E − op)·makers_bps/10⁴⌋`, owners
/// `op + makers`, stakers the rest; all to the owners when nobody stakes.
pub fn split(earnings: &BigInt, op_bps: u64, makers_bps: u64, has_stakers: bool) -> Split {
    if !has_stakers {
        return Split { earnings: earnings.clone(), to_owners: earnings.clone(), to_stakers: BigInt::zero() };
    }
    let op = earnings * op_bps / BPS;
    let makers = (earnings - &op) * makers_bps / BPS;
    let to_owners = op + makers;
    Split { earnings: earnings.clone(), to_stakers: earnings - &to_owners, to_owners }
}

/// One staker on one node.
#[derive(Debug, Clone, Default)]
pub struct StakerModel {
    /// Exact stake (juels).
    pub stake: BigRational,
    /// Exact earnings so far (juels).
    pub earned: BigRational,
    /// Juels claimed so far.
    pub claimed: BigInt,
}

impl StakerModel {
    /// Exact earnings not yet claimed.
    pub fn unclaimed(&self) -> BigRational {
        &self.earned - BigRational::from_integer(self.claimed.clone())
    }
}

/// One node.
#[derive(Debug, Clone, Default)]
pub struct NodeModel {
    /// Every staker that ever staked.
    pub stakers: BTreeMap<Address, StakerModel>,
    /// Operational cost (bps).
    pub op_bps: u64,
    /// Makers' percentage (bps).
    pub makers_bps: u64,
    /// Stake out as penalty deposits.
    pub at_risk: BigInt,
    /// Sum of everything sent to the owners.
    pub to_owners: BigInt,
    /// Share roundings so far (mints, burns, forfeits): each may move any stake by under a juel
    /// against the exact one, so this bounds how far a contract stake may be from the model's.
    pub roundings: u64,
}

impl NodeModel {
    /// A node with the contract's defaults: 0 % operational cost, 25 % makers.
    pub fn new() -> Self {
        Self { makers_bps: 2_500, ..Self::default() }
    }

    /// Exact total stake.
    pub fn total_stake(&self) -> BigRational {
        self.stakers.values().map(|s| s.stake.clone()).sum()
    }

    /// `who` stakes `amount`.
    pub fn stake(&mut self, who: Address, amount: U256) {
        self.stakers.entry(who).or_default().stake += BigRational::from_integer(big(amount));
        self.roundings += 1;
    }

    /// `who` withdraws `amount` juels.
    pub fn withdraw(&mut self, who: Address, amount: U256) {
        self.stakers.entry(who).or_default().stake -= BigRational::from_integer(big(amount));
        self.roundings += 1;
    }

    /// `who` withdraws everything. Returns the exact stake it had (the contract pays its floor,
    /// less by the share roundings at most).
    pub fn withdraw_all(&mut self, who: Address) -> BigRational {
        self.roundings += 1;
        std::mem::take(&mut self.stakers.entry(who).or_default().stake)
    }

    /// Distributes `earnings`; returns the split.
    pub fn distribute(&mut self, earnings: &BigInt) -> Split {
        let total = self.total_stake();
        let split = split(earnings, self.op_bps, self.makers_bps, !total.is_zero());
        if !split.to_stakers.is_zero() {
            let r = BigRational::from_integer(split.to_stakers.clone());
            for s in self.stakers.values_mut() {
                s.earned += &s.stake / &total * &r;
            }
        }
        self.to_owners += &split.to_owners;
        split
    }

    /// A forfeit of `amount`: every stake loses `S/T·amount`.
    pub fn forfeit(&mut self, amount: U256) {
        let total = self.total_stake();
        let a = BigRational::from_integer(big(amount));
        for s in self.stakers.values_mut() {
            if !s.stake.is_zero() {
                s.stake -= &s.stake / &total * &a;
            }
        }
        self.roundings += 1;
        self.at_risk -= big(amount);
    }

    /// `who` claimed `paid`.
    pub fn claim(&mut self, who: Address, paid: U256) {
        self.stakers.entry(who).or_default().claimed += big(paid);
    }
}
