//! `linkpool sla …`: the purchaser's side of the decentralized oracle network (issue 6): propose
//! an SLA, finalize it, request answers under it, settle, close, and show it all.
//!
//! One file per subcommand under `sla/`; the shared options (`opts`: chain, contracts, key) are
//! flattened once here and are global, so they go before or after the subcommand. `reputation`
//! and `agreements deploy` take the same options.

mod finalize;
pub(crate) mod opts;
mod propose;
mod session;
mod status;

use alloy::primitives::{Bytes, FixedBytes, B256, U256};
use clap::{Args, Subcommand};
use linkpool_pool::client::{format_duration, format_link, format_unix};

pub(crate) use opts::{KeyOpts, NetworkOpts};

/// SLAs of an OrderMatching contract: propose, finalize, request, settle, close, status.
#[derive(Debug, Args)]
pub(crate) struct SlaArgs {
    #[command(flatten)]
    net: NetworkOpts,
    #[command(flatten)]
    key: KeyOpts,
    #[command(subcommand)]
    command: SlaCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SlaCommand {
    /// Propose an SLA (you become its purchaser); prints its id.
    ///
    /// Every term has a default but the job, the aggregator and --reputation. n oracles
    /// (--oracles, 4 to 31) tolerate f = (n - 1) / 3 faulty ones; each request needs the
    /// q = 2f + 1 quorum's commitments and costs q × --payment in LINK. Oracles bid during
    /// --bidding-window; requests are taken for --service-period after it.
    ///
    ///   export LINKPOOL_AGREEMENTS_PRIVATE_KEY=0x…   # the purchaser's key
    ///   linkpool sla propose --job-id 17f946d0-c3fb-47b1-91b8-195f4ec036dc --job-type eth-usd \
    ///       --aggregator median --query-params '{"symbol": "ETH"}' --oracles 7 --payment 0.1 --penalty 10
    #[command(verbatim_doc_comment)]
    Propose(Box<propose::ProposeArgs>),
    /// Show an SLA: terms, status, selected oracles, bids; --sessions adds its recent requests.
    ///
    ///   linkpool sla status 1
    ///   linkpool sla status 1 --sessions --limit 5 --json
    #[command(verbatim_doc_comment)]
    Status(status::StatusArgs),
    /// Select the oracles of an SLA once its bidding window has passed (anyone may).
    ///
    /// With at least n qualifying bids, the n best by acceptance rate (ties: earlier bid) are
    /// selected and the others refunded; with fewer, the SLA fails and every bid is refunded.
    ///
    ///   linkpool sla finalize 1
    #[command(verbatim_doc_comment)]
    Finalize(finalize::FinalizeArgs),
    /// Open a request under an active SLA (its purchaser only), paying the escrow q × payment.
    ///
    /// The answer is delivered by calling `<callback>.<selector>(uint256 sessionId, int256
    /// answer)` with the SLA's callback gas.
    ///
    ///   linkpool sla request 1 --callback 0xConsumer --selector 'fulfill(uint256,int256)'
    ///   linkpool sla request 1 --callback 0xConsumer --selector 0x09d19de1
    #[command(verbatim_doc_comment)]
    Request(session::RequestArgs),
    /// Settle a request after its deadline (anyone may): pay, penalize, refund.
    ///
    /// A request whose quorum revealed settles by itself; this is for the others.
    ///
    ///   linkpool sla settle 12
    #[command(verbatim_doc_comment)]
    Settle(session::SettleArgs),
    /// Return the penalties of an SLA after its service period (anyone may).
    ///
    ///   linkpool sla close 1
    #[command(verbatim_doc_comment)]
    Close(session::CloseArgs),
}

impl SlaArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let Self { net, key, command } = self;
        match command {
            SlaCommand::Propose(a) => a.run(&net, &key).await,
            SlaCommand::Status(a) => a.run(&net).await,
            SlaCommand::Finalize(a) => a.run(&net, &key).await,
            SlaCommand::Request(a) => a.run(&net, &key).await,
            SlaCommand::Settle(a) => a.run(&net, &key).await,
            SlaCommand::Close(a) => a.run(&net, &key).await,
        }
    }
}

// ------------------------------------------------------------------ parsing

