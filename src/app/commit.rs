//! The one commit path. Every use case runs its work through [`run`]: one write transaction, at
//! whose end [`Changes`] writes what must follow every change of the registry — its public
//! events with their transparency-log entries and the log's newly signed checkpoint, the
//! certificate's signed credential and status-list bits that follow them, the webhook deliveries
//! that tell of them, its audit entries and, when a public page shows the change, the registry
//! revision (which makes every instance drop its cached pages). Anything that must follow every public
//! event is added here, once, never to each use case.

use chrono::NaiveDate;
use diesel::QueryResult;
use serde_json::Value;

use super::Actor;
use crate::db::accounts::{append_audit_entries, AuditEntry};
use crate::db::credentials;
use crate::db::log::LogError;
use crate::db::log_entries;
use crate::db::models::NewCertificateEvent;
use crate::db::webhooks;
use crate::db::write::{bump_revision, insert_event, write_transaction};
use crate::db::DbConnection;
use crate::domain::event::EventKind;
use crate::domain::tlog::entry::LogKind;

/// A public event of a certificate, as its page and the feeds show it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicEvent {
    pub certificate_id: i32,
    pub kind: EventKind,
    pub occurred_on: NaiveDate,
    pub grade_before: Option<i16>,
    pub grade_after: Option<i16>,
    pub reason_zh: Option<String>,
    pub reason_en: Option<String>,
}

/// A public change of a certificate without an event in its history (its bound domains or
/// scope, a confirmed misuse of its mark): an entry of the transparency log all the same.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedChange {
    pub certificate_id: i32,
    /// `DomainsChanged`, `ScopeChanged` or `MisuseConfirmed`.
    pub kind: LogKind,
    /// A public note (a misuse confirmation's).
    pub note: Option<String>,
    /// For a confirmed misuse: the site.
    pub site: Option<String>,
}

/// What a use case changes besides its own rows, collected while it runs and written by
/// [`run`] when its work succeeds.
#[derive(Debug)]
pub struct Changes<'a> {
    actor: &'a Actor,
    events: Vec<PublicEvent>,
    logged: Vec<LoggedChange>,
    audit: Vec<AuditEntry>,
    public: bool,
}

impl<'a> Changes<'a> {
    fn new(actor: &'a Actor) -> Changes<'a> {
        Changes {
            actor,
            events: Vec::new(),
            logged: Vec::new(),
            audit: Vec::new(),
            public: false,
        }
    }

    /// Who acts, and when.
    pub fn actor(&self) -> &'a Actor {
        self.actor
    }

    /// Publishes an event of a certificate (its page, the feeds); the revision follows.
    pub fn publish(&mut self, event: PublicEvent) {
        self.events.push(event);
    }

    /// Records a public change without a history event: appended to the transparency log;
    /// the revision follows.
    pub fn log(&mut self, change: LoggedChange) {
        self.logged.push(change);
    }

    /// Records an audit entry of this change: what was done to which record, before and after.
    pub fn audit(
        &mut self,
        action: impl Into<String>,
        entity: &str,
        entity_id: impl Into<String>,
        before: Option<&Value>,
        after: Option<&Value>,
    ) {
        self.audit.push(AuditEntry {
            at: self.actor.now,
            actor: self.actor.name(),
            action: action.into(),
            entity: entity.to_owned(),
            entity_id: entity_id.into(),
            before_json: before.map(Value::to_string),
            after_json: after.map(Value::to_string),
        });
    }

    /// Marks the change as shown by public pages without an event of its own (a corrected name,
    /// a bound domain, a listed misuse): the revision follows.
    pub fn shown_publicly(&mut self) {
        self.public = true;
    }

    /// Writes the collected events with their log entries and the newly signed checkpoint,
    /// the audit entries and the revision; called once, by [`run`].
    fn commit(self, conn: &mut DbConnection) -> QueryResult<()> {
        let shown = self.public || !self.events.is_empty() || !self.logged.is_empty();
        if !self.events.is_empty() || !self.logged.is_empty() {
            publish_events(conn, self.actor, self.events, self.logged)?;
        }
        append_audit_entries(conn, &self.audit)?;
        if shown {
            bump_revision(conn)?;
        }
        Ok(())
    }
}

