//! The record of a simulated certificate (evaluations and events), and how a demo evaluation is
//! scored: per-indicator points around a target score, under the scheme version in force on the
//! evaluation date, totalled by `domain::scoring` and graded by `domain::grade`.

use chrono::NaiveDate;
use rand::Rng;

use crate::domain::event::EventKind;
use crate::domain::grade::{grade_for, Grade, Score};
use crate::domain::scoring::{total_score, ItemScore};
use crate::domain::status::CertificateStatus;
use crate::domain::surveillance::AssessmentKind;

/// A first-level indicator as the simulation scores it.
#[derive(Debug, Clone)]
pub struct IndicatorRef {
    pub id: i32,
    pub max_points: f64,
    /// Whether it may not apply to a platform (then left out of the total).
    pub optional: bool,
}

/// A scheme version as the simulation uses it.
#[derive(Debug, Clone)]
pub struct SchemeRef {
    pub id: i32,
    pub effective_from: NaiveDate,
    pub indicators: Vec<IndicatorRef>,
}

/// One evaluation; `scores` are (indicator id, points earned, points possible).
#[derive(Debug, Clone)]
pub struct Assessment {
    pub kind: AssessmentKind,
    pub on: NaiveDate,
    pub scheme_version_id: i32,
    pub total: f64,
    pub grade: Option<Grade>,
    pub scores: Vec<(i32, Option<f64>, f64)>,
}

/// A public reason: (Chinese, English).
pub type Reason = (&'static str, &'static str);

/// One published event; `reason` is (Chinese, English).
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    pub on: NaiveDate,
    pub before: Option<Grade>,
    pub after: Option<Grade>,
    pub reason: Option<Reason>,
}

/// The simulated certificate: its current state, its evaluations and its events, oldest first.
#[derive(Debug, Clone)]
pub struct History {
    pub status: CertificateStatus,
    pub first_issued_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    /// Score and grade of the latest passing evaluation.
    pub score: f64,
    pub grade: Grade,
    pub assessments: Vec<Assessment>,
    pub events: Vec<Event>,
}

impl History {
    /// The latest evaluation (there is always the initial one).
    pub fn last(&self) -> Option<&Assessment> {
        self.assessments.last()
    }

    /// Whether an event of this kind happened.
    pub fn has(&self, kind: EventKind) -> bool {
        self.events.iter().any(|e| e.kind == kind)
    }
}

/// Roughly normal noise with standard deviation `sd` (sum of four uniforms).
pub fn noise(rng: &mut impl Rng, sd: f64) -> f64 {
    let sum: f64 = (0..4).map(|_| rng.random::<f64>()).sum();
    (sum - 2.0) * sd * 3f64.sqrt()
}

/// Scores an evaluation around `target`; `want_pass` forces a pass (`Some(true)`) or a fail
/// (`Some(false)`), `None` takes the result as it comes.
pub fn assess(
    rng: &mut impl Rng,
    schemes: &[SchemeRef],
    kind: AssessmentKind,
    on: NaiveDate,
    want_pass: Option<bool>,
    target: f64,
) -> Assessment {
    let target = match want_pass {
        Some(true) => target.clamp(72.0, 99.5),
        Some(false) => target.clamp(45.0, 67.0),
        None => target.clamp(50.0, 99.5),
    };
    let mut a = score(rng, schemes, kind, on, target, 0.035);
    for _ in 0..20 {
        if want_pass.is_none_or(|p| p == a.grade.is_some()) {
            return a;
        }
        a = score(rng, schemes, kind, on, target, 0.035);
    }
    if want_pass.is_some_and(|p| p != a.grade.is_some()) {
        // Without noise the total is the target itself, which is on the wanted side.
        a = score(rng, schemes, kind, on, target, 0.0);
    }
    a
}

/// Points per indicator: each earns about `target` percent of its points (noise `sd`); an
/// optional indicator sometimes does not apply.
fn score(
    rng: &mut impl Rng,
    schemes: &[SchemeRef],
    kind: AssessmentKind,
    on: NaiveDate,
    target: f64,
    sd: f64,
) -> Assessment {
    let scheme = schemes
        .iter()
        .rev()
        .find(|s| s.effective_from <= on)
        .or(schemes.first());
    let (scheme_version_id, indicators) = match scheme {
        Some(s) => (s.id, s.indicators.as_slice()),
        None => (0, &[][..]),
    };
    let mut scores = Vec::with_capacity(indicators.len());
    let mut items = Vec::with_capacity(indicators.len());
    for ind in indicators {
        let earned = if ind.optional && sd > 0.0 && rng.random_bool(0.08) {
            None
        } else {
            let frac = (target / 100.0 + noise(rng, sd)).clamp(0.0, 1.0);
            Some(((ind.max_points * frac * 10.0).round() / 10.0).min(ind.max_points))
        };
        scores.push((ind.id, earned, ind.max_points));
        items.push(ItemScore {
            max_points: ind.max_points,
            earned,
        });
    }
    // A scheme without indicators (never in the demo) still gets a total: the target itself.
    let total = total_score(&items, 0.0)
        .or_else(|_| Score::new(((target * 100.0).round() / 100.0).clamp(0.0, 100.0)))
        .map_or(target, Score::value);
    let grade = Score::new(total).ok().and_then(grade_for);
    Assessment {
        kind,
        on,
        scheme_version_id,
        total,
        grade,
        scores,
    }
}
