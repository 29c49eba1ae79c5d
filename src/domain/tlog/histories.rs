//! The history download (`/downloads/sqe-registry-history.jsonl`): every certificate's public
//! history — what its verification page and API item show — with the log index of each event;
//! and its comparison with the log's entries, both ways, for `log verify`: each event of the
//! history is the entry at its index, and each event entry the file covers is in a history.
//!
//! The file's first line is a header naming the log size it covers (read before its first
//! certificate: every entry below it is in the file; later ones may be). The comparison keeps
//! 16 bytes per event (its index and a digest of its public fields) and walks them in index
//! order beside the entries as they stream, so a log of millions of entries is checked in
//! ~100 MB.

use std::io::BufRead;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::entry::{LogEntry, LogKind};

/// The `format` named in the header line.
pub const FORMAT: &str = "sqe-registry-history";
/// The format version this code writes and reads.
pub const VERSION: u32 = 1;

/// The first line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// Every entry below this index is covered by the file.
    pub log_size: u64,
}

/// One line after the header: a certificate and its history, oldest event first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateHistory {
    pub number: String,
    pub history: Vec<HistoryEvent>,
}

/// One event as the verification page shows it, with its entry's index in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEvent {
    /// `null` if the event has no entry (which `log verify` reports).
    pub log_index: Option<u64>,
    pub kind: String,
    /// `YYYY-MM-DD` (Beijing).
    pub date: String,
    pub stars_before: Option<u8>,
    pub stars_after: Option<u8>,
    pub reason_zh: Option<String>,
    pub reason_en: Option<String>,
}

/// Why a history file and the log disagree, or the file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("the history file: {0}")]
    Malformed(String),
    #[error("the history of {certificate} shows a {kind} event of {date} that has no log entry")]
    Unlogged {
        certificate: String,
        kind: String,
        date: String,
    },
    #[error("two events of the history file claim log entry {0}")]
    Duplicate(u64),
    #[error("the history of {certificate} differs from log entry {index}")]
    Differs { index: u64, certificate: String },
    #[error("log entry {index} ({certificate}) is in no certificate's history")]
    Missing { index: u64, certificate: String },
}

/// A digest of an event's public fields (empty reasons count as none, as the page shows them).
fn digest(
    certificate: &str,
    kind: &str,
    date: &str,
    before: Option<u8>,
    after: Option<u8>,
    reason_zh: Option<&str>,
    reason_en: Option<&str>,
) -> u64 {
    let fields = (
        certificate,
        kind,
        date,
        before,
        after,
        reason_zh.filter(|r| !r.is_empty()),
        reason_en.filter(|r| !r.is_empty()),
    );
    let bytes = serde_json::to_vec(&fields).unwrap_or_default();
    let hash = Sha256::digest(&bytes);
    u64::from_be_bytes(hash[..8].try_into().unwrap_or_default())
}

fn entry_digest(entry: &LogEntry) -> u64 {
    digest(
        &entry.certificate,
        &entry.kind,
        &entry.date,
        entry.grade_before,
        entry.grade_after,
        entry.reason_zh.as_deref(),
        entry.reason_en.as_deref(),
    )
}

/// What a history file claims, ready to be compared with the entries in index order.
#[derive(Debug, Clone)]
pub struct Claims {
    /// The header's log size.
    pub log_size: u64,
    /// (log index, digest), sorted by index.
    claims: Vec<(u64, u64)>,
    next: usize,
    pub certificates: u64,
    /// Events compared with their entries so far.
    pub compared: u64,
}

impl Claims {
    /// Reads a history file (decompressed), line by line.
    pub fn read(mut reader: impl BufRead) -> Result<Claims, HistoryError> {
        let malformed = |line: u64, e: String| HistoryError::Malformed(format!("line {line}: {e}"));
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| malformed(1, e.to_string()))?;
        let header: Header =
            serde_json::from_str(&line).map_err(|e| malformed(1, e.to_string()))?;
        if header.format != FORMAT || header.version != VERSION {
            return Err(malformed(1, "not a history file of this version".into()));
        }
        let mut claims = Vec::new();
        let mut certificates = 0;
        for number in 2.. {
            line.clear();
            let read = reader
                .read_line(&mut line)
                .map_err(|e| malformed(number, e.to_string()))?;
            if read == 0 {
                break;
            }
            let c: CertificateHistory =
                serde_json::from_str(&line).map_err(|e| malformed(number, e.to_string()))?;
            certificates += 1;
            for e in c.history {
                let Some(index) = e.log_index else {
                    return Err(HistoryError::Unlogged {
                        certificate: c.number,
                        kind: e.kind,
                        date: e.date,
                    });
                };
                let d = digest(
                    &c.number,
                    &e.kind,
                    &e.date,
                    e.stars_before,
                    e.stars_after,
                    e.reason_zh.as_deref(),
                    e.reason_en.as_deref(),
                );
                claims.push((index, d));
            }
        }
        claims.sort_unstable();
        if let Some(w) = claims.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(HistoryError::Duplicate(w[0].0));
        }
        Ok(Claims {
            log_size: header.log_size,
            claims,
            next: 0,
            certificates,
            compared: 0,
        })
    }

    /// Compares the entry at `index`; every entry of the log must come, in index order, so
    /// every claim below the log's size meets its entry. If an event claims the entry, they
    /// must agree; an event entry the file covers must be claimed. Claims beyond the log are
    /// events newer than its checkpoint.
    pub fn entry(&mut self, index: u64, entry: &LogEntry) -> Result<(), HistoryError> {
        while self.claims.get(self.next).is_some_and(|c| c.0 < index) {
            self.next += 1;
        }
        match self.claims.get(self.next) {
            Some(&(claimed, d)) if claimed == index => {
                self.next += 1;
                self.compared += 1;
                if d == entry_digest(entry) {
                    Ok(())
                } else {
                    Err(HistoryError::Differs {
                        index,
                        certificate: entry.certificate.clone(),
                    })
                }
            }
            _ if index < self.log_size
                && matches!(LogKind::parse(&entry.kind), Some(LogKind::Event(_))) =>
            {
                Err(HistoryError::Missing {
                    index,
                    certificate: entry.certificate.clone(),
                })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
#[path = "histories_tests.rs"]
mod tests;
