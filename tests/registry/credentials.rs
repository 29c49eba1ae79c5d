//! The issuer's keys as a did:web document at `/.well-known/did.json`, through the real app on
//! both backends: the transparency log's published keys as Multikeys, a retired key kept.

use crate::common;

use sqe_registry::config::log_key::demo_signer;
use sqe_registry::domain::credentials::data_integrity::parse_multikey;
use sqe_registry::domain::tlog::keyring;
use sqe_registry::domain::tlog::note::{NoteSigner, TYPE_ED25519};

use common::beijing;

both_backends_async!(the_did_document_lists_the_logs_keys, |db| {
    let app = common::TestApp::new(&db, beijing(2026, 12, 7, 10, 0)).await;
    let page = app.get("/.well-known/did.json").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("application/did+json")
    );
    let doc: serde_json::Value = serde_json::from_str(&page.body).expect("json");
    // The tests' public URL is http://127.0.0.1:8080.
    assert_eq!(doc["id"], "did:web:127.0.0.1%3A8080");
    let methods = doc["verificationMethod"].as_array().expect("methods");
    assert_eq!(methods.len(), 1);
    let key = parse_multikey(methods[0]["publicKeyMultibase"].as_str().expect("key"));
    assert_eq!(key, Ok(demo_signer().verifier().key));
    assert_eq!(doc["assertionMethod"][0], methods[0]["id"]);

    // After a rotation the retired key stays.
    let old = NoteSigner::from_seed("demo.sqe-registry.invalid/log", TYPE_ED25519, [9; 32])
        .expect("key")
        .verifier();
    let file = format!(
        "{} 2025-06-01 2026-11-30\n{} 2026-12-01\n",
        old.vkey(),
        demo_signer().verifier().vkey()
    );
    let keys = keyring::parse(&file).expect("keys");
    let rotated = common::TestApp::with_config(&db, beijing(2026, 12, 7, 10, 0), |c| {
        c.log_keys = Some(keys)
    })
    .await;
    let doc: serde_json::Value =
        serde_json::from_str(&rotated.get("/.well-known/did.json").await.body).expect("json");
    let keys: Vec<_> = doc["verificationMethod"]
        .as_array()
        .expect("methods")
        .iter()
        .map(|m| parse_multikey(m["publicKeyMultibase"].as_str().expect("key")).expect("multikey"))
        .collect();
    assert_eq!(keys, [demo_signer().verifier().key, old.key]);
});
