//! Holder profiles: drawn at random for most certificates, or set so that the first few reach
//! a goal (every status, every grade, every kind of event), so that even a small demo shows
//! all of them. A goal is met by simulating again with the next random stream until it holds.

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::evaluation::{noise, History};
use super::history::{simulate, Context};
use crate::domain::event::EventKind;
use crate::domain::grade::Grade;
use crate::domain::status::{effective_status, CertificateStatus};
use crate::domain::surveillance::surveillance_state;

/// Attempts before a goal is given up (it is met after a few dozen at most).
const MAX_ATTEMPTS: u64 = 4096;

/// Tendencies of one holder; drawn at random, or set to reach a goal.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The score the holder's results drift towards.
    pub quality: f64,
    /// Chance that a surveillance ends under 70 whatever the quality.
    pub p_fail: f64,
    /// Chance, per surveillance interval, of a special surveillance after complaints.
    pub p_complaint: f64,
    /// Chance, per surveillance, that the holder gives the certificate up.
    pub p_cancel: f64,
    /// Chance that the holder does not renew at the end of a validity period.
    pub p_not_renew: f64,
    /// Chance that a suspension ends with restoration (else mostly revocation).
    pub p_restore: f64,
    /// Chance that a lapsed certificate is stored as expired (else it stays "valid" in the
    /// database and shows as expired by its date).
    pub p_stored_expired: f64,
    /// Whether the holder misses the surveillance due in the last months.
    pub overdue: bool,
}

/// What a certificate's history must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// Anything: the random walk decides.
    Any,
    /// Valid today with this grade.
    Valid(Grade),
    /// Suspended today.
    Suspended,
    Revoked,
    Cancelled,
    /// Stored as expired, with an "expired" event.
    StoredExpired,
    /// Stored as valid but past its expiry date.
    ExpiredByDate,
    /// Valid with an overdue surveillance.
    Overdue,
    /// Upgraded and downgraded at least once each.
    GradeChanges,
    /// Restored after a suspension and renewed.
    RestoredRenewed,
}

/// Goals of the first certificates, in order.
pub const FIRST_GOALS: [Goal; 12] = [
    Goal::Valid(Grade::Five),
    Goal::Valid(Grade::Four),
    Goal::Valid(Grade::Three),
    Goal::Valid(Grade::Two),
    Goal::Suspended,
    Goal::Revoked,
    Goal::Cancelled,
    Goal::StoredExpired,
    Goal::ExpiredByDate,
    Goal::Overdue,
    Goal::GradeChanges,
    Goal::RestoredRenewed,
];

impl Goal {
    /// The goal of the certificate with this 0-based index.
    pub fn for_index(index: u32) -> Goal {
        usize::try_from(index)
            .ok()
            .and_then(|i| FIRST_GOALS.get(i))
            .copied()
            .unwrap_or(Goal::Any)
    }

    /// A profile that makes the goal likely.
    fn profile(self, rng: &mut ChaCha8Rng) -> Profile {
        let mut p = random_profile(rng);
        let calm = |p: &mut Profile| {
            p.p_fail = 0.0;
            p.p_complaint = 0.0;
            p.p_cancel = 0.0;
            p.p_not_renew = 0.0;
            p.overdue = false;
        };
        match self {
            Goal::Any => {}
            Goal::Valid(g) => {
                calm(&mut p);
                p.quality = match g {
                    Grade::Two => 74.0,
                    Grade::Three => 85.0,
                    Grade::Four => 92.5,
                    Grade::Five => 97.8,
                };
            }
            Goal::Suspended | Goal::Revoked => {
                p.p_fail = 0.4;
                p.p_restore = if self == Goal::Revoked { 0.1 } else { 0.7 };
            }
            Goal::Cancelled => p.p_cancel = 0.3,
            Goal::StoredExpired | Goal::ExpiredByDate => {
                p.p_not_renew = 1.0;
                p.p_stored_expired = if self == Goal::StoredExpired {
                    1.0
                } else {
                    0.0
                };
            }
            Goal::Overdue => {
                calm(&mut p);
                p.overdue = true;
            }
            Goal::GradeChanges => p.quality = 89.0 + noise(rng, 2.0),
            Goal::RestoredRenewed => {
                p.p_fail = 0.3;
                p.p_restore = 0.95;
                p.p_not_renew = 0.0;
            }
        }
        p
    }

