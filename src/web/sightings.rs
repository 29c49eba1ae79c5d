//! Sightings of a mark on hosts it is not bound to, counted in memory on the request path and
//! written to the database in batches (every few seconds, and at shutdown), so recording one
//! costs a badge request a header parse and a short lock, never a database write.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use actix_web::http::header;
use actix_web::HttpRequest;
use chrono::NaiveDateTime;

use crate::db::marks::NewSighting;
use crate::domain::binding::{classify, referring_authority, Origin};
use crate::domain::hostname::Hostname;

/// How often the buffer is written to the database.
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
/// Distinct (certificate, host) pairs kept between writes; more are counted as dropped, so a
/// flood of made-up referrers cannot grow memory without bound.
const MAX_PENDING: usize = 10_000;

/// What binding checks need to know of a certificate, cached next to its badge and page.
#[derive(Debug)]
pub struct MarkBinding {
    pub certificate_id: i32,
    /// Bound domains.
    pub domains: Vec<Hostname>,
    /// Referring hosts already classified, by the raw host part of the header: the hot path
    /// parses each referrer once per certificate, not once per request.
    seen: RwLock<Seen>,
}

/// The classified referrers of one certificate and the bytes they take.
#[derive(Debug, Default)]
struct Seen {
    hosts: HashMap<Box<str>, Option<Arc<str>>>,
    bytes: usize,
}

/// Bytes of referring hosts remembered per certificate (a few dozen hosts): past it, a new
/// host is classified on each request instead of remembered, so made-up referrers cannot grow
/// a cached entry. Counted in the entry's cache weight ([`MarkBinding::weight`]).
const SEEN_BYTES: usize = 8 * 1024;
/// A raw host longer than any valid one (253 characters, a port) is never remembered.
const SEEN_HOST_CHARS: usize = 260;
/// What remembering one host costs besides its text (map slot, boxes, the `Arc`).
const SEEN_OVERHEAD: usize = 64;

impl MarkBinding {
    pub fn new(certificate_id: i32, domains: &[String]) -> MarkBinding {
        MarkBinding {
            certificate_id,
            domains: domains
                .iter()
                .filter_map(|d| Hostname::parse(d).ok())
                .collect(),
            seen: RwLock::default(),
        }
    }

    /// Memory this binding may take at most, for the cache that holds it.
    pub fn weight(&self) -> u64 {
        let domains: usize = self.domains.iter().map(|d| d.as_str().len() + 32).sum();
        (64 + domains + SEEN_BYTES) as u64
    }

    /// The host this request for the mark came from (`Referer`, else `Origin`) when the mark is
    /// not valid there: not one of the bound domains or their subdomains, not this registry,
    /// not a search engine. Normalised ASCII form.
    pub fn foreign_host(&self, req: &HttpRequest, own: &[Hostname]) -> Option<Arc<str>> {
        let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
        let raw = referring_authority(header(header::REFERER), header(header::ORIGIN))?;
        if header(header::HOST).is_some_and(|h| h.eq_ignore_ascii_case(raw)) {
            return None;
        }
        if let Some(known) = self
            .seen
            .read()
            .ok()
            .and_then(|s| s.hosts.get(raw).cloned())
        {
            return known;
        }
        let origin = classify(Hostname::parse(raw).ok(), &self.domains, own);
        let foreign: Option<Arc<str>> = match origin {
            Origin::Foreign(host) => Some(Arc::from(host.as_str())),
            _ => None,
        };
        let cost = SEEN_OVERHEAD + raw.len() + foreign.as_ref().map_or(0, |h| h.len());
        if let Ok(mut seen) = self.seen.write() {
            if raw.len() <= SEEN_HOST_CHARS && seen.bytes + cost <= SEEN_BYTES {
                seen.bytes += cost;
                seen.hosts.insert(raw.into(), foreign.clone());
            }
        }
        foreign
    }
}

/// Client networks remembered per pending sighting (as many as the database keeps).
const NETWORKS_PER_PENDING: usize = 32;

