//! The total score of an evaluation, computed as in GB/T 27922: points earned over the points of
//! the applicable items, on a 100-point scale, less special deductions.

use thiserror::Error;

use super::grade::{Score, ScoreError};

/// Result of one scored item of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemScore {
    /// Points the item is worth; must be positive.
    pub max_points: f64,
    /// Points earned; `None` when the item does not apply to the platform (left out of the total).
    pub earned: Option<f64>,
}

/// Why a total score cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum ScoringError {
    /// No item applies, so there is nothing to score.
    #[error("no applicable item: at least one item must be scored")]
    NoApplicableItems,
    /// An item is worth zero, negative or non-finite points.
    #[error("item {index} is worth {max_points} points; an item must be worth more than 0")]
    InvalidMaxPoints {
        /// 0-based index of the item.
        index: usize,
        /// The points it is worth.
        max_points: f64,
    },
    /// Points earned are negative, non-finite or above the item's maximum.
    #[error("item {index} earned {earned} points; it must be between 0 and {max_points}")]
    InvalidEarned {
        /// 0-based index of the item.
        index: usize,
        /// The points earned.
        earned: f64,
        /// The points it is worth.
        max_points: f64,
    },
    /// The special deduction is negative or non-finite.
    #[error("the special deduction is {0}; it must be a number of points of 0 or more")]
    InvalidDeduction(f64),
    /// The computed value is not a valid score (cannot happen with valid items).
    #[error(transparent)]
    Score(#[from] ScoreError),
}

