//! Certificate calendar dates: "today" in China Standard Time (UTC+8) and month/year arithmetic.

use chrono::{DateTime, FixedOffset, Months, NaiveDate, Utc};

/// Offset of China Standard Time from UTC, in seconds (UTC+8, no daylight saving time).
pub const BEIJING_OFFSET_SECS: i32 = 8 * 3600;

/// The China Standard Time offset (UTC+8) as a chrono offset.
pub fn beijing_offset() -> FixedOffset {
    const OFFSET: FixedOffset = match FixedOffset::east_opt(BEIJING_OFFSET_SECS) {
        Some(offset) => offset,
        None => panic!("UTC+8 is a valid offset"),
    };
    OFFSET
}

/// The calendar date in Beijing at the instant `now`.
pub fn beijing_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&beijing_offset()).date_naive()
}

/// `date` plus `months` calendar months, clamped to the end of a shorter month
/// (2026-08-31 + 6 → 2027-02-28); saturates at [`NaiveDate::MAX`] instead of overflowing.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// `date` plus `years` calendar years (29 February → 28 February in a common year);
/// saturates at [`NaiveDate::MAX`].
pub fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    match years.checked_mul(12) {
        Some(months) => add_months(date, months),
        None => NaiveDate::MAX,
    }
}

/// The last day of a validity period of `years` starting on `issued_on`: the day before its
/// anniversary (2026-11-29 for 3 years → 2029-11-28).
pub fn validity_end(issued_on: NaiveDate, years: u32) -> NaiveDate {
    add_years(issued_on, years).pred_opt().unwrap_or(issued_on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone};
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn utc(y: i32, mo: u32, day: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, day, h, mi, s)
            .single()
            .expect("valid instant")
    }

    #[test]
    fn beijing_midnight_is_16_utc() {
        assert_eq!(
            beijing_today(utc(2026, 12, 31, 15, 59, 59)),
            d(2026, 12, 31)
        );
        assert_eq!(beijing_today(utc(2026, 12, 31, 16, 0, 0)), d(2027, 1, 1));
        assert_eq!(beijing_today(utc(2026, 6, 1, 0, 0, 0)), d(2026, 6, 1));
        assert_eq!(beijing_today(utc(2026, 5, 31, 23, 0, 0)), d(2026, 6, 1));
        assert_eq!(beijing_offset().local_minus_utc(), 28_800);
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        assert_eq!(add_months(d(2026, 8, 31), 6), d(2027, 2, 28));
        assert_eq!(add_months(d(2027, 8, 31), 6), d(2028, 2, 29));
        assert_eq!(add_months(d(2026, 1, 31), 1), d(2026, 2, 28));
        assert_eq!(add_months(d(2026, 3, 31), 1), d(2026, 4, 30));
        assert_eq!(add_months(d(2026, 1, 15), 12), d(2027, 1, 15));
        assert_eq!(add_months(d(2026, 11, 30), 3), d(2027, 2, 28));
        assert_eq!(add_months(d(2026, 5, 5), 0), d(2026, 5, 5));
    }

    #[test]
    fn add_months_saturates() {
        assert_eq!(add_months(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(add_months(d(2026, 1, 1), u32::MAX), NaiveDate::MAX);
        assert_eq!(add_years(d(2026, 1, 1), u32::MAX), NaiveDate::MAX);
        assert_eq!(add_years(d(2026, 1, 1), 1_000_000), NaiveDate::MAX);
    }

    #[test]
    fn add_years_handles_leap_day() {
        assert_eq!(add_years(d(2024, 2, 29), 1), d(2025, 2, 28));
        assert_eq!(add_years(d(2024, 2, 29), 3), d(2027, 2, 28));
        assert_eq!(add_years(d(2024, 2, 29), 4), d(2028, 2, 29));
        assert_eq!(add_years(d(2026, 7, 1), 3), d(2029, 7, 1));
    }

    proptest! {
        #[test]
        fn add_months_never_panics_and_never_goes_back(
            days in NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce(),
            months in any::<u32>(),
        ) {
            let date = NaiveDate::from_num_days_from_ce_opt(days).expect("in range");
            let out = add_months(date, months);
            prop_assert!(out >= date);
            let _ = add_years(date, months);
        }

        #[test]
        fn add_months_keeps_day_or_clamps(
            y in 1900i32..2200, m in 1u32..=12, day in 1u32..=31, months in 0u32..600,
        ) {
            prop_assume!(NaiveDate::from_ymd_opt(y, m, day).is_some());
            let date = d(y, m, day);
            let out = add_months(date, months);
            let total = (y * 12 + m as i32 - 1) + months as i32;
            prop_assert_eq!(out.year(), total.div_euclid(12));
            prop_assert_eq!(out.month0() as i32, total.rem_euclid(12));
            prop_assert!(out.day() == day || (out.day() < day && out.succ_opt().map(|n| n.day()) == Some(1)));
        }
    }
}
