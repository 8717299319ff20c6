use alloy::primitives::B256;
use uuid::Uuid;

/// How a consumer contract put a job's `externalJobID` into `OracleRequest.specId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecIdEncoding {
    /// The 32 ASCII bytes of the UUID without dashes (what the docs' consumers do).
    AsciiHex,
    /// The 16 UUID bytes, right-padded with zeros.
    RawBytes,
}

/// Both `specId` values that name the job `id`, in the order
/// `[AsciiHex, RawBytes]`. The node matches topic1 against both, because
/// newcomers get this encoding wrong all the time.
pub fn spec_id_encodings(id: Uuid) -> [B256; 2] {
    let mut ascii = [0u8; 32];
    ascii.copy_from_slice(id.simple().to_string().as_bytes());
    let mut raw = [0u8; 32];
    raw[..16].copy_from_slice(id.as_bytes());
    [B256::from(ascii), B256::from(raw)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_test_vector() {
        let id: Uuid = "A5AC14E8-7629-4726-B1F1-1AE053FC829E".parse().unwrap();
        let [ascii, raw] = spec_id_encodings(id);
        assert_eq!(ascii.to_string(), "0x6135616331346538373632393437323662316631316165303533666338323965");
        assert_eq!(raw.to_string(), "0xa5ac14e876294726b1f11ae053fc829e00000000000000000000000000000000");
    }
}
