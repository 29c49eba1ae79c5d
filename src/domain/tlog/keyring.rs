//! The log's published verifier keys and the period each signed in, so that a key can be
//! rotated and the old one stays published (checkpoints kept by verifiers and witnesses were
//! signed with it). Written by the operator as a plain-text file (`SQE_LOG_KEYS_FILE`), one key
//! per line — `<verifier key> <from YYYY-MM-DD> [<until YYYY-MM-DD>]` — with `#` comments; served
//! at `/log/keys` as the verifier keys each under a comment giving its period, so that
//! `grep -v '^#'` still yields the bare keys.

use chrono::NaiveDate;

use super::note::Verifier;

/// A published key and its period (`None`: since the log began / still in use).
#[derive(Debug, Clone)]
pub struct PublishedKey {
    pub verifier: Verifier,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Why a keys file is refused (with its line number, 1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("line {0}: expected `<verifier key> <from YYYY-MM-DD> [<until YYYY-MM-DD>]`")]
    Shape(usize),
    #[error("line {line}: {why}")]
    Key { line: usize, why: String },
    #[error("line {0}: not a date (YYYY-MM-DD)")]
    Date(usize),
    #[error("line {0}: the period ends before it begins")]
    Period(usize),
    #[error("line {0}: the key is listed twice")]
    Twice(usize),
    #[error("the file lists no key")]
    Empty,
}

impl PublishedKey {
    /// The key as `name+hash+key`.
    pub fn vkey(&self) -> String {
        self.verifier.vkey()
    }

    /// Whether the key has been retired by `today` (its period ended before).
    pub fn retired(&self, today: NaiveDate) -> bool {
        self.until.is_some_and(|until| until < today)
    }

    /// The period in words, for `/log/keys` and the README (`2026-01-01 – 2026-11-30`).
    pub fn period(&self) -> String {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        format!(
            "{} – {}",
            day(self.from).unwrap_or_else(|| "the log's start".into()),
            day(self.until).unwrap_or_else(|| "now".into())
        )
    }
}

/// Parses a keys file; keys come out newest first (by the start of their period).
pub fn parse(text: &str) -> Result<Vec<PublishedKey>, KeyringError> {
    let mut keys: Vec<PublishedKey> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (vkey, from, until) = match fields[..] {
            [vkey, from] => (vkey, from, None),
            [vkey, from, until] => (vkey, from, Some(until)),
            _ => return Err(KeyringError::Shape(n)),
        };
        let verifier = Verifier::parse(vkey).map_err(|e| KeyringError::Key {
            line: n,
            why: e.to_string(),
        })?;
        let date =
            |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| KeyringError::Date(n));
        let from = date(from)?;
        let until = until.map(date).transpose()?;
        if until.is_some_and(|u| u < from) {
            return Err(KeyringError::Period(n));
        }
        if keys.iter().any(|k| k.vkey() == verifier.vkey()) {
            return Err(KeyringError::Twice(n));
        }
        keys.push(PublishedKey {
            verifier,
            from: Some(from),
            until,
        });
    }
    if keys.is_empty() {
        return Err(KeyringError::Empty);
    }
    keys.sort_by_key(|k| std::cmp::Reverse(k.from));
    Ok(keys)
}

/// The bare keys of a text as [`to_text`] writes it (`/log/keys`): its lines, trimmed, without
/// the comments and blank lines — what a client pins.
pub fn bare_keys(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// `/log/keys`: each key under a comment naming its period and whether it is retired.
pub fn to_text(keys: &[PublishedKey], today: NaiveDate, demo: bool) -> String {
    let mut out = String::from(
        "# SQE Registry transparency log: the keys that sign its checkpoints (C2SP signed-note\n\
         # verifier keys, Ed25519), newest first, each under its period. Lines starting with #\n\
         # are comments. A retired key signed the checkpoints of its period and no later ones.\n",
    );
    if demo {
        out.push_str(
            "# DEMO REGISTRY: this key is published with the source code; anyone can sign\n\
             # with it. A real registry's key is its own secret.\n",
        );
    }
    for key in keys {
        let state = if key.retired(today) {
            "retired"
        } else {
            "in use"
        };
        out.push_str(&format!("# {}: {state}\n{}\n", key.period(), key.vkey()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tlog::note::{NoteSigner, TYPE_ED25519};

    fn vkey(seed: u8) -> String {
        NoteSigner::from_seed("registry.example/log", TYPE_ED25519, [seed; 32])
            .expect("key")
            .verifier()
            .vkey()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_rotated_key_stays_published_with_its_period() {
        let text = format!(
            "# keys\n{} 2025-01-01 2026-11-30\n\n{} 2026-12-01\n",
            vkey(1),
            vkey(2)
        );
        let keys = parse(&text).expect("parsed");
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].vkey(), vkey(2), "newest first");
        assert_eq!(keys[1].until, Some(day("2026-11-30")));
        assert!(keys[1].retired(day("2026-12-01")));
        assert!(!keys[1].retired(day("2026-11-30")));
        assert!(!keys[0].retired(day("2030-01-01")));
        let served = to_text(&keys, day("2026-12-07"), false);
        let bare: Vec<&str> = served.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(bare, [vkey(2), vkey(1)]);
        assert!(served.contains("# 2026-12-01 – now: in use\n"), "{served}");
        assert!(
            served.contains("# 2025-01-01 – 2026-11-30: retired\n"),
            "{served}"
        );
        assert!(!served.contains("DEMO"));
        assert!(to_text(&keys, day("2026-12-07"), true).contains("DEMO REGISTRY"));
    }

    #[test]
    fn malformed_files_are_refused_with_the_line() {
        let k = vkey(1);
        let cases = [
            (String::new(), KeyringError::Empty),
            ("# only a comment\n".into(), KeyringError::Empty),
            (k.clone(), KeyringError::Shape(1)),
            (
                format!("{k} 2026-01-01 2026-02-01 extra"),
                KeyringError::Shape(1),
            ),
            (format!("\n{k} 2026-13-01"), KeyringError::Date(2)),
            (
                format!("{k} 2026-02-01 2026-01-01"),
                KeyringError::Period(1),
            ),
            (
                format!("{k} 2026-01-01\n{k} 2026-02-01"),
                KeyringError::Twice(2),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(&text).map(|_| ()), Err(expected), "{text:?}");
        }
        assert!(matches!(
            parse("registry.example/log+00000000+AQ== 2026-01-01"),
            Err(KeyringError::Key { line: 1, .. })
        ));
    }
}
