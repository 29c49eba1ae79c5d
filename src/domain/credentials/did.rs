//! The registry's `did:web` identity and DID document (W3C DID 1.0, did:web method): the DID of
//! the public URL's host (`did:web:registry.example.cn`, a port written `%3A`), and the document
//! served at `/.well-known/did.json` listing each published key as a `Multikey` — the
//! transparency log's keys, retired ones included, so credentials signed before a rotation
//! still verify.

use serde_json::{json, Value};

use super::data_integrity::multikey;
use crate::domain::tlog::keyring::PublishedKey;

/// The DID of a registry served at `public_url` (`https://host[:port]/…`): the host alone, as
/// did:web resolves `did:web:host` to `https://host/.well-known/did.json`.
pub fn did_web(public_url: &str) -> Option<String> {
    let rest = public_url
        .strip_prefix("https://")
        .or_else(|| public_url.strip_prefix("http://"))?;
    let authority = rest.split('/').next().filter(|a| !a.is_empty())?;
    if authority.contains('@') {
        return None;
    }
    Some(format!(
        "did:web:{}",
        authority.to_ascii_lowercase().replace(':', "%3A")
    ))
}

/// A key's verification method id: the DID and `#key-` with the key's signed-note id in hex.
pub fn method_id(did: &str, key: &PublishedKey) -> String {
    method_id_of(did, &key.verifier.id)
}

/// The verification method id of the key with signed-note id `key_id`.
pub fn method_id_of(did: &str, key_id: &[u8; 4]) -> String {
    format!("{did}#{}", key_fragment(key_id))
}

/// The fragment naming a key in the DID document: `key-` and its signed-note id in hex.
pub fn key_fragment(key_id: &[u8; 4]) -> String {
    format!("key-{}", crate::domain::tlog::note::hex4(key_id))
}

/// The DID document: every published key as a `Multikey` that may assert credentials.
pub fn document(did: &str, keys: &[PublishedKey]) -> Value {
    let methods: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "id": method_id(did, k),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey(&k.verifier.key),
            })
        })
        .collect();
    let ids: Vec<String> = keys.iter().map(|k| method_id(did, k)).collect();
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::credentials::data_integrity::parse_multikey;
    use crate::domain::tlog::note::{NoteSigner, TYPE_ED25519};

    #[test]
    fn the_did_is_the_public_urls_host() {
        assert_eq!(
            did_web("https://Registry.Example.cn").as_deref(),
            Some("did:web:registry.example.cn")
        );
        assert_eq!(
            did_web("https://registry.example.cn/sqe/").as_deref(),
            Some("did:web:registry.example.cn")
        );
        // The did:web specification's own example of a port.
        assert_eq!(
            did_web("https://example.com:3000").as_deref(),
            Some("did:web:example.com%3A3000")
        );
        assert_eq!(did_web("ftp://example.com"), None);
        assert_eq!(did_web("https://"), None);
        assert_eq!(did_web("https://user@example.com"), None);
    }

    #[test]
    fn the_document_lists_every_key_as_a_multikey() {
        let key = |seed: u8, from: &str| PublishedKey {
            verifier: NoteSigner::from_seed("r.example/log", TYPE_ED25519, [seed; 32])
                .expect("key")
                .verifier(),
            from: from.parse().ok(),
            until: None,
        };
        let keys = [key(2, "2026-12-01"), key(1, "2025-01-01")];
        let doc = document("did:web:r.example", &keys);
        assert_eq!(doc["id"], "did:web:r.example");
        let methods = doc["verificationMethod"].as_array().expect("methods");
        assert_eq!(methods.len(), 2);
        for (m, k) in methods.iter().zip(&keys) {
            assert_eq!(m["type"], "Multikey");
            assert_eq!(m["controller"], "did:web:r.example");
            let id = m["id"].as_str().expect("id");
            assert!(
                id.starts_with("did:web:r.example#key-") && id.len() == 30,
                "{id}"
            );
            let public = parse_multikey(m["publicKeyMultibase"].as_str().expect("key"));
            assert_eq!(public, Ok(k.verifier.key));
        }
        assert_eq!(doc["assertionMethod"][1], methods[1]["id"]);
    }
}
