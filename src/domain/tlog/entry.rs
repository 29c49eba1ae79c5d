//! One entry of the transparency log: a public certificate event as RFC 8785 canonical JSON,
//! with integers and strings only (every JCS implementation writes them alike), no personal
//! data (entries are permanent), and the hash of the same certificate's previous entry, so each
//! certificate's history is a chain inside the log.

use serde::{Deserialize, Serialize};

use super::merkle::Hash;
use crate::domain::event::EventKind;

/// The format version written in every entry.
pub const VERSION: u32 = 1;

/// What an entry records: a lifecycle event, or a public change without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogKind {
    Event(EventKind),
    /// The bound domains changed.
    DomainsChanged,
    /// The certified scope (platform, business) changed.
    ScopeChanged,
    /// A misuse of the certificate's mark was confirmed.
    MisuseConfirmed,
}

impl LogKind {
    /// The name written in the entry.
    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::Event(kind) => kind.as_str(),
            LogKind::DomainsChanged => "domains_changed",
            LogKind::ScopeChanged => "scope_changed",
            LogKind::MisuseConfirmed => "misuse_confirmed",
        }
    }

    /// Whether the certificate's credential is issued anew (issue 17): what it states changed
    /// — its grade, its validity, its holder's platform or bound domains.
    pub fn gives_new_credential(self) -> bool {
        matches!(
            self,
            LogKind::Event(
                EventKind::Issued
                    | EventKind::Upgraded
                    | EventKind::Downgraded
                    | EventKind::Renewed
            ) | LogKind::DomainsChanged
                | LogKind::ScopeChanged
        )
    }

    /// The kind of a name written by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<LogKind> {
        match s {
            "domains_changed" => Some(LogKind::DomainsChanged),
            "scope_changed" => Some(LogKind::ScopeChanged),
            "misuse_confirmed" => Some(LogKind::MisuseConfirmed),
            other => EventKind::parse(other).map(LogKind::Event),
        }
    }
}

/// The fields of an entry. Optional fields are left out when absent (never `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub version: u32,
    /// Its position in the log (0-based).
    pub index: u64,
    /// A [`LogKind`] name.
    pub kind: String,
    /// The certificate number.
    pub certificate: String,
    /// The holder's unified social credit code (统一社会信用代码): a company, not a person.
    pub holder: String,
    /// The certified platform's name.
    pub platform: String,
    /// The domains bound to the certificate after the event, sorted.
    pub domains: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade_before: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade_after: Option<u8>,
    /// The date of the event, `YYYY-MM-DD` (Beijing).
    pub date: String,
    /// The public reason, as published on the verification page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_en: Option<String>,
    /// For a confirmed misuse: the site that showed the mark without right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Hex of the leaf hash of this certificate's previous entry (absent for its first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

/// Why bytes are not an entry of this log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("not an entry: {0}")]
    Malformed(String),
    #[error("the entry is not in canonical form (RFC 8785)")]
    NotCanonical,
    #[error("the entry is longer than a tile bundle allows")]
    TooLong,
}

impl LogEntry {
    /// The canonical bytes (RFC 8785) that the log hashes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EntryError> {
        let bytes = serde_json_canonicalizer::to_vec(self)
            .map_err(|e| EntryError::Malformed(e.to_string()))?;
        if bytes.len() > super::tile::MAX_ENTRY {
            return Err(EntryError::TooLong);
        }
        Ok(bytes)
    }

    /// An entry from its bytes, which must be exactly its canonical form.
    pub fn parse(bytes: &[u8]) -> Result<LogEntry, EntryError> {
        let entry: LogEntry =
            serde_json::from_slice(bytes).map_err(|e| EntryError::Malformed(e.to_string()))?;
        if entry.to_bytes()? != bytes {
            return Err(EntryError::NotCanonical);
        }
        Ok(entry)
    }

    /// Whether `previous` names `hash`.
    pub fn follows(&self, hash: Option<&Hash>) -> bool {
        self.previous.as_deref() == hash.map(hex).as_deref()
    }
}

