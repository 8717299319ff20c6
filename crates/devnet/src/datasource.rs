//! The devnet's demo data source: a local HTTP JSON price API.
//!
//! It answers the same shapes as the public price API the Chainlink docs'
//! example jobs query, with fixed values, so a scenario knows the exact
//! answer to expect on chain:
//!
//! - `GET /data/pricemultifull?fsyms=ETH&tsyms=USD` →
//!   `{"RAW": {"ETH": {"USD": {"PRICE": …, "VOLUME24HOUR": …}}}}`
//! - `GET /data/price?fsym=ETH&tsyms=USD,EUR,JPY` → `{"USD": …, "EUR": …, "JPY": …}`
//!
//! Values are decimal strings in the code and JSON numbers on the wire, so
//! `value × 10^18` is exact. The server counts requests, which tests use.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use tokio::{net::TcpListener, task::JoinHandle};

/// The fixed quotes the demo API serves: (symbol, currency) → (price, 24h volume).
pub const QUOTES: &[(&str, &str, &str, &str)] = &[
    ("ETH", "USD", "3021.45", "123456.789012345678"),
    ("ETH", "EUR", "2786.12", "98765.4321"),
    ("ETH", "JPY", "452318.5", "7654321.5"),
    ("BTC", "USD", "91234.56", "4321.123456"),
];

fn quote(sym: &str, cur: &str) -> Option<(&'static str, &'static str)> {
    QUOTES.iter().find(|q| q.0.eq_ignore_ascii_case(sym) && q.1.eq_ignore_ascii_case(cur)).map(|q| (q.2, q.3))
}

/// The price of `sym` in `cur`, as the decimal string the API serves.
pub fn price(sym: &str, cur: &str) -> Option<&'static str> {
    quote(sym, cur).map(|q| q.0)
}

/// The 24h volume of `sym` in `cur`, as the decimal string the API serves.
pub fn volume(sym: &str, cur: &str) -> Option<&'static str> {
    quote(sym, cur).map(|q| q.1)
}

/// A running demo data source; stopped when dropped.
#[derive(Debug)]
pub struct DemoDataSource {
    addr: SocketAddr,
    hits: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Drop for DemoDataSource {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DemoDataSource {
    /// Starts the API on `127.0.0.1:<port>` (0 picks a free port).
    pub async fn start(port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let hits = Arc::new(AtomicU64::new(0));
        let app = Router::new()
            .route("/data/price", get(price_route))
            .route("/data/pricemultifull", get(pricemultifull_route))
            .with_state(hits.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, hits, task })
    }

    /// Base URL, e.g. `http://127.0.0.1:43121`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests served so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }
}

fn json_number(s: &str) -> serde_json::Value {
    // Parsed from the decimal string, so the wire shows exactly these digits.
    serde_json::from_str(s).expect("QUOTES are valid JSON numbers")
}

fn bad(msg: String) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({ "Response": "Error", "Message": msg }))).into_response()
}

async fn price_route(State(hits): State<Arc<AtomicU64>>, Query(q): Query<HashMap<String, String>>) -> Response {
    hits.fetch_add(1, Ordering::Relaxed);
    let (Some(sym), Some(curs)) = (q.get("fsym"), q.get("tsyms")) else {
        return bad("fsym and tsyms are required".into());
    };
    let mut out = serde_json::Map::new();
    for cur in curs.split(',') {
        match price(sym, cur) {
            Some(p) => {
                out.insert(cur.to_uppercase(), json_number(p));
            }
            None => return bad(format!("no quote for {sym}/{cur}")),
        }
    }
    axum::Json(serde_json::Value::Object(out)).into_response()
}

async fn pricemultifull_route(
    State(hits): State<Arc<AtomicU64>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    hits.fetch_add(1, Ordering::Relaxed);
    let (Some(syms), Some(curs)) = (q.get("fsyms"), q.get("tsyms")) else {
        return bad("fsyms and tsyms are required".into());
    };
    let mut raw = serde_json::Map::new();
    for sym in syms.split(',') {
        let mut per_cur = serde_json::Map::new();
        for cur in curs.split(',') {
            let Some((p, v)) = quote(sym, cur) else { return bad(format!("no quote for {sym}/{cur}")) };
            per_cur.insert(
                cur.to_uppercase(),
                serde_json::json!({
                    "FROMSYMBOL": sym.to_uppercase(),
                    "TOSYMBOL": cur.to_uppercase(),
                    "PRICE": json_number(p),
                    "VOLUME24HOUR": json_number(v),
                }),
            );
        }
        raw.insert(sym.to_uppercase(), serde_json::Value::Object(per_cur));
    }
    axum::Json(serde_json::json!({ "RAW": raw })).into_response()
}
