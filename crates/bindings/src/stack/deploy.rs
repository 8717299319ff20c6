//! Deploying each contract in either flavour.

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, Bytes},
    providers::DynProvider,
    rpc::types::TransactionRequest,
    sol,
    sol_types::SolValue,
};

use super::{send, Flavor, LINK_TOTAL_SUPPLY};
use crate::{
    reference::{self, ReferenceContract},
    ConsumerMultiWord, ConsumerUint256, Error, LinkToken, Operator, RequestEncoder, Result,
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
