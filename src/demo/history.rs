//! The life of one demo certificate, simulated from its initial evaluation up to `today`:
//! surveillances every ≤12 months, recertification every 3 years, a random walk of the score
//! with upgrades and downgrades, suspensions, restorations, revocations, cancellations and
//! expiries. Pure: no database, every date comes from the random source and `today`.

use chrono::{Days, NaiveDate};
use rand::Rng;

use super::evaluation::{self, noise, Event, History, SchemeRef};
use super::goals::Profile;
use crate::domain::dates::add_years;
use crate::domain::event::{grade_change_event, EventKind};
use crate::domain::grade::Grade;
use crate::domain::status::CertificateStatus;
use crate::domain::surveillance::{next_surveillance_due, AssessmentKind};

/// Validity of a demo certificate, in years.
pub const VALIDITY_YEARS: u32 = 3;

/// What the simulation works with.
pub struct Context<'a> {
    pub today: NaiveDate,
    /// Oldest first; an evaluation uses the newest version in force on its date.
    pub schemes: &'a [SchemeRef],
}

/// Public reasons of events: (Chinese, English).
#[rustfmt::skip]
mod reason {
    pub use crate::demo::evaluation::Reason;
    pub const SCORE_BELOW_70: Reason = ("监督评价得分低于70分", "Surveillance score below 70");
    pub const COMPLAINTS: Reason = ("经查实的严重投诉，专项监督评价不合格",
        "Substantiated serious complaints; special surveillance failed");
    pub const RESTORED: Reason = ("整改完成，专项评价合格",
        "Corrective actions completed; special evaluation passed");
    pub const REVOKED: Reason = ("暂停期内未完成整改",
        "Problems not corrected within the suspension period");
    pub const CANCELLED: Reason = ("持证方申请注销", "Cancelled at the holder's request");
    pub const EXPIRED: Reason = ("有效期届满，未申请再认证",
        "Validity period ended without recertification");
}
use reason::*;

/// First-issue dates start here.
fn earliest_first_issue() -> NaiveDate {
    NaiveDate::from_ymd_opt(2016, 6, 1).unwrap_or(NaiveDate::MIN)
}

fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn minus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

fn expiry_for(issued_on: NaiveDate) -> NaiveDate {
    minus_days(add_years(issued_on, VALIDITY_YEARS), 1)
}

/// Simulates one certificate first issued on a date drawn from 2016-06 to a month before today.
pub fn simulate(rng: &mut impl Rng, ctx: &Context<'_>, profile: &Profile) -> History {
    let latest = minus_days(ctx.today, 30);
    let earliest = earliest_first_issue().min(minus_days(latest, 365));
    let span = u64::try_from((latest - earliest).num_days()).unwrap_or(0);
    let first = plus_days(earliest, rng.random_range(0..=span));
    let mut sim = Sim {
        rng,
        ctx,
        profile,
        h: History {
            status: CertificateStatus::Valid,
            first_issued_on: first,
            issued_on: first,
            expires_on: expiry_for(first),
            score: 0.0,
            grade: Grade::Two,
            assessments: Vec::new(),
            events: Vec::new(),
        },
        suspended_on: first,
    };
    sim.run();
    sim.h
}

struct Sim<'a, 'c, R> {
    rng: &'a mut R,
    ctx: &'a Context<'c>,
    profile: &'a Profile,
    h: History,
    suspended_on: NaiveDate,
}

impl<R: Rng> Sim<'_, '_, R> {
    fn run(&mut self) {
        let first = self.h.first_issued_on;
        let init_on = minus_days(first, self.rng.random_range(7..=45));
        let target = self.profile.quality + noise(self.rng, 2.5);
        let (total, grade) = self.assess(AssessmentKind::Initial, init_on, Some(true), target);
        self.pass(total, grade);
        self.event(EventKind::Issued, first, None, Some(self.h.grade), None);
        // Every step moves on in time or stops; the bound is only a guard.
        for _ in 0..200 {
            let go_on = match self.h.status {
                CertificateStatus::Valid => self.step(),
                CertificateStatus::Suspended => self.resolve_suspension(),
                _ => false,
            };
            if !go_on {
                break;
            }
        }
    }

    fn last_on(&self) -> NaiveDate {
        self.h.last().map_or(self.h.first_issued_on, |a| a.on)
    }

    /// The next thing after a passed evaluation: surveillance, special surveillance or renewal.
    fn step(&mut self) -> bool {
        let (last_kind, last_on) = match self.h.last() {
            Some(a) => (a.kind, a.on),
            None => return false,
        };
        let due = next_surveillance_due(last_kind, last_on);
        if due >= minus_days(self.h.expires_on, 60) {
            return self.recertify();
        }
        let today = self.ctx.today;
        let gap = u64::try_from((due - last_on).num_days()).unwrap_or(0);
        if gap > 60 && self.rng.random_bool(self.profile.p_complaint) {
            let on = plus_days(last_on, self.rng.random_range(30..=gap - 20));
            if on > today {
                return false;
            }
            let fail = self.rng.random_bool(0.6);
            let target = self.walk();
            let (total, grade) = self.assess(AssessmentKind::Special, on, Some(!fail), target);
            return self.outcome(on, total, grade, COMPLAINTS);
        }
        let on = minus_days(due, self.rng.random_range(0..=20));
        if on > today || (self.profile.overdue && due < today && due >= minus_days(today, 150)) {
            return false;
        }
        if self.rng.random_bool(self.profile.p_cancel) {
            self.event(
                EventKind::Cancelled,
                on,
                Some(self.h.grade),
                None,
                Some(CANCELLED),
            );
            self.h.status = CertificateStatus::Cancelled;
            return false;
        }
        let force = self.rng.random_bool(self.profile.p_fail).then_some(false);
        let target = self.walk();
        let (total, grade) = self.assess(AssessmentKind::Surveillance, on, force, target);
        self.outcome(on, total, grade, SCORE_BELOW_70)
    }

