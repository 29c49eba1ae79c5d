//! What a log entry says about its certificate (number, holder, platform, bound domains) read
//! from the registry, and the backfill: the history recorded before the log began, appended
//! once, in the order it was recorded, before the first new entry.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::log::{Appender, LogError};
use super::schema::{certificate_events, certificates, companies, platform_domains, platforms};
use super::DbConnection;
use crate::domain::event::EventKind;
use crate::domain::tlog::entry::{LogEntry, LogKind, VERSION};
use crate::domain::tlog::note::NoteSigner;

/// Events read per query while backfilling.
const PAGE: i64 = 10_000;

/// The certificate's side of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    pub number: String,
    pub holder: String,
    pub platform: String,
    pub domains: Vec<String>,
}

/// The facts of each certificate asked for.
pub fn certificate_facts(
    conn: &mut DbConnection,
    ids: &[i32],
) -> QueryResult<HashMap<i32, CertificateFacts>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(5_000) {
        let rows: Vec<(i32, String, String, i32, String)> = certificates::table
            .inner_join(companies::table)
            .inner_join(platforms::table)
            .filter(certificates::id.eq_any(chunk))
            .select((
                certificates::id,
                certificates::number,
                companies::credit_code,
                platforms::id,
                platforms::name,
            ))
            .load(conn)?;
        let platform_ids: Vec<i32> = rows.iter().map(|r| r.3).collect();
        let mut domains: HashMap<i32, Vec<String>> = HashMap::new();
        for (platform, domain) in platform_domains::table
            .filter(platform_domains::platform_id.eq_any(&platform_ids))
            .select((platform_domains::platform_id, platform_domains::domain))
            .load::<(i32, String)>(conn)?
        {
            domains.entry(platform).or_default().push(domain);
        }
        for (id, number, holder, platform_id, platform) in rows {
            let mut domains = domains.get(&platform_id).cloned().unwrap_or_default();
            domains.sort();
            domains.dedup();
            out.insert(
                id,
                CertificateFacts {
                    number,
                    holder,
                    platform,
                    domains,
                },
            );
        }
    }
    Ok(out)
}

/// The fields of an event's entry (its index and previous hash are the appender's).
#[derive(Debug, Clone)]
pub struct EventFacts {
    pub kind: LogKind,
    pub occurred_on: NaiveDate,
    pub grade_before: Option<i16>,
    pub grade_after: Option<i16>,
    pub reason_zh: Option<String>,
    pub reason_en: Option<String>,
    /// For a confirmed misuse: the site.
    pub site: Option<String>,
}

/// The entry of an event of a certificate.
pub fn entry(certificate: &CertificateFacts, event: &EventFacts) -> LogEntry {
    let grade = |g: Option<i16>| g.and_then(|g| u8::try_from(g).ok());
    LogEntry {
        version: VERSION,
        index: 0,
        kind: event.kind.as_str().to_owned(),
        certificate: certificate.number.clone(),
        holder: certificate.holder.clone(),
        platform: certificate.platform.clone(),
        domains: certificate.domains.clone(),
        grade_before: grade(event.grade_before),
        grade_after: grade(event.grade_after),
        date: event.occurred_on.format("%Y-%m-%d").to_string(),
        reason_zh: event.reason_zh.clone().filter(|r| !r.is_empty()),
        reason_en: event.reason_en.clone().filter(|r| !r.is_empty()),
        site: event.site.clone(),
        previous: None,
    }
}

type EventRow = (
    i32,
    i32,
    EventKind,
    NaiveDate,
    Option<i16>,
    Option<i16>,
    Option<String>,
    Option<String>,
);

/// Begins appending: locks the head and, when the log begins now, first appends the history
/// recorded before it.
pub fn open(conn: &mut DbConnection, signer: &NoteSigner) -> Result<Appender, LogError> {
    let mut appender = Appender::begin(conn, signer)?;
    if appender.is_new() {
        backfill(conn, &mut appender, |_| {})?;
    }
    Ok(appender)
}