/// Lower-case hex of a hash.
pub fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> LogEntry {
        LogEntry {
            version: VERSION,
            index: 41,
            kind: "downgraded".into(),
            certificate: "SQE-2024-000123".into(),
            holder: "91330100MA2XXXXX0X".into(),
            platform: "优选商城".into(),
            domains: vec!["shop.example.cn".into()],
            grade_before: Some(4),
            grade_after: Some(3),
            date: "2026-12-07".into(),
            reason_zh: Some("监督评价结果".into()),
            reason_en: None,
            site: None,
            previous: Some("ab".repeat(32)),
        }
    }

    #[test]
    fn an_entry_is_canonical_json_with_sorted_keys_and_no_nulls() {
        let bytes = entry().to_bytes().expect("bytes");
        let expected = format!(
            "{{\"certificate\":\"SQE-2024-000123\",\"date\":\"2026-12-07\",\"domains\":[\"shop.example.cn\"],\
             \"grade_after\":3,\"grade_before\":4,\"holder\":\"91330100MA2XXXXX0X\",\"index\":41,\
             \"kind\":\"downgraded\",\"platform\":\"优选商城\",\"previous\":\"{}\",\
             \"reason_zh\":\"监督评价结果\",\"version\":1}}",
            "ab".repeat(32)
        );
        assert_eq!(String::from_utf8(bytes.clone()).expect("utf-8"), expected);
        assert_eq!(LogEntry::parse(&bytes), Ok(entry()));
    }

    #[test]
    fn only_the_canonical_form_parses() {
        let canonical = String::from_utf8(entry().to_bytes().expect("bytes")).expect("utf-8");
        let spaced = canonical.replace(",\"date\"", ", \"date\"");
        assert_eq!(
            LogEntry::parse(spaced.as_bytes()),
            Err(EntryError::NotCanonical)
        );
        let escaped = canonical.replace("优选", "\\u4f18\\u9009");
        assert_eq!(
            LogEntry::parse(escaped.as_bytes()),
            Err(EntryError::NotCanonical)
        );
        let extra = canonical.replace("\"version\":1", "\"version\":1,\"zz\":\"x\"");
        assert!(matches!(
            LogEntry::parse(extra.as_bytes()),
            Err(EntryError::Malformed(_))
        ));
        assert!(LogEntry::parse(b"[]").is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for kind in EventKind::ALL.into_iter().map(LogKind::Event).chain([
            LogKind::DomainsChanged,
            LogKind::ScopeChanged,
            LogKind::MisuseConfirmed,
        ]) {
            assert_eq!(LogKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(LogKind::parse("deleted"), None);
    }
}

#[cfg(test)]
mod rfc8785 {
    /// The canonicalizer against the RFC 8785 author's published input/output pairs.
    #[test]
    fn the_canonicalizer_reproduces_the_published_vectors() {
        let pairs = [
            (
                include_str!("../../../tests/vectors/jcs/arrays.in.json"),
                include_str!("../../../tests/vectors/jcs/arrays.out.json"),
            ),
            (
                include_str!("../../../tests/vectors/jcs/french.in.json"),
                include_str!("../../../tests/vectors/jcs/french.out.json"),
            ),
            (
                include_str!("../../../tests/vectors/jcs/structures.in.json"),
                include_str!("../../../tests/vectors/jcs/structures.out.json"),
            ),
            (
                include_str!("../../../tests/vectors/jcs/unicode.in.json"),
                include_str!("../../../tests/vectors/jcs/unicode.out.json"),
            ),
            (
                include_str!("../../../tests/vectors/jcs/values.in.json"),
                include_str!("../../../tests/vectors/jcs/values.out.json"),
            ),
            (
                include_str!("../../../tests/vectors/jcs/weird.in.json"),
                include_str!("../../../tests/vectors/jcs/weird.out.json"),
            ),
        ];
        for (input, output) in pairs {
            let value: serde_json::Value = serde_json::from_str(input).expect("json");
            assert_eq!(
                serde_json_canonicalizer::to_string(&value).expect("jcs"),
                output
            );
        }
    }
}
