//! What a surveillance or special evaluation does to a certificate: the total score (see
//! `scoring`), the grade it earns, the public event, and a suspension when it fails (under 70).

use chrono::NaiveDate;
use thiserror::Error;

use super::dates::validity_end;
use super::event::{grade_change_event, EventKind};
use super::grade::{grade_for, Grade};
use super::scoring::{total_score, ItemScore, ScoringError};
use super::status::CertificateStatus;
use super::surveillance::AssessmentKind;

/// The public reason written when a surveillance result suspends a certificate.
pub const FAIL_REASON_ZH: &str = "监督评价得分低于 70 分";
pub const FAIL_REASON_EN: &str = "The surveillance evaluation scored below 70";

/// Why an evaluation cannot be recorded.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EvaluationError {
    #[error(
        "only a surveillance or a special evaluation can be entered for an existing certificate"
    )]
    WrongKind,
    #[error("a certificate that is {} cannot be evaluated", .0.as_str())]
    NotInForce(CertificateStatus),
    #[error("the evaluation date must be after the last assessment and not in the future")]
    BadDate,
    #[error(transparent)]
    Scoring(#[from] ScoringError),
}

/// What recording the evaluation changes.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationOutcome {
    pub total: f64,
    /// The grade earned; `None` for a fail.
    pub grade: Option<Grade>,
    /// The certificate's grade afterwards (unchanged on a fail: the suspension says it all).
    pub certificate_grade: Grade,
    pub event: EventKind,
    /// The status afterwards.
    pub status: CertificateStatus,
}

/// The facts the decision needs.
#[derive(Debug, Clone, Copy)]
pub struct Current {
    /// The effective status on `today`.
    pub status: CertificateStatus,
    pub grade: Grade,
    pub last_assessed_on: NaiveDate,
}

/// Decides an evaluation of `kind` on `assessed_on`, scored `items` less `deduction`.
pub fn evaluate(
    current: Current,
    kind: AssessmentKind,
    assessed_on: NaiveDate,
    today: NaiveDate,
    items: &[ItemScore],
    deduction: f64,
) -> Result<EvaluationOutcome, EvaluationError> {
    if !matches!(kind, AssessmentKind::Surveillance | AssessmentKind::Special) {
        return Err(EvaluationError::WrongKind);
    }
    if !matches!(
        current.status,
        CertificateStatus::Valid | CertificateStatus::Suspended
    ) {
        return Err(EvaluationError::NotInForce(current.status));
    }
    if assessed_on > today || assessed_on <= current.last_assessed_on {
        return Err(EvaluationError::BadDate);
    }
    let score = total_score(items, deduction)?;
    let grade = grade_for(score);
    let event = grade_change_event(current.grade, grade);
    // A fail suspends a valid certificate; a suspended one stays suspended whatever the result:
    // restoring it is the body's explicit decision.
    let status = match (grade, current.status) {
        (None, _) | (_, CertificateStatus::Suspended) => CertificateStatus::Suspended,
        _ => CertificateStatus::Valid,
    };
    Ok(EvaluationOutcome {
        total: score.value(),
        grade,
        certificate_grade: grade.unwrap_or(current.grade),
        event,
        status,
    })
}

/// What an initial evaluation decides.
#[derive(Debug, Clone, PartialEq)]
pub struct InitialOutcome {
    pub total: f64,
    /// The grade of the certificate issued; `None`: under 70, no certificate.
    pub grade: Option<Grade>,
    /// The validity period of the certificate issued today.
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
}

/// Decides an initial evaluation of `assessed_on` (not in the future, and not more than
/// [`MAX_INITIAL_AGE_DAYS`] old: the certificate is issued on the result of a recent evaluation).
/// At 70 or more a certificate is issued today for `validity_years`.
pub fn initial(
    assessed_on: NaiveDate,
    today: NaiveDate,
    items: &[ItemScore],
    deduction: f64,
    validity_years: u32,
) -> Result<InitialOutcome, EvaluationError> {
    if assessed_on > today || (today - assessed_on).num_days() > MAX_INITIAL_AGE_DAYS {
        return Err(EvaluationError::BadDate);
    }
    let score = total_score(items, deduction)?;
    Ok(InitialOutcome {
        total: score.value(),
        grade: grade_for(score),
        issued_on: today,
        expires_on: validity_end(today, validity_years),
    })
}

