//! Lifecycle use cases of a certificate: suspend, restore, revoke, cancel and renew
//! ([`apply`]), and the change of its bound domains and scope ([`change_binding`]).

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::{run, Actor, LoggedChange, PublicEvent};
use crate::db::lifecycle::{self, LifecycleColumns};
use crate::db::models::Certificate;
use crate::db::DbConnection;
use crate::domain::lifecycle::{decide, ActionError, ActionInput, ActionKind};
use crate::domain::scope::{Scope, ScopeError};
use crate::domain::status::{effective_status, CertificateStatus};
use crate::domain::tlog::entry::LogKind;

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

fn snapshot(c: &Certificate, suspended_until: Option<NaiveDate>) -> Value {
    json!({
        "number": c.number,
        "status": c.status.as_str(),
        "grade": c.grade,
        "issued_on": c.issued_on,
        "expires_on": c.expires_on,
        "suspended_until": suspended_until,
    })
}

/// Applies `action` to the certificate `number`; returns the new stored status.
pub fn apply(
    conn: &mut DbConnection,
    actor: &Actor,
    number: &str,
    action: ActionKind,
    input: &ActionInput,
) -> Result<CertificateStatus, LifecycleError> {
    run(conn, actor, |conn, changes| {
        let (cert, suspended_until) =
            lifecycle::find(conn, number)?.ok_or(LifecycleError::NotFound)?;
        let status = effective_status(cert.status, cert.expires_on, actor.today);
        let outcome = decide(action, status, input, actor.today, actor.validity_years)?;
        let (issued_on, expires_on) = outcome
            .new_validity
            .unwrap_or((cert.issued_on, cert.expires_on));
        let columns = LifecycleColumns {
            status: outcome.status,
            suspended_until: outcome.suspended_until,
            issued_on,
            expires_on,
            updated_at: actor.now,
        };
        // Guarded by the status read: a concurrent change fails instead of being overwritten.
        if !lifecycle::update_lifecycle(conn, cert.id, cert.status, &columns)? {
            return Err(LifecycleError::Concurrent);
        }
        changes.publish(PublicEvent {
            certificate_id: cert.id,
            kind: outcome.event,
            occurred_on: actor.today,
            grade_before: None,
            grade_after: None,
            reason_zh: outcome.reason_zh.clone(),
            reason_en: outcome.reason_en.clone(),
        });
        let mut after = cert.clone();
        after.status = outcome.status;
        after.issued_on = issued_on;
        after.expires_on = expires_on;
        let mut after = snapshot(&after, outcome.suspended_until);
        after["reason_zh"] = json!(outcome.reason_zh);
        after["reason_en"] = json!(outcome.reason_en);
        changes.audit(
            format!("certificate.{}", action.as_str()),
            "certificate",
            cert.number.clone(),
            Some(&snapshot(&cert, suspended_until)),
            Some(&after),
        );
        Ok(outcome.status)
    })
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
    #[error(transparent)]
    Scope(#[from] ScopeError),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// A new binding: the domains (normalised by `domain::lifecycle::parse_domains`) and the scope
/// as entered.
#[derive(Debug, Clone)]
pub struct BindingChange {
    pub domains: Vec<String>,
    pub scope_zh: String,
    pub scope_en: String,
}

/// Replaces the domains the certificate's platform is bound to and the certificate's scope;
/// the badge's binding check changes at once.
pub fn change_binding(
    conn: &mut DbConnection,
    actor: &Actor,
    number: &str,
    change: &BindingChange,
) -> Result<(), BindingError> {
    let scope = Scope::parse(&change.scope_zh, &change.scope_en)?;
    let domains = &change.domains;
    run(conn, actor, |conn, changes| {
        let (cert, _) = lifecycle::find(conn, number)?.ok_or(BindingError::NotFound)?;
        let status = effective_status(cert.status, cert.expires_on, actor.today);
        if status.is_final() {
            return Err(BindingError::Ended(status));
        }
        let taken = lifecycle::domains_bound_elsewhere(conn, domains, cert.platform_id)?;
        if !taken.is_empty() {
            return Err(BindingError::Taken(taken));
        }
        let before = crate::db::certificates::domains_of(conn, cert.platform_id)?;
        lifecycle::replace_domains(conn, cert.platform_id, domains)?;
        lifecycle::update_scope(conn, cert.id, &scope.zh, &scope.en, actor.now)?;
        let was =
            json!({ "domains": before, "scope_zh": cert.scope_zh, "scope_en": cert.scope_en });
        let now = json!({ "domains": domains, "scope_zh": scope.zh, "scope_en": scope.en });
        changes.audit(
            "certificate.binding",
            "certificate",
            cert.number.clone(),
            Some(&was),
            Some(&now),
        );
        let mut sorted_before = before.clone();
        sorted_before.sort();
        let mut sorted_after = domains.clone();
        sorted_after.sort();
        if sorted_before != sorted_after {
            changes.log(LoggedChange {
                certificate_id: cert.id,
                kind: LogKind::DomainsChanged,
                note: None,
                site: None,
            });
        }
        if (scope.zh.as_str(), scope.en.as_str())
            != (cert.scope_zh.as_str(), cert.scope_en.as_str())
        {
            changes.log(LoggedChange {
                certificate_id: cert.id,
                kind: LogKind::ScopeChanged,
                note: None,
                site: None,
            });
        }
        changes.shown_publicly();
        Ok(())
    })
}
