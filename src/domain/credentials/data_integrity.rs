//! W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (Data Integrity EdDSA
//! Cryptosuites v1.0, §3.3): the document without its proof and the proof's configuration are
//! each canonicalised (RFC 8785) and hashed (SHA-256); Ed25519 signs the configuration's hash
//! followed by the document's; `proofValue` is the signature in multibase base58btc (`z…`).
//! The proof carries the document's `@context`, and a verifier requires the document's to
//! begin with it. Keys are Multikeys: `z` + base58btc(0xed 0x01 ‖ 32-byte public key).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The proof type and cryptosuite this module makes and checks.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The multicodec prefix of an Ed25519 public key.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// Why a proof cannot be made or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the document is not a JSON object")]
    NotAnObject,
    #[error("the document has no proof")]
    NoProof,
    #[error("the proof is not a {PROOF_TYPE} with the {CRYPTOSUITE} cryptosuite")]
    Suite,
    #[error("the proof lacks {0}")]
    Missing(&'static str),
    #[error("the proof's @context is not the beginning of the document's")]
    Context,
    #[error("not a multibase base58btc value")]
    Multibase,
    #[error("not an Ed25519 Multikey")]
    Multikey,
    #[error("no published key is {0}")]
    UnknownKey(String),
    #[error("the signature does not verify")]
    Signature,
    #[error("the document cannot be canonicalised: {0}")]
    Canonical(String),
}

/// The options of a new proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    /// XML Schema dateTime, e.g. `2026-12-07T10:00:00Z`.
    pub created: String,
    /// The key's URL, e.g. `did:web:registry.example.cn#key-1`.
    pub verification_method: String,
    /// `assertionMethod` for credentials.
    pub proof_purpose: String,
}

fn canonical(value: &Value) -> Result<Vec<u8>, ProofError> {
    serde_json_canonicalizer::to_vec(value).map_err(|e| ProofError::Canonical(e.to_string()))
}

/// SHA-256(canonical proof configuration) ‖ SHA-256(canonical document), as signed.
fn hash_data(document: &Value, config: &Value) -> Result<Vec<u8>, ProofError> {
    let mut data = Sha256::digest(canonical(config)?).to_vec();
    data.extend_from_slice(&Sha256::digest(canonical(document)?));
    Ok(data)
}

/// `z` + base58btc.
pub fn base58btc(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The bytes of a `z…` multibase value.
pub fn from_base58btc(s: &str) -> Result<Vec<u8>, ProofError> {
    let rest = s.strip_prefix('z').ok_or(ProofError::Multibase)?;
    bs58::decode(rest)
        .into_vec()
        .map_err(|_| ProofError::Multibase)
}

/// An Ed25519 public key as a Multikey `publicKeyMultibase`.
pub fn multikey(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    base58btc(&bytes)
}

/// The Ed25519 public key of a Multikey `publicKeyMultibase`.
pub fn parse_multikey(s: &str) -> Result<VerifyingKey, ProofError> {
    let bytes = from_base58btc(s)?;
    let key: [u8; 32] = bytes
        .strip_prefix(&ED25519_PUB[..])
        .and_then(|k| k.try_into().ok())
        .ok_or(ProofError::Multikey)?;
    VerifyingKey::from_bytes(&key).map_err(|_| ProofError::Multikey)
}

/// The document with an `eddsa-jcs-2022` proof added (any proof it had is replaced).
pub fn sign(
    document: &Value,
    options: &ProofOptions,
    key: &SigningKey,
) -> Result<Value, ProofError> {
    let mut unsecured = document.as_object().ok_or(ProofError::NotAnObject)?.clone();
    unsecured.remove("proof");
    let unsecured = Value::Object(unsecured);
    let mut proof = Map::new();
    proof.insert("type".into(), PROOF_TYPE.into());
    proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
    proof.insert("created".into(), options.created.clone().into());
    proof.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    proof.insert("proofPurpose".into(), options.proof_purpose.clone().into());
    if let Some(context) = unsecured.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    let data = hash_data(&unsecured, &Value::Object(proof.clone()))?;
    let signature = key.sign(&data);
    proof.insert("proofValue".into(), base58btc(&signature.to_bytes()).into());
    let mut secured = unsecured;
    if let Value::Object(map) = &mut secured {
        map.insert("proof".into(), Value::Object(proof));
    }
    Ok(secured)
}

/// Checks a secured document's `eddsa-jcs-2022` proof with the key its `verificationMethod`
/// names (`key_for` returns `None` for a method it does not publish). Returns the method.
pub fn verify(
    secured: &Value,
    key_for: impl Fn(&str) -> Option<VerifyingKey>,
) -> Result<String, ProofError> {
    let mut unsecured = secured.as_object().ok_or(ProofError::NotAnObject)?.clone();
    let mut proof = match unsecured.remove("proof") {
        Some(Value::Object(proof)) => proof,
        Some(_) => return Err(ProofError::Suite),
        None => return Err(ProofError::NoProof),
    };
    if proof.get("type").and_then(Value::as_str) != Some(PROOF_TYPE)
        || proof.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE)
    {
        return Err(ProofError::Suite);
    }
    let proof_value = match proof.remove("proofValue") {
        Some(Value::String(v)) => v,
        _ => return Err(ProofError::Missing("proofValue")),
    };
    let method = proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or(ProofError::Missing("verificationMethod"))?
        .to_owned();
    for field in ["created", "proofPurpose"] {
        if !proof.get(field).is_some_and(Value::is_string) {
            return Err(ProofError::Missing(field));
        }
    }
    if let Some(context) = proof.get("@context") {
        let as_list = |v: &Value| match v {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        let expected = as_list(context);
        let found = unsecured.get("@context").map(as_list).unwrap_or_default();
        if !found.starts_with(&expected) {
            return Err(ProofError::Context);
        }
        unsecured.insert("@context".into(), context.clone());
    }
    let key = key_for(&method).ok_or_else(|| ProofError::UnknownKey(method.clone()))?;
    let signature: [u8; 64] = from_base58btc(&proof_value)?
        .try_into()
        .map_err(|_| ProofError::Signature)?;
    let data = hash_data(&Value::Object(unsecured), &Value::Object(proof))?;
    key.verify_strict(&data, &Signature::from_bytes(&signature))
        .map_err(|_| ProofError::Signature)?;
    Ok(method)
}

#[cfg(test)]
#[path = "data_integrity_tests.rs"]
mod tests;
