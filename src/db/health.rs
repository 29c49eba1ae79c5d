//! Whether the database answers. The pool's connection attempts, the requests' queries and a
//! background probe report here; while the database does not answer, requests that need it
//! fail at once (no pool wait) and cached answers are served for a limited time.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// How current what this instance serves from memory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The database answers: cached answers are current.
    Live,
    /// The database does not answer; cached answers were current at `as_of` (the last
    /// successful contact), which is within the stale-if-error window.
    Stale { as_of: DateTime<Utc> },
    /// The database has not answered for longer than the window (or never did).
    Expired,
}

/// Shared by the pool, the requests and the probe of one instance.
#[derive(Debug)]
pub struct DatabaseHealth {
    reachable: AtomicBool,
    /// Whether every migration this binary carries is applied (checked by the probe).
    schema_current: AtomicBool,
    /// Milliseconds from `base` to the last successful contact; `NEVER` before the first.
    last_contact_ms: AtomicI64,
    /// Milliseconds from `base` to the last write refused as busy (SQLite's lock held by
    /// another process); `NEVER` before the first.
    last_busy_ms: AtomicI64,
    base: Instant,
}

const NEVER: i64 = i64::MIN;

impl Default for DatabaseHealth {
    fn default() -> DatabaseHealth {
        DatabaseHealth {
            reachable: AtomicBool::new(true),
            schema_current: AtomicBool::new(true),
            last_contact_ms: AtomicI64::new(NEVER),
            last_busy_ms: AtomicI64::new(NEVER),
            base: Instant::now(),
        }
    }
}

impl DatabaseHealth {
    /// False from a failed connection attempt or a lost connection until the next success.
    pub fn is_reachable(&self) -> bool {
        self.reachable.load(Ordering::Acquire)
    }

    /// The database answered just now.
    pub fn contact(&self) {
        self.contact_at(Instant::now());
    }

    /// The database answered at `at` (the probe and tests give the instant).
    pub fn contact_at(&self, at: Instant) {
        let ms = self.ms_of(at);
        self.last_contact_ms.fetch_max(ms, Ordering::AcqRel);
        if !self.reachable.swap(true, Ordering::AcqRel) {
            tracing::info!("the database answers again");
        }
    }

    /// A connection could not be opened, or an open one was lost.
    pub fn lost(&self, why: &str) {
        if self.reachable.swap(false, Ordering::AcqRel) {
            tracing::warn!(
                cause = why,
                "the database does not answer; serving from memory"
            );
        }
    }

    /// A write waited out the busy timeout: another process holds the write lock.
    pub fn busy(&self) {
        self.last_busy_ms
            .store(self.ms_of(Instant::now()), Ordering::Release);
    }

    /// Whether a write was refused as busy in the last `within`: a request that already
    /// waited once is not made to wait again for its session's write.
    pub fn busy_within(&self, within: Duration) -> bool {
        let ms = self.last_busy_ms.load(Ordering::Acquire);
        ms != NEVER && self.ms_of(Instant::now()).saturating_sub(ms) <= within.as_millis() as i64
    }

    pub fn set_schema_current(&self, current: bool) {
        self.schema_current.store(current, Ordering::Release);
    }

    /// Reachable and migrated: what `/readyz` reports.
    pub fn is_ready(&self) -> bool {
        self.is_reachable() && self.schema_current.load(Ordering::Acquire)
    }

    /// How long ago the database last answered (`None` if it never did).
    pub fn since_contact(&self) -> Option<Duration> {
        let ms = self.last_contact_ms.load(Ordering::Acquire);
        if ms == NEVER {
            return None;
        }
        let now = self.ms_of(Instant::now());
        Some(Duration::from_millis(now.saturating_sub(ms).max(0) as u64))
    }

    /// Whether cached answers may be served, and as of when. `now` reads the app's clock,
    /// only to tell the reader the time of the last contact (not at all while reachable:
    /// every badge asks).
    pub fn freshness(&self, now: impl FnOnce() -> DateTime<Utc>, window: Duration) -> Freshness {
        if self.is_reachable() {
            return Freshness::Live;
        }
        match self.since_contact() {
            Some(ago) if ago <= window => Freshness::Stale {
                as_of: now() - chrono::Duration::from_std(ago).unwrap_or_default(),
            },
            _ => Freshness::Expired,
        }
    }

    fn ms_of(&self, at: Instant) -> i64 {
        match at.checked_duration_since(self.base) {
            Some(after) => after.as_millis() as i64,
            None => -(self.base.duration_since(at).as_millis() as i64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(900);

    fn now() -> DateTime<Utc> {
        "2026-12-02T02:00:00Z".parse().expect("a time")
    }

    #[test]
    fn reachable_means_live_whatever_the_last_contact() {
        let health = DatabaseHealth::default();
        assert_eq!(health.freshness(now, WINDOW), Freshness::Live);
        assert!(health.is_ready());
    }

    #[test]
    fn a_loss_within_the_window_is_stale_as_of_the_last_contact() {
        let health = DatabaseHealth::default();
        health.contact_at(Instant::now() - Duration::from_secs(600));
        health.lost("test");
        assert!(!health.is_ready());
        match health.freshness(now, WINDOW) {
            Freshness::Stale { as_of } => {
                let ago = now() - as_of;
                assert!((599..=601).contains(&ago.num_seconds()), "{ago}");
            }
            other => panic!("expected stale, got {other:?}"),
        }
    }

    #[test]
    fn a_loss_past_the_window_or_before_any_contact_is_expired() {
        let health = DatabaseHealth::default();
        health.lost("test");
        assert_eq!(health.freshness(now, WINDOW), Freshness::Expired);
        health.contact_at(Instant::now() - Duration::from_secs(901));
        health.lost("test");
        assert_eq!(health.freshness(now, WINDOW), Freshness::Expired);
    }

    #[test]
    fn a_contact_ends_the_loss_and_an_older_report_never_moves_the_contact_back() {
        let health = DatabaseHealth::default();
        health.lost("test");
        health.contact();
        assert!(health.is_reachable());
        health.contact_at(Instant::now() - Duration::from_secs(3600));
        let ago = health.since_contact().expect("a contact");
        assert!(ago < Duration::from_secs(5), "{ago:?}");
    }

    #[test]
    fn a_busy_refusal_is_remembered_briefly() {
        let health = DatabaseHealth::default();
        assert!(!health.busy_within(Duration::from_secs(2)));
        health.busy();
        assert!(health.busy_within(Duration::from_secs(2)));
        assert!(health.is_reachable(), "busy is not down");
    }

    #[test]
    fn pending_migrations_make_it_unready_but_not_unreachable() {
        let health = DatabaseHealth::default();
        health.set_schema_current(false);
        assert!(health.is_reachable());
        assert!(!health.is_ready());
    }
}
