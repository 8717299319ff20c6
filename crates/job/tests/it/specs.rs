use alloy::primitives::{address, U256};
use linkpool_job::JobSpec;

const GET_UINT256: &str = include_str!("../../../devnet/fixtures/get-uint256.toml");
const MULTIWORD: &str = include_str!("../../../devnet/fixtures/multiword.toml");
const OPERATOR: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

fn fill(spec: &str) -> String {
    spec.replace("YOUR_ORACLE_CONTRACT_ADDRESS", OPERATOR)
}

#[test]
fn docs_get_uint256_is_accepted_verbatim() {
    let JobSpec::DirectRequest(s) = JobSpec::from_toml(&fill(GET_UINT256)).expect("docs spec parses") else {
        panic!("not a directrequest job")
    };
    assert_eq!(s.contract_address, address!("5FbDB2315678afecb367f032d93F642f64180aa3"));
    assert_eq!(s.common.name.as_deref(), Some("Get > Uint256 - (TOML)"));
    assert_eq!(s.min_incoming_confirmations, 0);
    assert_eq!(s.common.max_task_duration, None, "0s means the node default");
    let ids: Vec<_> = s.common.pipeline.tasks().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        ["decode_log", "decode_cbor", "fetch", "parse", "multiply", "encode_data", "encode_tx", "submit_tx"]
    );
}

#[test]
fn docs_multiword_is_accepted_verbatim() {
    let JobSpec::DirectRequest(s) = JobSpec::from_toml(&fill(MULTIWORD)).expect("docs spec parses") else {
        panic!("not a directrequest job")
    };
    assert_eq!(s.common.pipeline.tasks().len(), 14);
    assert!(s.requesters.is_empty());
}

#[test]
fn missing_external_job_id_is_generated_and_present_one_is_kept() {
    let a = JobSpec::from_toml(&fill(GET_UINT256)).unwrap();
    let b = JobSpec::from_toml(&fill(GET_UINT256)).unwrap();
    assert_ne!(a.common().external_job_id, b.common().external_job_id);

    let with_id = format!("externalJobID = \"A5AC14E8-7629-4726-B1F1-1AE053FC829E\"\n{}", fill(GET_UINT256));
    let c = JobSpec::from_toml(&with_id).unwrap();
    assert_eq!(c.common().external_job_id.to_string(), "a5ac14e8-7629-4726-b1f1-1ae053fc829e");
}

#[test]
fn direct_request_fields() {
    let spec = format!(
        "{}\nrequesters = [\"0x00000000000000000000000000000000000000aa\"]\nminContractPaymentLinkJuels = \"100000000000000000000000000\"\nevmChainID = \"31337\"\ngasLimit = 600000\n",
        fill(GET_UINT256).replace("minIncomingConfirmations = 0", "minIncomingConfirmations = 3")
    );
    let JobSpec::DirectRequest(s) = JobSpec::from_toml(&spec).unwrap() else { panic!("not a directrequest job") };
    assert_eq!(s.min_incoming_confirmations, 3);
    assert_eq!(s.min_contract_payment_link_juels, U256::from(10u64).pow(U256::from(26)));
    assert_eq!(s.evm_chain_id, Some(31337));
    assert_eq!(s.common.gas_limit, Some(600_000));
    assert!(s.allows_requester(address!("00000000000000000000000000000000000000aa")));
    assert!(!s.allows_requester(address!("00000000000000000000000000000000000000bb")));
}