/// Records public events in the history and appends each to the transparency log, which signs
/// its new head before the transaction commits (or nothing of it is written).
fn publish_events(
    conn: &mut DbConnection,
    actor: &Actor,
    events: Vec<PublicEvent>,
    logged: Vec<LoggedChange>,
) -> QueryResult<()> {
    let signer = actor
        .log_signer
        .as_deref()
        .ok_or_else(|| log_failure(LogError::NoKey))?;
    // Opened before this change's events are inserted: a log that begins now first takes
    // the history recorded before it.
    let mut log = log_entries::open(conn, signer).map_err(log_failure)?;
    let mut ids: Vec<i32> = events
        .iter()
        .map(|e| e.certificate_id)
        .chain(logged.iter().map(|c| c.certificate_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let facts = log_entries::certificate_facts(conn, &ids)?;
    // Each event into the history first (its entry names it), then every entry in order.
    let mut entries = Vec::with_capacity(events.len() + logged.len());
    for e in events {
        let event_id = insert_event(
            conn,
            &NewCertificateEvent {
                certificate_id: e.certificate_id,
                kind: e.kind,
                occurred_on: e.occurred_on,
                grade_before: e.grade_before,
                grade_after: e.grade_after,
                reason_zh: e.reason_zh.clone(),
                reason_en: e.reason_en.clone(),
                created_at: actor.now,
            },
        )?;
        let event = log_entries::EventFacts {
            kind: LogKind::Event(e.kind),
            occurred_on: e.occurred_on,
            grade_before: e.grade_before,
            grade_after: e.grade_after,
            reason_zh: e.reason_zh,
            reason_en: e.reason_en,
            site: None,
        };
        entries.push((e.certificate_id, Some(event_id), event));
    }
    entries.extend(logged.into_iter().map(|c| {
        let change = log_entries::EventFacts {
            kind: c.kind,
            occurred_on: actor.today,
            grade_before: None,
            grade_after: None,
            reason_zh: c.note,
            reason_en: None,
            site: c.site,
        };
        (c.certificate_id, None, change)
    }));
    let mut new_credentials = Vec::new();
    let mut told = Vec::new();
    for (certificate_id, event_id, facts_of_entry) in entries {
        let certificate = facts
            .get(&certificate_id)
            .ok_or(diesel::result::Error::NotFound)?;
        let index = log
            .push(
                conn,
                certificate_id,
                event_id,
                facts_of_entry.kind,
                log_entries::entry(certificate, &facts_of_entry),
            )
            .map_err(log_failure)?;
        told.push(webhooks::ToldChange {
            certificate_id,
            event_id,
            log_index: index,
            kind: facts_of_entry.kind.as_str(),
        });
        if facts_of_entry.kind.gives_new_credential() {
            new_credentials.push((certificate_id, event_id, index, facts_of_entry.occurred_on));
        }
    }
    log.finish(conn, signer, actor.now).map_err(log_failure)?;
    // Each credential follows: a new one for a new grade, validity or set of domains (the
    // one before superseded), and the current one's status bits for every certificate.
    for (certificate_id, event_id, index, valid_from) in new_credentials {
        credentials::issue(conn, certificate_id, event_id, index, valid_from, actor.now)?;
    }
    for certificate_id in ids {
        credentials::follow_status(conn, certificate_id)?;
    }
    // And every webhook endpoint of the certificate or its company is told, once this commits.
    webhooks::enqueue_changes(conn, &told, actor.now, actor.today)?;
    Ok(())
}

/// A failure of the log as the transaction's error (it rolls the change back).
fn log_failure(e: LogError) -> diesel::result::Error {
    match e {
        LogError::Database(e) => e,
        other => {
            tracing::error!(error = %other, "the transparency log refused a change");
            diesel::result::Error::SerializationError(Box::new(other))
        }
    }
}

/// Runs a use case's `work` in one write transaction and ends it through the commit path: when
/// `work` succeeds its [`Changes`] are written in the same transaction; when it fails nothing is
/// (neither its rows nor its events, audit entries or revision).
pub fn run<T, E, F>(conn: &mut DbConnection, actor: &Actor, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection, &mut Changes<'_>) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    write_transaction(conn, |conn| {
        let mut changes = Changes::new(actor);
        let value = work(conn, &mut changes)?;
        changes.commit(conn)?;
        Ok(value)
    })
}
