//! A case of reports from the public (issue 15): its statuses and which triage action each
//! allows, its public case number, and the monthly figures `/misuse` and `/statistics` publish.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::dates::beijing_today;

/// Where a case stands. The reporter's follow-up page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum CaseStatus {
    Received,
    UnderReview,
    /// Misuse confirmed: the site is listed on `/misuse`.
    Confirmed,
    /// Looked at, not confirmed; the reporter is given the reason.
    NotConfirmed,
    /// Folded by staff into another case, which the reports now follow.
    Merged,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] = [
        CaseStatus::Received,
        CaseStatus::UnderReview,
        CaseStatus::Confirmed,
        CaseStatus::NotConfirmed,
        CaseStatus::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::UnderReview => "under_review",
            CaseStatus::Confirmed => "confirmed",
            CaseStatus::NotConfirmed => "not_confirmed",
            CaseStatus::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Still waiting for a decision: new reports fold into it and staff may act on it.
    pub fn is_open(self) -> bool {
        matches!(self, CaseStatus::Received | CaseStatus::UnderReview)
    }
}

/// What staff do to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriageAction {
    /// Assign it to oneself: under review.
    Take,
    Confirm,
    NotConfirm,
    /// Fold into another open case.
    Merge,
    /// Tie it to the certificate it is about.
    Link,
}

/// Why an action cannot be done to a case in `status`; `None` when it can.
pub fn refusal(status: CaseStatus, action: TriageAction) -> Option<&'static str> {
    match (status, action) {
        (CaseStatus::Merged, _) => Some("case-refused-merged"),
        // A decided case may still be tied to its certificate (for the certificate's history).
        (_, TriageAction::Link) => None,
        (s, _) if !s.is_open() => Some("case-refused-decided"),
        _ => None,
    }
}

/// The public number of case `id` opened at `opened_at` (UTC): `R2026-000123`, the year in
/// Beijing.
pub fn case_number(id: i32, opened_at: NaiveDateTime) -> String {
    format!("R{}-{id:06}", beijing_today(opened_at.and_utc()).year())
}

/// The case id in a case number as [`case_number`] writes it (the year is checked by the
/// caller against the case's own).
pub fn parse_case_number(number: &str) -> Option<i32> {
    let rest = number.trim().strip_prefix(['R', 'r'])?;
    let (year, id) = rest.split_once('-')?;
    let fits = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    fits.then(|| id.parse::<i32>().ok().filter(|id| *id > 0))
        .flatten()
}

/// A decided case, as the monthly figures count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub opened_at: NaiveDateTime,
    pub decided_at: NaiveDateTime,
    pub confirmed: bool,
}

/// One month's figures (months in Beijing).
#[derive(Debug, Clone, PartialEq)]
pub struct MonthFigures {
    /// The month's first day.
    pub month: NaiveDate,
    pub received: i64,
    pub confirmed: i64,
    pub not_confirmed: i64,
    /// Median days from the case's opening to the decision, of the cases decided this month.
    pub median_days: Option<f64>,
}

fn month_of(at: NaiveDateTime) -> NaiveDate {
    let day = beijing_today(at.and_utc());
    day.with_day(1).unwrap_or(day)
}