/// `--job-id`: a bytes32, or an external job id (UUID) encoded as the node reads an SLA's
/// `jobId` by default: the 32 ASCII characters of the UUID without dashes.
pub(crate) fn parse_job_id(s: &str) -> Result<B256, String> {
    let t = s.trim();
    if t.starts_with("0x") || t.starts_with("0X") {
        return t
            .parse::<B256>()
            .map_err(|_| format!("{s:?} is not a bytes32: 0x and 64 hex digits (or pass the job's UUID)"));
    }
    let id = uuid::Uuid::parse_str(t)
        .map_err(|_| format!("{s:?} is neither a job UUID (externalJobID) nor a bytes32 (0x and 64 hex digits)"))?;
    Ok(linkpool_job::spec_id_encodings(id)[0])
}

/// `--job-type`: text of at most 32 bytes (right-padded with zeros, as agreement jobs'
/// `jobTypes` are), or a bytes32.
pub(crate) fn parse_job_type(s: &str) -> Result<B256, String> {
    linkpool_job::job_type_bytes32(s)
}

/// `--query-params`: a JSON object, stored compactly as UTF-8.
pub(crate) fn parse_query_params(s: &str) -> Result<Bytes, String> {
    let v: serde_json::Value = serde_json::from_str(s).map_err(|e| format!("not JSON: {e}"))?;
    if !v.is_object() {
        return Err(format!("the query parameters must be a JSON object, like '{{\"symbol\": \"ETH\"}}', not {v}"));
    }
    Ok(Bytes::from(v.to_string().into_bytes()))
}

/// An amount of LINK with up to 18 decimals (`0.1`, `10`, `2.5link`), or whole juels (`5juels`),
/// converted exactly.
pub(crate) fn parse_link(s: &str) -> Result<u128, String> {
    let t = s.trim().to_ascii_lowercase().replace('_', "");
    let (number, decimals) = if let Some(n) = t.strip_suffix("juels").or_else(|| t.strip_suffix("juel")) {
        (n.trim(), 0)
    } else {
        (t.strip_suffix("link").unwrap_or(&t).trim(), 18)
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("{s:?} is not an amount of LINK like 0.1 or 10 (or whole juels like 5juels)"));
    }
    if frac.len() > decimals {
        return Err(if decimals == 0 {
            format!("{s:?}: juels are whole numbers")
        } else {
            format!("{s:?} has {} decimals; LINK has 18 (1 juel = 0.000000000000000001 LINK)", frac.len())
        });
    }
    let digits = format!("{int}{frac:0<decimals$}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(0);
    }
    digits.parse::<u128>().map_err(|_| format!("{s:?} is too large"))
}

/// A duration: `5m`, `7d`, `1h 30m` (humantime), or bare seconds.
pub(crate) fn parse_duration(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(secs);
    }
    humantime::parse_duration(t)
        .map(|d| d.as_secs())
        .map_err(|e| format!("{s:?} is not a duration like 5m, 7d or 300: {e}"))
}

/// `--selector`: a function signature (`fulfill(uint256,int256)`) or 4 bytes (`0x09d19de1`).
pub(crate) fn parse_selector(s: &str) -> Result<FixedBytes<4>, String> {
    let t = s.trim();
    if t.starts_with("0x") || t.starts_with("0X") {
        return t.parse::<FixedBytes<4>>().map_err(|_| format!("{s:?} is not 4 bytes (0x and 8 hex digits)"));
    }
    let open = t.find('(');
    if open.is_none_or(|i| i == 0) || !t.ends_with(')') || t.contains(' ') {
        return Err(format!(
            "{s:?} is neither a selector (0x and 8 hex digits) nor a signature like fulfill(uint256,int256) \
             (no spaces, no parameter names)"
        ));
    }
    let hash = alloy::primitives::keccak256(t.as_bytes());
    Ok(FixedBytes::from_slice(&hash[..4]))
}

// ------------------------------------------------------------------ formatting

/// An id (SLA, session) or count as a JSON number: they count up from 1 and fit easily.
pub(crate) fn id(v: U256) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// `0.1 LINK`.
pub(crate) fn link(juels: U256) -> String {
    format!("{} LINK", format_link(juels))
}

/// `2025-01-01T00:00:00Z`.
pub(crate) fn when(unix: u64) -> String {
    format_unix(unix)
}

