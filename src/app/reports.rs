//! Reports from the public and their triage (issue 15): a submitted report folds into an open
//! case about the same site and kind or opens one; staff take a case, confirm the misuse (the
//! site is then listed on `/misuse`), decide it is not confirmed (with a reason for the
//! reporter), tie it to a certificate or merge it into another case. Every step is audited
//! through the commit path; the audit never holds a contact ("contact: withheld").

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::{run, Actor, LoggedChange};
use crate::db::reports::{self as rows, Case, CaseChange, NewCase, NewReport};
use crate::db::DbConnection;
use crate::domain::report::{Contact, Report, FOLD_DAYS};
use crate::domain::report_case::{case_number, refusal, CaseStatus, TriageAction};
use crate::domain::tlog::entry::LogKind;

/// A stored report: its case and the follow-up token, which exists nowhere else (only its
/// SHA-256 is stored) and is shown to the reporter once.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub case_id: i32,
    pub case_number: String,
    /// Whether the report joined an open case about the same site and kind.
    pub folded: bool,
    pub token: String,
}

/// An unguessable follow-up token: 32 random bytes, hex.
fn new_token() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a follow-up token.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn contact_text(contact: &Contact) -> &str {
    match contact {
        Contact::Email(s) | Contact::Mobile(s) => s,
    }
}

/// Stores a report from the network whose keyed digest is `network`: it folds into the open
/// case of its site and kind opened within [`FOLD_DAYS`], or opens a case.
pub fn submit(
    conn: &mut DbConnection,
    actor: &Actor,
    report: &Report,
    network: &str,
) -> diesel::QueryResult<Submitted> {
    let token = new_token();
    let hash = token_hash(&token);
    let fold = report.fold_key();
    run(conn, actor, |conn, changes| {
        let since = actor.now - Duration::days(FOLD_DAYS);
        let open = match &fold {
            Some((kind, site)) => rows::open_case_for(conn, *kind, site, since)?,
            None => None,
        };
        let (case_id, opened_at, folded) = match open {
            Some(case) => {
                rows::count_reports(conn, case.id, 1, actor.now)?;
                (case.id, case.opened_at, true)
            }
            None => {
                let id = rows::insert_case(
                    conn,
                    &NewCase {
                        kind: report.kind,
                        site: fold.as_ref().map(|(_, site)| site.as_str()),
                        status: CaseStatus::Received,
                        opened_at: actor.now,
                        last_report_at: actor.now,
                        report_count: 1,
                    },
                )?;
                (id, actor.now, false)
            }
        };
        let evidence = report.evidence.join("\n");
        let report_id = rows::insert_report(
            conn,
            &NewReport {
                case_id,
                received_at: actor.now,
                site: report.site.as_deref(),
                number: report.number.as_deref(),
                what: &report.what,
                evidence: &evidence,
                contact: report.contact.as_ref().map(contact_text),
                network,
                token_hash: &hash,
            },
        )?;
        changes.audit(
            if folded { "report.fold" } else { "report.open" },
            "report_case",
            case_id.to_string(),
            None,
            Some(&json!({
                "report": report_id,
                "kind": report.kind.as_str(),
                "site": report.site,
                "certificate": report.number,
                "contact": report.contact.as_ref().map(|_| "withheld"),
            })),
        );
        Ok(Submitted {
            case_id,
            case_number: case_number(case_id, opened_at),
            folded,
            token: token.clone(),
        })
    })
}

/// Why a triage action was not done.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error("no such case")]
    NotFound,
    /// The case's status does not allow it; the message key says why.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// A triage step on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Triage {
    /// Assign the case to the acting staff member; under review.
    Take,
    /// Misuse confirmed, with an optional public note (also given to the reporter).
    Confirm { note: String },
    /// Not confirmed, with the reason the reporter is given (required).
    NotConfirm { reason: String },
    /// Tie the case to the certificate with this number.
    Link { number: String },
    /// Fold the case into the open case with this id.
    Merge { into: i32 },
}

impl Triage {
    fn action(&self) -> TriageAction {
        match self {
            Triage::Take => TriageAction::Take,
            Triage::Confirm { .. } => TriageAction::Confirm,
            Triage::NotConfirm { .. } => TriageAction::NotConfirm,
            Triage::Link { .. } => TriageAction::Link,
            Triage::Merge { .. } => TriageAction::Merge,
        }
    }
}

fn snapshot(case: &Case) -> serde_json::Value {
    json!({
        "status": case.status.as_str(),
        "assigned_to": case.assigned_to,
        "certificate_id": case.certificate_id,
        "reason": case.reason,
        "merged_into": case.merged_into,
        "reports": case.report_count,
    })
}

/// The longest reason or note kept, in characters.
pub const MAX_REASON: usize = 1_000;

fn trimmed(text: &str) -> Option<String> {
    let text: String = text.trim().chars().take(MAX_REASON).collect();
    (!text.is_empty()).then_some(text)
}

