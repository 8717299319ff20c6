//! Operator semantics: requests, fulfilments, cancellation, funds, access control.

use alloy::{
    primitives::{b256, Address, Bytes, FixedBytes, B256, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
    sol_types::{SolCall, SolEvent, SolValue},
};
use linkpool_bindings::{
    stack::{self, sample, Answer, StackConfig},
    ConsumerUint256, Error, IOperator, LinkToken, Operator,
    Operator::OperatorErrors as E,
};

use crate::common::{call_revert, chain, request_id, revert, Chain};

pub(crate) fn events<T: SolEvent>(receipt: &TransactionReceipt, emitter: Address) -> Vec<T> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.address() == emitter)
        .filter_map(|l| l.log_decode::<T>().ok().map(|l| l.inner.data))
        .collect()
}

pub(crate) async fn request_v2(
    c: &Chain,
    s: &stack::DirectRequestStack,
) -> (TransactionReceipt, IOperator::OracleRequest) {
    let consumer = ConsumerUint256::new(s.consumer, c.provider.clone());
    let tx = consumer
        .requestPrice(
            s.operator,
            sample::SPEC_ID,
            sample::URL.into(),
            sample::PATH.into(),
            sample::TIMES,
            sample::PAYMENT,
        )
        .from(c.owner)
        .into_transaction_request();
    let receipt = c.send(tx).await.expect("request");
    let request = stack::oracle_request(&receipt, s.operator).expect("OracleRequest");
    (receipt, request)
}

pub(crate) async fn request_v1(c: &Chain, s: &stack::DirectRequestStack) -> IOperator::OracleRequest {
    let consumer = ConsumerUint256::new(s.consumer, c.provider.clone());
    let tx = consumer
        .requestPriceV1(
            s.operator,
            sample::SPEC_ID,
            sample::URL.into(),
            sample::PATH.into(),
            sample::TIMES,
            sample::PAYMENT,
        )
        .from(c.owner)
        .into_transaction_request();
    stack::oracle_request(&c.send(tx).await.expect("request"), s.operator).expect("OracleRequest")
}

pub(crate) fn answer2(request: &IOperator::OracleRequest, value: u64) -> Answer {
    Answer::Bytes((request.requestId, U256::from(value)).abi_encode_params().into())
}

/// Simulates a fulfilment (eth_call) to read its revert reason.
pub(crate) async fn simulate_fulfil(
    c: &Chain,
    operator: Address,
    from: Address,
    req: &IOperator::OracleRequest,
    answer: Answer,
) -> Result<Bytes, Error> {
    let tx = stack::fulfil_tx(&c.provider, operator, from, req, answer);
    c.provider.call(tx).await.map_err(Error::from)
}

#[tokio::test]
async fn v2_request_escrows_payment_and_fulfilment_calls_back() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let (receipt, req) = request_v2(&c, &s).await;

    assert_eq!(
        IOperator::OracleRequest::SIGNATURE_HASH,
        b256!("d8d7ecc4800d25fa53ce0372f13a416d98907a7ef3d8d3bdd79cf4fe75529c65")
    );
    assert_eq!(req.specId, sample::SPEC_ID);
    assert_eq!(req.requester, s.consumer);
    assert_eq!(req.callbackAddr, s.consumer);
    assert_eq!(req.requestId, request_id(s.consumer, 1));
    assert_eq!(req.payment, sample::PAYMENT);
    assert_eq!(req.callbackFunctionId, FixedBytes(ConsumerUint256::fulfillCall::SELECTOR));
    assert_eq!(req.dataVersion, U256::from(2));
    let mined_at = c.timestamp(receipt.block_number.unwrap()).await;
    assert_eq!(req.cancelExpiration, U256::from(mined_at + 300));

    let op = Operator::new(s.operator, c.provider.clone());
    assert_eq!(c.link_balance(s.link, s.operator).await, sample::PAYMENT);
    assert_eq!(op.withdrawable().call().await.unwrap(), U256::ZERO, "escrow is not withdrawable");

    let receipt = stack::fulfil(&c.provider, s.operator, s.node, &req, answer2(&req, 4242)).await.expect("fulfil");
    let responses = events::<IOperator::OracleResponse>(&receipt, s.operator);
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].requestId, req.requestId);
    let fulfilled = events::<ConsumerUint256::ValueFulfilled>(&receipt, s.consumer);
    assert_eq!(fulfilled[0].value, U256::from(4242));
    assert_eq!(ConsumerUint256::new(s.consumer, c.provider.clone()).value().call().await.unwrap(), U256::from(4242));
    assert_eq!(op.withdrawable().call().await.unwrap(), sample::PAYMENT);

    // A request is answered once.
    let again = simulate_fulfil(&c, s.operator, s.node, &req, answer2(&req, 1)).await;
    assert_eq!(revert::<E, _>(again), E::UnknownRequest(Operator::UnknownRequest { requestId: req.requestId }));
}

