//! Host names of certified platforms: parsing whatever a person pastes (URL, IDN, full-width dots)
//! into one normalised ASCII form, and matching a host against the domains a certificate covers.

use std::fmt;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use thiserror::Error;

use super::search_text::is_cjk;

/// Longest input accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 2000;
/// Longest label, in ASCII characters.
pub const MAX_LABEL_LEN: usize = 63;
/// Longest name, in ASCII characters (without a trailing dot).
pub const MAX_NAME_LEN: usize = 253;

/// Dots that separate labels: ASCII, ideographic, full-width and half-width ideographic.
const DOTS: [char; 4] = ['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'];

/// Why an input is not an acceptable host name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HostnameError {
    /// Nothing but whitespace, scheme or path.
    #[error("no host name was given")]
    Empty,
    /// More than 2,000 bytes.
    #[error("the input is too long (at most {MAX_INPUT_BYTES} bytes)")]
    InputTooLong,
    /// An IPv4 or IPv6 address, or a name ending in a number.
    #[error("IP addresses are not accepted: enter a domain name such as jd.com")]
    IpAddress,
    /// A single label such as "localhost".
    #[error("a domain name needs at least two parts separated by a dot, such as jd.com")]
    NotQualified,
    /// Two dots in a row, or a dot at the start.
    #[error("the host name has an empty part between dots")]
    EmptyLabel,
    /// A label over 63 characters.
    #[error("a part of the host name is longer than {MAX_LABEL_LEN} characters")]
    LabelTooLong,
    /// A name over 253 characters.
    #[error("the host name is longer than {MAX_NAME_LEN} characters")]
    NameTooLong,
    /// A character that a host name cannot contain.
    #[error("the host name contains a character that is not allowed: {0:?}")]
    InvalidCharacter(char),
    /// A label that starts or ends with a hyphen.
    #[error("a part of the host name starts or ends with a hyphen")]
    BadHyphen,
    /// A port that is not a number.
    #[error("the port after ':' is not a number")]
    InvalidPort,
    /// Rejected by IDNA processing (bad Unicode or bad punycode).
    #[error("the host name is not a valid internationalised domain name")]
    InvalidIdn,
}

/// A host name in normalised ASCII form: lower case, punycode for internationalised labels,
/// no trailing dot, no leading `www.`, no scheme, userinfo, port or path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hostname(String);

/// Whether `s` starts with a URL scheme followed by "://" and where the rest begins.
fn after_scheme(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix("//") {
        return rest;
    }
    if let Some(idx) = s.find("://") {
        let scheme = &s[..idx];
        let mut chars = scheme.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if valid {
            return &s[idx + 3..];
        }
    }
    s
}

/// The host part of an input: without scheme, path, query, fragment, userinfo and port.
fn host_part(input: &str) -> Result<&str, HostnameError> {
    let rest = after_scheme(input.trim());
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    if host_port.starts_with('[') || host_port.matches(':').count() > 1 {
        return Err(HostnameError::IpAddress);
    }
    match host_port.split_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => Ok(host),
        Some(_) => Err(HostnameError::InvalidPort),
        None => Ok(host_port),
    }
}

/// Checks an ASCII name label by label.
fn check_ascii(name: &str) -> Result<(), HostnameError> {
    if name.len() > MAX_NAME_LEN {
        return Err(HostnameError::NameTooLong);
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(HostnameError::EmptyLabel);
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(HostnameError::LabelTooLong);
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(HostnameError::InvalidCharacter(c));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(HostnameError::BadHyphen);
        }
    }
    Ok(())
}

impl Hostname {
    /// Parses a host name from a bare host, a host with port or path, or a full URL, in any case,
    /// with Unicode (IDN) or punycode labels and ASCII or full-width dots.
    pub fn parse(input: &str) -> Result<Hostname, HostnameError> {
        if input.len() > MAX_INPUT_BYTES {
            return Err(HostnameError::InputTooLong);
        }
        let host: String = host_part(input)?
            .chars()
            .map(|c| if DOTS.contains(&c) { '.' } else { c })
            .collect();
        let host = host.strip_suffix('.').unwrap_or(&host);
        if host.is_empty() {
            return Err(HostnameError::Empty);
        }
        if host.split('.').any(str::is_empty) {
            return Err(HostnameError::EmptyLabel);
        }
        if let Some(c) = host
            .chars()
            .find(|c| c.is_ascii() && !c.is_ascii_alphanumeric() && !matches!(c, '.' | '-'))
        {
            return Err(HostnameError::InvalidCharacter(c));
        }
        if matches!(
            url::Host::parse(host),
            Ok(url::Host::Ipv4(_) | url::Host::Ipv6(_)) | Err(url::ParseError::InvalidIpv4Address)
        ) {
            return Err(HostnameError::IpAddress);
        }
        if host.is_ascii() {
            // Precise errors for plain ASCII input; IDNA below reports Unicode problems.
            check_ascii(&host.to_ascii_lowercase())?;
        }
        let ascii = Uts46::new()
            .to_ascii(
                host.as_bytes(),
                AsciiDenyList::STD3,
                Hyphens::CheckFirstLast,
                DnsLength::Ignore,
            )
            .map_err(|_| HostnameError::InvalidIdn)?;
        check_ascii(&ascii)?;
        let mut name: &str = &ascii;
        if name
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(HostnameError::IpAddress);
        }
        while let Some(rest) = name.strip_prefix("www.") {
            if !rest.contains('.') {
                break;
            }
            name = rest;
        }
        if !name.contains('.') {
            return Err(HostnameError::NotQualified);
        }
        Ok(Hostname(name.to_string()))
    }

    /// The normalised ASCII (punycode) form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A form for display: labels written only in ASCII and CJK scripts are shown in Unicode
    /// ("例子.中国"); labels in other scripts stay in punycode, so that look-alike letters
    /// (such as Cyrillic "а" for Latin "a") cannot pass for a familiar name.
    pub fn to_unicode(&self) -> String {
        let (out, result) = Uts46::new().to_user_interface(
            self.0.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Allow,
            |label, _, _| label.iter().all(|c| c.is_ascii() || is_cjk(*c)),
        );
        match result {
            Ok(()) => out.into_owned(),
            Err(_) => self.0.clone(),
        }
    }

    /// Names to look up for this host, most specific first: itself, then each parent domain that
    /// still has at least two labels ("a.b.jd.com" → "a.b.jd.com", "b.jd.com", "jd.com").
    pub fn lookup_candidates(&self) -> Vec<String> {
        let labels: Vec<&str> = self.0.split('.').collect();
        (0..labels.len().saturating_sub(1))
            .map(|i| labels[i..].join("."))
            .collect()
    }

    /// Whether this host is `bound` itself or one of its subdomains.
    pub fn is_same_or_subdomain_of(&self, bound: &Hostname) -> bool {
        self.0 == bound.0
            || self
                .0
                .strip_suffix(bound.0.as_str())
                .is_some_and(|head| head.ends_with('.'))
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Cheap test for a search box: does the input look like a host name rather than a company name?
/// True when the trimmed input contains "://", or has no whitespace and a dot (ASCII or full-width)
/// between two non-empty parts — and, either way, parses as a [`Hostname`].
pub fn looks_like_host(input: &str) -> bool {
    let s = input.trim();
    let shaped = s.contains("://")
        || (!s.chars().any(char::is_whitespace)
            && s.char_indices()
                .any(|(i, c)| DOTS.contains(&c) && i > 0 && i + c.len_utf8() < s.len()));
    shaped && Hostname::parse(s).is_ok()
}

#[cfg(test)]
mod tests;