#[derive(Debug, Clone)]
struct Pending {
    first_seen: NaiveDateTime,
    last_seen: NaiveDateTime,
    hits: i64,
    /// Digests of the client networks that reported it ([`network_digest`]).
    networks: Vec<u64>,
}

impl Pending {
    fn add_network(&mut self, network: u64) {
        if self.networks.len() < NETWORKS_PER_PENDING && !self.networks.contains(&network) {
            self.networks.push(network);
        }
    }
}

/// A client network as sightings remember it: a digest keyed with the registry's secret, so the
/// database holds no address (`config::SessionSecret::keyed_digest`).
pub fn network_digest(secret: &crate::config::SessionSecret, network: &str) -> u64 {
    secret.keyed_digest(network.as_bytes())
}

/// Sightings not yet written.
#[derive(Default)]
pub struct SightingBuffer {
    pending: Mutex<HashMap<(i32, Arc<str>), Pending>>,
    dropped: std::sync::atomic::AtomicU64,
}

impl SightingBuffer {
    /// Sightings waiting to be written (one per certificate and host).
    pub fn len(&self) -> usize {
        self.pending.lock().map_or(0, |pending| pending.len())
    }

    /// Counts one sighting of certificate `certificate_id`'s mark on `host`, reported from the
    /// client network with digest `network`.
    pub fn record(&self, certificate_id: i32, host: Arc<str>, network: u64, at: NaiveDateTime) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        let len = pending.len();
        match pending.get_mut(&(certificate_id, host.clone())) {
            Some(p) => {
                p.hits += 1;
                p.last_seen = p.last_seen.max(at);
                p.add_network(network);
            }
            None if len < MAX_PENDING => {
                pending.insert(
                    (certificate_id, host),
                    Pending {
                        first_seen: at,
                        last_seen: at,
                        hits: 1,
                        networks: vec![network],
                    },
                );
            }
            None => {
                self.dropped
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    /// Takes everything counted so far, leaving the buffer empty.
    pub fn drain(&self) -> Vec<NewSighting> {
        let taken = match self.pending.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return Vec::new(),
        };
        let dropped = self.dropped.swap(0, std::sync::atomic::Ordering::Relaxed);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                "sighting buffer full: some sightings were not recorded"
            );
        }
        let mut rows: Vec<NewSighting> = taken
            .into_iter()
            .map(|((certificate_id, host), p)| NewSighting {
                certificate_id,
                host: host.to_string(),
                first_seen: p.first_seen,
                last_seen: p.last_seen,
                hits: p.hits,
                networks: p.networks.iter().map(|n| format!("{n:016x}")).collect(),
            })
            .collect();
        // A stable order keeps concurrent writers from deadlocking on PostgreSQL.
        rows.sort_by(|a, b| (a.certificate_id, &a.host).cmp(&(b.certificate_id, &b.host)));
        rows
    }

    /// Puts rows back after a failed write, so a database hiccup loses nothing.
    pub fn restore(&self, rows: Vec<NewSighting>) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        for row in rows {
            let entry = pending
                .entry((row.certificate_id, Arc::from(row.host.as_str())))
                .or_insert(Pending {
                    first_seen: row.first_seen,
                    last_seen: row.last_seen,
                    hits: 0,
                    networks: Vec::new(),
                });
            entry.hits += row.hits;
            for network in &row.networks {
                if let Ok(n) = u64::from_str_radix(network, 16) {
                    entry.add_network(n);
                }
            }
            entry.first_seen = entry.first_seen.min(row.first_seen);
            entry.last_seen = entry.last_seen.max(row.last_seen);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pending.lock().map(|p| p.is_empty()).unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn foreign_hosts_are_classified_once_and_remembered() {
        let binding = MarkBinding::new(7, &["yunhe.com".to_owned()]);
        let req = |referer: &str| {
            TestRequest::get()
                .insert_header((header::HOST, "registry.example.cn"))
                .insert_header((header::REFERER, referer))
                .to_http_request()
        };
        let own = [Hostname::parse("registry.example.cn").expect("host")];
        for _ in 0..2 {
            assert_eq!(
                binding
                    .foreign_host(&req("https://www.Fake-Shop.com/x"), &own)
                    .as_deref(),
                Some("fake-shop.com")
            );
            assert_eq!(
                binding.foreign_host(&req("https://m.yunhe.com/"), &own),
                None
            );
            assert_eq!(
                binding.foreign_host(&req("http://registry.example.cn/search"), &own),
                None
            );
        }
        assert_eq!(
            binding.seen.read().map(|s| s.hosts.len()).unwrap_or(0),
            2,
            "the Host header short-circuits"
        );
    }

    #[test]
    fn made_up_referrers_cannot_grow_a_binding() {
        let binding = MarkBinding::new(7, &["yunhe.com".to_owned()]);
        let own = [Hostname::parse("registry.example.cn").expect("host")];
        for i in 0..2_000 {
            let referer = format!("https://shop{i}-{}.example.com/", "x".repeat(40));
            let req = TestRequest::get()
                .insert_header((header::REFERER, referer.as_str()))
                .to_http_request();
            // Still classified, remembered or not.
            assert!(binding.foreign_host(&req, &own).is_some());
        }
        let long = format!("https://{}.com/", "a".repeat(900));
        let req = TestRequest::get()
            .insert_header((header::REFERER, long.as_str()))
            .to_http_request();
        let _ = binding.foreign_host(&req, &own);
        let seen = binding.seen.read().expect("lock");
        let text: usize = seen
            .hosts
            .iter()
            .map(|(raw, host)| raw.len() + host.as_ref().map_or(0, |h| h.len()))
            .sum();
        assert!(text <= SEEN_BYTES, "{text} bytes remembered");
        assert!(seen.hosts.len() < 2_000 && !seen.hosts.is_empty());
        assert!(seen.hosts.keys().all(|raw| raw.len() <= SEEN_HOST_CHARS));
        assert!(binding.weight() >= SEEN_BYTES as u64);
    }

    fn at(s: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
            .and_then(|d| d.and_hms_opt(10, 0, s))
            .expect("time")
    }

    #[test]
    fn counts_aggregate_per_certificate_and_host() {
        let buffer = SightingBuffer::default();
        let evil: Arc<str> = Arc::from("evil.cn");
        buffer.record(1, evil.clone(), 0xa, at(5));
        buffer.record(1, evil.clone(), 0xb, at(9));
        buffer.record(1, evil.clone(), 0xa, at(8));
        buffer.record(2, evil.clone(), 0xa, at(7));
        let rows = buffer.drain();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].hits, rows[0].first_seen, rows[0].last_seen),
            (3, at(5), at(9))
        );
        assert_eq!(rows[0].networks, ["000000000000000a", "000000000000000b"]);
        assert_eq!(rows[1].certificate_id, 2);
        assert!(buffer.is_empty(), "drained");
        buffer.restore(rows);
        buffer.record(1, evil, 0xc, at(11));
        let again = buffer.drain();
        assert_eq!(
            (again[0].hits, again[0].last_seen),
            (4, at(11)),
            "restored rows keep counts"
        );
        assert_eq!(again[0].networks.len(), 3, "and networks");
    }

    #[test]
    fn networks_per_sighting_are_bounded() {
        let buffer = SightingBuffer::default();
        for n in 0..500 {
            buffer.record(1, Arc::from("evil.cn"), n, at(0));
        }
        let rows = buffer.drain();
        assert_eq!(rows[0].hits, 500);
        assert_eq!(rows[0].networks.len(), NETWORKS_PER_PENDING);
    }

    #[test]
    fn memory_is_bounded() {
        let buffer = SightingBuffer::default();
        for i in 0..(MAX_PENDING + 50) {
            buffer.record(1, Arc::from(format!("h{i}.example").as_str()), 1, at(0));
        }
        assert_eq!(buffer.drain().len(), MAX_PENDING);
    }
}