/// How old an initial evaluation may be when its certificate is issued.
pub const MAX_INITIAL_AGE_DAYS: i64 = 180;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn current(status: CertificateStatus, grade: Grade) -> Current {
        Current {
            status,
            grade,
            last_assessed_on: d(2026, 1, 10),
        }
    }

    /// Three items worth 40, 30 and 30 points, giving `total` out of 100.
    fn items(total: f64) -> Vec<ItemScore> {
        let share = total / 100.0;
        [40.0, 30.0, 30.0]
            .into_iter()
            .map(|max_points| ItemScore {
                max_points,
                earned: Some(max_points * share),
            })
            .collect()
    }

    fn run(status: CertificateStatus, grade: Grade, total: f64) -> EvaluationOutcome {
        evaluate(
            current(status, grade),
            AssessmentKind::Surveillance,
            d(2026, 11, 20),
            d(2026, 11, 28),
            &items(total),
            0.0,
        )
        .expect("evaluation")
    }

    #[test]
    fn the_grade_moves_with_the_score_at_the_band_edges() {
        use CertificateStatus::Valid;
        let cases = [
            (Grade::Three, 95.0, Some(Grade::Five), EventKind::Upgraded),
            (Grade::Three, 94.99, Some(Grade::Four), EventKind::Upgraded),
            (
                Grade::Four,
                90.0,
                Some(Grade::Four),
                EventKind::SurveillancePassed,
            ),
            (
                Grade::Four,
                89.99,
                Some(Grade::Three),
                EventKind::Downgraded,
            ),
            (Grade::Three, 79.99, Some(Grade::Two), EventKind::Downgraded),
            (
                Grade::Two,
                70.0,
                Some(Grade::Two),
                EventKind::SurveillancePassed,
            ),
        ];
        for (before, total, grade, event) in cases {
            let out = run(Valid, before, total);
            assert_eq!(
                (out.grade, out.event, out.status),
                (grade, event, Valid),
                "{total}"
            );
            assert_eq!(out.certificate_grade, grade.unwrap_or(before));
        }
    }

    #[test]
    fn under_70_suspends_and_keeps_the_last_grade() {
        let out = run(CertificateStatus::Valid, Grade::Four, 69.99);
        assert_eq!(out.grade, None);
        assert_eq!(out.event, EventKind::Suspended);
        assert_eq!(out.status, CertificateStatus::Suspended);
        assert_eq!(out.certificate_grade, Grade::Four);
    }

    #[test]
    fn a_suspended_certificate_stays_suspended_until_restored() {
        let out = run(CertificateStatus::Suspended, Grade::Two, 85.0);
        assert_eq!(out.grade, Some(Grade::Three));
        assert_eq!(out.event, EventKind::Upgraded);
        assert_eq!(out.status, CertificateStatus::Suspended);
    }

    #[test]
    fn ended_certificates_wrong_kinds_and_dates_are_refused() {
        for status in [
            CertificateStatus::Revoked,
            CertificateStatus::Cancelled,
            CertificateStatus::Expired,
        ] {
            let result = evaluate(
                current(status, Grade::Three),
                AssessmentKind::Surveillance,
                d(2026, 11, 20),
                d(2026, 11, 28),
                &items(85.0),
                0.0,
            );
            assert_eq!(result, Err(EvaluationError::NotInForce(status)));
        }
        let c = current(CertificateStatus::Valid, Grade::Three);
        let attempt = |kind, on| evaluate(c, kind, on, d(2026, 11, 28), &items(85.0), 0.0);
        assert_eq!(
            attempt(AssessmentKind::Initial, d(2026, 11, 20)),
            Err(EvaluationError::WrongKind)
        );
        for on in [d(2026, 11, 29), d(2026, 1, 10), d(2025, 12, 1)] {
            assert_eq!(
                attempt(AssessmentKind::Special, on),
                Err(EvaluationError::BadDate)
            );
        }
    }

    #[test]
    fn deductions_and_not_applicable_items_follow_the_formula() {
        let items = [
            ItemScore {
                max_points: 40.0,
                earned: Some(36.0),
            },
            ItemScore {
                max_points: 30.0,
                earned: None,
            },
            ItemScore {
                max_points: 30.0,
                earned: Some(27.0),
            },
        ];
        // 63 of 70 applicable points = 90, less 5 = 85.
        let out = evaluate(
            current(CertificateStatus::Valid, Grade::Four),
            AssessmentKind::Special,
            d(2026, 11, 20),
            d(2026, 11, 28),
            &items,
            5.0,
        )
        .expect("evaluation");
        assert_eq!(out.total, 85.0);
        assert_eq!(out.grade, Some(Grade::Three));
        assert_eq!(out.event, EventKind::Downgraded);
    }

    #[test]
    fn an_initial_evaluation_issues_today_for_the_validity_period_from_70() {
        let today = d(2026, 11, 29);
        let out = initial(d(2026, 11, 20), today, &items(70.0), 0.0, 3).expect("decided");
        assert_eq!(out.grade, Some(Grade::Two));
        assert_eq!((out.issued_on, out.expires_on), (today, d(2029, 11, 28)));
        let out = initial(today, today, &items(69.99), 0.0, 3).expect("decided");
        assert_eq!((out.total, out.grade), (69.99, None));
        let out = initial(today, today, &items(100.0), 5.0, 1).expect("decided");
        assert_eq!(
            (out.total, out.grade, out.expires_on),
            (95.0, Some(Grade::Five), d(2027, 11, 28))
        );
        let out = initial(today, today, &items(100.0), 5.01, 1).expect("decided");
        assert_eq!((out.total, out.grade), (94.99, Some(Grade::Four)));
        let leap = initial(d(2028, 2, 29), d(2028, 2, 29), &items(80.0), 0.0, 1).expect("decided");
        assert_eq!(leap.expires_on, d(2029, 2, 27));
    }

    #[test]
    fn an_initial_evaluation_must_be_recent_and_not_in_the_future() {
        let today = d(2026, 11, 29);
        assert_eq!(
            initial(d(2026, 11, 30), today, &items(90.0), 0.0, 3),
            Err(EvaluationError::BadDate)
        );
        let oldest = today - chrono::Days::new(180);
        assert!(initial(oldest, today, &items(90.0), 0.0, 3).is_ok());
        assert_eq!(
            initial(
                oldest.pred_opt().expect("date"),
                today,
                &items(90.0),
                0.0,
                3
            ),
            Err(EvaluationError::BadDate)
        );
    }
}
