//! `linkpool pool economics`: the whitepaper's oracle and pool economics (§4–5), computed exactly
//! by `linkpool_pool::economics` from one flag per parameter, printed as a table or JSON.

use clap::Args;
use linkpool_pool::economics::{
    self, format_decimal, format_decimal_grouped, parse_decimal, BigInt, BigRational, Economics, MinPrice, Parameters,
};
use serde::Serialize;

use crate::table;

const HELP: &str = "\
The model (LinkPool whitepaper §4–5; all money in USD):

  gas per request            = transactions per request × gas per transaction
  operational cost / request = gas per request × gas price (gwei) / 10^9 × ETH price
  minimum price / request    = operational cost × (1 + margin / 100)   (or --min-price)
  requests per node          = floor(requests per month × oracles per request / oracles)
  revenue per node           = requests per node × minimum price
  operational cost per node  = requests per node × operational cost per request
  profit per node            = revenue per node − operational cost per node
  staking interest           = --stake-interest rounded UP to a multiple of
                               --round-stake-interest-up-to (0: as given)
  nodes                      = floor(staking interest / stake limit)
  pool profit                = nodes × profit per node
  stakers' share             = pool profit × stakers' share / 100
  owners' share              = pool profit − stakers' share

Arithmetic is exact (rationals, printed as exact decimals). The three roundings are the paper's:
a node serves whole requests (16,000,000 / 19,000 = 842.1 → 842), the paper rounds its staking
interest up to the next million (13,969,252.36 → 14,000,000 LINK), and a node needs a full stake
limit (leftover LINK runs no node). The paper's ETH price is implied: 70,000 gas at 1 gwei is
0.00007 ETH = $0.02744, so $392/ETH.

The defaults are the paper's inputs and reproduce Figures 1–4: 842 requests and $23.10448 profit
per node, 14,000,000 LINK, 700 nodes, $16,173.136 pool profit, $12,129.852 to stakers and
$4,043.284 to owners.

Examples:
  linkpool pool economics
  linkpool pool economics --gas-price-gwei 25 --eth-usd 2000 --json
  linkpool pool economics --min-price 0.05 --stake-limit 50_000 --stakers-share 80
  linkpool pool economics --round-stake-interest-up-to 0   # the registered interest as is

Decimals take '_' separators (4_000_000); no commas or exponents. --json prints every computed
quantity as an exact decimal string.";

/// Parameters of the paper's model; every default is the paper's.
#[derive(Debug, Args)]
#[command(after_long_help = HELP)]
pub(crate) struct EconomicsArgs {
    /// Boxed: the exact decimals are large, and this sits in the CLI's command enum.
    #[command(flatten)]
    model: Box<ModelArgs>,
    /// Print JSON (exact decimal strings) instead of a table.
    #[arg(long)]
    json: bool,
}

const NETWORK: &str = "Network (§4.2)";
const COST: &str = "Operational cost (§4.1)";
const PRICE: &str = "Minimum price (§4.2)";
const POOL: &str = "Pool (§5)";

