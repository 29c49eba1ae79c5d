//! Rendered verification pages and mark images, kept in memory until the registry changes.
//!
//! Every write that a public page or a badge shows bumps the registry revision
//! (`db::write::bump_revision`). Each instance reads the revision at most once a second
//! ([`Revision`]); an entry is served only while the revision it was rendered at is current, so a
//! suspension shows on every instance within about a second while the hot path touches no
//! database. Entries of an older revision are dropped when the change is seen.

use std::hash::Hash;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use quick_cache::Weighter;

/// How often an instance asks the database whether the registry changed.
pub const REVISION_CHECK_EVERY: Duration = Duration::from_secs(1);

/// The registry revision as this instance last read it.
pub struct Revision {
    /// -1 before the first read: nothing is cached until then.
    current: AtomicI64,
    started: Instant,
    /// Milliseconds after `started` of the last check; `u64::MAX` before the first. An atomic,
    /// not a lock: every request of every worker asks.
    last_check_ms: AtomicU64,
}

impl Default for Revision {
    fn default() -> Self {
        Revision {
            current: AtomicI64::new(-1),
            started: Instant::now(),
            last_check_ms: AtomicU64::new(u64::MAX),
        }
    }
}

impl Revision {
    /// Whether this caller should read the revision now (one caller per interval).
    pub fn check_due(&self) -> bool {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        let last = self.last_check_ms.load(Ordering::Relaxed);
        let every = u64::try_from(REVISION_CHECK_EVERY.as_millis()).unwrap_or(1000);
        if last != u64::MAX && now.saturating_sub(last) < every {
            return false;
        }
        self.last_check_ms
            .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// Makes the next request read the revision (after a change made by this instance, so its
    /// own cached pages and badges go at once rather than within the second).
    pub fn force_check(&self) {
        self.last_check_ms.store(u64::MAX, Ordering::Release);
    }

    /// Records the revision just read; true if it moved.
    pub fn observe(&self, revision: i64) -> bool {
        self.current.swap(revision, Ordering::SeqCst) != revision
    }

    /// The revision data read from now on reflects (read it before reading the database).
    pub fn current(&self) -> i64 {
        self.current.load(Ordering::SeqCst)
    }
}

/// Memory a cached value takes, for the cache's budget.
pub trait Weighed {
    fn weight(&self) -> u64;
}

/// A rendered document (a feed, a sitemap).
impl Weighed for actix_web::web::Bytes {
    fn weight(&self) -> u64 {
        self.len() as u64 + 64
    }
}

#[derive(Clone)]
struct ByWeight;

impl<K, V: Weighed> Weighter<K, (i64, V)> for ByWeight {
    fn weight(&self, _key: &K, value: &(i64, V)) -> u64 {
        value.1.weight().max(1)
    }
}

/// Values rendered at a registry revision.
pub struct RenderCache<K, V> {
    entries: Cache<K, (i64, V), ByWeight>,
}

impl<K: Eq + Hash + Clone, V: Clone + Weighed> RenderCache<K, V> {
    /// A cache of about `items` entries holding at most `bytes`.
    pub fn new(items: usize, bytes: u64) -> Self {
        RenderCache {
            entries: Cache::with_weighter(items, bytes, ByWeight),
        }
    }

    /// The value for `key` if it was rendered at the current revision.
    pub fn get(&self, revision: &Revision, key: &K) -> Option<V> {
        let current = revision.current();
        if current < 0 {
            return None;
        }
        match self.entries.get(key) {
            Some((at, value)) if at == current => Some(value),
            _ => None,
        }
    }

    /// The value for `key` whatever revision it was rendered at, with that revision (for
    /// serving stale figures while fresh ones are computed).
    pub fn get_any(&self, key: &K) -> Option<(i64, V)> {
        self.entries.get(key)
    }

    /// Keeps a value rendered from data read at revision `read_at`, unless the registry moved.
    pub fn put(&self, revision: &Revision, read_at: i64, key: K, value: V) {
        if read_at >= 0 && revision.current() == read_at {
            self.entries.insert(key, (read_at, value));
        }
    }

    /// Drops every entry (after the revision moved: they can no longer be served).
    pub fn clear(&self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Page(&'static str);

    impl Weighed for Page {
        fn weight(&self) -> u64 {
            self.0.len() as u64
        }
    }

    #[test]
    fn values_live_until_the_revision_moves() {
        let revision = Revision::default();
        let cache = RenderCache::new(10, 1000);
        cache.put(&revision, -1, "A", Page("a"));
        assert_eq!(
            cache.get(&revision, &"A"),
            None,
            "nothing cached before the first check"
        );
        revision.observe(5);
        cache.put(&revision, 5, "A", Page("a"));
        assert_eq!(cache.get(&revision, &"A"), Some(Page("a")));
        assert!(!revision.observe(5), "same revision");
        assert!(cache.get(&revision, &"A").is_some());
        assert!(revision.observe(6), "a change");
        assert_eq!(
            cache.get(&revision, &"A"),
            None,
            "an older entry is never served"
        );
        // A value read before the change must not be stored after it.
        cache.put(&revision, 5, "A", Page("stale"));
        assert_eq!(cache.get(&revision, &"A"), None);
    }

    #[test]
    fn the_byte_budget_bounds_the_cache() {
        let revision = Revision::default();
        revision.observe(1);
        let cache = RenderCache::new(10, 100);
        for key in 0..50 {
            cache.put(&revision, 1, key, Page("0123456789"));
        }
        assert!(
            cache.len() <= 10,
            "{} entries of 10 bytes in 100",
            cache.len()
        );
    }

    #[test]
    fn one_caller_checks_per_interval() {
        let revision = Revision::default();
        assert!(revision.check_due());
        assert!(!revision.check_due());
    }
}
