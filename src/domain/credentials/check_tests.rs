//! The third party's checks, on documents signed here with a fixed key: each finding, and each
//! way a forged or mismatched document is caught.

use ed25519_dalek::SigningKey;
use serde_json::json;

use super::*;
use crate::domain::credentials::data_integrity::{multikey, ProofOptions};
use crate::domain::credentials::status_list::{encode, StatusPurpose};
use crate::domain::tlog::merkle::MemoryTree;
use crate::domain::tlog::note::{NoteSigner, TYPE_ED25519};

const METHOD: &str = "did:web:registry.example.cn#key-0a0b0c0d";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[3u8; 32])
}

fn sign(doc: &Value) -> Value {
    let options = ProofOptions {
        created: "2026-12-07T02:00:00Z".into(),
        verification_method: METHOD.into(),
        proof_purpose: "assertionMethod".into(),
    };
    data_integrity::sign(doc, &options, &key()).expect("signed")
}

fn did_document() -> Value {
    json!({
        "id": "did:web:registry.example.cn",
        "verificationMethod": [{
            "id": METHOD, "type": "Multikey", "controller": "did:web:registry.example.cn",
            "publicKeyMultibase": multikey(&key().verifying_key()),
        }],
        "assertionMethod": [METHOD],
    })
}

fn credential() -> Value {
    sign(&json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://registry.example.cn/credentials/7",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "SQE 四星级",
        "validFrom": "2025-03-01T00:00:00+08:00",
        "validUntil": "2028-02-29T23:59:59+08:00",
        "credentialSubject": {"certificate": {"number": "C-1"}},
        "logIndex": 1,
        "credentialStatus": [{
            "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://registry.example.cn/status/revocation/0",
        }],
    }))
}

#[test]
fn a_credential_reads_once_its_proof_verifies() {
    let keys = Keys::from_did_document(&did_document()).expect("keys");
    let c = check_credential(&credential(), &keys).expect("verifies");
    assert_eq!(c.id, "https://registry.example.cn/credentials/7");
    assert_eq!(c.method, METHOD);
    assert_eq!(c.certificate, "C-1");
    assert_eq!(c.log_index, Some(1));
    assert_eq!(
        c.status,
        [StatusEntry {
            purpose: "revocation".into(),
            index: 7,
            list: "https://registry.example.cn/status/revocation/0".into(),
        }]
    );
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("time")
            .to_utc()
    };
    assert!(in_validity(&c, at("2026-12-07T00:00:00Z")).expect("dates"));
    // Valid through the last second of 29 February 2028 in Beijing, not after.
    assert!(in_validity(&c, at("2028-02-29T15:59:59Z")).expect("dates"));
    assert!(!in_validity(&c, at("2028-02-29T16:00:00Z")).expect("dates"));
    assert!(!in_validity(&c, at("2025-02-28T15:59:59Z")).expect("dates"));
}

#[test]
fn an_unknown_key_or_a_changed_field_is_refused() {
    let keys = Keys::from_did_document(&did_document()).expect("keys");
    let mut forged = credential();
    forged["name"] = json!("SQE 五星级");
    assert_eq!(
        check_credential(&forged, &keys),
        Err(CheckError::Proof(ProofError::Signature))
    );
    let other = Keys::from_verifiers(&[NoteSigner::from_seed("x/log", TYPE_ED25519, [1; 32])
        .expect("key")
        .verifier()]);
    assert!(matches!(
        check_credential(&credential(), &other),
        Err(CheckError::Proof(ProofError::UnknownKey(_)))
    ));
    // A DID document whose key may not assert credentials publishes none for them.
    let mut no_assertion = did_document();
    no_assertion["assertionMethod"] = json!([]);
    assert!(Keys::from_did_document(&no_assertion).is_err());
}