/// One flag per model parameter, grouped as the paper's sections.
#[derive(Debug, Args)]
struct ModelArgs {
    /// Data requests on the whole network per month (paper: 0.001% of RapidAPI's monthly calls).
    #[arg(long, value_name = "N", default_value = "4000000", value_parser = parse_count, help_heading = NETWORK)]
    requests_per_month: u64,
    /// Oracles that serve each request.
    #[arg(long, value_name = "N", default_value = "4", value_parser = parse_count, help_heading = NETWORK)]
    oracles_per_request: u64,
    /// Oracles on the network (paper: the 19,000 operators who registered interest).
    #[arg(long, value_name = "N", default_value = "19000", value_parser = parse_count, help_heading = NETWORK)]
    oracles: u64,
    /// Gas of one on-chain transaction of a request (paper: an ERC-20 transfer + 30%).
    #[arg(long, value_name = "GAS", default_value = "35000", value_parser = parse_count, help_heading = COST)]
    gas_per_transaction: u64,
    /// On-chain transactions an oracle pays per request (paper: penalty transfer + answer).
    #[arg(long, value_name = "N", default_value = "2", value_parser = parse_count, help_heading = COST)]
    transactions_per_request: u64,
    /// Gas price in gwei.
    #[arg(long, value_name = "GWEI", default_value = "1", value_parser = decimal, help_heading = COST)]
    gas_price_gwei: BigRational,
    /// ETH price in USD (paper: implied by 0.00007 ETH = $0.02744).
    #[arg(long, value_name = "USD", default_value = "392", value_parser = decimal, help_heading = COST)]
    eth_usd: BigRational,
    /// Minimum price margin over the operational cost, in percent (100 doubles the cost).
    #[arg(long, value_name = "PERCENT", default_value = "100", value_parser = decimal, help_heading = PRICE)]
    margin: BigRational,
    /// A fixed minimum price per request in USD instead of --margin (may be below cost).
    #[arg(long, value_name = "USD", value_parser = decimal, conflicts_with = "margin", help_heading = PRICE)]
    min_price: Option<BigRational>,
    /// LINK that registrants would stake (paper, Figure 2).
    #[arg(long, value_name = "LINK", default_value = "13969252.36", value_parser = decimal, help_heading = POOL)]
    stake_interest: BigRational,
    /// Round the stake interest UP to a multiple of this many LINK (paper: the next million); 0: don't round.
    #[arg(long, value_name = "LINK", default_value = "1000000", value_parser = decimal, help_heading = POOL)]
    round_stake_interest_up_to: BigRational,
    /// LINK staked on each node the pool runs.
    #[arg(long, value_name = "LINK", default_value = "20000", value_parser = decimal, help_heading = POOL)]
    stake_limit: BigRational,
    /// Stakers' share of the pool profit in percent; the owners get the rest.
    #[arg(long, value_name = "PERCENT", default_value = "75", value_parser = decimal, help_heading = POOL)]
    stakers_share: BigRational,
}

fn decimal(s: &str) -> Result<BigRational, String> {
    parse_decimal(s).map_err(|e| e.to_string())
}

fn parse_count(s: &str) -> Result<u64, String> {
    s.trim().replace('_', "").parse().map_err(|_| format!("{s:?} is not a whole number like 19000 or 4_000_000"))
}

impl EconomicsArgs {
    pub(crate) fn run(self) -> eyre::Result<()> {
        let params = self.model.into_parameters();
        let e = economics::compute(&params)?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&Report::new(&params, &e))?);
        } else {
            println!("{}", render(&params, &e));
        }
        Ok(())
    }
}

impl ModelArgs {
    fn into_parameters(self) -> Parameters {
        Parameters {
            requests_per_month: self.requests_per_month,
            oracles_per_request: self.oracles_per_request,
            oracles: self.oracles,
            gas_per_transaction: self.gas_per_transaction,
            transactions_per_request: self.transactions_per_request,
            gas_price_gwei: self.gas_price_gwei,
            eth_usd: self.eth_usd,
            min_price: match self.min_price {
                Some(usd) => MinPrice::Usd(usd),
                None => MinPrice::MarginPercent(self.margin),
            },
            stake_interest_link: self.stake_interest,
            round_stake_interest_up_to: self.round_stake_interest_up_to,
            stake_limit_link: self.stake_limit,
            stakers_share_percent: self.stakers_share,
        }
    }
}

/// `16,173.136`
fn num(v: &BigRational) -> String {
    format_decimal_grouped(v)
}

fn int(v: &BigInt) -> String {
    num(&BigRational::from(v.clone()))
}

fn count(v: u64) -> String {
    int(&BigInt::from(v))
}

/// `$16,173.136`, `-$4,385.136`
fn usd(v: &BigRational) -> String {
    let s = num(v);
    match s.strip_prefix('-') {
        Some(abs) => format!("-${abs}"),
        None => format!("${s}"),
    }
}

