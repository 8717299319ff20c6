//! Building and signing EIP-1559 transactions with a local key.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    primitives::{Address, Bytes, TxKind, B256, U256},
    signers::{local::PrivateKeySigner, SignerSync},
};
use linkpool_store::TxRecord;

use super::fees::Fees;
use crate::{Error, Result};

/// The immutable part of a stored tx, decoded once.
#[derive(Debug, Clone)]
pub(crate) struct TxBody {
    pub(crate) id: i64,
    pub(crate) to: Address,
    pub(crate) data: Bytes,
    pub(crate) value: U256,
    pub(crate) gas_limit: u64,
}

impl TxBody {
    pub(crate) fn from_record(record: &TxRecord) -> Result<Self> {
        let corrupt = |what: &str| Error::Corrupt(format!("tx {} {what}", record.id));
        Ok(Self {
            id: record.id,
            to: record.to.parse().map_err(|_| corrupt("to address"))?,
            data: Bytes::from(record.data.clone()),
            value: U256::from_str_radix(&record.value, 10).map_err(|_| corrupt("value"))?,
            gas_limit: record.gas_limit,
        })
    }
}

/// A signed attempt, ready to persist and broadcast.
#[derive(Debug, Clone)]
pub(crate) struct Signed {
    pub(crate) hash: B256,
    pub(crate) raw: Bytes,
    pub(crate) fees: Fees,
}

pub(crate) fn sign(signer: &PrivateKeySigner, chain_id: u64, body: &TxBody, nonce: u64, fees: Fees) -> Result<Signed> {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: body.gas_limit,
        max_fee_per_gas: fees.max_fee_per_gas,
        max_priority_fee_per_gas: fees.max_priority_fee_per_gas,
        to: TxKind::Call(body.to),
        value: body.value,
        access_list: Default::default(),
        input: body.data.clone(),
    };
    let signature =
        signer.sign_hash_sync(&tx.signature_hash()).map_err(|e| Error::InvalidTx(format!("signing failed: {e}")))?;
    let signed = tx.into_signed(signature);
    let hash = *signed.hash();
    let raw = Bytes::from(TxEnvelope::from(signed).encoded_2718());
    Ok(Signed { hash, raw, fees })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_attempt_decodes_to_the_same_tx() {
        use alloy::eips::eip2718::Decodable2718;
        let signer = PrivateKeySigner::random();
        let body = TxBody {
            id: 1,
            to: Address::repeat_byte(9),
            data: Bytes::from_static(b"hi"),
            value: U256::from(5),
            gas_limit: 21_100,
        };
        let fees = Fees { max_fee_per_gas: 30, max_priority_fee_per_gas: 2 };
        let started = std::time::Instant::now();
        let signed = sign(&signer, 31337, &body, 7, fees).unwrap();
        eprintln!("one signature: {:?}", started.elapsed());
        let decoded = TxEnvelope::decode_2718(&mut signed.raw.as_ref()).unwrap();
        assert_eq!(*decoded.tx_hash(), signed.hash);
        let TxEnvelope::Eip1559(signed_tx) = decoded else { panic!("not EIP-1559") };
        let recovered = signed_tx.signature().recover_address_from_prehash(&signed_tx.signature_hash()).unwrap();
        assert_eq!(recovered, signer.address());
        let tx = signed_tx.tx();
        assert_eq!((tx.nonce, tx.chain_id, tx.gas_limit), (7, 31337, 21_100));
        assert_eq!((tx.max_fee_per_gas, tx.max_priority_fee_per_gas), (30, 2));
        assert_eq!(tx.to, TxKind::Call(body.to));
        assert_eq!(tx.input, body.data);
    }
}
