//! Verifiable credentials (issue 17): the W3C Data Integrity proof with the `eddsa-jcs-2022`
//! cryptosuite and the Multikey encoding of Ed25519 keys, the registry's did:web document, the
//! certificate as an Open Badges 3.0 credential and the Bitstring Status Lists.
//! Pure: documents in, documents out.

pub mod badge;
pub mod baking;
pub mod check;
pub mod data_integrity;
pub mod did;
pub mod status_list;