fn link(v: &BigRational) -> String {
    format!("{} LINK", num(v))
}

fn render(p: &Parameters, e: &Economics) -> String {
    let min_price_how = match &p.min_price {
        MinPrice::MarginPercent(m) => format!("{} × (1 + {}%)", usd(&e.op_cost_per_request), num(m)),
        MinPrice::Usd(_) => match &e.margin_percent {
            Some(m) => format!("given (a {}% margin)", num(m)),
            None => "given".to_owned(),
        },
    };
    let share = format!("{} / {} oracles", int(&e.oracle_requests_per_month), count(p.oracles));
    let requests_how = if e.requests_per_node_unrounded.is_integer() {
        share
    } else {
        format!("{share} = {}, rounded down", num(&e.requests_per_node_unrounded))
    };
    let stake_how = if p.round_stake_interest_up_to == BigRational::from(BigInt::from(0)) {
        "as given".to_owned()
    } else {
        format!("{} rounded up to a multiple of {}", link(&p.stake_interest_link), num(&p.round_stake_interest_up_to))
    };
    let nodes_how = format!("{} / {} per node, rounded down", link(&e.stake_interest_link), link(&p.stake_limit_link));
    let row = |q: &str, v: String, how: String, paper: &str| vec![q.to_owned(), v, how, paper.to_owned()];
    let rows = vec![
        row(
            "gas per request",
            int(&e.gas_per_request),
            format!("{} transactions × {} gas", count(p.transactions_per_request), count(p.gas_per_transaction)),
            "§4.1",
        ),
        row(
            "gas cost per request",
            format!("{} ETH", num(&e.gas_cost_per_request_eth)),
            format!("{} gas × {} gwei", int(&e.gas_per_request), num(&p.gas_price_gwei)),
            "§4.1",
        ),
        row(
            "operational cost per request",
            usd(&e.op_cost_per_request),
            format!("{} ETH × {}/ETH", num(&e.gas_cost_per_request_eth), usd(&p.eth_usd)),
            "§4.1",
        ),
        row("minimum price per request", usd(&e.min_price), min_price_how, "§4.2"),
        row(
            "oracle requests per month",
            int(&e.oracle_requests_per_month),
            format!("{} requests × {} oracles each", count(p.requests_per_month), count(p.oracles_per_request)),
            "§4.2",
        ),
        row("requests per node", int(&e.requests_per_node), requests_how, "Figure 1"),
        row(
            "revenue per node",
            usd(&e.revenue_per_node),
            format!("{} × {}", int(&e.requests_per_node), usd(&e.min_price)),
            "Figure 1",
        ),
        row(
            "operational cost per node",
            usd(&e.op_cost_per_node),
            format!("{} × {}", int(&e.requests_per_node), usd(&e.op_cost_per_request)),
            "Figure 1",
        ),
        row(
            "profit per node per month",
            usd(&e.profit_per_node),
            format!("{} − {}", usd(&e.revenue_per_node), usd(&e.op_cost_per_node)),
            "Figure 1",
        ),
        row("staking interest", link(&e.stake_interest_link), stake_how, "Figure 2"),
        row("nodes", int(&e.nodes), nodes_how, "Figure 3"),
        row(
            "stake left over",
            link(&e.stake_left_over_link),
            format!("{} − {} × {}", num(&e.stake_interest_link), int(&e.nodes), num(&p.stake_limit_link)),
            "§5",
        ),
        row(
            "pool profit per month",
            usd(&e.pool_profit),
            format!("{} nodes × {}", int(&e.nodes), usd(&e.profit_per_node)),
            "Figure 4",
        ),
        row(
            "to stakers",
            usd(&e.stakers_profit),
            format!("{}% of {}", num(&e.stakers_share_percent), usd(&e.pool_profit)),
            "Figure 4",
        ),
        row("to owners", usd(&e.owners_profit), format!("{}%: the rest", num(&e.owners_share_percent)), "Figure 4"),
    ];
    table::render(&["QUANTITY", "VALUE", "HOW", "PAPER"], &rows)
}

