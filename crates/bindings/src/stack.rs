//! Deploying a direct-request stack (LINK, Operator, consumers) in either flavour, driving one
//! request/fulfilment round, and measuring its gas.
//!
//! Every function takes a [`DynProvider`] whose wallet (or node) can sign for the `from` accounts
//! given. Mixed stacks (our Operator with Chainlink's consumer, and so on) are how compatibility is
//! proved; [`measure_uint256`] is the gas scenario of `shared/REFERENCE.md` §9 (the docs' "Get >
//! Uint256" request: `get`, `path`, `times`, 125 bytes of CBOR, 0.1 LINK).

use alloy::{
    network::TransactionBuilder,
    primitives::{b256, uint, Address, Bytes, B256, I256, U256},
    providers::{DynProvider, Provider},
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol,
    sol_types::SolValue,
};

use crate::{
    reference::{self, ReferenceContract},
    ConsumerMultiWord, ConsumerUint256, LinkToken, Operator, RequestEncoder,
    IOperator::OracleRequest,
    Error, Result,
};

sol! {
    /// The minting surface of Chainlink's `LinkToken` (BurnMintERC677), which mints nothing at
    /// deployment.
    #[sol(rpc)]
    interface IBurnMintLinkToken {
        /// Lets `minter` mint.
        function grantMintRole(address minter) external;
        /// Mints `amount` to `account`.
        function mint(address account, uint256 amount) external;
    }
}

/// Which implementation of a contract to deploy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// Ours, from `contracts/out` (compiled into this crate).
    Linkpool,
    /// Chainlink's, from `contracts/reference-out` (see [`crate::reference`]).
    Chainlink,
}

/// The flavour of each contract of a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StackConfig {
    /// The LINK token.
    pub link: Flavor,
    /// The Operator.
    pub operator: Flavor,
    /// The consumers (ChainlinkClient).
    pub consumer: Flavor,
}

impl StackConfig {
    /// Everything ours.
    pub const LINKPOOL: Self = Self { link: Flavor::Linkpool, operator: Flavor::Linkpool, consumer: Flavor::Linkpool };
    /// Everything Chainlink's.
    pub const CHAINLINK: Self = Self { link: Flavor::Chainlink, operator: Flavor::Chainlink, consumer: Flavor::Chainlink };
}

/// LINK total supply, minted to the owner by [`deploy_link`] whatever the flavour.
pub const LINK_TOTAL_SUPPLY: U256 = uint!(1_000_000_000_000_000_000_000_000_000_U256);
/// LINK given to each consumer by [`DirectRequestStack::deploy`]: 1,000 LINK.
pub const CONSUMER_FUNDING: U256 = uint!(1_000_000_000_000_000_000_000_U256);

/// The benchmark request (Chainlink docs, "Get > Uint256").
pub mod sample {
    use super::*;

    /// Job id: the ASCII encoding of externalJobID `A5AC14E8-7629-4726-B1F1-1AE053FC829E`.
    pub const SPEC_ID: B256 = b256!("6135616331346538373632393437323662316631316165303533666338323965");
    /// `get` parameter.
    pub const URL: &str = "https://min-api.cryptocompare.com/data/pricemultifull?fsyms=ETH&tsyms=USD";
    /// `path` parameter.
    pub const PATH: &str = "RAW,ETH,USD,VOLUME24HOUR";
    /// `times` parameter: 10^18.
    pub const TIMES: I256 = I256::from_raw(U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]));
    /// Payment: 0.1 LINK.
    pub const PAYMENT: U256 = U256::from_limbs([100_000_000_000_000_000, 0, 0, 0]);
}

/// Addresses of a deployed stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectRequestStack {
    /// The flavours deployed.
    pub config: StackConfig,
    /// LINK token.
    pub link: Address,
    /// Operator.
    pub operator: Address,
    /// `ConsumerUint256` (or its reference twin).
    pub consumer: Address,
    /// `ConsumerMultiWord` (or its reference twin).
    pub multi_word_consumer: Address,
    /// Owner of the Operator and holder of the LINK supply; deploys everything.
    pub owner: Address,
    /// The node account: the Operator's only authorized sender.
    pub node: Address,
}

impl DirectRequestStack {
    /// Deploys LINK, an Operator owned by `owner` with `node` as its only authorized sender, and
    /// both consumers, each funded with [`CONSUMER_FUNDING`].
    ///
    /// # Errors
    /// Any deployment or transaction failure; [`Error::ReferenceMissing`] for a Chainlink flavour
    /// whose artifacts are not built.
    pub async fn deploy(provider: &DynProvider, owner: Address, node: Address, config: StackConfig) -> Result<Self> {
        let link = deploy_link(provider, owner, config.link).await?;
        let operator = deploy_operator(provider, owner, link, config.operator).await?;
        let consumer = deploy_consumer_uint256(provider, owner, link, config.consumer).await?;
        let multi_word_consumer = deploy_consumer_multi_word(provider, owner, link, config.consumer).await?;
        let op = Operator::new(operator, provider.clone());
        send(provider, op.setAuthorizedSenders(vec![node]).from(owner).into_transaction_request()).await?;
        let token = LinkToken::new(link, provider.clone());
        for to in [consumer, multi_word_consumer] {
            send(provider, token.transfer(to, CONSUMER_FUNDING).from(owner).into_transaction_request()).await?;
        }
        Ok(Self { config, link, operator, consumer, multi_word_consumer, owner, node })
    }
}

