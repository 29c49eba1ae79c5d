//! What the transparency log adds to a write: in one write transaction on the registry that
//! `DATABASE_URL` names (the 1,000,000-certificate bench database, its log started), the log's
//! part of publishing one event — lock the head, read the tree's right edge and the
//! certificate's facts and last entry, append the entry and its subtree hashes, sign the new
//! checkpoint — timed, then rolled back, so the database is left as it was. The certificate's
//! own rows are read once before (the use case has read them); the log's rows are not. Prints
//! the median, p95 and max over 500 writes of random certificates.
//! Run: `DATABASE_URL=sqlite://bench-out/bench-1000000.db cargo bench --bench log_append`
//! (`SQE_BENCH_SEED=N` picks other certificates, whose log rows are not yet read).

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use rand::{Rng, SeedableRng};
use sqe_registry::config::log_key::demo_signer;
use sqe_registry::db::log_entries::{self, EventFacts};
use sqe_registry::db::schema::certificates;
use sqe_registry::db::{self, log};
use sqe_registry::domain::event::EventKind;
use sqe_registry::domain::tlog::entry::LogKind;

const WRITES: usize = 500;

fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")?;
    let pool = db::build_pool(&url, 1)?;
    let mut conn = pool.get()?;
    let conn = &mut *conn;
    let signer = demo_signer();
    let Some(head) = log::head(conn)? else {
        anyhow::bail!("the log has not begun: run `sqe-registry log start` first");
    };
    let max_id: Option<i32> = certificates::table
        .select(diesel::dsl::max(certificates::id))
        .first(conn)?;
    let max_id = max_id.unwrap_or(1);
    let seed = std::env::var("SQE_BENCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut times: Vec<Duration> = Vec::with_capacity(WRITES);
    for _ in 0..WRITES + 20 {
        let id = rng.random_range(1..=max_id);
        // The use case has read the certificate (and its company and platform) before it
        // publishes: those rows are warm; what the log reads of its own is not.
        let _ = log_entries::certificate_facts(conn, &[id]);
        let _ = conn.transaction::<(), diesel::result::Error, _>(|conn| {
            let start = Instant::now();
            let mut appender = log_entries::open(conn, &signer).map_err(to_db)?;
            let facts = log_entries::certificate_facts(conn, &[id])?;
            if let Some(certificate) = facts.get(&id) {
                let event = EventFacts {
                    kind: LogKind::Event(EventKind::Suspended),
                    occurred_on: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default(),
                    grade_before: None,
                    grade_after: None,
                    reason_zh: Some("基准测试".into()),
                    reason_en: None,
                    site: None,
                };
                appender
                    .push(
                        conn,
                        id,
                        None,
                        event.kind,
                        log_entries::entry(certificate, &event),
                    )
                    .map_err(to_db)?;
                appender
                    .finish(conn, &signer, Utc::now().naive_utc())
                    .map_err(to_db)?;
                times.push(start.elapsed());
            }
            Err(diesel::result::Error::RollbackTransaction)
        });
    }
    // The first writes warm the page cache and the statements.
    times.drain(..20.min(times.len()));
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    println!(
        "log append + signed checkpoint, {} writes on a log of {} entries: median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
        times.len(),
        head.size,
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3,
    );
    Ok(())
}

fn to_db(e: log::LogError) -> diesel::result::Error {
    match e {
        log::LogError::Database(e) => e,
        other => diesel::result::Error::SerializationError(Box::new(other)),
    }
}