    /// Whether `h` shows what the goal asks for on `today`.
    fn met(self, h: &History, today: NaiveDate) -> bool {
        let status = effective_status(h.status, h.expires_on, today);
        match self {
            Goal::Any => true,
            Goal::Valid(g) => status == CertificateStatus::Valid && h.grade == g,
            Goal::Suspended => status == CertificateStatus::Suspended,
            Goal::Revoked => status == CertificateStatus::Revoked,
            Goal::Cancelled => status == CertificateStatus::Cancelled,
            Goal::StoredExpired => h.status == CertificateStatus::Expired,
            Goal::ExpiredByDate => {
                h.status == CertificateStatus::Valid && status == CertificateStatus::Expired
            }
            Goal::Overdue => {
                status == CertificateStatus::Valid
                    && h.last()
                        .is_some_and(|a| surveillance_state(a.kind, a.on, today).overdue)
            }
            Goal::GradeChanges => h.has(EventKind::Upgraded) && h.has(EventKind::Downgraded),
            Goal::RestoredRenewed => h.has(EventKind::Restored) && h.has(EventKind::Renewed),
        }
    }
}

/// A holder drawn at random: its quality decides its usual grade.
pub fn random_profile(rng: &mut impl Rng) -> Profile {
    let quality = match rng.random_range(0..100) {
        0..=24 => 75.0,
        25..=59 => 85.0,
        60..=84 => 92.0,
        _ => 96.5,
    } + noise(rng, 2.0);
    Profile {
        quality,
        p_fail: 0.03,
        p_complaint: 0.02,
        p_cancel: 0.008,
        p_not_renew: 0.15,
        p_restore: 0.7,
        p_stored_expired: 0.5,
        overdue: rng.random_bool(0.03),
    }
}

/// SplitMix64: spreads (seed, index, attempt) over independent random streams.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The history of the certificate with this index: deterministic for a seed and `today`.
pub fn certificate_history(seed: u64, index: u32, ctx: &Context<'_>) -> History {
    let goal = Goal::for_index(index);
    let mut attempt = 0;
    loop {
        let stream = mix(seed ^ mix(u64::from(index).wrapping_mul(MAX_ATTEMPTS) + attempt));
        let mut rng = ChaCha8Rng::seed_from_u64(stream);
        let profile = goal.profile(&mut rng);
        let h = simulate(&mut rng, ctx, &profile);
        attempt += 1;
        if goal.met(&h, ctx.today) || attempt >= MAX_ATTEMPTS {
            return h;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::evaluation::{IndicatorRef, SchemeRef};

    #[test]
    fn goals_are_met_for_many_seeds_and_dates() {
        let indicators = |id| {
            (0..5)
                .map(|i| IndicatorRef {
                    id: id * 10 + i,
                    max_points: 20.0,
                    optional: i == 4,
                })
                .collect()
        };
        let schemes = [
            SchemeRef {
                id: 1,
                effective_from: NaiveDate::MIN,
                indicators: indicators(1),
            },
            SchemeRef {
                id: 2,
                effective_from: NaiveDate::from_ymd_opt(2025, 12, 1).expect("date"),
                indicators: indicators(2),
            },
        ];
        for (y, m, d) in [(2026, 11, 28), (2027, 3, 1), (2030, 1, 15)] {
            let today = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            let ctx = Context {
                today,
                schemes: &schemes,
            };
            for seed in 0..25 {
                for (index, goal) in (0..).zip(FIRST_GOALS) {
                    let h = certificate_history(seed, index, &ctx);
                    assert!(goal.met(&h, today), "{goal:?}, seed {seed}, {today}");
                    assert!(h.events.iter().all(|e| e.on <= today));
                    assert!(h.assessments.iter().all(|a| a.on <= today));
                    assert!(h.events.windows(2).all(|w| w[0].on <= w[1].on));
                }
            }
        }
    }
}