/// Sends a transaction and waits for its receipt.
///
/// # Errors
/// [`Error::Reverted`] if it mined with status 0; RPC errors otherwise (a revert during gas
/// estimation surfaces as [`Error::Transport`] carrying the revert data).
pub async fn send(provider: &DynProvider, tx: TransactionRequest) -> Result<TransactionReceipt> {
    let receipt = provider.send_transaction(tx).await?.get_receipt().await?;
    if !receipt.status() {
        return Err(Error::Reverted { tx: receipt.transaction_hash });
    }
    Ok(receipt)
}

/// Deploys `code` (creation bytecode with constructor arguments appended) from `from`.
///
/// # Errors
/// As [`send`], or [`Error::NotDeployed`].
pub async fn deploy_code(provider: &DynProvider, from: Address, code: Bytes) -> Result<Address> {
    let receipt = send(provider, TransactionRequest::default().from(from).with_deploy_code(code)).await?;
    receipt.contract_address.ok_or(Error::NotDeployed { tx: receipt.transaction_hash })
}

fn with_args(code: &[u8], args: &[u8]) -> Bytes {
    [code, args].concat().into()
}

fn code_of(flavor: Flavor, ours: &Bytes, theirs: ReferenceContract) -> Result<Bytes> {
    match flavor {
        Flavor::Linkpool => Ok(ours.clone()),
        Flavor::Chainlink => reference::bytecode(theirs),
    }
}

/// Deploys a LINK token with the whole supply held by `owner` (Chainlink's is minted after
/// deployment through `grantMintRole` + `mint`).
///
/// # Errors
/// As [`deploy_code`].
pub async fn deploy_link(provider: &DynProvider, owner: Address, flavor: Flavor) -> Result<Address> {
    let code = code_of(flavor, &LinkToken::BYTECODE, ReferenceContract::LinkToken)?;
    let link = deploy_code(provider, owner, code).await?;
    if flavor == Flavor::Chainlink {
        let token = IBurnMintLinkToken::new(link, provider.clone());
        send(provider, token.grantMintRole(owner).from(owner).into_transaction_request()).await?;
        send(provider, token.mint(owner, LINK_TOTAL_SUPPLY).from(owner).into_transaction_request()).await?;
    }
    Ok(link)
}

/// Deploys an Operator for `link` owned by `owner` (constructor `(link, owner)` in both flavours).
///
/// # Errors
/// As [`deploy_code`].
pub async fn deploy_operator(provider: &DynProvider, owner: Address, link: Address, flavor: Flavor) -> Result<Address> {
    let code = code_of(flavor, &Operator::BYTECODE, ReferenceContract::Operator)?;
    deploy_code(provider, owner, with_args(&code, &(link, owner).abi_encode_params())).await
}

/// Deploys a `ConsumerUint256` paying with `link`.
///
/// # Errors
/// As [`deploy_code`].
pub async fn deploy_consumer_uint256(
    provider: &DynProvider,
    from: Address,
    link: Address,
    flavor: Flavor,
) -> Result<Address> {
    let code = code_of(flavor, &ConsumerUint256::BYTECODE, ReferenceContract::ConsumerUint256)?;
    deploy_code(provider, from, with_args(&code, &link.abi_encode())).await
}

/// Deploys a `ConsumerMultiWord` paying with `link`.
///
/// # Errors
/// As [`deploy_code`].
pub async fn deploy_consumer_multi_word(
    provider: &DynProvider,
    from: Address,
    link: Address,
    flavor: Flavor,
) -> Result<Address> {
    let code = code_of(flavor, &ConsumerMultiWord::BYTECODE, ReferenceContract::ConsumerMultiWord)?;
    deploy_code(provider, from, with_args(&code, &link.abi_encode())).await
}

/// Deploys a `RequestEncoder` (test harness of the CBOR encoders).
///
/// # Errors
/// As [`deploy_code`].
pub async fn deploy_request_encoder(provider: &DynProvider, from: Address, flavor: Flavor) -> Result<Address> {
    let code = code_of(flavor, &RequestEncoder::BYTECODE, ReferenceContract::RequestEncoder)?;
    deploy_code(provider, from, code).await
}

