//! W3C Bitstring Status List v1.0: each credential's bit in a revocation list and a suspension
//! list. A list holds [`LIST_SIZE`] entries (well above the specification's minimum of 131,072,
//! for the herd privacy it asks for); credential `n` is entry `n % LIST_SIZE` of list
//! `n / LIST_SIZE`. `encodedList` is `u` + base64url without padding of the GZIP-compressed
//! bitstring, whose entry 0 is the most significant bit of the first byte.

use std::io::{Read, Write};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};

/// Entries per list: 2^20 (128 KiB of bits before compression).
pub const LIST_SIZE: i64 = 1 << 20;
/// The specification's minimum.
pub const MIN_ENTRIES: usize = 131_072;
/// How long a verifier may keep a list, in milliseconds (the HTTP `max-age` says the same).
pub const TTL_MS: u64 = 300_000;

/// What a list's set bit means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusPurpose {
    /// The credential no longer holds: superseded by a newer one, or its certificate revoked
    /// or cancelled. Never unset.
    Revocation,
    /// The certificate is suspended; unset when it is restored.
    Suspension,
}

impl StatusPurpose {
    pub const ALL: [StatusPurpose; 2] = [StatusPurpose::Revocation, StatusPurpose::Suspension];

    /// The name in `statusPurpose` and in the list's URL.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }

    pub fn parse(s: &str) -> Option<StatusPurpose> {
        StatusPurpose::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The list holding credential `id`, and its entry there.
pub fn position(id: i64) -> (i64, i64) {
    (id.div_euclid(LIST_SIZE), id.rem_euclid(LIST_SIZE))
}

/// The URL of the list of `purpose` holding credential `id`.
pub fn list_url(public_url: &str, purpose: StatusPurpose, id: i64) -> String {
    url_of(public_url, purpose, position(id).0)
}

/// The URL of list number `list` of `purpose`.
pub fn url_of(public_url: &str, purpose: StatusPurpose, list: i64) -> String {
    format!("{public_url}/status/{}/{list}", purpose.as_str())
}

/// Why an `encodedList` cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("the encoded list is not multibase base64url (u…)")]
    Encoding,
    #[error("the encoded list is not GZIP data")]
    Gzip,
    #[error("the list holds {0} entries, fewer than the 131,072 required")]
    TooShort(usize),
}

/// The `encodedList` of a list of [`LIST_SIZE`] entries with the given entries set (entries
/// outside the list are ignored).
pub fn encode(set: impl IntoIterator<Item = i64>) -> String {
    let mut bits = vec![0u8; (LIST_SIZE / 8) as usize];
    for entry in set {
        if (0..LIST_SIZE).contains(&entry) {
            bits[(entry / 8) as usize] |= 0x80 >> (entry % 8);
        }
    }
    let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
    gzip.write_all(&bits)
        .and_then(|()| gzip.try_finish())
        .unwrap_or_else(|_| unreachable!("writing to memory does not fail"));
    let compressed = gzip.get_ref();
    format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
}

/// The bitstring of an `encodedList`.
pub fn decode(encoded: &str) -> Result<Vec<u8>, ListError> {
    let data = encoded
        .strip_prefix('u')
        .and_then(|b| URL_SAFE_NO_PAD.decode(b).ok())
        .ok_or(ListError::Encoding)?;
    let mut bits = Vec::new();
    GzDecoder::new(&data[..])
        .take(64 << 20)
        .read_to_end(&mut bits)
        .map_err(|_| ListError::Gzip)?;
    if bits.len() * 8 < MIN_ENTRIES {
        return Err(ListError::TooShort(bits.len() * 8));
    }
    Ok(bits)
}

/// Whether entry `index` of a bitstring is set (`None` beyond its end).
pub fn is_set(bits: &[u8], index: u64) -> Option<bool> {
    let byte = bits.get(usize::try_from(index / 8).ok()?)?;
    Some(byte & (0x80 >> (index % 8)) != 0)
}

/// The unsigned status list credential: list `list` of `purpose`, valid from `valid_from`
/// (an XML Schema dateTime).
pub fn list_credential(
    public_url: &str,
    did: &str,
    purpose: StatusPurpose,
    list: i64,
    encoded: String,
    valid_from: &str,
) -> Value {
    let url = url_of(public_url, purpose, list);
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose.as_str(),
            "encodedList": encoded,
            "ttl": TTL_MS,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_zero_is_the_first_bytes_high_bit() {
        let bits = decode(&encode([0, 9, LIST_SIZE - 1])).expect("decodes");
        assert_eq!(bits.len(), 131_072, "2^20 bits");
        assert_eq!(bits[0], 0b1000_0000);
        assert_eq!(bits[1], 0b0100_0000);
        assert_eq!(bits[131_071], 0b0000_0001);
        assert_eq!(bits.iter().filter(|b| **b != 0).count(), 3);
        assert_eq!(is_set(&bits, 0), Some(true));
        assert_eq!(is_set(&bits, 1), Some(false));
        assert_eq!(is_set(&bits, 9), Some(true));
        assert_eq!(is_set(&bits, 1 << 20), None);
    }

    #[test]
    fn an_empty_list_is_small_and_multibase_base64url() {
        let encoded = encode([]);
        assert!(
            encoded.starts_with("uH4sI"),
            "u + base64url of the GZIP magic: {encoded}"
        );
        assert!(!encoded.contains(['+', '/', '=']), "{encoded}");
        assert!(encoded.len() < 400, "{} characters", encoded.len());
        assert!(decode(&encoded).expect("decodes").iter().all(|b| *b == 0));
    }

    #[test]
    fn entries_outside_the_list_are_ignored() {
        let bits = decode(&encode([-1, LIST_SIZE, 5])).expect("decodes");
        assert_eq!(bits.iter().filter(|b| **b != 0).count(), 1);
        assert_eq!(is_set(&bits, 5), Some(true));
    }

    #[test]
    fn bad_lists_are_refused() {
        assert_eq!(decode("H4sI"), Err(ListError::Encoding));
        assert_eq!(decode("u!!"), Err(ListError::Encoding));
        assert_eq!(decode("uAAAA"), Err(ListError::Gzip));
        // 16 KiB − 1 byte: one entry short of the minimum... in whole bytes.
        let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
        gzip.write_all(&[0u8; 16_383]).expect("write");
        let short = format!("u{}", URL_SAFE_NO_PAD.encode(gzip.finish().expect("gzip")));
        assert_eq!(decode(&short), Err(ListError::TooShort(131_064)));
    }

    #[test]
    fn the_specifications_example_list_reads() {
        // The `encodedList` of the examples of Bitstring Status List v1.0 (§2.2, the
        // BitstringStatusListCredential example): an empty list of 131,072 entries.
        let bits = decode("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")
            .expect("decodes");
        assert_eq!(bits.len(), 16_384);
        assert!(bits.iter().all(|b| *b == 0));
    }

    #[test]
    fn positions_split_by_list() {
        assert_eq!(position(5), (0, 5));
        assert_eq!(position(LIST_SIZE + 3), (1, 3));
        assert_eq!(
            list_url("https://r.example", StatusPurpose::Suspension, LIST_SIZE),
            "https://r.example/status/suspension/1"
        );
    }
}