/// Rounds to two decimal places, halves away from zero.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The total score: Σ earned ÷ Σ max_points over the applicable items × 100, minus
/// `special_deductions`, floored at 0 and rounded to 2 decimals.
pub fn total_score(items: &[ItemScore], special_deductions: f64) -> Result<Score, ScoringError> {
    if !special_deductions.is_finite() || special_deductions < 0.0 {
        return Err(ScoringError::InvalidDeduction(special_deductions));
    }
    let mut earned_sum = 0.0;
    let mut max_sum = 0.0;
    for (index, item) in items.iter().enumerate() {
        let max_points = item.max_points;
        if !max_points.is_finite() || max_points <= 0.0 {
            return Err(ScoringError::InvalidMaxPoints { index, max_points });
        }
        let Some(earned) = item.earned else { continue };
        if !earned.is_finite() || earned < 0.0 || earned > max_points {
            return Err(ScoringError::InvalidEarned {
                index,
                earned,
                max_points,
            });
        }
        earned_sum += earned;
        max_sum += max_points;
    }
    if max_sum <= 0.0 {
        return Err(ScoringError::NoApplicableItems);
    }
    let raw = (earned_sum / max_sum * 100.0 - special_deductions).max(0.0);
    Ok(Score::new(round2(raw).min(100.0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grade::{grade_for, Grade};
    use proptest::prelude::*;

    fn item(max_points: f64, earned: f64) -> ItemScore {
        ItemScore {
            max_points,
            earned: Some(earned),
        }
    }

    fn na(max_points: f64) -> ItemScore {
        ItemScore {
            max_points,
            earned: None,
        }
    }

    fn total(items: &[ItemScore], d: f64) -> f64 {
        total_score(items, d).expect("valid items").value()
    }

    #[test]
    fn ratio_of_applicable_points() {
        assert_eq!(total(&[item(10.0, 10.0), item(10.0, 5.0)], 0.0), 75.0);
        // The non-applicable item is left out: 8 / 10.
        assert_eq!(total(&[item(10.0, 8.0), na(90.0)], 0.0), 80.0);
        assert_eq!(total(&[item(3.0, 3.0)], 0.0), 100.0);
        assert_eq!(total(&[item(3.0, 0.0)], 0.0), 0.0);
    }

    #[test]
    fn deductions_and_rounding() {
        assert_eq!(total(&[item(10.0, 10.0)], 1.0), 99.0);
        assert_eq!(total(&[item(10.0, 10.0)], 2.5), 97.5);
        assert_eq!(total(&[item(10.0, 1.0)], 30.0), 0.0);
        // 2 / 3 = 66.666… → 66.67.
        assert_eq!(total(&[item(3.0, 2.0)], 0.0), 66.67);
        // 1 / 3 = 33.333… → 33.33.
        assert_eq!(total(&[item(3.0, 1.0)], 0.0), 33.33);
        // 95.996… rounds up into the five-star band.
        let s = total_score(&[item(2500.0, 2399.9)], 0.0).expect("valid");
        assert_eq!(s.value(), 96.0);
        assert_eq!(grade_for(s), Some(Grade::Five));
    }

    #[test]
    fn errors() {
        assert_eq!(total_score(&[], 0.0), Err(ScoringError::NoApplicableItems));
        assert_eq!(
            total_score(&[na(5.0), na(1.0)], 0.0),
            Err(ScoringError::NoApplicableItems)
        );
        assert_eq!(
            total_score(&[item(5.0, 6.0)], 0.0),
            Err(ScoringError::InvalidEarned {
                index: 0,
                earned: 6.0,
                max_points: 5.0
            })
        );
        assert!(matches!(
            total_score(&[item(5.0, 1.0), item(5.0, -0.5)], 0.0),
            Err(ScoringError::InvalidEarned { index: 1, .. })
        ));
        assert!(matches!(
            total_score(&[item(5.0, f64::NAN)], 0.0),
            Err(ScoringError::InvalidEarned { .. })
        ));
        assert_eq!(
            total_score(&[item(5.0, 1.0), na(0.0)], 0.0),
            Err(ScoringError::InvalidMaxPoints {
                index: 1,
                max_points: 0.0
            })
        );
        assert!(matches!(
            total_score(&[item(-5.0, -1.0)], 0.0),
            Err(ScoringError::InvalidMaxPoints { index: 0, .. })
        ));
        assert!(matches!(
            total_score(&[item(f64::INFINITY, 1.0)], 0.0),
            Err(ScoringError::InvalidMaxPoints { .. })
        ));
        assert_eq!(
            total_score(&[item(5.0, 1.0)], -1.0),
            Err(ScoringError::InvalidDeduction(-1.0))
        );
        assert!(matches!(
            total_score(&[item(5.0, 1.0)], f64::NAN),
            Err(ScoringError::InvalidDeduction(_))
        ));
        let msg = ScoringError::NoApplicableItems.to_string();
        assert!(msg.contains("no applicable item"));
    }

    fn items() -> impl Strategy<Value = Vec<ItemScore>> {
        proptest::collection::vec(
            (
                0.01f64..100.0,
                proptest::option::weighted(0.8, 0.0f64..=1.0),
            )
                .prop_map(|(max, frac)| ItemScore {
                    max_points: max,
                    earned: frac.map(|f| (f * max).min(max)),
                }),
            1..50,
        )
    }

    proptest! {
        #[test]
        fn valid_items_give_a_valid_score(items in items(), d in 0.0f64..200.0) {
            let applicable = items.iter().any(|i| i.earned.is_some());
            match total_score(&items, d) {
                Ok(s) => {
                    prop_assert!(applicable);
                    prop_assert!((0.0..=100.0).contains(&s.value()));
                    prop_assert_eq!((s.value() * 100.0).round() / 100.0, s.value());
                }
                Err(e) => {
                    prop_assert!(!applicable);
                    prop_assert_eq!(e, ScoringError::NoApplicableItems);
                }
            }
        }

        #[test]
        fn deductions_never_raise_the_score(items in items(), d in 0.0f64..50.0) {
            if let (Ok(a), Ok(b)) = (total_score(&items, 0.0), total_score(&items, d)) {
                prop_assert!(b.value() <= a.value());
            }
        }
    }
}