/// Applies a triage step to case `id`. A confirmation of a case tied to a certificate lists
/// its site on `/misuse` as a confirmed sighting of that certificate (whose page then warns
/// visitors from the site); one about a mark of no certificate lists the site as a fake mark.
pub fn triage(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i32,
    step: &Triage,
) -> Result<(), TriageError> {
    run(conn, actor, |conn, changes| {
        let case = rows::case_by_id(conn, id)?.ok_or(TriageError::NotFound)?;
        if let Some(key) = refusal(case.status, step.action()) {
            return Err(TriageError::Refused(key));
        }
        let me = actor.name();
        let mut change = CaseChange::default();
        let (reason, target);
        match step {
            Triage::Take => {
                change.status = Some(CaseStatus::UnderReview);
                change.assigned_to = Some(Some(&me));
            }
            Triage::Confirm { note } => {
                reason = trimmed(note);
                change.status = Some(CaseStatus::Confirmed);
                change.reason = Some(reason.as_deref());
                change.decided_at = Some(Some(actor.now));
                if let (Some(certificate_id), Some(site)) = (case.certificate_id, &case.site) {
                    if rows::confirm_host(conn, certificate_id, site, reason.as_deref(), actor.now)?
                    {
                        changes.log(misuse_confirmed(certificate_id, site, reason.as_deref()));
                    }
                }
                changes.shown_publicly();
            }
            Triage::NotConfirm { reason: given } => {
                reason = Some(trimmed(given).ok_or(TriageError::Refused("case-reason-needed"))?);
                change.status = Some(CaseStatus::NotConfirmed);
                change.reason = Some(reason.as_deref());
                change.decided_at = Some(Some(actor.now));
                // The monthly figures count decisions.
                changes.shown_publicly();
            }
            Triage::Link { number } => {
                let number = number.trim().to_ascii_uppercase();
                let certificate = rows::certificate_id(conn, &number)?
                    .ok_or(TriageError::Refused("case-no-such-certificate"))?;
                change.certificate_id = Some(Some(certificate));
                if case.status == CaseStatus::Confirmed {
                    if let Some(site) = &case.site {
                        let confirmed = rows::confirm_host(
                            conn,
                            certificate,
                            site,
                            case.reason.as_deref(),
                            actor.now,
                        )?;
                        if confirmed {
                            changes.log(misuse_confirmed(
                                certificate,
                                site,
                                case.reason.as_deref(),
                            ));
                        }
                        changes.shown_publicly();
                    }
                }
            }
            Triage::Merge { into } => {
                target = rows::case_by_id(conn, *into)?
                    .filter(|t| t.id != id && t.status.is_open())
                    .ok_or(TriageError::Refused("case-merge-target"))?;
                let moved = rows::move_reports(conn, id, target.id)?;
                rows::count_reports(
                    conn,
                    target.id,
                    moved,
                    case.last_report_at.max(target.last_report_at),
                )?;
                change.status = Some(CaseStatus::Merged);
                change.merged_into = Some(Some(target.id));
                changes.audit(
                    "case.absorb",
                    "report_case",
                    target.id.to_string(),
                    Some(&snapshot(&target)),
                    Some(&json!({ "merged_from": id, "reports": target.report_count + moved })),
                );
            }
        }
        rows::change_case(conn, id, &change)?;
        let after = rows::case_by_id(conn, id)?.ok_or(TriageError::NotFound)?;
        let action = match step.action() {
            TriageAction::Take => "case.take",
            TriageAction::Confirm => "case.confirm",
            TriageAction::NotConfirm => "case.not_confirm",
            TriageAction::Link => "case.link",
            TriageAction::Merge => "case.merge",
        };
        changes.audit(
            action,
            "report_case",
            id.to_string(),
            Some(&snapshot(&case)),
            Some(&snapshot(&after)),
        );
        Ok(())
    })
}

/// Erases the contacts of reports whose case was closed more than `after_days` days before
/// `actor.now`; how many were erased. Audited when any were.
pub fn erase_contacts(
    conn: &mut DbConnection,
    actor: &Actor,
    after_days: i64,
) -> diesel::QueryResult<usize> {
    run(conn, actor, |conn, changes| {
        let before: NaiveDateTime = actor.now - Duration::days(after_days);
        let erased = rows::erase_contacts(conn, before, actor.now)?;
        if erased > 0 {
            changes.audit(
                "report.erase_contacts",
                "report",
                "",
                None,
                Some(&json!({ "erased": erased, "closed_before": before })),
            );
        }
        Ok(erased)
    })
}

/// The log entry of a misuse confirmed through a report's case.
fn misuse_confirmed(certificate_id: i32, site: &str, note: Option<&str>) -> LoggedChange {
    LoggedChange {
        certificate_id,
        kind: LogKind::MisuseConfirmed,
        note: note.map(str::to_owned),
        site: Some(site.to_owned()),
    }
}
