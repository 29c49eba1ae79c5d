//! The signed token of a public form (the report form): when the form was served, a nonce, and
//! an HMAC over both under the session secret. A submission must bring back a token this
//! deployment issued, no sooner than a person could fill the form and no later than a day
//! after: bots that post without loading the form, or post within a second of loading it,
//! are turned away without a captcha.

use chrono::{DateTime, Utc};

use crate::config::SessionSecret;

/// Seconds a person needs at least to fill the form.
pub const MIN_FILL_SECS: i64 = 3;
/// Seconds a served form stays good for.
pub const MAX_AGE_SECS: i64 = 24 * 3600;

/// What a submitted token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Good,
    /// Sent back sooner than [`MIN_FILL_SECS`] after the form was served.
    TooFast,
    /// Older than [`MAX_AGE_SECS`] (or from the future).
    Expired,
    /// Missing, malformed, or not signed by this deployment.
    Forged,
}

fn signed_part(purpose: &str, issued: i64, nonce: &str) -> String {
    format!("{purpose}|{issued}|{nonce}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A token for a form of `purpose` served at `now`.
pub fn issue(secret: &SessionSecret, purpose: &str, now: DateTime<Utc>) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let (issued, nonce) = (now.timestamp(), hex(&nonce));
    let tag = secret.sign(signed_part(purpose, issued, &nonce).as_bytes());
    format!("{issued}.{nonce}.{}", hex(&tag))
}

/// Checks a token sent back with a form of `purpose` at `now`.
pub fn check(secret: &SessionSecret, purpose: &str, token: &str, now: DateTime<Utc>) -> TokenCheck {
    let mut parts = token.trim().splitn(3, '.');
    let (Some(issued), Some(nonce), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
        return TokenCheck::Forged;
    };
    let (Ok(issued_at), Some(tag)) = (issued.parse::<i64>(), unhex(tag)) else {
        return TokenCheck::Forged;
    };
    let canonical = nonce.len() == 24 && nonce.bytes().all(|b| b.is_ascii_hexdigit());
    if !canonical || !secret.verify(signed_part(purpose, issued_at, nonce).as_bytes(), &tag) {
        return TokenCheck::Forged;
    }
    let age = now.timestamp() - issued_at;
    if !(0..=MAX_AGE_SECS).contains(&age) {
        TokenCheck::Expired
    } else if age < MIN_FILL_SECS {
        TokenCheck::TooFast
    } else {
        TokenCheck::Good
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn secret(byte: &str) -> SessionSecret {
        SessionSecret::from_hex(&byte.repeat(64)).expect("key")
    }

    #[test]
    fn a_token_is_good_from_the_minimum_fill_time_to_a_day() {
        let key = secret("5e");
        let served = Utc
            .with_ymd_and_hms(2026, 12, 8, 9, 0, 0)
            .single()
            .expect("time");
        let token = issue(&key, "report", served);
        let at = |secs: i64| check(&key, "report", &token, served + Duration::seconds(secs));
        assert_eq!(at(0), TokenCheck::TooFast);
        assert_eq!(at(MIN_FILL_SECS - 1), TokenCheck::TooFast);
        assert_eq!(at(MIN_FILL_SECS), TokenCheck::Good);
        assert_eq!(at(MAX_AGE_SECS), TokenCheck::Good);
        assert_eq!(at(MAX_AGE_SECS + 1), TokenCheck::Expired);
        assert_eq!(at(-60), TokenCheck::Expired, "from the future");
    }

    #[test]
    fn a_token_is_bound_to_its_key_purpose_and_time() {
        let key = secret("5e");
        let served = Utc
            .with_ymd_and_hms(2026, 12, 8, 9, 0, 0)
            .single()
            .expect("time");
        let later = served + Duration::seconds(60);
        let token = issue(&key, "report", served);
        assert_ne!(
            token,
            issue(&key, "report", served),
            "a fresh nonce each time"
        );
        assert_eq!(
            check(&secret("a7"), "report", &token, later),
            TokenCheck::Forged
        );
        assert_eq!(check(&key, "other-form", &token, later), TokenCheck::Forged);
        // Moving the time back to look older than it is breaks the signature.
        let (issued, rest) = token.split_once('.').expect("parts");
        let older = format!("{}.{rest}", issued.parse::<i64>().expect("secs") - 3600);
        assert_eq!(check(&key, "report", &older, later), TokenCheck::Forged);
        for junk in ["", "1.2", "x.y.z", "1.abc.zz", &token[..token.len() - 2]] {
            assert_eq!(
                check(&key, "report", junk, later),
                TokenCheck::Forged,
                "{junk}"
            );
        }
    }
}
