//! The demo scenarios: requests from the example consumers, answers checked
//! against the demo data source's known values.

use std::{
    str::FromStr,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
    rpc::types::{Filter, TransactionReceipt, TransactionRequest},
    sol_types::SolEvent,
};
use bigdecimal::BigDecimal;
use linkpool_bindings::{ConsumerMultiWord, ConsumerUint256};

use crate::{contracts::REQUEST_PAYMENT, datasource, Devnet, DevnetError, Result};

/// How long a scenario waits for its fulfilment.
pub const FULFILMENT_TIMEOUT: Duration = Duration::from_secs(60);

/// One fulfilled (or failed) request.
#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    /// Scenario name.
    pub name: String,
    /// The request id.
    pub request_id: B256,
    /// What the data source says the answer must be.
    pub expected: Vec<U256>,
    /// What the consumer received (empty if never fulfilled).
    pub answer: Vec<U256>,
    /// From the request's receipt to the fulfilment seen on chain.
    pub latency: Duration,
    /// Gas used by the request transaction.
    pub request_gas: u64,
    /// Gas used by the fulfilment transaction (0 if none).
    pub fulfill_gas: u64,
}

impl ScenarioOutcome {
    /// Fulfilled with exactly the expected values.
    pub fn ok(&self) -> bool {
        !self.answer.is_empty() && self.answer == self.expected
    }
}

/// Every scenario's outcome.
#[derive(Debug, Clone, Default)]
pub struct ScenarioReport {
    /// In the order they ran.
    pub outcomes: Vec<ScenarioOutcome>,
}

impl ScenarioReport {
    /// True when every request was fulfilled with the expected value.
    pub fn all_ok(&self) -> bool {
        !self.outcomes.is_empty() && self.outcomes.iter().all(ScenarioOutcome::ok)
    }

    /// A human-readable table.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<10} {:<68} {:>9} {:>11} {:>11}  {}\n",
            "scenario", "answer (expected)", "latency", "request gas", "fulfil gas", "result"
        );
        for o in &self.outcomes {
            let answer = if o.answer.is_empty() {
                "-".to_owned()
            } else {
                o.answer.iter().map(U256::to_string).collect::<Vec<_>>().join(", ")
            };
            let shown = if o.ok() { answer } else { format!("{answer} ({})", join(&o.expected)) };
            out.push_str(&format!(
                "{:<10} {:<68} {:>7}ms {:>11} {:>11}  {}\n",
                o.name,
                shown,
                o.latency.as_millis(),
                o.request_gas,
                o.fulfill_gas,
                if o.ok() { "ok" } else { "FAILED" }
            ));
        }
        out
    }
}

fn join(v: &[U256]) -> String {
    v.iter().map(U256::to_string).collect::<Vec<_>>().join(", ")
}

/// `decimal × 10^exp`, exactly (the demo values are chosen to make it exact).
pub fn scaled(decimal: &str, times: u64) -> U256 {
    let v = BigDecimal::from_str(decimal).expect("demo value") * BigDecimal::from(times);
    let (digits, scale) = v.normalized().into_bigint_and_exponent();
    let int = if scale <= 0 { digits * num_pow10((-scale) as u32) } else { digits / num_pow10(scale as u32) };
    U256::from_str(&int.to_string()).expect("non-negative")
}

fn num_pow10(n: u32) -> bigdecimal::num_bigint::BigInt {
    bigdecimal::num_bigint::BigInt::from(10u8).pow(n)
}

pub(crate) async fn run_all(devnet: &Devnet) -> Result<ScenarioReport> {
    let mut report = ScenarioReport::default();
    report.outcomes.push(request_uint256(devnet).await?);
    report.outcomes.push(request_multiword(devnet).await?);
    Ok(report)
}

/// Sends a request transaction from the devnet's requester and waits for its receipt.
async fn send(devnet: &Devnet, tx: TransactionRequest, what: &str) -> Result<TransactionReceipt> {
    linkpool_bindings::stack::send(&devnet.provider, tx).await.map_err(DevnetError::contract(what))
}

/// The request id of the `OracleRequest` in a request's receipt.
fn request_id_of(devnet: &Devnet, receipt: &TransactionReceipt) -> Result<B256> {
    linkpool_bindings::stack::oracle_request(receipt, devnet.contracts.operator)
        .map(|r| r.requestId)
        .map_err(|e| DevnetError::Scenario { name: "request".into(), message: e.to_string() })
}

/// Sends `requestPrice(url, path, times)` from the Uint256 consumer to the job `spec_id`, paying
/// [`REQUEST_PAYMENT`]; returns the request id once the request is mined.
pub async fn send_price_request(devnet: &Devnet, spec_id: B256, url: &str, path: &str, times: i64) -> Result<B256> {
    let consumer = ConsumerUint256::new(devnet.contracts.consumer_uint256, devnet.provider.clone());
    let request = consumer
        .requestPrice(
            devnet.contracts.operator,
            spec_id,
            url.to_owned(),
            path.to_owned(),
            alloy::primitives::I256::try_from(times).expect("i64 fits in I256"),
            U256::from(REQUEST_PAYMENT),
        )
        .into_transaction_request();
    let receipt = send(devnet, request, "requestPrice").await?;
    request_id_of(devnet, &receipt)
}

