//! What the statistics page counts: the event kinds shown by month, the score bins, the
//! years that can be asked for.

use chrono::{Datelike, NaiveDate};

use super::event::EventKind;

/// The event kinds counted per month, in the order they are shown.
pub const MONTHLY_KINDS: [EventKind; 5] = [
    EventKind::Issued,
    EventKind::Upgraded,
    EventKind::Downgraded,
    EventKind::Suspended,
    EventKind::Revoked,
];

/// The earliest year the page accepts (the scheme started in 2016; earlier years are empty
/// but harmless).
pub const FIRST_YEAR: i32 = 2000;

/// Whether `year` can be asked for on `today`: from [`FIRST_YEAR`] to this year.
pub fn year_allowed(year: i32, today: NaiveDate) -> bool {
    (FIRST_YEAR..=today.year()).contains(&year)
}

/// The first and last day of `year` counted on `today`: events after today are not public
/// yet. `None` for a year that has not begun.
pub fn counted_days(year: i32, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let last = NaiveDate::from_ymd_opt(year, 12, 31)?.min(today);
    (first <= last).then_some((first, last))
}

/// Scores of certificates in force are counted in bins of `width` points from `LOW` to 100;
/// each bin holds `from ≤ s < to`, the last one also 100.
pub const SCORE_LOW: f64 = 70.0;
pub const SCORE_HIGH: f64 = 100.0;
pub const SCORE_BIN_WIDTH: f64 = 2.5;

/// The score bins as (from, to) pairs.
pub fn score_bins() -> Vec<(f64, f64)> {
    let n = ((SCORE_HIGH - SCORE_LOW) / SCORE_BIN_WIDTH).round() as usize;
    (0..n)
        .map(|i| {
            let from = SCORE_LOW + SCORE_BIN_WIDTH * i as f64;
            (from, from + SCORE_BIN_WIDTH)
        })
        .collect()
}

/// The bin a score falls in; `None` outside 70–100 (no certificate has such a score).
pub fn score_bin(score: f64) -> Option<usize> {
    if !(SCORE_LOW..=SCORE_HIGH).contains(&score) {
        return None;
    }
    let n = score_bins().len();
    let i = ((score - SCORE_LOW) / SCORE_BIN_WIDTH).floor() as usize;
    Some(i.min(n - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn bins_cover_70_to_100() {
        let bins = score_bins();
        assert_eq!(bins.len(), 12);
        assert_eq!(bins[0], (70.0, 72.5));
        assert_eq!(bins[11], (97.5, 100.0));
        assert_eq!(score_bin(70.0), Some(0));
        assert_eq!(score_bin(72.49), Some(0));
        assert_eq!(score_bin(72.5), Some(1));
        assert_eq!(score_bin(95.0), Some(10));
        assert_eq!(score_bin(100.0), Some(11));
        assert_eq!(score_bin(69.99), None);
        assert_eq!(score_bin(100.01), None);
        assert_eq!(score_bin(f64::NAN), None);
    }

    #[test]
    fn years_and_days() {
        let today = d(2026, 11, 28);
        assert!(year_allowed(2026, today));
        assert!(year_allowed(FIRST_YEAR, today));
        assert!(!year_allowed(2027, today));
        assert!(!year_allowed(1999, today));
        assert_eq!(
            counted_days(2026, today),
            Some((d(2026, 1, 1), d(2026, 11, 28)))
        );
        assert_eq!(
            counted_days(2025, today),
            Some((d(2025, 1, 1), d(2025, 12, 31)))
        );
        assert_eq!(counted_days(2027, today), None);
    }
}
