//! Verifiable credentials (issue 17): the W3C Data Integrity proof with the `eddsa-jcs-2022`
//! cryptosuite and the Multikey encoding of Ed25519 keys, and the registry's did:web document.
//! Pure: documents in, documents out.

pub mod data_integrity;
pub mod did;