/// `--json`: the inputs and every computed quantity; decimals as exact strings.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    parameters: ReportParameters,
    results: ReportResults,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportParameters {
    requests_per_month: u64,
    oracles_per_request: u64,
    oracles: u64,
    gas_per_transaction: u64,
    transactions_per_request: u64,
    gas_price_gwei: String,
    eth_usd: String,
    /// Set when the minimum price comes from the margin.
    margin_percent: Option<String>,
    /// Set when the minimum price was given.
    min_price_usd: Option<String>,
    stake_interest_link: String,
    round_stake_interest_up_to: String,
    stake_limit_link: String,
    stakers_share_percent: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportResults {
    gas_per_request: String,
    gas_cost_per_request_eth: String,
    op_cost_per_request_usd: String,
    min_price_usd: String,
    /// A derived margin may repeat: then its first digits followed by `…`; null without cost.
    margin_percent: Option<String>,
    oracle_requests_per_month: String,
    requests_per_node: String,
    revenue_per_node_usd: String,
    op_cost_per_node_usd: String,
    profit_per_node_usd: String,
    stake_interest_link: String,
    nodes: String,
    stake_used_link: String,
    stake_left_over_link: String,
    pool_profit_usd: String,
    stakers_share_percent: String,
    owners_share_percent: String,
    stakers_profit_usd: String,
    owners_profit_usd: String,
}

/// Exact decimal; a computed quantity from decimal inputs always terminates (only a derived
/// margin may repeat, and then shows its first digits and `…`).
fn s(v: &BigRational) -> String {
    format_decimal(v)
}

impl Report {
    fn new(p: &Parameters, e: &Economics) -> Self {
        let (margin_percent, min_price_usd) = match &p.min_price {
            MinPrice::MarginPercent(m) => (Some(s(m)), None),
            MinPrice::Usd(u) => (None, Some(s(u))),
        };
        Self {
            parameters: ReportParameters {
                requests_per_month: p.requests_per_month,
                oracles_per_request: p.oracles_per_request,
                oracles: p.oracles,
                gas_per_transaction: p.gas_per_transaction,
                transactions_per_request: p.transactions_per_request,
                gas_price_gwei: s(&p.gas_price_gwei),
                eth_usd: s(&p.eth_usd),
                margin_percent,
                min_price_usd,
                stake_interest_link: s(&p.stake_interest_link),
                round_stake_interest_up_to: s(&p.round_stake_interest_up_to),
                stake_limit_link: s(&p.stake_limit_link),
                stakers_share_percent: s(&p.stakers_share_percent),
            },
            results: ReportResults {
                gas_per_request: e.gas_per_request.to_string(),
                gas_cost_per_request_eth: s(&e.gas_cost_per_request_eth),
                op_cost_per_request_usd: s(&e.op_cost_per_request),
                min_price_usd: s(&e.min_price),
                margin_percent: e.margin_percent.as_ref().map(s),
                oracle_requests_per_month: e.oracle_requests_per_month.to_string(),
                requests_per_node: e.requests_per_node.to_string(),
                revenue_per_node_usd: s(&e.revenue_per_node),
                op_cost_per_node_usd: s(&e.op_cost_per_node),
                profit_per_node_usd: s(&e.profit_per_node),
                stake_interest_link: s(&e.stake_interest_link),
                nodes: e.nodes.to_string(),
                stake_used_link: s(&e.stake_used_link),
                stake_left_over_link: s(&e.stake_left_over_link),
                pool_profit_usd: s(&e.pool_profit),
                stakers_share_percent: s(&e.stakers_share_percent),
                owners_share_percent: s(&e.owners_share_percent),
                stakers_profit_usd: s(&e.stakers_profit),
                owners_profit_usd: s(&e.owners_profit),
            },
        }
    }
}
