//! Checking a credential as a third party does (`sqe-registry verify`): its proof against the
//! issuer's published keys (a DID document, or the log's verifier keys), its validity period,
//! its entries in the status lists, and the C2SP tlog-proof of the log entry it reflects.
//! Pure: documents in, findings out; fetching them is the caller's.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::VerifyingKey;
use serde_json::Value;

use super::data_integrity::{self, parse_multikey, ProofError};
use super::did;
use super::status_list::{self, ListError};
use crate::domain::tlog::checkpoint::Checkpoint;
use crate::domain::tlog::entry::LogEntry;
use crate::domain::tlog::merkle::{self, Hash};
use crate::domain::tlog::note::{self, Verifier};

/// Why a credential does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("the proof: {0}")]
    Proof(#[from] ProofError),
    #[error("the status list: {0}")]
    List(#[from] ListError),
    #[error("{0}")]
    Malformed(String),
    #[error("the status list {0} is not the one the credential names")]
    WrongList(String),
    #[error("the log proof: {0}")]
    LogProof(String),
}

/// The published keys by verification method: a DID document's assertion methods, or the
/// log's verifier keys matched by the `#key-<id>` fragment the registry gives its methods.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    by_method: HashMap<String, VerifyingKey>,
    by_fragment: HashMap<String, VerifyingKey>,
}

impl Keys {
    /// The keys of a DID document that may assert credentials.
    pub fn from_did_document(doc: &Value) -> Result<Keys, CheckError> {
        let asserting: Vec<&str> = doc["assertionMethod"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut keys = Keys::default();
        for method in doc["verificationMethod"].as_array().into_iter().flatten() {
            let (Some(id), Some(key)) =
                (method["id"].as_str(), method["publicKeyMultibase"].as_str())
            else {
                continue;
            };
            if asserting.contains(&id) {
                keys.by_method.insert(id.to_owned(), parse_multikey(key)?);
            }
        }
        if keys.by_method.is_empty() {
            return Err(CheckError::Malformed(
                "the DID document lists no key that may assert credentials".into(),
            ));
        }
        Ok(keys)
    }

    /// The log's verifier keys (as `/log/keys` serves them).
    pub fn from_verifiers(verifiers: &[Verifier]) -> Keys {
        let mut keys = Keys::default();
        for v in verifiers {
            keys.by_fragment.insert(did::key_fragment(&v.id), v.key);
        }
        keys
    }

    /// The key of a verification method, if published.
    pub fn key_for(&self, method: &str) -> Option<VerifyingKey> {
        if let Some(key) = self.by_method.get(method) {
            return Some(*key);
        }
        let fragment = method.rsplit_once('#')?.1;
        self.by_fragment.get(fragment).copied()
    }
}

/// What a credential whose proof verifies says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub id: String,
    pub method: String,
    pub certificate: String,
    pub name: String,
    pub valid_from: String,
    pub valid_until: String,
    pub log_index: Option<u64>,
    pub status: Vec<StatusEntry>,
}

/// One `credentialStatus` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub purpose: String,
    pub index: u64,
    pub list: String,
}

fn text(v: &Value, what: &str) -> Result<String, CheckError> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| CheckError::Malformed(format!("the credential has no {what}")))
}

/// Checks the proof of a credential and reads what it says.
pub fn check_credential(doc: &Value, keys: &Keys) -> Result<Credential, CheckError> {
    let method = data_integrity::verify(doc, |m| keys.key_for(m))?;
    let entries = match &doc["credentialStatus"] {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    };
    let status = entries
        .iter()
        .map(|e| {
            Ok(StatusEntry {
                purpose: text(&e["statusPurpose"], "statusPurpose")?,
                index: text(&e["statusListIndex"], "statusListIndex")?
                    .parse()
                    .map_err(|_| {
                        CheckError::Malformed("a statusListIndex is not a number".into())
                    })?,
                list: text(&e["statusListCredential"], "statusListCredential")?,
            })
        })
        .collect::<Result<Vec<_>, CheckError>>()?;
    Ok(Credential {
        id: text(&doc["id"], "id")?,
        method,
        certificate: text(
            &doc["credentialSubject"]["certificate"]["number"],
            "certificate number",
        )?,
        name: text(&doc["name"], "name")?,
        valid_from: text(&doc["validFrom"], "validFrom")?,
        valid_until: text(&doc["validUntil"], "validUntil")?,
        log_index: doc["logIndex"].as_u64(),
        status,
    })
}

