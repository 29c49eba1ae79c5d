//! Requests the server itself makes (to the witnesses it is configured with): only to URLs an
//! operator configured, never through a proxy, never following redirects, and never to a
//! private, loopback, link-local or otherwise non-public address — checked on the addresses a
//! name resolves to at connection time, so a DNS answer that changes later cannot reach inside.
//! Loopback is allowed only by an explicit setting (a witness on the same machine, tests).
//!
//! Built on ureq's resolver hook (`ureq::unversioned`, pinned by Cargo.lock): the one place a
//! ureq client learns the addresses it will connect to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// Whether a request may go to `ip`.
pub fn allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => allowed_v4(v4, allow_loopback),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => allowed_v4(v4, allow_loopback),
            None => allowed_v6(v6, allow_loopback),
        },
    }
}

fn allowed_v4(ip: Ipv4Addr, allow_loopback: bool) -> bool {
    if ip.is_loopback() {
        return allow_loopback;
    }
    let [a, b, c, _] = ip.octets();
    let non_public = ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10 shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24 protocol assignments; 192.88.99.0/24 6to4 relays; 198.18.0.0/15
        // benchmarking; 240.0.0.0/4 reserved.
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 88 && c == 99)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240;
    !non_public
}

fn allowed_v6(ip: Ipv6Addr, allow_loopback: bool) -> bool {
    if ip.is_loopback() {
        return allow_loopback;
    }
    let [first, second, ..] = ip.segments();
    let non_public = ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        // 2001::/32 Teredo and 2002::/16 6to4 tunnel to any IPv4 address; 2001:db8::/32
        // documentation.
        || (first == 0x2001 && (second == 0 || second == 0x0db8))
        || first == 0x2002
        // 64:ff9b::/96 and 64:ff9b:1::/48 NAT64 could reach any IPv4 address.
        || first == 0x0064
        // ::/96 IPv4-compatible (deprecated) and other addresses in ::/8.
        || first == 0;
    !non_public
}

/// A resolver that keeps only the addresses a request may go to.
#[derive(Debug)]
struct PublicOnly {
    inner: DefaultResolver,
    allow_loopback: bool,
}

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let found = self.inner.resolve(uri, config, timeout)?;
        let mut kept = self.empty();
        for addr in found
            .iter()
            .filter(|a| allowed(a.ip(), self.allow_loopback))
        {
            kept.push(*addr);
        }
        if kept.is_empty() {
            tracing::warn!(host = ?uri.host(), "outbound request refused: not a public address");
            return Err(ureq::Error::HostNotFound);
        }
        Ok(kept)
    }
}

/// A client for outbound requests: `timeout` for the whole request, no proxy, no redirects,
/// statuses returned as responses.
pub fn agent(timeout: Duration, allow_loopback: bool, user_agent: &str) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .proxy(None)
        .http_status_as_error(false)
        .user_agent(user_agent)
        .build();
    ureq::Agent::with_parts(
        config,
        DefaultConnector::new(),
        PublicOnly {
            inner: DefaultResolver::default(),
            allow_loopback,
        },
    )
}

/// GETs `url` with `agent` and reads at most `max` bytes of a 200 answer: None for a 404, an
/// error for any other status, a failure or a longer body (the clients that read another
/// registry's log or credentials).
pub fn get_bounded(agent: &ureq::Agent, url: &str, max: u64) -> Result<Option<Vec<u8>>, String> {
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    match response.status().as_u16() {
        200 => response
            .body_mut()
            .with_config()
            .limit(max)
            .read_to_vec()
            .map(Some)
            .map_err(|e| e.to_string()),
        404 => Ok(None),
        other => Err(format!("HTTP status {other}")),
    }
}

/// Whether `url` is one the server may be configured to call: http(s), with a host.
pub fn check_url(url: &str) -> Result<url::Url, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("{url:?} is not an http(s) URL with a host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!("{url:?}: no credentials in URLs"));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_reachable() {
        for public in ["1.1.1.1", "223.5.5.5", "2400:3200::1", "::ffff:8.8.8.8"] {
            assert!(allowed(public.parse().expect("ip"), false), "{public}");
        }
        for inside in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "192.0.2.1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::",
            "ff02::1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "2001:0:4136:e378::1",
            "2002:a00:1::1",
            "fec0::1",
            "192.88.99.1",
        ] {
            assert!(!allowed(inside.parse().expect("ip"), false), "{inside}");
            assert!(!allowed(inside.parse().expect("ip"), true), "{inside}");
        }
        for lo in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            assert!(!allowed(lo.parse().expect("ip"), false), "{lo}");
            assert!(allowed(lo.parse().expect("ip"), true), "{lo}");
        }
    }

    #[test]
    fn a_request_to_a_loopback_address_is_refused_before_connecting() {
        // A listener that answers every connection: the refusal must come from the resolver
        // (an address literal needs no DNS), and the same request is answered with the setting.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://127.0.0.1:{}/",
            listener.local_addr().expect("addr").port()
        );
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            for mut stream in listener.incoming().flatten() {
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
            }
        });
        let refused = agent(Duration::from_secs(2), false, "test")
            .get(&url)
            .call();
        assert!(
            matches!(refused, Err(ureq::Error::HostNotFound)),
            "{refused:?}"
        );
        let allowed = agent(Duration::from_secs(2), true, "test").get(&url).call();
        assert_eq!(allowed.expect("answered").status().as_u16(), 204);
    }

    #[test]
    fn configured_urls_are_http_with_a_host_and_no_credentials() {
        assert!(check_url("https://witness.example/w1").is_ok());
        assert!(check_url("http://127.0.0.1:7380").is_ok());
        for bad in [
            "ftp://x.example/",
            "file:///etc/passwd",
            "https://u:p@x.example/",
            "x",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
