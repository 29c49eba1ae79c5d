//! Rules for the reference data: a certification body's code, a scheme version's slug, and
//! what an edit of a scheme version may change while certificates use it.

use chrono::NaiveDate;

/// A body's code: 2–10 upper-case letters or digits (it starts certificate numbers, e.g. CQM).
pub fn valid_body_code(code: &str) -> bool {
    (2..=10).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A scheme version's slug: 2–40 of `a-z 0-9 -`, starting with a letter or digit (it appears in
/// search URLs, e.g. `gbt31524-2015`).
pub fn valid_slug(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && !slug.starts_with('-')
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// How the certificates of a scheme version use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemeUsage {
    /// Evaluations of its certificates, or stored scores of its indicators.
    pub evaluated: bool,
    /// The earliest assessment under it (an evaluation, or a certificate's last assessment).
    pub earliest_assessment: Option<NaiveDate>,
}

/// Why an edit of a scheme version is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SchemeEditError {
    /// A new indicator tree for a version that evaluations use: stored scores point to its
    /// indicators.
    #[error("the scheme version has evaluations")]
    InUse,
    /// The version would come into force after an assessment made under it (the earliest).
    #[error("an assessment under this scheme version is dated {0}")]
    AssessedBefore(NaiveDate),
}

/// Checks an edit of a scheme version against its use: its tree is replaced only while no
/// evaluation uses it, and it may not come into force after an assessment made under it.
pub fn check_scheme_edit(
    usage: SchemeUsage,
    new_effective_from: NaiveDate,
    replaces_tree: bool,
) -> Result<(), SchemeEditError> {
    if replaces_tree && usage.evaluated {
        return Err(SchemeEditError::InUse);
    }
    match usage.earliest_assessment {
        Some(earliest) if new_effective_from > earliest => {
            Err(SchemeEditError::AssessedBefore(earliest))
        }
        _ => Ok(()),
    }
}

/// Why a scheme version cannot be used for an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the scheme version takes effect on {effective_from}, after the evaluation")]
pub struct SchemeNotInForce {
    pub effective_from: NaiveDate,
}

/// Checks that a scheme version is in force on the day of an assessment made under it.
pub fn check_in_force(
    effective_from: NaiveDate,
    assessed_on: NaiveDate,
) -> Result<(), SchemeNotInForce> {
    if effective_from > assessed_on {
        Err(SchemeNotInForce { effective_from })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn a_scheme_is_in_force_from_its_first_day() {
        assert_eq!(check_in_force(day(2026, 3, 1), day(2026, 3, 1)), Ok(()));
        assert_eq!(check_in_force(day(2026, 3, 1), day(2026, 5, 9)), Ok(()));
        assert_eq!(
            check_in_force(day(2026, 3, 1), day(2026, 2, 28)),
            Err(SchemeNotInForce {
                effective_from: day(2026, 3, 1)
            })
        );
    }

    #[test]
    fn an_evaluated_scheme_keeps_its_tree() {
        let used = SchemeUsage {
            evaluated: true,
            earliest_assessment: Some(day(2025, 6, 1)),
        };
        assert_eq!(
            check_scheme_edit(used, day(2025, 1, 1), true),
            Err(SchemeEditError::InUse)
        );
        // Its titles and start may still change.
        assert_eq!(check_scheme_edit(used, day(2025, 1, 1), false), Ok(()));
        let unused = SchemeUsage {
            evaluated: false,
            earliest_assessment: None,
        };
        assert_eq!(check_scheme_edit(unused, day(2030, 1, 1), true), Ok(()));
    }

    #[test]
    fn a_scheme_may_not_start_after_an_assessment_under_it() {
        let used = SchemeUsage {
            evaluated: false,
            earliest_assessment: Some(day(2025, 6, 1)),
        };
        assert_eq!(check_scheme_edit(used, day(2025, 6, 1), false), Ok(()));
        assert_eq!(
            check_scheme_edit(used, day(2025, 6, 2), false),
            Err(SchemeEditError::AssessedBefore(day(2025, 6, 1)))
        );
    }

    #[test]
    fn codes_and_slugs() {
        assert!(valid_body_code("CQM") && valid_body_code("CB01"));
        assert!(!valid_body_code("cqm") && !valid_body_code("C") && !valid_body_code("C-QM"));
        assert!(valid_slug("gbt31524-2015") && valid_slug("v2"));
        assert!(!valid_slug("-x") && !valid_slug("GBT") && !valid_slug("a b") && !valid_slug("x"));
    }
}
