//! EIP-1559 fee choice and replacement bumps, in integer wei.

use super::FeeConfig;

/// The two EIP-1559 fee fields of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fees {
    /// `maxFeePerGas`.
    pub max_fee_per_gas: u128,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee_per_gas: u128,
}

/// The smallest value a replacement must offer: +12.5% (rounded down) + 1 wei, which is
/// strictly above geth's 10% and the 12.5% some clients demand.
pub(crate) fn min_replacement(old: u128) -> u128 {
    old.saturating_add(old / 8).saturating_add(1)
}

fn tip(suggested: u128, config: &FeeConfig) -> u128 {
    config.priority_fee.unwrap_or(suggested).max(config.min_priority_fee)
}

fn fee_cap(base_fee: u128, tip: u128, config: &FeeConfig) -> u128 {
    base_fee.saturating_mul(config.base_fee_percent) / 100 + tip
}

/// Fees of a first attempt given the latest base fee and the node's suggested tip.
pub(crate) fn initial(base_fee: u128, suggested_tip: u128, config: &FeeConfig) -> Fees {
    let tip = tip(suggested_tip, config);
    let max_fee = fee_cap(base_fee, tip, config).min(config.max_fee_per_gas);
    Fees { max_fee_per_gas: max_fee, max_priority_fee_per_gas: tip.min(max_fee) }
}

/// Fees of a replacement for `old`: both fields at least [`min_replacement`], and at least
/// what the current market asks. `None` when the cap leaves no valid replacement (then the
/// old attempt is rebroadcast instead).
pub(crate) fn bumped(old: Fees, base_fee: u128, suggested_tip: u128, config: &FeeConfig) -> Option<Fees> {
    let min_tip = min_replacement(old.max_priority_fee_per_gas);
    let min_max = min_replacement(old.max_fee_per_gas);
    let tip = tip(suggested_tip, config).max(min_tip);
    let max_fee = fee_cap(base_fee, tip, config).max(min_max).min(config.max_fee_per_gas);
    if max_fee < min_max || max_fee < min_tip {
        return None;
    }
    Some(Fees { max_fee_per_gas: max_fee, max_priority_fee_per_gas: tip.min(max_fee) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txm::GWEI;

    fn config() -> FeeConfig {
        FeeConfig { max_fee_per_gas: 100 * GWEI, ..FeeConfig::default() }
    }

    #[test]
    fn initial_covers_twice_the_base_fee_plus_tip() {
        let f = initial(10 * GWEI, 2 * GWEI, &config());
        assert_eq!(f, Fees { max_fee_per_gas: 22 * GWEI, max_priority_fee_per_gas: 2 * GWEI });
        let fixed = FeeConfig { priority_fee: Some(3), ..config() };
        assert_eq!(initial(0, 2 * GWEI, &fixed).max_priority_fee_per_gas, 3);
        // capped
        let f = initial(80 * GWEI, 2 * GWEI, &config());
        assert_eq!(f.max_fee_per_gas, 100 * GWEI);
    }

    #[test]
    fn bump_raises_both_fields_by_more_than_an_eighth() {
        let old = Fees { max_fee_per_gas: 22 * GWEI, max_priority_fee_per_gas: 2 * GWEI };
        let new = bumped(old, 10 * GWEI, 2 * GWEI, &config()).unwrap();
        assert!(new.max_fee_per_gas * 8 > old.max_fee_per_gas * 9, "{new:?}");
        assert!(new.max_priority_fee_per_gas * 8 > old.max_priority_fee_per_gas * 9, "{new:?}");
        // tiny values still move (the +1 wei)
        let tiny = bumped(Fees { max_fee_per_gas: 7, max_priority_fee_per_gas: 1 }, 0, 0, &config()).unwrap();
        assert_eq!(tiny, Fees { max_fee_per_gas: 8, max_priority_fee_per_gas: 2 });
    }

    #[test]
    fn bump_follows_a_rising_base_fee() {
        let old = Fees { max_fee_per_gas: 3 * GWEI, max_priority_fee_per_gas: GWEI };
        let new = bumped(old, 20 * GWEI, GWEI, &config()).unwrap();
        assert!(new.max_fee_per_gas >= 40 * GWEI, "{new:?}");
    }

    #[test]
    fn no_bump_past_the_cap() {
        let at_cap = Fees { max_fee_per_gas: 95 * GWEI, max_priority_fee_per_gas: 2 * GWEI };
        assert_eq!(bumped(at_cap, 10 * GWEI, 2 * GWEI, &config()), None);
        // the market asks 102 gwei, the cap allows 100, which is still a valid replacement
        let near = Fees { max_fee_per_gas: 85 * GWEI, max_priority_fee_per_gas: 2 * GWEI };
        let new = bumped(near, 50 * GWEI, 2 * GWEI, &config()).unwrap();
        assert_eq!(new.max_fee_per_gas, 100 * GWEI);
        // without market pressure the bump is the minimum replacement
        let calm = bumped(near, 0, 0, &config()).unwrap();
        assert_eq!(calm.max_fee_per_gas, min_replacement(85 * GWEI));
    }
}
