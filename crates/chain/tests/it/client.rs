//! Connecting to a real endpoint.

use linkpool_chain::{ChainClient, Error};

use crate::common::anvil;

#[tokio::test]
async fn connects_and_checks_the_chain_id() {
    let anvil = anvil(None);
    let client = ChainClient::connect(&anvil.endpoint(), Some(31337)).await.unwrap();
    assert_eq!(client.chain_id(), 31337);

    let err = ChainClient::connect(&anvil.endpoint(), Some(1)).await.unwrap_err();
    assert!(matches!(err, Error::ChainIdMismatch { expected: 1, actual: 31337 }), "{err}");

    drop(anvil);
}

#[tokio::test]
async fn unreachable_endpoint_is_an_rpc_error() {
    let err = ChainClient::connect("http://127.0.0.1:1", None).await.unwrap_err();
    assert!(matches!(err, Error::Rpc(_)), "{err}");
}
