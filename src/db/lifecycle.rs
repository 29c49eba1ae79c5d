//! Applying a lifecycle action: the certificate row, its public event, the audit entry and the
//! registry revision change in one transaction, or nothing does.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use super::accounts::{append_audit, AuditEntry};
use super::models::{Certificate, NewCertificateEvent};
use super::schema::certificates;
use super::write::{bump_revision, insert_event};
use super::DbConnection;
use crate::domain::lifecycle::{decide, ActionError, ActionInput, ActionKind};
use crate::domain::status::{effective_status, CertificateStatus};

/// Why an action was not applied.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("no such certificate")]
    NotFound,
    #[error(transparent)]
    Refused(#[from] ActionError),
    /// Someone else changed the certificate between reading and writing: nothing was written.
    #[error("the certificate changed meanwhile")]
    Concurrent,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Who acts, when, and under which validity setting.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
    pub validity_years: u32,
}

impl Actor<'_> {
    /// An audit entry of a change this actor makes now (arguments as in [`AuditEntry`]).
    pub fn audit(
        &self,
        action: impl Into<String>,
        entity: impl Into<String>,
        entity_id: impl Into<String>,
        before_json: Option<String>,
        after_json: Option<String>,
    ) -> AuditEntry {
        AuditEntry {
            at: self.now,
            actor: self.name.to_owned(),
            action: action.into(),
            entity: entity.into(),
            entity_id: entity_id.into(),
            before_json,
            after_json,
        }
    }
}

fn snapshot(c: &Certificate, suspended_until: Option<NaiveDate>) -> serde_json::Value {
    json!({
        "number": c.number,
        "status": c.status,
        "grade": c.grade,
        "issued_on": c.issued_on,
        "expires_on": c.expires_on,
        "suspended_until": suspended_until,
    })
}

