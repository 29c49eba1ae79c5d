//! Sightings of a mark on hosts it is not bound to, counted in memory on the request path and
//! written to the database in batches (every few seconds, and at shutdown), so recording one
//! costs a badge request a header parse and a short lock, never a database write.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::HttpRequest;
use chrono::NaiveDateTime;

use crate::db::marks::NewSighting;
use crate::domain::binding::{classify, referring_host, Origin};
use crate::domain::hostname::Hostname;

/// How often the buffer is written to the database.
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
/// Distinct (certificate, host) pairs kept between writes; more are counted as dropped, so a
/// flood of made-up referrers cannot grow memory without bound.
const MAX_PENDING: usize = 10_000;

/// What binding checks need to know of a certificate, cached next to its badge and page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkBinding {
    pub certificate_id: i32,
    /// Bound domains.
    pub domains: Vec<Hostname>,
}

impl MarkBinding {
    pub fn new(certificate_id: i32, domains: &[String]) -> MarkBinding {
        MarkBinding {
            certificate_id,
            domains: domains
                .iter()
                .filter_map(|d| Hostname::parse(d).ok())
                .collect(),
        }
    }

    /// Where this request for the mark came from.
    pub fn origin_of(&self, req: &HttpRequest, own: &[Hostname]) -> Origin {
        let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
        let host = referring_host(
            header(actix_web::http::header::REFERER),
            header(actix_web::http::header::ORIGIN),
        );
        if host.is_none() {
            return Origin::Unknown;
        }
        // The host the request was sent to counts as ours too (a second public name, a proxy).
        let mut own_hosts = own.to_vec();
        if let Ok(h) = Hostname::parse(req.connection_info().host()) {
            own_hosts.push(h);
        }
        classify(host, &self.domains, &own_hosts)
    }
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    first_seen: NaiveDateTime,
    last_seen: NaiveDateTime,
    hits: i64,
}

/// Sightings not yet written.
#[derive(Default)]
pub struct SightingBuffer {
    pending: Mutex<HashMap<(i32, Hostname), Pending>>,
    dropped: std::sync::atomic::AtomicU64,
}

impl SightingBuffer {
    /// Counts one sighting of certificate `certificate_id`'s mark on `host`.
    pub fn record(&self, certificate_id: i32, host: Hostname, at: NaiveDateTime) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        let len = pending.len();
        match pending.get_mut(&(certificate_id, host.clone())) {
            Some(p) => {
                p.hits += 1;
                p.last_seen = p.last_seen.max(at);
            }
            None if len < MAX_PENDING => {
                pending.insert(
                    (certificate_id, host),
                    Pending {
                        first_seen: at,
                        last_seen: at,
                        hits: 1,
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
                host: host.as_str().to_owned(),
                first_seen: p.first_seen,
                last_seen: p.last_seen,
                hits: p.hits,
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
            let Ok(host) = Hostname::parse(&row.host) else {
                continue;
            };
            let entry = pending
                .entry((row.certificate_id, host))
                .or_insert(Pending {
                    first_seen: row.first_seen,
                    last_seen: row.last_seen,
                    hits: 0,
                });
            entry.hits += row.hits;
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

    fn at(s: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
            .and_then(|d| d.and_hms_opt(10, 0, s))
            .expect("time")
    }

    #[test]
    fn counts_aggregate_per_certificate_and_host() {
        let buffer = SightingBuffer::default();
        let evil = Hostname::parse("evil.cn").expect("host");
        buffer.record(1, evil.clone(), at(5));
        buffer.record(1, evil.clone(), at(9));
        buffer.record(2, evil.clone(), at(7));
        let rows = buffer.drain();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].hits, rows[0].first_seen, rows[0].last_seen),
            (2, at(5), at(9))
        );
        assert_eq!(rows[1].certificate_id, 2);
        assert!(buffer.is_empty(), "drained");
        buffer.restore(rows);
        buffer.record(1, evil, at(11));
        let again = buffer.drain();
        assert_eq!(
            (again[0].hits, again[0].last_seen),
            (3, at(11)),
            "restored rows keep counts"
        );
    }

    #[test]
    fn memory_is_bounded() {
        let buffer = SightingBuffer::default();
        for i in 0..(MAX_PENDING + 50) {
            let host = Hostname::parse(&format!("h{i}.example")).expect("host");
            buffer.record(1, host, at(0));
        }
        assert_eq!(buffer.drain().len(), MAX_PENDING);
    }
}