#[tokio::test]
async fn v1_request_is_answered_with_one_word() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let req = request_v1(&c, &s).await;
    assert_eq!(req.dataVersion, U256::from(1));
    assert_eq!(req.callbackAddr, s.consumer);
    stack::fulfil(&c.provider, s.operator, s.node, &req, Answer::Word(U256::from(77).into())).await.expect("fulfil");
    assert_eq!(ConsumerUint256::new(s.consumer, c.provider.clone()).value().call().await.unwrap(), U256::from(77));

    // As in Chainlink's Operator, a v1 request may also be answered by fulfillOracleRequest2.
    let req = request_v1(&c, &s).await;
    stack::fulfil(&c.provider, s.operator, s.node, &req, answer2(&req, 78)).await.expect("fulfil2");
    assert_eq!(ConsumerUint256::new(s.consumer, c.provider.clone()).value().call().await.unwrap(), U256::from(78));
}

#[tokio::test]
async fn v2_request_rejects_single_word_fulfilment() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let (_, req) = request_v2(&c, &s).await;
    let result = simulate_fulfil(&c, s.operator, s.node, &req, Answer::Word(B256::ZERO)).await;
    assert_eq!(
        revert::<E, _>(result),
        E::DataVersionMismatch(Operator::DataVersionMismatch {
            requestId: req.requestId,
            requested: U256::from(2),
            fulfilled: U256::from(1)
        })
    );
}

#[tokio::test]
async fn reverting_callback_does_not_revert_fulfilment() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let (_, req) = request_v2(&c, &s).await;
    let op = Operator::new(s.operator, c.provider.clone());
    // Only the request id: the consumer's ABI decoder reverts on the missing uint256.
    let short = Answer::Bytes(req.requestId.to_vec().into());
    let tx = stack::fulfil_tx(&c.provider, s.operator, s.node, &req, short.clone());
    let returned = c.provider.call(tx).await.expect("simulated fulfilment succeeds");
    assert!(!bool::abi_decode(&returned).unwrap(), "fulfilment reports the failed callback");

    let receipt =
        stack::fulfil(&c.provider, s.operator, s.node, &req, short).await.expect("fulfilment mined with status 1");
    assert_eq!(events::<IOperator::OracleResponse>(&receipt, s.operator).len(), 1);
    assert!(events::<ConsumerUint256::ValueFulfilled>(&receipt, s.consumer).is_empty());
    assert_eq!(ConsumerUint256::new(s.consumer, c.provider.clone()).value().call().await.unwrap(), U256::ZERO);
    assert_eq!(op.withdrawable().call().await.unwrap(), sample::PAYMENT, "the node is paid anyway");
}