/// Applies `action` to the certificate `number`; returns the new stored status.
pub fn apply(
    conn: &mut DbConnection,
    number: &str,
    action: ActionKind,
    input: &ActionInput,
    actor: &Actor<'_>,
) -> Result<CertificateStatus, LifecycleError> {
    super::write::write_transaction(conn, |conn| {
        let (cert, suspended_until): (Certificate, Option<NaiveDate>) = certificates::table
            .filter(certificates::number.eq(number))
            .select((Certificate::as_select(), certificates::suspended_until))
            .first(conn)
            .optional()?
            .ok_or(LifecycleError::NotFound)?;
        let stored = CertificateStatus::parse(&cert.status).ok_or(LifecycleError::Concurrent)?;
        let status = effective_status(stored, cert.expires_on, actor.today);
        let outcome = decide(action, status, input, actor.today, actor.validity_years)?;
        let (issued_on, expires_on) = outcome
            .new_validity
            .unwrap_or((cert.issued_on, cert.expires_on));
        // The status in the WHERE clause makes a concurrent change fail instead of being
        // overwritten.
        let changed = diesel::update(
            certificates::table
                .filter(certificates::id.eq(cert.id))
                .filter(certificates::status.eq(&cert.status)),
        )
        .set((
            certificates::status.eq(outcome.status.as_str()),
            certificates::suspended_until.eq(outcome.suspended_until),
            certificates::issued_on.eq(issued_on),
            certificates::expires_on.eq(expires_on),
            certificates::updated_at.eq(actor.now),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(LifecycleError::Concurrent);
        }
        insert_event(
            conn,
            &NewCertificateEvent {
                certificate_id: cert.id,
                kind: outcome.event.as_str().to_owned(),
                occurred_on: actor.today,
                grade_before: None,
                grade_after: None,
                reason_zh: outcome.reason_zh.clone(),
                reason_en: outcome.reason_en.clone(),
                created_at: actor.now,
            },
        )?;
        let mut after = cert.clone();
        after.status = outcome.status.as_str().to_owned();
        after.issued_on = issued_on;
        after.expires_on = expires_on;
        let mut after = snapshot(&after, outcome.suspended_until);
        after["reason_zh"] = json!(outcome.reason_zh);
        after["reason_en"] = json!(outcome.reason_en);
        append_audit(
            conn,
            &actor.audit(
                format!("certificate.{}", action.as_str()),
                "certificate",
                cert.number.clone(),
                Some(snapshot(&cert, suspended_until).to_string()),
                Some(after.to_string()),
            ),
        )?;
        bump_revision(conn)?;
        Ok(outcome.status)
    })
}

/// A certificate as the back office shows it: the row and its suspension end.
pub fn find(
    conn: &mut DbConnection,
    number: &str,
) -> QueryResult<Option<(Certificate, Option<NaiveDate>)>> {
    certificates::table
        .filter(certificates::number.eq(number))
        .select((Certificate::as_select(), certificates::suspended_until))
        .first(conn)
        .optional()
}

/// Why a change of bound domains or scope was not applied.
#[derive(Debug, thiserror::Error)]
pub enum BindingError {
    #[error("no such certificate")]
    NotFound,
    /// The certificate has ended: its record is frozen.
    #[error("the certificate has ended")]
    Ended(CertificateStatus),
    /// These domains are bound to another platform.
    #[error("domains bound elsewhere: {0:?}")]
    Taken(Vec<String>),
    #[error("the scope must be given in Chinese")]
    ScopeRequired,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Replaces the domains the certificate's platform is bound to (already normalised, see
/// `domain::lifecycle::parse_domains`) and the certificate's scope, with the audit entry and the
/// revision (the badge's binding check changes at once).
pub fn change_binding(
    conn: &mut DbConnection,
    number: &str,
    domains: &[String],
    scope_zh: &str,
    scope_en: &str,
    actor: &Actor<'_>,
) -> Result<(), BindingError> {
    use super::schema::platform_domains;
    let scope_zh = scope_zh.trim();
    if scope_zh.is_empty() {
        return Err(BindingError::ScopeRequired);
    }
    super::write::write_transaction(conn, |conn| {
        let (cert, _) = find(conn, number)?.ok_or(BindingError::NotFound)?;
        let stored = CertificateStatus::parse(&cert.status).unwrap_or(CertificateStatus::Revoked);
        let status = effective_status(stored, cert.expires_on, actor.today);
        if status.is_final() {
            return Err(BindingError::Ended(status));
        }
        let taken: Vec<String> = platform_domains::table
            .filter(platform_domains::domain.eq_any(domains))
            .filter(platform_domains::platform_id.ne(cert.platform_id))
            .select(platform_domains::domain)
            .load(conn)?;
        if !taken.is_empty() {
            return Err(BindingError::Taken(taken));
        }
        let before = super::certificates::domains_of(conn, cert.platform_id)?;
        diesel::delete(
            platform_domains::table.filter(platform_domains::platform_id.eq(cert.platform_id)),
        )
        .execute(conn)?;
        let rows: Vec<super::models::NewPlatformDomain> = domains
            .iter()
            .map(|d| super::models::NewPlatformDomain {
                platform_id: cert.platform_id,
                domain: d.clone(),
            })
            .collect();
        super::write::insert_batch!(conn, platform_domains::table, &rows)?;
        diesel::update(certificates::table.filter(certificates::id.eq(cert.id)))
            .set((
                certificates::scope_zh.eq(scope_zh),
                certificates::scope_en.eq(scope_en.trim()),
                certificates::updated_at.eq(actor.now),
            ))
            .execute(conn)?;
        let was =
            json!({ "domains": before, "scope_zh": cert.scope_zh, "scope_en": cert.scope_en });
        let now = json!({ "domains": domains, "scope_zh": scope_zh, "scope_en": scope_en.trim() });
        append_audit(
            conn,
            &actor.audit(
                "certificate.binding",
                "certificate",
                cert.number.clone(),
                Some(was.to_string()),
                Some(now.to_string()),
            ),
        )?;
        bump_revision(conn)?;
        Ok(())
    })
}