/// Sends the docs' Get > Uint256 request (24h ETH/USD volume × 10^18) and waits for its answer.
pub async fn request_uint256(devnet: &Devnet) -> Result<ScenarioOutcome> {
    let consumer = ConsumerUint256::new(devnet.contracts.consumer_uint256, devnet.provider.clone());
    let url = format!("{}/data/pricemultifull?fsyms=ETH&tsyms=USD", devnet.source.url());
    let times: u64 = 1_000_000_000_000_000_000;
    let request = consumer
        .requestPrice(
            devnet.contracts.operator,
            devnet.uint256_job.spec_id,
            url,
            "RAW,ETH,USD,VOLUME24HOUR".into(),
            alloy::primitives::I256::try_from(times).expect("fits"),
            U256::from(REQUEST_PAYMENT),
        )
        .into_transaction_request();
    let receipt = send(devnet, request, "requestPrice").await?;
    let started = Instant::now();
    let request_id = request_id_of(devnet, &receipt)?;
    let expected = vec![scaled(datasource::volume("ETH", "USD").expect("quote"), times)];
    let (log, fulfil_gas) = wait_for_event(
        devnet,
        devnet.contracts.consumer_uint256,
        ConsumerUint256::ValueFulfilled::SIGNATURE_HASH,
        request_id,
    )
    .await?;
    let answer = match log {
        Some(data) => vec![
            ConsumerUint256::ValueFulfilled::decode_log_data(&data)
                .map_err(|e| DevnetError::Scenario { name: "uint256".into(), message: e.to_string() })?
                .value,
        ],
        None => vec![],
    };
    Ok(ScenarioOutcome {
        name: "uint256".into(),
        request_id,
        expected,
        answer,
        latency: started.elapsed(),
        request_gas: receipt.gas_used,
        fulfill_gas: fulfil_gas,
    })
}

/// Sends the docs' MultiWord request (BTC/USD, ETH/USD, ETH/EUR × 10^5) and waits for its answer.
pub async fn request_multiword(devnet: &Devnet) -> Result<ScenarioOutcome> {
    let consumer = ConsumerMultiWord::new(devnet.contracts.consumer_multiword, devnet.provider.clone());
    let base = devnet.source.url();
    let keys = ["urlBTC", "pathBTC", "urlUSD", "pathUSD", "urlEUR", "pathEUR"].map(String::from).to_vec();
    let values = vec![
        format!("{base}/data/price?fsym=BTC&tsyms=USD"),
        "USD".to_owned(),
        format!("{base}/data/price?fsym=ETH&tsyms=USD"),
        "USD".to_owned(),
        format!("{base}/data/price?fsym=ETH&tsyms=EUR"),
        "EUR".to_owned(),
    ];
    let request = consumer
        .requestMultiple(
            devnet.contracts.operator,
            devnet.multiword_job.spec_id,
            keys,
            values,
            U256::from(REQUEST_PAYMENT),
        )
        .into_transaction_request();
    let receipt = send(devnet, request, "requestMultiple").await?;
    let started = Instant::now();
    let request_id = request_id_of(devnet, &receipt)?;
    let expected = vec![
        scaled(datasource::price("BTC", "USD").expect("quote"), 100_000),
        scaled(datasource::price("ETH", "USD").expect("quote"), 100_000),
        scaled(datasource::price("ETH", "EUR").expect("quote"), 100_000),
    ];
    let (log, fulfil_gas) = wait_for_event(
        devnet,
        devnet.contracts.consumer_multiword,
        ConsumerMultiWord::MultipleFulfilled::SIGNATURE_HASH,
        request_id,
    )
    .await?;
    let answer = match log {
        Some(data) => {
            let e = ConsumerMultiWord::MultipleFulfilled::decode_log_data(&data)
                .map_err(|e| DevnetError::Scenario { name: "multiword".into(), message: e.to_string() })?;
            vec![e.a, e.b, e.c]
        }
        None => vec![],
    };
    Ok(ScenarioOutcome {
        name: "multiword".into(),
        request_id,
        expected,
        answer,
        latency: started.elapsed(),
        request_gas: receipt.gas_used,
        fulfill_gas: fulfil_gas,
    })
}

/// Waits for `event` with topic1 = `request_id` from `address`; returns its
/// data and the gas used by the transaction that emitted it.
async fn wait_for_event(
    devnet: &Devnet,
    address: Address,
    event: B256,
    request_id: B256,
) -> Result<(Option<alloy::primitives::LogData>, u64)> {
    let filter = Filter::new().address(address).event_signature(event).topic1(request_id).from_block(0);
    let deadline = Instant::now() + FULFILMENT_TIMEOUT;
    while Instant::now() < deadline {
        let logs = devnet
            .provider
            .get_logs(&filter)
            .await
            .map_err(|e| DevnetError::Contract { what: "eth_getLogs".into(), message: e.to_string() })?;
        if let Some(log) = logs.into_iter().next() {
            let gas = match log.transaction_hash {
                Some(h) => devnet
                    .provider
                    .get_transaction_receipt(h)
                    .await
                    .ok()
                    .flatten()
                    .map(|r| r.gas_used)
                    .unwrap_or_default(),
                None => 0,
            };
            return Ok((Some(log.inner.data), gas));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok((None, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_is_exact() {
        assert_eq!(scaled("123456.789012345678", 1_000_000_000_000_000_000).to_string(), "123456789012345678000000");
        assert_eq!(scaled("3021.45", 100_000), U256::from(302_145_000u64));
    }
}