#[tokio::test]
async fn fulfilment_checks_sender_params_and_response() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let (_, req) = request_v2(&c, &s).await;
    let id = req.requestId;

    let r = simulate_fulfil(&c, s.operator, c.stranger, &req, answer2(&req, 1)).await;
    assert_eq!(revert::<E, _>(r), E::UnauthorizedSender(Operator::UnauthorizedSender { caller: c.stranger }));

    let mismatch = E::ParamsMismatch(Operator::ParamsMismatch { requestId: id });
    let variants = [
        IOperator::OracleRequest { payment: req.payment + U256::from(1), ..req.clone() },
        IOperator::OracleRequest { callbackAddr: c.stranger, ..req.clone() },
        IOperator::OracleRequest { callbackFunctionId: FixedBytes([1, 2, 3, 4]), ..req.clone() },
        IOperator::OracleRequest { cancelExpiration: req.cancelExpiration + U256::from(1), ..req.clone() },
    ];
    for wrong in &variants {
        let r = simulate_fulfil(&c, s.operator, s.node, wrong, answer2(&req, 1)).await;
        assert_eq!(revert::<E, _>(r), mismatch);
    }

    let unknown = IOperator::OracleRequest { requestId: B256::repeat_byte(7), ..req.clone() };
    let r = simulate_fulfil(&c, s.operator, s.node, &unknown, answer2(&unknown, 1)).await;
    assert_eq!(revert::<E, _>(r), E::UnknownRequest(Operator::UnknownRequest { requestId: unknown.requestId }));

    let wrong_first_word = Answer::Bytes((B256::repeat_byte(9), U256::from(1)).abi_encode_params().into());
    let r = simulate_fulfil(&c, s.operator, s.node, &req, wrong_first_word).await;
    assert_eq!(
        revert::<E, _>(r),
        E::ResponseIdMismatch(Operator::ResponseIdMismatch { requestId: id, length: U256::from(64) })
    );
    let too_short = Answer::Bytes(id[..31].to_vec().into());
    let r = simulate_fulfil(&c, s.operator, s.node, &req, too_short).await;
    assert_eq!(
        revert::<E, _>(r),
        E::ResponseIdMismatch(Operator::ResponseIdMismatch { requestId: id, length: U256::from(31) })
    );

    // Not enough gas left for the consumer.
    let tx = stack::fulfil_tx(&c.provider, s.operator, s.node, &req, answer2(&req, 1)).gas_limit(300_000);
    let r = c.provider.call(tx).await.map_err(Error::from);
    assert!(matches!(revert::<E, _>(r), E::InsufficientConsumerGas(_)));

    // All failures left the request answerable.
    stack::fulfil(&c.provider, s.operator, s.node, &req, answer2(&req, 5)).await.expect("fulfil");
}

/// Sends a hand-built `transferAndCall` payload from the requester EOA.
async fn transfer_and_call(
    c: &Chain,
    link: Address,
    operator: Address,
    amount: U256,
    payload: Vec<u8>,
) -> Result<TransactionReceipt, Error> {
    let token = LinkToken::new(link, c.provider.clone());
    c.send(token.transferAndCall(operator, amount, payload.into()).from(c.requester).into_transaction_request()).await
}

fn operator_request(nonce: u64, data_version: u64) -> IOperator::operatorRequestCall {
    IOperator::operatorRequestCall {
        sender: Address::repeat_byte(0xaa), // overwritten by the operator
        payment: U256::from(123_456),       // overwritten by the operator
        specId: sample::SPEC_ID,
        callbackFunctionId: FixedBytes([0xde, 0xad, 0xbe, 0xef]),
        nonce: U256::from(nonce),
        dataVersion: U256::from(data_version),
        data: Bytes::from_static(b"\x63get"),
    }
}

