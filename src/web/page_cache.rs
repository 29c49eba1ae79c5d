//! Rendered verification pages kept in memory until the registry changes. Every write that a
//! public page shows bumps the registry revision (`db::write::bump_revision`); each instance
//! reads the revision at most once a second and drops its pages when it moved, so a change shows
//! on every instance within about a second while the hot path touches no database.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use chrono::NaiveDate;
use quick_cache::sync::Cache;

use super::i18n::Lang;

/// How often an instance asks the database whether the registry changed.
pub const REVISION_CHECK_EVERY: Duration = Duration::from_secs(1);
/// Pages kept per instance (a page is ~15 KB: about 60 MB at most).
const CAPACITY: usize = 4_000;

/// What a cached page depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub number: String,
    pub lang: Lang,
    pub today: NaiveDate,
    pub demo: bool,
}

pub struct PageCache {
    pages: Cache<PageKey, Bytes>,
    /// The registry revision the cached pages reflect; -1 before the first check.
    revision: AtomicI64,
    last_check: Mutex<Option<Instant>>,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache {
            pages: Cache::new(CAPACITY),
            revision: AtomicI64::new(-1),
            last_check: Mutex::new(None),
        }
    }
}

impl PageCache {
    /// Whether this caller should read the revision now (one caller per interval).
    pub fn check_due(&self) -> bool {
        let Ok(mut last) = self.last_check.lock() else {
            return true;
        };
        match *last {
            Some(at) if at.elapsed() < REVISION_CHECK_EVERY => false,
            _ => {
                *last = Some(Instant::now());
                true
            }
        }
    }

    /// Records the current registry revision; drops every page if it moved.
    pub fn observe(&self, revision: i64) {
        if self.revision.swap(revision, Ordering::SeqCst) != revision {
            self.pages.clear();
        }
    }

    /// The revision pages rendered now will reflect (read it before reading the database).
    pub fn revision(&self) -> i64 {
        self.revision.load(Ordering::SeqCst)
    }

    pub fn get(&self, key: &PageKey) -> Option<Bytes> {
        if self.revision() < 0 {
            return None;
        }
        self.pages.get(key)
    }

    /// Keeps a page rendered from data read at `revision`, unless the registry moved since.
    pub fn put(&self, revision: i64, key: PageKey, page: Bytes) {
        if revision >= 0 && self.revision() == revision {
            self.pages.insert(key, page);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: &str) -> PageKey {
        PageKey {
            number: n.into(),
            lang: Lang::ZhCn,
            today: NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
            demo: false,
        }
    }

    #[test]
    fn pages_live_until_the_revision_moves() {
        let cache = PageCache::default();
        cache.put(-1, key("A"), Bytes::from_static(b"a"));
        assert!(
            cache.get(&key("A")).is_none(),
            "nothing cached before the first check"
        );
        cache.observe(5);
        cache.put(5, key("A"), Bytes::from_static(b"a"));
        assert_eq!(cache.get(&key("A")), Some(Bytes::from_static(b"a")));
        cache.observe(5);
        assert!(cache.get(&key("A")).is_some(), "same revision keeps pages");
        cache.observe(6);
        assert!(cache.get(&key("A")).is_none(), "a change drops pages");
        // A page read before the change must not be stored after it.
        cache.put(5, key("A"), Bytes::from_static(b"stale"));
        assert!(cache.get(&key("A")).is_none());
    }

    #[test]
    fn one_caller_checks_per_interval() {
        let cache = PageCache::default();
        assert!(cache.check_due());
        assert!(!cache.check_due());
    }
}