/// Whether `now` (an RFC 3339 time) lies in the credential's validity period.
pub fn in_validity(
    credential: &Credential,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, CheckError> {
    let parse = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .map_err(|_| CheckError::Malformed(format!("{s:?} is not a date-time")))
    };
    Ok(parse(&credential.valid_from)? <= now && now <= parse(&credential.valid_until)?)
}

/// Checks a status list credential for `entry` (its proof, that it is the list named, its
/// purpose) and returns whether the entry's bit is set.
pub fn check_status(list: &Value, entry: &StatusEntry, keys: &Keys) -> Result<bool, CheckError> {
    data_integrity::verify(list, |m| keys.key_for(m))?;
    if list["id"].as_str() != Some(entry.list.as_str()) {
        return Err(CheckError::WrongList(
            list["id"].as_str().unwrap_or("(no id)").to_owned(),
        ));
    }
    let subject = &list["credentialSubject"];
    if subject["statusPurpose"].as_str() != Some(entry.purpose.as_str()) {
        return Err(CheckError::Malformed(format!(
            "the list at {} is not a {} list",
            entry.list, entry.purpose
        )));
    }
    let bits = status_list::decode(&text(&subject["encodedList"], "encodedList")?)?;
    status_list::is_set(&bits, entry.index)
        .ok_or_else(|| CheckError::Malformed(format!("entry {} is beyond the list", entry.index)))
}

/// Checks a C2SP tlog-proof of the entry at `index` (its bytes `entry`) against the log's
/// keys: the checkpoint is signed, the proof leads from the entry to its root, and the entry
/// names `certificate`. Returns the checkpoint's size.
pub fn check_log_proof(
    proof: &str,
    entry: &[u8],
    index: u64,
    certificate: &str,
    log_keys: &[Verifier],
) -> Result<u64, CheckError> {
    let bad = |why: &str| CheckError::LogProof(why.to_owned());
    let (head, checkpoint) = proof
        .split_once("\n\n")
        .ok_or_else(|| bad("no checkpoint"))?;
    let mut lines = head.lines();
    if lines.next() != Some("c2sp.org/tlog-proof@v1") {
        return Err(bad("not a c2sp.org/tlog-proof@v1"));
    }
    let mut line = lines.next();
    if line.is_some_and(|l| l.starts_with("extra ")) {
        line = lines.next();
    }
    if line != Some(format!("index {index}").as_str()) {
        return Err(bad("the proof is of another entry"));
    }
    let hashes = lines
        .map(|l| {
            B64.decode(l)
                .ok()
                .and_then(|h| <Hash>::try_from(h.as_slice()).ok())
                .ok_or_else(|| bad("a proof line is not a hash"))
        })
        .collect::<Result<Vec<Hash>, CheckError>>()?;
    let (body, _) = note::open(checkpoint, log_keys)
        .map_err(|e| CheckError::LogProof(format!("the checkpoint: {e}")))?;
    let checkpoint = Checkpoint::parse(&body)
        .map_err(|e| CheckError::LogProof(format!("the checkpoint: {e}")))?;
    merkle::verify_inclusion(
        &merkle::leaf_hash(entry),
        index,
        checkpoint.size,
        &hashes,
        &checkpoint.root,
    )
    .map_err(|e| CheckError::LogProof(e.to_string()))?;
    let parsed = LogEntry::parse(entry).map_err(|e| CheckError::LogProof(e.to_string()))?;
    if parsed.certificate != certificate || parsed.index != index {
        return Err(bad("the entry is of another certificate"));
    }
    Ok(checkpoint.size)
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
