//! `eddsa-jcs-2022` against the W3C specification's published test vectors
//! (`tests/vectors/vc-di-eddsa`, w3c/vc-di-eddsa TestVectors): the key pair, the canonical
//! document, the signed credential byte for byte (Ed25519 is deterministic); and what a verifier
//! must refuse.

use serde_json::{json, Value};

use super::*;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/vc-di-eddsa/");

fn vector(name: &str) -> String {
    std::fs::read_to_string(format!("{VECTORS}{name}")).expect("vector")
}

fn json_vector(name: &str) -> Value {
    serde_json::from_str(&vector(name)).expect("json")
}

/// The vectors' key: its secret Multikey is `z` + base58btc(0x80 0x26 ‖ seed).
fn key() -> SigningKey {
    let pair = json_vector("keyPair.json");
    let secret = from_base58btc(pair["privateKeyMultibase"].as_str().expect("secret")).expect("z");
    let seed: [u8; 32] = secret
        .strip_prefix(&[0x80, 0x26][..])
        .and_then(|s| s.try_into().ok())
        .expect("an Ed25519 secret Multikey");
    SigningKey::from_bytes(&seed)
}

fn options() -> ProofOptions {
    let config = json_vector("proofConfigJCS.json");
    ProofOptions {
        created: config["created"].as_str().expect("created").into(),
        verification_method: config["verificationMethod"].as_str().expect("vm").into(),
        proof_purpose: config["proofPurpose"].as_str().expect("purpose").into(),
    }
}

fn vector_key(method: &str) -> Option<VerifyingKey> {
    (method == options().verification_method).then(|| key().verifying_key())
}

#[test]
fn the_key_pair_is_the_published_multikey() {
    let pair = json_vector("keyPair.json");
    let public = pair["publicKeyMultibase"].as_str().expect("public");
    assert_eq!(multikey(&key().verifying_key()), public);
    assert_eq!(parse_multikey(public), Ok(key().verifying_key()));
}

#[test]
fn signing_the_unsigned_vector_gives_the_published_credential() {
    let unsigned = json_vector("unsigned.json");
    assert_eq!(
        canonical(&unsigned).expect("jcs"),
        vector("canonDocJCS.txt").into_bytes()
    );
    let signed = sign(&unsigned, &options(), &key()).expect("signed");
    assert_eq!(signed, json_vector("signedJCS.json"));
    assert_eq!(
        signed["proof"]["proofValue"].as_str(),
        Some(vector("sigBTC58JCS.txt").trim())
    );
    let mut config = signed["proof"].clone();
    config.as_object_mut().expect("proof").remove("proofValue");
    assert_eq!(
        canonical(&config).expect("jcs"),
        vector("proofCanonJCS.txt").into_bytes()
    );
    let combined: String = hash_data(&unsigned, &config)
        .expect("hash")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(combined, vector("combinedHashJCS.txt").trim());
}

#[test]
fn the_published_credential_verifies() {
    let signed = json_vector("signedJCS.json");
    assert_eq!(
        verify(&signed, vector_key),
        Ok(options().verification_method)
    );
}

#[test]
fn a_changed_credential_or_proof_is_refused() {
    let signed = json_vector("signedJCS.json");
    let changed = |f: &dyn Fn(&mut Value)| {
        let mut doc = signed.clone();
        f(&mut doc);
        verify(&doc, vector_key)
    };
    assert_eq!(
        changed(&|d| d["credentialSubject"]["alumniOf"] = json!("Another School")),
        Err(ProofError::Signature)
    );
    assert_eq!(
        changed(&|d| d["proof"]["created"] = json!("2024-02-24T23:36:38Z")),
        Err(ProofError::Signature)
    );
    assert_eq!(
        changed(&|d| d["@context"] = json!(["https://www.w3.org/ns/credentials/v2"])),
        Err(ProofError::Context)
    );
    assert_eq!(
        changed(&|d| d["proof"]["cryptosuite"] = json!("eddsa-rdfc-2022")),
        Err(ProofError::Suite)
    );
    assert_eq!(
        changed(&|d| d["proof"]["verificationMethod"] = json!("did:web:elsewhere.example#k")),
        Err(ProofError::UnknownKey("did:web:elsewhere.example#k".into()))
    );
    assert_eq!(
        changed(&|d| {
            d.as_object_mut().expect("doc").remove("proof");
        }),
        Err(ProofError::NoProof)
    );
    assert_eq!(
        changed(&|d| d["proof"]["proofValue"] = json!("u2HnFSSPPBzR36zdDgK8")),
        Err(ProofError::Multibase)
    );
    // Another key: refused.
    let other = SigningKey::from_bytes(&[9; 32]).verifying_key();
    assert_eq!(verify(&signed, |_| Some(other)), Err(ProofError::Signature));
}

#[test]
fn our_own_documents_round_trip_and_multikeys_are_checked() {
    let key = SigningKey::from_bytes(&[3; 32]);
    let doc =
        json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "证书 ✓", "n": 5});
    let signed = sign(&doc, &options(), &key).expect("signed");
    assert!(verify(&signed, |_| Some(key.verifying_key())).is_ok());
    assert_eq!(parse_multikey("z6Mk"), Err(ProofError::Multikey));
    assert_eq!(parse_multikey("6MkrJVna"), Err(ProofError::Multibase));
    assert_eq!(
        sign(&json!([1]), &options(), &key),
        Err(ProofError::NotAnObject)
    );
}