#[test]
fn the_logs_verifier_keys_serve_by_key_id() {
    // The registry names its methods `#key-<signed-note key id>`: a /log/keys file is enough.
    let signer = NoteSigner::from_seed("r/log", TYPE_ED25519, [3; 32]).expect("key");
    let id: String = signer
        .verifier()
        .id
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let keys = Keys::from_verifiers(&[signer.verifier()]);
    assert_eq!(
        keys.key_for(&format!("did:web:anything.example#key-{id}")),
        Some(key().verifying_key())
    );
    assert_eq!(keys.key_for("did:web:anything.example#key-00000000"), None);
}

fn list(purpose: StatusPurpose, set: &[i64]) -> Value {
    sign(&json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": format!("https://registry.example.cn/status/{}/0", purpose.as_str()),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "credentialSubject": {
            "type": "BitstringStatusList",
            "statusPurpose": purpose.as_str(),
            "encodedList": encode(set.iter().copied()),
        },
    }))
}

#[test]
fn the_status_list_says_whether_the_bit_is_set() {
    let keys = Keys::from_did_document(&did_document()).expect("keys");
    let c = check_credential(&credential(), &keys).expect("verifies");
    let entry = &c.status[0];
    assert_eq!(
        check_status(&list(StatusPurpose::Revocation, &[6, 8]), entry, &keys),
        Ok(false)
    );
    assert_eq!(
        check_status(&list(StatusPurpose::Revocation, &[7]), entry, &keys),
        Ok(true)
    );
    // Another list, or a forged one, is refused.
    assert!(matches!(
        check_status(&list(StatusPurpose::Suspension, &[]), entry, &keys),
        Err(CheckError::WrongList(_))
    ));
    let mut forged = list(StatusPurpose::Revocation, &[7]);
    forged["credentialSubject"]["encodedList"] = json!(encode([]));
    assert_eq!(
        check_status(&forged, entry, &keys),
        Err(CheckError::Proof(ProofError::Signature))
    );
}

#[test]
fn a_log_proof_leads_from_the_entry_to_the_signed_root() {
    let signer = NoteSigner::from_seed("r/log", TYPE_ED25519, [5; 32]).expect("key");
    let entries: Vec<Vec<u8>> = (0..5u64)
        .map(|i| {
            LogEntry {
                version: crate::domain::tlog::entry::VERSION,
                index: i,
                kind: "issued".into(),
                certificate: format!("C-{}", i % 2),
                holder: "91310000MA1FL0001X".into(),
                platform: "示例商城".into(),
                domains: vec![],
                grade_before: None,
                grade_after: Some(4),
                date: "2026-12-07".into(),
                reason_zh: None,
                reason_en: None,
                site: None,
                previous: None,
            }
            .to_bytes()
            .expect("bytes")
        })
        .collect();
    let mut tree = MemoryTree::default();
    for e in &entries {
        tree.push(e);
    }
    let checkpoint = Checkpoint {
        origin: "r/log".into(),
        size: 5,
        root: tree.root(),
    };
    let note = note::sign(&checkpoint.body(), &[&signer]).expect("signed");
    let hashes = merkle::inclusion_proof(tree.source(), 3, 5).expect("proof");
    let mut proof = "c2sp.org/tlog-proof@v1\nindex 3\n".to_owned();
    for h in &hashes {
        proof.push_str(&B64.encode(h));
        proof.push('\n');
    }
    proof.push('\n');
    proof.push_str(&note);
    let keys = [signer.verifier()];
    assert_eq!(check_log_proof(&proof, &entries[3], 3, "C-1", &keys), Ok(5));
    assert!(
        check_log_proof(&proof, &entries[3], 3, "C-0", &keys).is_err(),
        "another certificate"
    );
    assert!(
        check_log_proof(&proof, &entries[1], 3, "C-1", &keys).is_err(),
        "another entry"
    );
    assert!(
        check_log_proof(&proof, &entries[3], 2, "C-1", &keys).is_err(),
        "another index"
    );
    let stranger = NoteSigner::from_seed("r/log", TYPE_ED25519, [6; 32]).expect("key");
    assert!(check_log_proof(&proof, &entries[3], 3, "C-1", &[stranger.verifier()]).is_err());
}
