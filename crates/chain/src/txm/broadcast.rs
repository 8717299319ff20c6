//! What an `eth_sendRawTransaction` answer means for the tx. Clients word their errors
//! differently (geth, erigon, nethermind, besu, anvil), so matching is on lowercase
//! fragments.

use alloy::transports::TransportError;

/// The meaning of one broadcast answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SendOutcome {
    /// In the pool now.
    Accepted,
    /// The pool already has exactly this tx.
    AlreadyKnown,
    /// The nonce was used: one of our attempts was probably mined (check receipts).
    NonceTooLow,
    /// A pending tx with this nonce pays more than this replacement.
    Underpriced,
    /// `maxFeePerGas` below the base fee, or below the node's minimum.
    FeeTooLow,
    /// The sender cannot pay `gas_limit × maxFeePerGas + value`.
    InsufficientFunds,
    /// Network failure or an error we do not know: retry later.
    Retry(String),
}

pub(crate) fn classify<T>(result: &Result<T, TransportError>) -> SendOutcome {
    let err = match result {
        Ok(_) => return SendOutcome::Accepted,
        Err(err) => err,
    };
    let Some(resp) = err.as_error_resp() else {
        return SendOutcome::Retry(err.to_string());
    };
    classify_message(&resp.message)
}

fn classify_message(message: &str) -> SendOutcome {
    let m = message.to_lowercase();
    let has = |fragments: &[&str]| fragments.iter().any(|f| m.contains(f));
    if has(&["already known", "known transaction", "already imported", "already exists", "alreadyknown"]) {
        SendOutcome::AlreadyKnown
    } else if has(&["nonce too low", "nonce is too low", "oldnonce", "invalid nonce", "already been used"]) {
        SendOutcome::NonceTooLow
    } else if has(&["replacement", "underpriced", "fee too low to replace"]) {
        SendOutcome::Underpriced
    } else if has(&["insufficient funds", "insufficient balance"]) {
        SendOutcome::InsufficientFunds
    } else if has(&["base fee", "basefee", "fee cap", "feecap", "max fee per gas less", "gas price too low"]) {
        SendOutcome::FeeTooLow
    } else {
        SendOutcome::Retry(message.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_client_messages() {
        use SendOutcome::*;
        let cases = [
            ("already known", AlreadyKnown),
            ("Known transaction: 0xabc", AlreadyKnown),
            ("nonce too low: next nonce 5, tx nonce 4", NonceTooLow),
            ("Nonce too low", NonceTooLow),
            ("replacement transaction underpriced", Underpriced),
            ("transaction underpriced", Underpriced),
            ("insufficient funds for gas * price + value", InsufficientFunds),
            ("max fee per gas less than block base fee", FeeTooLow),
            ("something odd", Retry("something odd".into())),
        ];
        for (message, expected) in cases {
            assert_eq!(classify_message(message), expected, "{message}");
        }
    }
}
