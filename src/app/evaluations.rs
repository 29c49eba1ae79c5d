//! Entering a surveillance or special evaluation: the evaluation and its scores, the
//! certificate's score, grade, status and last assessment, its public event and audit entry.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use super::{run, Actor, PublicEvent};
use crate::db::evaluations::{
    find_for_evaluation, sheet_tree, update_assessment, AssessmentColumns,
};
use crate::db::models::{Certificate, Indicator, NewEvaluation};
use crate::db::write::insert_evaluation;
use crate::db::DbConnection;
use crate::domain::evaluation::{
    evaluate, Current, EvaluationError, EvaluationOutcome, FAIL_REASON_EN, FAIL_REASON_ZH,
};
use crate::domain::event::EventKind;
use crate::domain::grade::Grade;
use crate::domain::score_sheet::{self, Entry, Sheet, SheetError};
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

/// Computes what the evaluation would do, without writing (the preview), or fails as
/// [`record`] would. Also returns the sheet as read, whose rows are stored.
pub fn decide(
    certificate: &Certificate,
    indicators: &[Indicator],
    input: &EvaluationInput,
    today: NaiveDate,
) -> Result<(EvaluationOutcome, Sheet), EvaluationFailure> {
    let sheet = score_sheet::read(&sheet_tree(indicators), &input.entries)?;
    let grade = Grade::from_stars(i64::from(certificate.grade)).ok_or_else(|| {
        diesel::result::Error::DeserializationError(
            format!("grade {} of {}", certificate.grade, certificate.number).into(),
        )
    })?;
    let current = Current {
        status: effective_status(certificate.status, certificate.expires_on, today),
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

/// Records the evaluation of the certificate `number`; returns what it did.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    number: &str,
    input: &EvaluationInput,
) -> Result<EvaluationOutcome, EvaluationFailure> {
    run(conn, actor, |conn, changes| {
        let (cert, indicators) =
            find_for_evaluation(conn, number)?.ok_or(EvaluationFailure::NotFound)?;
        let (outcome, sheet) = decide(&cert, &indicators, input, actor.today)?;
        let grade_after = outcome.certificate_grade.stars();
        let columns = AssessmentColumns {
            score: outcome.total,
            grade: i16::from(grade_after),
            status: outcome.status,
            last_assessed_on: input.assessed_on,
            last_assessment_kind: input.kind,
            updated_at: actor.now,
        };
        if !update_assessment(conn, &cert, &columns)? {
            return Err(EvaluationFailure::Concurrent);
        }
        let scores = sheet.stored;
        insert_evaluation(
            conn,
            &NewEvaluation {
                certificate_id: cert.id,
                kind: input.kind,
                assessed_on: input.assessed_on,
                total_score: outcome.total,
                grade: outcome.grade.map(|g| i16::from(g.stars())),
            },
            &scores,
        )?;
        // The score and last assessment show on the certificate's page either way.
        changes.shown_publicly();
        // A suspended certificate's passing result is not news until it is restored; a fail
        // of a certificate already suspended publishes nothing new either.
        let already_suspended = cert.status == CertificateStatus::Suspended;
        if !(already_suspended && outcome.event == EventKind::Suspended) {
            let failed = outcome.grade.is_none();
            changes.publish(PublicEvent {
                certificate_id: cert.id,
                kind: outcome.event,
                occurred_on: input.assessed_on,
                grade_before: Some(cert.grade),
                grade_after: outcome.grade.map(|g| i16::from(g.stars())),
                reason_zh: failed.then(|| FAIL_REASON_ZH.to_owned()),
                reason_en: failed.then(|| FAIL_REASON_EN.to_owned()),
            });
        }
        let stored_scores: Vec<_> = scores
            .iter()
            .map(|(id, earned, max)| json!({"indicator": id, "earned": earned, "max": max}))
            .collect();
        let before = json!({
            "score": cert.score, "grade": cert.grade, "status": cert.status.as_str(),
            "last_assessed_on": cert.last_assessed_on,
        });
        let after = json!({
            "score": outcome.total, "grade": grade_after, "status": outcome.status.as_str(),
            "last_assessed_on": input.assessed_on, "event": outcome.event.as_str(),
            "scores": stored_scores, "deduction": input.deduction,
        });
        changes.audit(
            format!("evaluation.{}", input.kind.as_str()),
            "certificate",
            cert.number.clone(),
            Some(&before),
            Some(&after),
        );
        Ok(outcome)
    })
}
