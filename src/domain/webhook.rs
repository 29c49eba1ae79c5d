//! Webhook deliveries (issue 17, §4), the pure part: the thin JSON payload a delivery carries
//! (Standard Webhooks' `type` / `timestamp` / `data` shape), when a failed delivery is tried
//! again (exponential backoff over about three days), what an answer means for the delivery and
//! its endpoint, and which endpoint URLs staff may register.

use std::time::Duration;

use chrono::{NaiveDateTime, SecondsFormat};
use serde_json::{json, Value};

use super::url_path::encode_segment;

/// The kind of a test delivery (the back office's "send a test event").
pub const TEST_KIND: &str = "test";

/// The longest endpoint URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// The most of a receiver's answer that is kept (for the delivery log).
pub const MAX_KEPT_ANSWER: usize = 1024;

/// The pause before each retry: the n-th retry waits `RETRY_PAUSES[n - 1]` after the failed
/// attempt before it. Twelve attempts over 2 days 19.6 hours; the last failure gives up.
pub const RETRY_PAUSES: [Duration; 11] = [
    Duration::from_secs(5),
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(4 * 3600),
    Duration::from_secs(8 * 3600),
    Duration::from_secs(12 * 3600),
    Duration::from_secs(16 * 3600),
    Duration::from_secs(24 * 3600),
];

/// How long an attempt holds its delivery: another instance (or this one after a crash) tries
/// it again only after this.
pub const LEASE: Duration = Duration::from_secs(60);

/// The pause after the `attempts`-th failed attempt, or None when that was the last one.
pub fn retry_pause(attempts: u32) -> Option<Duration> {
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    RETRY_PAUSES.get(index).copied()
}

/// What a delivery states, as queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFacts {
    pub message_id: String,
    /// The log entry's kind (`issued`, `downgraded`, `domains_changed`…) or [`TEST_KIND`].
    pub kind: String,
    /// The history event, when the change has one.
    pub event_id: Option<i32>,
    pub log_index: Option<i64>,
    /// None for a test delivery to a company's endpoint.
    pub certificate_number: Option<String>,
    pub credit_code: String,
    /// The certificate's effective status after the change (`valid`, `suspended`, `expired`…).
    pub status: Option<String>,
    pub stars: Option<i16>,
    /// When the change was committed (UTC).
    pub created_at: NaiveDateTime,
}

/// The payload's `type`: `certificate.<kind>`, or `webhook.test`.
pub fn event_type(kind: &str) -> String {
    if kind == TEST_KIND {
        "webhook.test".to_owned()
    } else {
        format!("certificate.{kind}")
    }
}

/// The JSON body of a delivery: the same bytes at every attempt. URLs are absolute under
/// `public_url` (no trailing slash).
pub fn payload(facts: &DeliveryFacts, public_url: &str) -> String {
    let urls = facts.certificate_number.as_deref().map(|number| {
        let base = format!("{public_url}/certificates/{}", encode_segment(number));
        let mut urls = json!({
            "certificate": base,
            "status": format!("{base}/status.json"),
            "credential": format!("{base}/credential.json"),
        });
        if let Some(index) = facts.log_index {
            urls["logEntry"] = Value::from(format!("{public_url}/log/entries/{index}"));
        }
        urls
    });
    let body = json!({
        "type": event_type(&facts.kind),
        "timestamp": facts.created_at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true),
        "data": {
            "eventId": facts.event_id,
            "certificate": facts.certificate_number,
            "company": facts.credit_code,
            "kind": facts.kind,
            "status": facts.status,
            "stars": facts.stars,
            "logIndex": facts.log_index,
            "urls": urls,
        }
    });
    body.to_string()
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The receiver answered with this HTTP status and (the start of) this body.
    Status(u16, String),
    /// No answer: refused address, connection failure, time-out.
    Unreachable(String),
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Try again after the pause.
    Retry(Duration),
    /// The last attempt failed: the delivery is given up.
    GiveUp,
    /// The receiver said the endpoint is gone (410): it is disabled.
    Gone,
}

/// The verdict on the `attempts`-th attempt (counting this one).
pub fn judge(answer: &Answer, attempts: u32) -> Verdict {
    match answer {
        Answer::Status(status, _) if (200..300).contains(status) => Verdict::Delivered,
        Answer::Status(410, _) => Verdict::Gone,
        _ => retry_pause(attempts).map_or(Verdict::GiveUp, Verdict::Retry),
    }
}

/// Why an endpoint URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("not a URL")]
    NotUrl,
    #[error("longer than {MAX_URL_CHARS} characters")]
    TooLong,
    #[error("only https")]
    NotHttps,
    #[error("no user name or password in the URL")]
    Credentials,
    #[error("not a public address")]
    NotPublic,
}

/// Checks an endpoint URL as staff typed it: https with a host, no credentials or fragment,
/// not an address literal or name that is plainly inside (the sender checks every resolved
/// address again). With `allow_loopback` (tests), `http` to a loopback address is accepted.
/// `allowed_ip` says whether the server may call an address.
pub fn check_endpoint_url(
    text: &str,
    allow_loopback: bool,
    allowed_ip: impl Fn(std::net::IpAddr) -> bool,
) -> Result<url::Url, UrlRefusal> {
    let text = text.trim();
    if text.chars().count() > MAX_URL_CHARS {
        return Err(UrlRefusal::TooLong);
    }
    let mut url = url::Url::parse(text).map_err(|_| UrlRefusal::NotUrl)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Credentials);
    }
    url.set_fragment(None);
    let ip = match url.host() {
        None => return Err(UrlRefusal::NotUrl),
        Some(url::Host::Ipv4(v4)) => Some(std::net::IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(std::net::IpAddr::V6(v6)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            if name == "localhost" || name.ends_with(".localhost") {
                Some(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
            } else {
                None
            }
        }
    };
    if ip.is_some_and(|ip| !allowed_ip(ip)) {
        return Err(UrlRefusal::NotPublic);
    }
    let loopback = ip.is_some_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_loopback && loopback => Ok(url),
        _ => Err(UrlRefusal::NotHttps),
    }
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
