use alloy::primitives::{Address, B256, U256};

use crate::{spec_id_encodings, CommonSpec};

/// A `directrequest` job: answers `OracleRequest` logs emitted by one Operator.
#[derive(Debug, Clone)]
pub struct DirectRequestSpec {
    /// Fields shared by all job types.
    pub common: CommonSpec,
    /// `contractAddress`: the Operator whose logs this job answers.
    pub contract_address: Address,
    /// `evmChainID`: the chain, when the node serves several.
    pub evm_chain_id: Option<u64>,
    /// `minIncomingConfirmations`: blocks to wait before running (a request may ask for more).
    pub min_incoming_confirmations: u64,
    /// `minContractPaymentLinkJuels`: requests paying less are ignored.
    pub min_contract_payment_link_juels: U256,
    /// `requesters`: if not empty, only these requester addresses are served.
    pub requesters: Vec<Address>,
}

impl DirectRequestSpec {
    /// The two `specId` values (topic1) that name this job.
    pub fn spec_ids(&self) -> [B256; 2] {
        spec_id_encodings(self.common.external_job_id)
    }

    /// Whether `requester` may use this job.
    pub fn allows_requester(&self, requester: Address) -> bool {
        self.requesters.is_empty() || self.requesters.contains(&requester)
    }
}