/// The figures of the `months` months up to and including `today`'s, newest first: reports
/// received, cases decided each way, and the median days to a decision.
pub fn monthly_figures(
    received: &[NaiveDateTime],
    decisions: &[Decision],
    today: NaiveDate,
    months: u32,
) -> Vec<MonthFigures> {
    let mut month = today.with_day(1).unwrap_or(today);
    let mut out = Vec::new();
    for _ in 0..months {
        let mut days: Vec<f64> = Vec::new();
        let mut figures = MonthFigures {
            month,
            received: received.iter().filter(|r| month_of(**r) == month).count() as i64,
            confirmed: 0,
            not_confirmed: 0,
            median_days: None,
        };
        for d in decisions.iter().filter(|d| month_of(d.decided_at) == month) {
            if d.confirmed {
                figures.confirmed += 1;
            } else {
                figures.not_confirmed += 1;
            }
            days.push((d.decided_at - d.opened_at).num_seconds().max(0) as f64 / 86_400.0);
        }
        figures.median_days = median(&mut days);
        out.push(figures);
        month = month
            .pred_opt()
            .map(|d| d.with_day(1).unwrap_or(d))
            .unwrap_or(month);
    }
    out
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .expect("time")
    }

    #[test]
    fn statuses_round_trip_and_only_open_cases_are_acted_on() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CaseStatus::parse("open"), None);
        assert_eq!(
            refusal(CaseStatus::Received, TriageAction::Confirm),
            None,
            "a case may be confirmed without being taken first"
        );
        assert_eq!(refusal(CaseStatus::UnderReview, TriageAction::Merge), None);
        assert_eq!(
            refusal(CaseStatus::Confirmed, TriageAction::NotConfirm),
            Some("case-refused-decided")
        );
        assert_eq!(
            refusal(CaseStatus::NotConfirmed, TriageAction::Take),
            Some("case-refused-decided")
        );
        assert_eq!(refusal(CaseStatus::Confirmed, TriageAction::Link), None);
        assert_eq!(
            refusal(CaseStatus::Merged, TriageAction::Link),
            Some("case-refused-merged")
        );
    }

    #[test]
    fn case_numbers_carry_the_year_in_beijing() {
        // 2026-12-31 17:00 UTC is already 2027 in Beijing.
        assert_eq!(case_number(123, at(2026, 12, 31, 17)), "R2027-000123");
        assert_eq!(case_number(1_234_567, at(2026, 6, 1, 0)), "R2026-1234567");
        assert_eq!(parse_case_number("R2026-000123"), Some(123));
        assert_eq!(parse_case_number(" r2026-7 "), Some(7));
        for bad in [
            "2026-000123",
            "R26-1",
            "R2026-",
            "R2026-0",
            "R2026-x1",
            "R2026-1-2",
        ] {
            assert_eq!(parse_case_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn monthly_figures_count_by_beijing_month_with_the_median() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        let received = [
            at(2026, 12, 1, 3),
            // 30 November 16:00 UTC is 1 December in Beijing.
            at(2026, 11, 30, 16),
            at(2026, 11, 30, 15),
            at(2026, 10, 2, 0),
        ];
        let decisions = [
            Decision {
                opened_at: at(2026, 11, 20, 0),
                decided_at: at(2026, 12, 2, 0),
                confirmed: true,
            },
            Decision {
                opened_at: at(2026, 12, 1, 0),
                decided_at: at(2026, 12, 2, 0),
                confirmed: false,
            },
            Decision {
                opened_at: at(2026, 11, 1, 0),
                decided_at: at(2026, 11, 4, 12),
                confirmed: true,
            },
        ];
        let figures = monthly_figures(&received, &decisions, today, 3);
        let months: Vec<String> = figures.iter().map(|f| f.month.to_string()).collect();
        assert_eq!(months, ["2026-12-01", "2026-11-01", "2026-10-01"]);
        assert_eq!(
            (
                figures[0].received,
                figures[1].received,
                figures[2].received
            ),
            (2, 1, 1)
        );
        assert_eq!((figures[0].confirmed, figures[0].not_confirmed), (1, 1));
        // 12 days and 1 day: the median of two is their mean.
        assert_eq!(figures[0].median_days, Some(6.5));
        assert_eq!(figures[1].median_days, Some(3.5));
        assert_eq!(figures[2].median_days, None);
        assert_eq!(figures[2].confirmed + figures[2].not_confirmed, 0);
        // Across a new year.
        let january = NaiveDate::from_ymd_opt(2027, 1, 3).expect("date");
        let months: Vec<String> = monthly_figures(&[], &[], january, 2)
            .iter()
            .map(|f| f.month.to_string())
            .collect();
        assert_eq!(months, ["2027-01-01", "2026-12-01"]);
    }
}