    /// Publishes the result of a surveillance: a grade change or confirmation, or a suspension.
    fn outcome(&mut self, on: NaiveDate, total: f64, grade: Option<Grade>, why: Reason) -> bool {
        let before = self.h.grade;
        let kind = grade_change_event(before, grade);
        if grade.is_none() {
            self.event(kind, on, Some(before), None, Some(why));
            self.h.status = CertificateStatus::Suspended;
            self.suspended_on = on;
        } else {
            self.pass(total, grade);
            self.event(kind, on, Some(before), grade, None);
        }
        true
    }

    /// End of a suspension: restored, revoked or cancelled; or expired, or still suspended.
    fn resolve_suspension(&mut self) -> bool {
        let on = plus_days(self.suspended_on, self.rng.random_range(30..=180));
        let before = Some(self.h.grade);
        if on > self.h.expires_on {
            self.lapse(true);
            return false;
        }
        if on > self.ctx.today {
            return false;
        }
        let roll = self.rng.random::<f64>();
        if roll < self.profile.p_restore {
            let target = self.profile.quality.max(74.0) + noise(self.rng, 2.0);
            let (total, grade) = self.assess(AssessmentKind::Special, on, Some(true), target);
            self.pass(total, grade);
            self.event(EventKind::Restored, on, before, grade, Some(RESTORED));
            self.h.status = CertificateStatus::Valid;
            return true;
        }
        if roll < self.profile.p_restore + 0.05 {
            self.event(EventKind::Cancelled, on, before, None, Some(CANCELLED));
            self.h.status = CertificateStatus::Cancelled;
            return false;
        }
        if self.rng.random_bool(0.5) {
            let target = 55.0 + noise(self.rng, 4.0);
            let _ = self.assess(AssessmentKind::Special, on, Some(false), target);
        }
        self.event(EventKind::Revoked, on, before, None, Some(REVOKED));
        self.h.status = CertificateStatus::Revoked;
        false
    }

    /// Recertification near the end of the validity period, or a lapse.
    fn recertify(&mut self) -> bool {
        let expires = self.h.expires_on;
        let earliest = plus_days(self.last_on(), 7).min(expires);
        let on = minus_days(expires, self.rng.random_range(20..=75)).max(earliest);
        if on > self.ctx.today {
            return false;
        }
        if self.rng.random_bool(self.profile.p_not_renew) {
            self.lapse(false);
            return false;
        }
        let target = self.walk();
        let (total, result) = self.assess(AssessmentKind::Recertification, on, None, target);
        let Some(grade) = result else {
            self.lapse(false);
            return false;
        };
        let before = self.h.grade;
        self.pass(total, result);
        let issued = plus_days(on, self.rng.random_range(5..=20))
            .min(self.ctx.today)
            .min(expires);
        self.event(EventKind::Renewed, issued, Some(before), Some(grade), None);
        self.h.issued_on = issued;
        self.h.expires_on = expiry_for(issued);
        true
    }

    /// The validity period ends without renewal: stored as expired with an event, or (when not
    /// `always_store`) sometimes left "valid" in the database, expired by its date alone.
    fn lapse(&mut self, always_store: bool) {
        let day_after = plus_days(self.h.expires_on, 1);
        if day_after > self.ctx.today {
            return;
        }
        if always_store || self.rng.random_bool(self.profile.p_stored_expired) {
            let before = Some(self.h.grade);
            self.event(EventKind::Expired, day_after, before, None, Some(EXPIRED));
            self.h.status = CertificateStatus::Expired;
        }
    }

    /// The next score: drifts towards the holder's quality.
    fn walk(&mut self) -> f64 {
        let s = self.h.score;
        s + 0.35 * (self.profile.quality - s) + noise(self.rng, 2.2)
    }

    fn pass(&mut self, total: f64, grade: Option<Grade>) {
        if let Some(g) = grade {
            self.h.score = total;
            self.h.grade = g;
        }
    }

    fn event(
        &mut self,
        kind: EventKind,
        on: NaiveDate,
        before: Option<Grade>,
        after: Option<Grade>,
        reason: Option<Reason>,
    ) {
        self.h.events.push(Event {
            kind,
            on,
            before,
            after,
            reason,
        });
    }

    /// Records an evaluation; returns its total and grade.
    fn assess(
        &mut self,
        kind: AssessmentKind,
        on: NaiveDate,
        want_pass: Option<bool>,
        target: f64,
    ) -> (f64, Option<Grade>) {
        let a = evaluation::assess(self.rng, self.ctx.schemes, kind, on, want_pass, target);
        let result = (a.total, a.grade);
        self.h.assessments.push(a);
        result
    }
}
