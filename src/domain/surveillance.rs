//! Assessment kinds and the surveillance schedule: when the next surveillance is due and whether it is overdue.

use chrono::NaiveDate;

use super::dates::add_months;

/// Months from the initial evaluation to the first surveillance.
pub const FIRST_SURVEILLANCE_MONTHS: u32 = 6;
/// Longest gap, in months, between later surveillances.
pub const SURVEILLANCE_INTERVAL_MONTHS: u32 = 12;

/// Kind of an assessment carried out by the certification body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum AssessmentKind {
    /// The first evaluation, which leads to the certificate.
    Initial,
    /// A scheduled surveillance.
    Surveillance,
    /// An extra, unscheduled surveillance (after serious problems or complaints).
    Special,
    /// Evaluation for a new certificate at the end of the validity period.
    Recertification,
}

impl AssessmentKind {
    /// Every kind.
    pub const ALL: [AssessmentKind; 4] = [
        AssessmentKind::Initial,
        AssessmentKind::Surveillance,
        AssessmentKind::Special,
        AssessmentKind::Recertification,
    ];

    /// Stable lowercase name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentKind::Initial => "initial",
            AssessmentKind::Surveillance => "surveillance",
            AssessmentKind::Special => "special",
            AssessmentKind::Recertification => "recertification",
        }
    }

    /// The kind named by [`as_str`](Self::as_str) (exact, lowercase), if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Date by which the next surveillance must take place: 6 months after the initial evaluation,
/// at most 12 months after any other assessment.
pub fn next_surveillance_due(last_kind: AssessmentKind, last_on: NaiveDate) -> NaiveDate {
    let months = match last_kind {
        AssessmentKind::Initial => FIRST_SURVEILLANCE_MONTHS,
        AssessmentKind::Surveillance
        | AssessmentKind::Special
        | AssessmentKind::Recertification => SURVEILLANCE_INTERVAL_MONTHS,
    };
    add_months(last_on, months)
}

/// Where a certificate stands in its surveillance schedule on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveillanceState {
    /// Date by which the next surveillance is due.
    pub due_on: NaiveDate,
    /// Whether `today` is past `due_on`.
    pub overdue: bool,
    /// Days from `today` to `due_on`: 0 on the due date, negative when overdue.
    pub days_left: i64,
}

/// The surveillance state on `today` after the last assessment (`last_kind` on `last_on`).
pub fn surveillance_state(
    last_kind: AssessmentKind,
    last_on: NaiveDate,
    today: NaiveDate,
) -> SurveillanceState {
    let due_on = next_surveillance_due(last_kind, last_on);
    SurveillanceState {
        due_on,
        overdue: today > due_on,
        days_left: due_on.signed_duration_since(today).num_days(),
    }
}

/// Its stored name, as [`AssessmentKind::as_str`] gives it (in templates, messages and keys).
impl std::fmt::Display for AssessmentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn names_round_trip() {
        for k in AssessmentKind::ALL {
            assert_eq!(AssessmentKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AssessmentKind::parse("Initial"), None);
        assert_eq!(AssessmentKind::parse("annual"), None);
    }

    #[test]
    fn due_dates() {
        let on = d(2026, 8, 31);
        assert_eq!(
            next_surveillance_due(AssessmentKind::Initial, on),
            d(2027, 2, 28)
        );
        for k in [
            AssessmentKind::Surveillance,
            AssessmentKind::Special,
            AssessmentKind::Recertification,
        ] {
            assert_eq!(next_surveillance_due(k, on), d(2027, 8, 31));
        }
        assert_eq!(
            next_surveillance_due(AssessmentKind::Surveillance, d(2024, 2, 29)),
            d(2025, 2, 28)
        );
    }

    #[test]
    fn state_around_the_due_date() {
        let on = d(2026, 1, 10);
        let s = surveillance_state(AssessmentKind::Initial, on, d(2026, 7, 9));
        assert_eq!(
            s,
            SurveillanceState {
                due_on: d(2026, 7, 10),
                overdue: false,
                days_left: 1
            }
        );
        let s = surveillance_state(AssessmentKind::Initial, on, d(2026, 7, 10));
        assert!(!s.overdue);
        assert_eq!(s.days_left, 0);
        let s = surveillance_state(AssessmentKind::Initial, on, d(2026, 7, 11));
        assert!(s.overdue);
        assert_eq!(s.days_left, -1);
        let s = surveillance_state(AssessmentKind::Surveillance, on, d(2026, 1, 10));
        assert_eq!(s.days_left, 365);
        assert!(!s.overdue);
    }
}
