//! Recording a surveillance or special evaluation: the evaluation and its scores, the
//! certificate's score, grade, status and last assessment, the public event, the audit entry and
//! the registry revision, in one transaction.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;

use super::accounts::append_audit;
use super::lifecycle::Actor;
use super::models::{Certificate, Indicator, NewCertificateEvent, NewEvaluation};
use super::schema::{certificates, indicators};
use super::write::{bump_revision, insert_evaluation, insert_event};
use super::DbConnection;
use crate::domain::evaluation::{
    evaluate, Current, EvaluationError, EvaluationOutcome, FAIL_REASON_EN, FAIL_REASON_ZH,
};
use crate::domain::event::EventKind;
use crate::domain::grade::Grade;
use crate::domain::score_sheet::{self, Entry, Sheet, SheetError, SheetIndicator};
use crate::domain::status::{effective_status, CertificateStatus};
use crate::domain::surveillance::AssessmentKind;

/// Why an evaluation was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationFailure {
    #[error("no such certificate")]
    NotFound,
    /// The scores do not fit the indicators of the certificate's scheme version.
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error(transparent)]
    Refused(#[from] EvaluationError),
    #[error("the certificate changed meanwhile")]
    Concurrent,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// What was entered.
#[derive(Debug, Clone)]
pub struct EvaluationInput {
    pub kind: AssessmentKind,
    pub assessed_on: NaiveDate,
    /// What was entered per indicator id (first or second level); blank ones are absent.
    pub entries: HashMap<i32, Entry>,
    pub deduction: f64,
}

/// The indicators of a scheme version in sheet order: each first-level indicator followed by
/// its second-level ones.
pub fn scheme_indicators(
    conn: &mut DbConnection,
    scheme_version_id: i32,
) -> QueryResult<Vec<Indicator>> {
    let all: Vec<Indicator> = indicators::table
        .filter(indicators::scheme_version_id.eq(scheme_version_id))
        .order_by((indicators::position.asc(), indicators::id.asc()))
        .select(Indicator::as_select())
        .load(conn)?;
    let mut ordered = Vec::with_capacity(all.len());
    for parent in all.iter().filter(|i| i.parent_id.is_none()) {
        ordered.push(parent.clone());
        ordered.extend(
            all.iter()
                .filter(|c| c.parent_id == Some(parent.id))
                .cloned(),
        );
    }
    Ok(ordered)
}

/// The tree a score sheet is read against, from indicators in sheet order.
pub fn sheet_tree(indicators: &[Indicator]) -> Vec<SheetIndicator> {
    let node = |i: &Indicator| SheetIndicator {
        id: i.id,
        code: i.code.clone(),
        max_points: i.max_points,
        children: Vec::new(),
    };
    let mut tree: Vec<SheetIndicator> = Vec::new();
    for i in indicators {
        match (i.parent_id, tree.last_mut()) {
            (Some(parent), Some(last)) if last.id == parent => last.children.push(node(i)),
            _ => tree.push(node(i)),
        }
    }
    tree
}

/// The certificate and the indicators its evaluation is scored on.
pub fn find_for_evaluation(
    conn: &mut DbConnection,
    number: &str,
) -> QueryResult<Option<(Certificate, Vec<Indicator>)>> {
    let Some(certificate) = certificates::table
        .filter(certificates::number.eq(number))
        .select(Certificate::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let indicators = scheme_indicators(conn, certificate.scheme_version_id)?;
    Ok(Some((certificate, indicators)))
}

/// Computes what the evaluation would do, without writing (the preview), or fails as
/// [`record`] would. Also returns the sheet as read, whose rows are stored.
pub fn decide(
    certificate: &Certificate,
    indicators: &[Indicator],
    input: &EvaluationInput,
    today: NaiveDate,
) -> Result<(EvaluationOutcome, Sheet), EvaluationFailure> {
    let sheet = score_sheet::read(&sheet_tree(indicators), &input.entries)?;
    let stored =
        CertificateStatus::parse(&certificate.status).ok_or(EvaluationFailure::Concurrent)?;
    let grade =
        Grade::from_stars(i64::from(certificate.grade)).ok_or(EvaluationFailure::Concurrent)?;
    let current = Current {
        status: effective_status(stored, certificate.expires_on, today),
        grade,
        last_assessed_on: certificate.last_assessed_on,
    };
    let outcome = evaluate(
        current,
        input.kind,
        input.assessed_on,
        today,
        &sheet.items,
        input.deduction,
    )?;
    Ok((outcome, sheet))
}

/// Records the evaluation; returns what it did.
pub fn record(
    conn: &mut DbConnection,
    number: &str,
    input: &EvaluationInput,
    actor: &Actor<'_>,
) -> Result<EvaluationOutcome, EvaluationFailure> {
    super::write::write_transaction(conn, |conn| {
        let (cert, indicators) =
            find_for_evaluation(conn, number)?.ok_or(EvaluationFailure::NotFound)?;
        let (outcome, sheet) = decide(&cert, &indicators, input, actor.today)?;
        let grade_after = outcome.certificate_grade.stars();
        let changed = diesel::update(
            certificates::table
                .filter(certificates::id.eq(cert.id))
                .filter(certificates::status.eq(&cert.status))
                .filter(certificates::last_assessed_on.eq(cert.last_assessed_on)),
        )
        .set((
            certificates::score.eq(outcome.total),
            certificates::grade.eq(i16::from(grade_after)),
            certificates::status.eq(outcome.status.as_str()),
            certificates::last_assessed_on.eq(input.assessed_on),
            certificates::last_assessment_kind.eq(input.kind.as_str()),
            certificates::updated_at.eq(actor.now),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(EvaluationFailure::Concurrent);
        }
        let scores = sheet.stored;
        insert_evaluation(
            conn,
            &NewEvaluation {
                certificate_id: cert.id,
                kind: input.kind.as_str().to_owned(),
                assessed_on: input.assessed_on,
                total_score: outcome.total,
                grade: outcome.grade.map(|g| i16::from(g.stars())),
            },
            &scores,
        )?;
        // A suspended certificate's passing result is not news until it is restored; a fail
        // of a certificate already suspended publishes nothing new either.
        let already_suspended = cert.status == CertificateStatus::Suspended.as_str();
        let publish = !(already_suspended && outcome.event == EventKind::Suspended);
        if publish {
            let failed = outcome.grade.is_none();
            insert_event(
                conn,
                &NewCertificateEvent {
                    certificate_id: cert.id,
                    kind: outcome.event.as_str().to_owned(),
                    occurred_on: input.assessed_on,
                    grade_before: Some(cert.grade),
                    grade_after: outcome.grade.map(|g| i16::from(g.stars())),
                    reason_zh: failed.then(|| FAIL_REASON_ZH.to_owned()),
                    reason_en: failed.then(|| FAIL_REASON_EN.to_owned()),
                    created_at: actor.now,
                },
            )?;
        }
        let stored_scores: Vec<_> = scores
            .iter()
            .map(|(id, earned, max)| json!({"indicator": id, "earned": earned, "max": max}))
            .collect();
        let before = json!({
            "score": cert.score, "grade": cert.grade, "status": cert.status,
            "last_assessed_on": cert.last_assessed_on,
        });
        let after = json!({
            "score": outcome.total, "grade": grade_after, "status": outcome.status.as_str(),
            "last_assessed_on": input.assessed_on, "event": outcome.event.as_str(),
            "scores": stored_scores, "deduction": input.deduction,
        });
        append_audit(
            conn,
            &actor.audit(
                format!("evaluation.{}", input.kind.as_str()),
                "certificate",
                cert.number.clone(),
                Some(before.to_string()),
                Some(after.to_string()),
            ),
        )?;
        bump_revision(conn)?;
        Ok(outcome)
    })
}