/// Appends every recorded event not yet in the log, in the order recorded (by id), to a log
/// that has just begun. Returns how many. `progress` is told the count after each page.
pub fn backfill(
    conn: &mut DbConnection,
    appender: &mut Appender,
    mut progress: impl FnMut(u64),
) -> Result<u64, LogError> {
    let bulk = appender.is_new() && matches!(conn, DbConnection::Pg(_));
    if bulk {
        bulk_load(conn, BulkLoad::Begin)?;
    }
    let count = backfill_events(conn, appender, &mut progress)?;
    if bulk {
        // The rows must be written before the indexes and keys are built over them.
        appender.flush(conn)?;
        bulk_load(conn, BulkLoad::End)?;
    }
    Ok(count)
}

/// The two ends of a PostgreSQL bulk load into the empty log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BulkLoad {
    Begin,
    End,
}

/// Into an empty log on PostgreSQL, millions of rows load far faster without the two secondary
/// indexes and the two foreign keys of `log_entries` (each checked row by row takes a lock on
/// the certificate and the event): they are dropped before the backfill and built again over
/// the whole table after it, in the same transaction — a failed backfill restores them with
/// everything else. Their names and definitions are the migration's.
fn bulk_load(conn: &mut DbConnection, end: BulkLoad) -> QueryResult<()> {
    let statements: &[&str] = match end {
        BulkLoad::Begin => &[
            "ALTER TABLE log_entries DROP CONSTRAINT log_entries_certificate_id_fkey, \
             DROP CONSTRAINT log_entries_event_id_fkey",
            "DROP INDEX log_entries_certificate",
            "DROP INDEX log_entries_event",
        ],
        BulkLoad::End => &[
            "SET LOCAL maintenance_work_mem = '256MB'",
            "CREATE INDEX log_entries_certificate ON log_entries (certificate_id, idx)",
            "CREATE INDEX log_entries_event ON log_entries (event_id)",
            "ALTER TABLE log_entries \
             ADD CONSTRAINT log_entries_certificate_id_fkey FOREIGN KEY (certificate_id) \
             REFERENCES certificates (id), \
             ADD CONSTRAINT log_entries_event_id_fkey FOREIGN KEY (event_id) \
             REFERENCES certificate_events (id)",
        ],
    };
    for statement in statements {
        diesel::sql_query(*statement).execute(conn)?;
    }
    Ok(())
}

/// Appends the recorded events, page by page.
fn backfill_events(
    conn: &mut DbConnection,
    appender: &mut Appender,
    progress: &mut impl FnMut(u64),
) -> Result<u64, LogError> {
    let mut after = 0;
    let mut count = 0u64;
    loop {
        let rows: Vec<EventRow> = certificate_events::table
            .filter(certificate_events::id.gt(after))
            .order(certificate_events::id)
            .limit(PAGE)
            .select((
                certificate_events::id,
                certificate_events::certificate_id,
                certificate_events::kind,
                certificate_events::occurred_on,
                certificate_events::grade_before,
                certificate_events::grade_after,
                certificate_events::reason_zh,
                certificate_events::reason_en,
            ))
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        let mut ids: Vec<i32> = rows.iter().map(|r| r.1).collect();
        ids.sort_unstable();
        ids.dedup();
        let facts = certificate_facts(conn, &ids)?;
        for (id, certificate_id, kind, occurred_on, grade_before, grade_after, zh, en) in rows {
            let Some(certificate) = facts.get(&certificate_id) else {
                continue;
            };
            let event = EventFacts {
                kind: LogKind::Event(kind),
                occurred_on,
                grade_before,
                grade_after,
                reason_zh: zh,
                reason_en: en,
                site: None,
            };
            appender.push(
                conn,
                certificate_id,
                Some(id),
                event.kind,
                entry(certificate, &event),
            )?;
            count += 1;
        }
        progress(count);
    }
    Ok(count)
}