/// `5m (300 s)`.
pub(crate) fn duration(seconds: u64) -> String {
    format!("{} ({seconds} s)", format_duration(seconds))
}

/// A job type as text when it is printable ASCII padded with zeros, else `None`.
pub(crate) fn job_type_text(word: B256) -> Option<String> {
    let bytes = word.as_slice();
    let len = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let text = &bytes[..len];
    (len > 0 && text.iter().all(|b| b.is_ascii_graphic() || *b == b' '))
        .then(|| String::from_utf8_lossy(text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_amounts_convert_exactly() {
        assert_eq!(parse_link("0.1"), Ok(100_000_000_000_000_000));
        assert_eq!(parse_link("10"), Ok(10_000_000_000_000_000_000));
        assert_eq!(parse_link("2.5link"), Ok(2_500_000_000_000_000_000));
        assert_eq!(parse_link("0.000000000000000001"), Ok(1));
        assert_eq!(parse_link("5juels"), Ok(5));
        assert_eq!(parse_link(".5"), Ok(500_000_000_000_000_000));
        assert_eq!(parse_link("0"), Ok(0));
        let e = parse_link("0.0000000000000000001").unwrap_err();
        assert!(e.contains("19 decimals"), "{e}");
        assert!(parse_link("1.5juels").is_err());
        assert!(parse_link("-1").is_err());
        assert!(parse_link("1e18").is_err());
        assert!(parse_link("").is_err());
        assert!(parse_link("999999999999999999999999").is_err(), "beyond u128 juels");
    }

    #[test]
    fn job_ids_from_uuids_match_the_node() {
        let id = parse_job_id("a5ac14e8-7629-4726-b1f1-1ae053fc829e").unwrap();
        assert_eq!(id.to_string(), "0x6135616331346538373632393437323662316631316165303533666338323965");
        let hex = "0x00000000000000000000000000000000000000000000000000000000000000ff";
        assert_eq!(parse_job_id(hex).unwrap().to_string(), hex);
        assert!(parse_job_id("0x1234").unwrap_err().contains("bytes32"));
        assert!(parse_job_id("eth-usd").unwrap_err().contains("UUID"));
    }

    #[test]
    fn job_types_are_right_padded_text() {
        let t = parse_job_type("eth-usd").unwrap();
        assert_eq!(&t[..7], b"eth-usd");
        assert!(t[7..].iter().all(|&b| b == 0));
        assert_eq!(job_type_text(t).as_deref(), Some("eth-usd"));
        assert_eq!(job_type_text(B256::repeat_byte(0xff)), None);
        assert!(parse_job_type(&"x".repeat(33)).is_err());
    }

    #[test]
    fn selectors_from_signatures_or_hex() {
        // keccak256("transfer(address,uint256)") starts with a9059cbb.
        assert_eq!(parse_selector("transfer(address,uint256)").unwrap(), FixedBytes::from([0xa9, 0x05, 0x9c, 0xbb]));
        assert_eq!(parse_selector("0xa9059cbb").unwrap(), FixedBytes::from([0xa9, 0x05, 0x9c, 0xbb]));
        // The default of `sla request`, and the one in its help, are SlaConsumer's callback.
        let fulfill = parse_selector("fulfill(uint256,int256)").unwrap();
        assert_eq!(
            fulfill.0,
            <linkpool_bindings::agreements::SlaConsumer::fulfillCall as alloy::sol_types::SolCall>::SELECTOR
        );
        assert_eq!(parse_selector("0x09d19de1").unwrap(), fulfill);
        assert!(parse_selector("fulfill").is_err());
        assert!(parse_selector("fulfill(uint256 id, int256 answer)").is_err());
        assert!(parse_selector("0xa9059c").is_err());
    }

    #[test]
    fn query_params_must_be_an_object() {
        assert_eq!(
            parse_query_params(r#"{ "symbol" : "ETH" }"#).unwrap(),
            Bytes::from(br#"{"symbol":"ETH"}"#.to_vec())
        );
        assert!(parse_query_params("[1]").unwrap_err().contains("object"));
        assert!(parse_query_params("{").unwrap_err().contains("not JSON"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5m"), Ok(300));
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert_eq!(parse_duration("90"), Ok(90));
        assert!(parse_duration("soon").is_err());
    }
}
