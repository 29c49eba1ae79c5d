//! Standard Webhooks signatures (issue 17, §4): the signed content is `{id}.{timestamp}.{body}`;
//! `v1,` + base64 of its HMAC-SHA256 under a per-endpoint secret (`whsec_` + base64 of 24–64
//! random bytes), and `v1a,` + base64 of its Ed25519 signature under the registry's key. The
//! `webhook-signature` header lists one or more, space-separated (key rotation).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hmac::{KeyInit, Mac};
use sha2::Sha256;

/// The prefix of a symmetric secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// Why a secret or a signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("a webhook secret is whsec_ and base64 of 24 to 64 bytes")]
    Secret,
    #[error("no signature in the header verifies")]
    NoMatch,
}

/// A per-endpoint secret, as given to the receiver (`whsec_…`).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret itself.
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// A new secret of 32 random bytes.
    pub fn generate(rng: &mut impl rand::Rng) -> Secret {
        let mut bytes = vec![0u8; 32];
        rng.fill_bytes(&mut bytes);
        Secret(bytes)
    }

    pub fn parse(text: &str) -> Result<Secret, SignatureError> {
        let bytes = text
            .strip_prefix(SECRET_PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .ok_or(SignatureError::Secret)?;
        if !(24..=64).contains(&bytes.len()) {
            return Err(SignatureError::Secret);
        }
        Ok(Secret(bytes))
    }

    /// The text the receiver is given.
    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX}{}", B64.encode(&self.0))
    }
}

fn content(id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    signed
}

/// `v1,` + base64(HMAC-SHA256(secret, `{id}.{timestamp}.{body}`)).
pub fn sign_v1(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&secret.0)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(&content(id, timestamp, body));
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

/// `v1a,` + base64(Ed25519(`{id}.{timestamp}.{body}`)).
pub fn sign_v1a(key: &SigningKey, id: &str, timestamp: i64, body: &[u8]) -> String {
    let signature = key.sign(&content(id, timestamp, body));
    format!("v1a,{}", B64.encode(signature.to_bytes()))
}

/// The text of the public key a receiver verifies `v1a` signatures with: `whpk_` + base64.
pub fn public_key_text(key: &VerifyingKey) -> String {
    format!("whpk_{}", B64.encode(key.as_bytes()))
}

/// Whether one of the header's signatures is the message's under `secret` (v1) or `key` (v1a).
pub fn verify(
    header: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
    secret: Option<&Secret>,
    key: Option<&VerifyingKey>,
) -> Result<(), SignatureError> {
    let signed = content(id, timestamp, body);
    let expected = secret.map(|s| sign_v1(s, id, timestamp, body));
    for candidate in header.split(' ') {
        if let (Some(expected), true) = (&expected, candidate.starts_with("v1,")) {
            if subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), candidate.as_bytes()).into() {
                return Ok(());
            }
        }
        if let (Some(key), Some(b64)) = (key, candidate.strip_prefix("v1a,")) {
            let ok = B64
                .decode(b64)
                .ok()
                .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
                .is_some_and(|b| {
                    key.verify_strict(&signed, &Signature::from_bytes(&b))
                        .is_ok()
                });
            if ok {
                return Ok(());
            }
        }
    }
    Err(SignatureError::NoMatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's example (its libraries' shared test vector).
    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TIMESTAMP: i64 = 1_649_367_553;
    const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;

    #[test]
    fn v1_reproduces_the_specifications_vector() {
        let secret = Secret::parse(SECRET).expect("secret");
        assert_eq!(
            sign_v1(&secret, ID, TIMESTAMP, BODY),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
        assert_eq!(secret.to_text(), SECRET);
        let header = "v1,bm9ldmVu v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";
        assert_eq!(
            verify(header, ID, TIMESTAMP, BODY, Some(&secret), None),
            Ok(())
        );
        assert_eq!(
            verify(header, ID, TIMESTAMP + 1, BODY, Some(&secret), None),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn v1a_verifies_with_the_public_key_only() {
        let key = SigningKey::from_bytes(&[4u8; 32]);
        let signature = sign_v1a(&key, ID, TIMESTAMP, BODY);
        assert!(signature.starts_with("v1a,"));
        assert_eq!(signature.len(), 4 + 88, "base64 of 64 bytes");
        let public = key.verifying_key();
        assert_eq!(
            verify(&signature, ID, TIMESTAMP, BODY, None, Some(&public)),
            Ok(())
        );
        let changed = br#"{"email":"test@example.com","username":"other"}"#;
        assert_eq!(
            verify(&signature, ID, TIMESTAMP, changed, None, Some(&public)),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn secrets_are_whsec_and_24_to_64_bytes() {
        assert_eq!(
            Secret::parse("C2FVsBQIhrscChlQIMV+b5sSYspob7oD"),
            Err(SignatureError::Secret)
        );
        assert_eq!(Secret::parse("whsec_AAAA"), Err(SignatureError::Secret));
        assert_eq!(Secret::parse("whsec_!!"), Err(SignatureError::Secret));
        let generated = Secret::generate(&mut rand::rng());
        assert_eq!(Secret::parse(&generated.to_text()), Ok(generated.clone()));
        assert_eq!(format!("{generated:?}"), "Secret(…)");
    }
}