/// The `OracleRequest` events that `operator` emitted in `receipt`.
pub fn oracle_requests(receipt: &TransactionReceipt, operator: Address) -> Vec<OracleRequest> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|log| log.address() == operator)
        .filter_map(|log| log.log_decode::<OracleRequest>().ok())
        .map(|log| log.inner.data)
        .collect()
}

/// The single `OracleRequest` of `receipt`.
///
/// # Errors
/// [`Error::NoOracleRequest`] if there is none.
pub fn oracle_request(receipt: &TransactionReceipt, operator: Address) -> Result<OracleRequest> {
    oracle_requests(receipt, operator).into_iter().next().ok_or(Error::NoOracleRequest { tx: receipt.transaction_hash })
}

/// Gas limit attached to fulfilments: the Operator wants 400k left before the callback.
pub const FULFIL_GAS_LIMIT: u64 = 500_000;

/// An answer to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `fulfillOracleRequest(…, bytes32 data)`.
    Word(B256),
    /// `fulfillOracleRequest2(…, bytes data)`; `data` must start with the request id.
    Bytes(Bytes),
}

/// The `fulfillOracleRequest(2)` transaction answering `request` from `node`.
pub fn fulfil_tx(provider: &DynProvider, operator: Address, node: Address, request: &OracleRequest, answer: Answer) -> TransactionRequest {
    let op = Operator::new(operator, provider.clone());
    let call = |tx: TransactionRequest| tx.from(node).with_gas_limit(FULFIL_GAS_LIMIT);
    match answer {
        Answer::Word(word) => call(
            op.fulfillOracleRequest(
                request.requestId,
                request.payment,
                request.callbackAddr,
                request.callbackFunctionId,
                request.cancelExpiration,
                word,
            )
            .into_transaction_request(),
        ),
        Answer::Bytes(data) => call(
            op.fulfillOracleRequest2(
                request.requestId,
                request.payment,
                request.callbackAddr,
                request.callbackFunctionId,
                request.cancelExpiration,
                data,
            )
            .into_transaction_request(),
        ),
    }
}

/// Sends [`fulfil_tx`] and waits for the receipt.
///
/// # Errors
/// As [`send`].
pub async fn fulfil(
    provider: &DynProvider,
    operator: Address,
    node: Address,
    request: &OracleRequest,
    answer: Answer,
) -> Result<TransactionReceipt> {
    send(provider, fulfil_tx(provider, operator, node, request, answer)).await
}

/// Request format: v1 is `oracleRequest` + `fulfillOracleRequest`, v2 is `operatorRequest` +
/// `fulfillOracleRequest2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestVersion {
    /// Single word (`oracleRequest`).
    V1,
    /// Multi word (`operatorRequest`).
    V2,
}

/// Whole-transaction `gasUsed` of one request and its fulfilment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GasSample {
    /// The consumer's request transaction (LINK `transferAndCall` included).
    pub request: u64,
    /// The node's fulfilment transaction (consumer callback included).
    pub fulfil: u64,
}

/// Runs the sample request ([`sample`]) on `stack.consumer` `rounds` times, each answered with a
/// distinct value, and returns the gas of every round. Round 0 is the first request the operator
/// ever receives (cold balances); later rounds are the steady state.
///
/// # Errors
/// Any transaction failure, or a fulfilment whose callback did not store the answer (reported as
/// [`Error::Reverted`] of the fulfilment).
pub async fn measure_uint256(
    provider: &DynProvider,
    stack: &DirectRequestStack,
    version: RequestVersion,
    rounds: usize,
) -> Result<Vec<GasSample>> {
    let consumer = ConsumerUint256::new(stack.consumer, provider.clone());
    let mut samples = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (url, path) = (sample::URL.to_string(), sample::PATH.to_string());
        let tx = match version {
            RequestVersion::V1 => consumer
                .requestPriceV1(stack.operator, sample::SPEC_ID, url, path, sample::TIMES, sample::PAYMENT)
                .into_transaction_request(),
            RequestVersion::V2 => consumer
                .requestPrice(stack.operator, sample::SPEC_ID, url, path, sample::TIMES, sample::PAYMENT)
                .into_transaction_request(),
        };
        let request_receipt = send(provider, tx.from(stack.owner)).await?;
        let request = oracle_request(&request_receipt, stack.operator)?;
        let value = U256::from(1_000 + round as u64);
        let answer = match version {
            RequestVersion::V1 => Answer::Word(value.into()),
            RequestVersion::V2 => Answer::Bytes((request.requestId, value).abi_encode_params().into()),
        };
        let fulfil_receipt = fulfil(provider, stack.operator, stack.node, &request, answer).await?;
        if consumer.value().call().await? != value {
            return Err(Error::Reverted { tx: fulfil_receipt.transaction_hash });
        }
        samples.push(GasSample { request: request_receipt.gas_used, fulfil: fulfil_receipt.gas_used });
    }
    Ok(samples)
}
