//! Star grades (2–5 stars), the 0–100 score and the half-open score bands that map one to the other.

use thiserror::Error;

/// A star grade of an SQE certificate. A score under 70 earns no grade (fail, no certificate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    /// ★★ 达标级 (meets the standard): 70 ≤ s < 80.
    Two = 2,
    /// ★★★ 三星级: 80 ≤ s < 90.
    Three = 3,
    /// ★★★★ 四星级: 90 ≤ s < 95.
    Four = 4,
    /// ★★★★★ 五星级: 95 ≤ s ≤ 100.
    Five = 5,
}

impl Grade {
    /// Every grade, lowest first.
    pub const ALL: [Grade; 4] = [Grade::Two, Grade::Three, Grade::Four, Grade::Five];

    /// Number of stars (2–5).
    pub fn stars(self) -> u8 {
        self as u8
    }

    /// The grade with `n` stars, or `None` when `n` is not 2–5.
    pub fn from_stars(n: i64) -> Option<Grade> {
        match n {
            2 => Some(Grade::Two),
            3 => Some(Grade::Three),
            4 => Some(Grade::Four),
            5 => Some(Grade::Five),
            _ => None,
        }
    }

    /// Lowest score (inclusive) that earns this grade.
    pub fn min_score(self) -> f64 {
        match self {
            Grade::Two => 70.0,
            Grade::Three => 80.0,
            Grade::Four => 90.0,
            Grade::Five => 95.0,
        }
    }

    /// Score (exclusive) from which the next grade starts; `None` for the top grade, which runs to 100.
    pub fn max_score_exclusive(self) -> Option<f64> {
        match self {
            Grade::Two => Some(80.0),
            Grade::Three => Some(90.0),
            Grade::Four => Some(95.0),
            Grade::Five => None,
        }
    }

    /// Official Chinese name of the grade level, e.g. "达标级" or "五星级".
    pub fn name_zh(self) -> &'static str {
        match self {
            Grade::Two => "达标级",
            Grade::Three => "三星级",
            Grade::Four => "四星级",
            Grade::Five => "五星级",
        }
    }
}

/// Why a number is not a valid score.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum ScoreError {
    /// NaN or infinite.
    #[error("a score must be a finite number, got {0}")]
    NotFinite(f64),
    /// Below 0 or above 100.
    #[error("a score must be between 0 and 100, got {0}")]
    OutOfRange(f64),
}

/// An evaluation score on the 100-point scale: finite and within 0..=100.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Score(f64);

impl Score {
    /// Checks that `v` is finite and within 0..=100.
    pub fn new(v: f64) -> Result<Score, ScoreError> {
        if !v.is_finite() {
            return Err(ScoreError::NotFinite(v));
        }
        if !(0.0..=100.0).contains(&v) {
            return Err(ScoreError::OutOfRange(v));
        }
        // Turn -0.0 into 0.0 so that it displays as "0".
        Ok(Score(if v == 0.0 { 0.0 } else { v }))
    }

    /// The score as a number.
    pub fn value(self) -> f64 {
        self.0
    }
}

/// The grade a score earns under the half-open bands, or `None` for a fail (score under 70).
pub fn grade_for(score: Score) -> Option<Grade> {
    Grade::ALL
        .iter()
        .rev()
        .copied()
        .find(|g| score.value() >= g.min_score())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn g(v: f64) -> Option<Grade> {
        grade_for(Score::new(v).expect("valid score"))
    }

    #[test]
    fn band_edges() {
        assert_eq!(g(0.0), None);
        assert_eq!(g(69.99), None);
        assert_eq!(g(69.999_999), None);
        assert_eq!(g(70.0), Some(Grade::Two));
        assert_eq!(g(79.999), Some(Grade::Two));
        assert_eq!(g(80.0), Some(Grade::Three));
        assert_eq!(g(89.99), Some(Grade::Three));
        assert_eq!(g(90.0), Some(Grade::Four));
        assert_eq!(g(94.99), Some(Grade::Four));
        assert_eq!(g(95.0), Some(Grade::Five));
        assert_eq!(g(100.0), Some(Grade::Five));
    }

    #[test]
    fn score_rejects_bad_input() {
        assert_eq!(Score::new(-0.01), Err(ScoreError::OutOfRange(-0.01)));
        assert_eq!(Score::new(100.01), Err(ScoreError::OutOfRange(100.01)));
        assert!(matches!(
            Score::new(f64::NAN),
            Err(ScoreError::NotFinite(_))
        ));
        assert!(matches!(
            Score::new(f64::INFINITY),
            Err(ScoreError::NotFinite(_))
        ));
        assert!(Score::new(f64::NEG_INFINITY).is_err());
        assert_eq!(
            Score::new(-0.0).map(|s| s.value().to_string()),
            Ok("0".into())
        );
        assert!(Score::new(f64::INFINITY)
            .map_err(|e| e.to_string())
            .is_err_and(|m| m.contains("finite")));
    }

    #[test]
    fn stars_round_trip_and_bounds() {
        for grade in Grade::ALL {
            assert_eq!(Grade::from_stars(i64::from(grade.stars())), Some(grade));
            assert_eq!(g(grade.min_score()), Some(grade));
            if let Some(max) = grade.max_score_exclusive() {
                assert!(max > grade.min_score());
                assert_ne!(g(max), Some(grade));
            }
        }
        assert_eq!(Grade::Two.stars(), 2);
        assert_eq!(Grade::Five.stars(), 5);
        for n in [i64::MIN, -2, 0, 1, 6, 55, i64::MAX] {
            assert_eq!(Grade::from_stars(n), None);
        }
        assert!(Grade::Two < Grade::Five);
        assert_eq!(Grade::Two.name_zh(), "达标级");
    }

    #[test]
    fn bands_are_contiguous() {
        for pair in Grade::ALL.windows(2) {
            assert_eq!(pair[0].max_score_exclusive(), Some(pair[1].min_score()));
        }
        assert_eq!(Grade::Five.max_score_exclusive(), None);
    }

    proptest! {
        #[test]
        fn grade_is_monotonic_in_score(a in 0.0f64..=100.0, b in 0.0f64..=100.0) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(g(lo) <= g(hi));
        }

        #[test]
        fn grade_band_contains_score(v in 0.0f64..=100.0) {
            match g(v) {
                None => prop_assert!(v < 70.0),
                Some(grade) => {
                    prop_assert!(v >= grade.min_score());
                    if let Some(max) = grade.max_score_exclusive() {
                        prop_assert!(v < max);
                    }
                }
            }
        }

        #[test]
        fn out_of_range_is_rejected(v in prop_oneof![-1e9f64..-1e-9, 100.000_001f64..1e9]) {
            prop_assert!(Score::new(v).is_err());
        }
    }
}