#[tokio::test]
async fn token_transfer_payloads_are_validated() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    c.fund(s.link, c.requester, U256::from(1_000_000)).await;
    let op = Operator::new(s.operator, c.provider.clone());
    let amount = U256::from(1_000);

    // Sender and amount come from the token, not the payload.
    let receipt = transfer_and_call(&c, s.link, s.operator, amount, operator_request(7, 2).abi_encode()).await.unwrap();
    let req = stack::oracle_request(&receipt, s.operator).unwrap();
    assert_eq!((req.requester, req.callbackAddr, req.payment), (c.requester, c.requester, amount));
    assert_eq!(req.requestId, request_id(c.requester, 7));
    assert_eq!(req.data, Bytes::from_static(b"\x63get"));
    // An EOA callback "succeeds"; the fulfilment goes through.
    stack::fulfil(&c.provider, s.operator, s.node, &req, Answer::Bytes(req.requestId.to_vec().into())).await.unwrap();

    let dup = transfer_and_call(&c, s.link, s.operator, amount, operator_request(8, 2).abi_encode()).await;
    assert!(dup.is_ok());
    let dup = transfer_and_call(&c, s.link, s.operator, amount, operator_request(8, 2).abi_encode()).await;
    assert_eq!(
        revert::<E, _>(dup),
        E::RequestIdInUse(Operator::RequestIdInUse { requestId: request_id(c.requester, 8) })
    );

    let r = transfer_and_call(&c, s.link, s.operator, amount, operator_request(9, 256).abi_encode()).await;
    assert_eq!(
        revert::<E, _>(r),
        E::DataVersionTooLarge(Operator::DataVersionTooLarge { dataVersion: U256::from(256) })
    );

    let r = transfer_and_call(&c, s.link, s.operator, amount, vec![0x3c, 0x6d, 0x41, 0xb9, 0, 0]).await;
    assert_eq!(revert::<E, _>(r), E::MalformedRequest(Operator::MalformedRequest { length: U256::from(6) }));

    let mut unknown = operator_request(10, 2).abi_encode();
    unknown[..4].copy_from_slice(&[1, 2, 3, 4]);
    let r = transfer_and_call(&c, s.link, s.operator, amount, unknown).await;
    assert_eq!(
        revert::<E, _>(r),
        E::UnsupportedRequestFunction(Operator::UnsupportedRequestFunction { selector: FixedBytes([1, 2, 3, 4]) })
    );

    // Dirty low bits in the bytes4 word, an out-of-bounds data offset, a truncated head.
    let good = operator_request(11, 2).abi_encode();
    let mut dirty = good.clone();
    dirty[4 + 3 * 32 + 31] = 1;
    let mut bad_offset = good.clone();
    bad_offset[4 + 6 * 32 + 31] = 0xff;
    let truncated = good[..4 + 5 * 32].to_vec();
    for payload in [dirty, bad_offset, truncated] {
        let len = payload.len();
        let r = transfer_and_call(&c, s.link, s.operator, amount, payload).await;
        assert_eq!(revert::<E, _>(r), E::MalformedRequest(Operator::MalformedRequest { length: U256::from(len) }));
    }

    // v1: the callback must be the requester, so it can never be the LINK token.
    let v1 = IOperator::oracleRequestCall {
        sender: Address::ZERO,
        payment: U256::ZERO,
        specId: sample::SPEC_ID,
        callbackAddress: s.link,
        callbackFunctionId: FixedBytes([0xa9, 0x05, 0x9c, 0xbb]), // transfer(address,uint256)
        nonce: U256::from(12),
        dataVersion: U256::from(1),
        data: Bytes::new(),
    };
    let r = transfer_and_call(&c, s.link, s.operator, amount, v1.abi_encode()).await;
    assert_eq!(
        revert::<E, _>(r),
        E::CallbackNotRequester(Operator::CallbackNotRequester { callback: s.link, requester: c.requester })
    );

    // Only LINK may call the request entry points.
    let r = op
        .onTokenTransfer(c.stranger, amount, operator_request(13, 2).abi_encode().into())
        .from(c.stranger)
        .call()
        .await;
    assert_eq!(call_revert::<E, _>(r), E::NotLinkToken(Operator::NotLinkToken { caller: c.stranger }));
    let o = operator_request(14, 2);
    let r = op
        .operatorRequest(o.sender, o.payment, o.specId, o.callbackFunctionId, o.nonce, o.dataVersion, o.data)
        .from(c.stranger)
        .call()
        .await;
    assert_eq!(call_revert::<E, _>(r), E::NotLinkToken(Operator::NotLinkToken { caller: c.stranger }));
}
