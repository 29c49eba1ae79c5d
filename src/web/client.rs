//! Who the client is, for throttling and logs: its address, and the network that address
//! stands for.
//!
//! The address is the TCP peer's, unless `SQE_TRUST_PROXY=N` says N trusted reverse proxies
//! stand in front of us; then it is the right-most `X-Forwarded-For` address those proxies did
//! not add (each proxy appends the address it received the request from, so the N-th from the
//! right). `Forwarded` and `X-Forwarded-For` are ignored otherwise: a client could write
//! anything there.
//!
//! The network is what limits count by: an IPv4 address on its own (thousands of phones may
//! share one behind a carrier's NAT, so limits are generous), an IPv6 /64 (one subscriber's
//! prefix: counting single IPv6 addresses would let one client take 2^64 of them).

use std::net::{IpAddr, Ipv6Addr};

use actix_web::dev::ServiceRequest;
use actix_web::HttpRequest;

/// The client's address, as [`client_ip`] finds it, in text (`unknown` without a peer).
pub fn client_address(req: &HttpRequest, trusted_proxies: u8) -> String {
    client_ip(req, trusted_proxies).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// The client's address: the peer's, or with `trusted_proxies` N > 0 the N-th address from the
/// right of `X-Forwarded-For` (the left-most when the header has fewer; the peer's when it has
/// none or an entry is not an address).
pub fn client_ip(req: &HttpRequest, trusted_proxies: u8) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    if trusted_proxies == 0 {
        return peer;
    }
    forwarded_client(
        req.headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok()),
        trusted_proxies,
    )
    .or(peer)
}

/// [`client_ip`] of a request in a middleware.
pub fn service_client_ip(req: &ServiceRequest, trusted_proxies: u8) -> Option<IpAddr> {
    client_ip(req.request(), trusted_proxies)
}

/// The address N from the right of the `X-Forwarded-For` values (several header lines count as
/// one list, in order).
fn forwarded_client<'a>(
    values: impl Iterator<Item = &'a str>,
    trusted_proxies: u8,
) -> Option<IpAddr> {
    let entries: Vec<&str> = values
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let n = usize::from(trusted_proxies);
    let index = entries.len().saturating_sub(n);
    entries.get(index).and_then(|e| parse_entry(e))
}

/// One entry: an address, perhaps with a port (`203.0.113.9:5123`, `[2001:db8::1]:443`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip())
}

/// The network an address counts under: an IPv4 address itself (also one mapped into IPv6),
/// an IPv6 address's /64.
pub fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The client's network in text (`203.0.113.9`, `2001:db8:1:2::/64`), or `unknown`.
pub fn client_network(req: &HttpRequest, trusted_proxies: u8) -> String {
    match client_ip(req, trusted_proxies).map(network_of) {
        Some(IpAddr::V6(v6)) => format!("{v6}/64"),
        Some(ip) => ip.to_string(),
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn req(peer: &str, forwarded: &[&str]) -> HttpRequest {
        let mut r = TestRequest::get().peer_addr(peer.parse().expect("peer"));
        for f in forwarded {
            r = r.append_header(("X-Forwarded-For", *f));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_headers_are_ignored_unless_proxies_are_trusted() {
        let r = req("198.51.100.7:4000", &["203.0.113.9"]);
        assert_eq!(client_address(&r, 0), "198.51.100.7");
        let forwarded = TestRequest::get()
            .peer_addr("198.51.100.7:4000".parse().expect("peer"))
            .insert_header(("Forwarded", "for=203.0.113.9"))
            .to_http_request();
        assert_eq!(client_address(&forwarded, 0), "198.51.100.7");
        assert_eq!(
            client_address(&forwarded, 1),
            "198.51.100.7",
            "only X-Forwarded-For"
        );
    }

    #[test]
    fn the_client_is_the_rightmost_address_the_trusted_proxies_did_not_add() {
        // The client forged "1.1.1.1"; our one proxy appended the address it saw.
        let r = req("10.0.0.2:80", &["1.1.1.1, 203.0.113.9"]);
        assert_eq!(client_address(&r, 1), "203.0.113.9");
        // Two proxies (a CDN then ours): the second from the right.
        let r = req("10.0.0.2:80", &["1.1.1.1, 203.0.113.9", "192.0.2.50"]);
        assert_eq!(client_address(&r, 2), "203.0.113.9");
        assert_eq!(client_address(&r, 1), "192.0.2.50");
        // Fewer entries than proxies: the left-most.
        let r = req("10.0.0.2:80", &["203.0.113.9"]);
        assert_eq!(client_address(&r, 3), "203.0.113.9");
        // Ports and brackets.
        let r = req("10.0.0.2:80", &["[2001:db8::1]:443"]);
        assert_eq!(client_address(&r, 1), "2001:db8::1");
        // No header, or garbage: the peer.
        assert_eq!(client_address(&req("10.0.0.2:80", &[]), 1), "10.0.0.2");
        assert_eq!(
            client_address(&req("10.0.0.2:80", &["<script>"]), 1),
            "10.0.0.2"
        );
    }

    #[test]
    fn networks_are_ipv4_addresses_and_ipv6_slash_64s() {
        let r = req("[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:80", &[]);
        assert_eq!(client_network(&r, 0), "2001:db8:1:2::/64");
        let other = req("[2001:db8:1:2::9]:80", &[]);
        assert_eq!(client_network(&other, 0), client_network(&r, 0));
        assert_eq!(client_network(&req("203.0.113.9:1", &[]), 0), "203.0.113.9");
        let mapped = req("[::ffff:203.0.113.9]:1", &[]);
        assert_eq!(client_network(&mapped, 0), "203.0.113.9");
    }
}
