//! Rendered verification pages, mark images and feeds, kept in memory until the registry
//! changes, each rendered once however many readers ask for it at the same time.
//!
//! Every write that a public page or a badge shows bumps the registry revision
//! (`db::write::bump_revision`). Each instance reads the revision at most once a second
//! ([`Revision`]), and at once when told of a bump (its own, or on PostgreSQL another
//! instance's, through `db::revision_listener`); an entry is served only while the revision it
//! was rendered at is current, so a suspension shows on every instance at once (PostgreSQL) or
//! within the second while the hot path touches no database. Entries of an older revision are
//! dropped when the change is seen.
//!
//! [`RenderCache`] keys each entry by what it shows *and* the revision it was rendered at, so
//! concurrent misses for the same value wait for one render (quick_cache's placeholder guard:
//! single flight) and an entry of an older revision can never be returned. [`LatestCache`]
//! keeps only the last value of each key with its revision, for figures that may be served
//! stale while fresh ones are computed (the statistics).

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Equivalent, Weighter};

use super::cache_stats::{CacheCounters, CacheStats, CountEvictions};

/// How often an instance asks the database whether the registry changed, unless configured
/// (`SQE_REVISION_POLL_MS`).
pub const REVISION_CHECK_EVERY: Duration = Duration::from_secs(1);

/// The registry revision as this instance last read it.
pub struct Revision {
    /// -1 before the first read: nothing is cached until then.
    current: AtomicI64,
    started: Instant,
    /// Milliseconds after `started` of the last check; `u64::MAX` before the first. An atomic,
    /// not a lock: every request of every worker asks.
    last_check_ms: AtomicU64,
    /// Milliseconds between two reads when nothing forces one.
    every_ms: u64,
    /// Reads of the revision started so far: each read's ticket.
    reads_started: AtomicU64,
    /// The ticket of the read whose value `current` holds: an older read that ends later
    /// must not put back the value it read (two reads overlap when a notification forces one).
    applied: std::sync::Mutex<u64>,
}

impl Default for Revision {
    fn default() -> Self {
        Revision::checked_every(REVISION_CHECK_EVERY)
    }
}

impl Revision {
    /// A revision read at most once per `every` unless [`Revision::force_check`] is called.
    pub fn checked_every(every: Duration) -> Revision {
        Revision {
            current: AtomicI64::new(-1),
            started: Instant::now(),
            last_check_ms: AtomicU64::new(u64::MAX),
            every_ms: u64::try_from(every.as_millis()).unwrap_or(u64::MAX),
            reads_started: AtomicU64::new(0),
            applied: std::sync::Mutex::new(0),
        }
    }

    /// The ticket of a read of the revision about to start (see [`Revision::observe_read`]).
    pub fn begin_read(&self) -> u64 {
        self.reads_started.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Records the revision read by the read of `ticket`; true if it moved. Ignored when a read
    /// that started later was recorded first: it saw the database at least as late. (The
    /// revision may still go down: a restored backup.)
    pub fn observe_read(&self, ticket: u64, revision: i64) -> bool {
        let mut applied = self
            .applied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if ticket < *applied {
            return false;
        }
        *applied = ticket;
        self.current.swap(revision, Ordering::SeqCst) != revision
    }

    /// Whether this caller should read the revision now (one caller per interval).
    pub fn check_due(&self) -> bool {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        let last = self.last_check_ms.load(Ordering::Relaxed);
        let every = self.every_ms;
        if last != u64::MAX && now.saturating_sub(last) < every {
            return false;
        }
        self.last_check_ms
            .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// Makes the next request read the revision (after a change made by this instance, or
    /// announced by another through `db::revision_listener`, so cached pages and badges go at
    /// once rather than within the poll interval).
    pub fn force_check(&self) {
        self.last_check_ms.store(u64::MAX, Ordering::Release);
    }

    /// Records the revision just read (a read that began now); true if it moved.
    pub fn observe(&self, revision: i64) -> bool {
        self.observe_read(self.begin_read(), revision)
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

/// What an entry's key costs besides its value: the fixed part of a key and its text.
pub const KEY_OVERHEAD: u64 = 96;

/// A rendered document (a feed, a sitemap).
impl Weighed for actix_web::web::Bytes {
    fn weight(&self) -> u64 {
        self.len() as u64 + 64
    }
}

/// A key together with the revision its value was rendered at.
#[derive(Clone, PartialEq, Eq)]
pub struct AtRevision<K> {
    key: K,
    revision: i64,
}

impl<K: Hash> Hash for AtRevision<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
        self.revision.hash(state);
    }
}

/// The same, borrowed: a cache hit looks up without copying the key.
struct AtRevisionRef<'a, K> {
    key: &'a K,
    revision: i64,
}

impl<K: Hash> Hash for AtRevisionRef<'_, K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
        self.revision.hash(state);
    }
}

impl<K: Eq> Equivalent<AtRevision<K>> for AtRevisionRef<'_, K> {
    fn equivalent(&self, other: &AtRevision<K>) -> bool {
        self.revision == other.revision && *self.key == other.key
    }
}

#[derive(Clone)]
struct ByWeight;

/// A render's outcome as kept: a failure is kept only for the readers that waited on it.
type Outcome<V, E> = Result<V, E>;

impl<K: Weighed, V: Weighed, E> Weighter<AtRevision<K>, Outcome<V, E>> for ByWeight {
    fn weight(&self, key: &AtRevision<K>, value: &Outcome<V, E>) -> u64 {
        // The key counts too: a key is as long as the URL part it came from.
        key.key.weight() + value.as_ref().map_or(64, |v| v.weight().max(1))
    }
}

#[derive(Clone)]
struct LatestByWeight;

impl<K, V: Weighed> Weighter<K, (i64, V)> for LatestByWeight {
    fn weight(&self, _key: &K, value: &(i64, V)) -> u64 {
        value.1.weight().max(1)
    }
}

/// Values rendered at a registry revision, each rendered once (single flight); `E` is the
/// error a render may fail with, shared with the readers that waited for it.
pub struct RenderCache<K, V, E = crate::error::AppError> {
    name: &'static str,
    entries: Cache<AtRevision<K>, Outcome<V, E>, ByWeight, DefaultHashBuilder, CountEvictions>,
    counters: Arc<CacheCounters>,
}

impl<K: Eq + Hash + Clone + Weighed, V: Clone + Weighed, E: Clone> RenderCache<K, V, E> {
    /// A cache named `name` (in `/metrics`) of about `items` entries holding at most `bytes`.
    pub fn new(name: &'static str, items: usize, bytes: u64) -> Self {
        let counters = Arc::new(CacheCounters::default());
        RenderCache {
            name,
            entries: Cache::with(
                items,
                bytes,
                ByWeight,
                DefaultHashBuilder::default(),
                CountEvictions(counters.clone()),
            ),
            counters,
        }
    }

    /// What this cache did so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats::read(self.name, &self.counters, self.entries.len())
    }

    /// The value for `key` if it was rendered at the current revision (counted as a hit; a
    /// miss is counted by the `get_or_render` that follows).
    pub fn get(&self, revision: &Revision, key: &K) -> Option<V> {
        let current = revision.current();
        if current < 0 {
            return None;
        }
        let found = self
            .entries
            .get(&AtRevisionRef {
                key,
                revision: current,
            })
            .and_then(Result::ok);
        if found.is_some() {
            self.counters.hit();
        }
        found
    }

    /// The value for `key` at the current revision, rendered by `render` if nobody has yet.
    /// Readers who ask while it renders wait for that render instead of starting their own,
    /// and get its failure too if it fails (so an outage is not met one reader at a time);
    /// the next reader after a failure renders again. If the rendering reader goes away, the
    /// next waiter renders. `render` must read the data it shows after this call starts (it is
    /// then at least as new as the revision).
    pub async fn get_or_render<F>(
        &self,
        revision: &Revision,
        key: &K,
        render: impl FnOnce() -> F,
    ) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        self.get_or_render_if(revision, key, |_| true, render).await
    }

    /// The same, keeping the value only if `keep` says so (an image of a number the registry
    /// does not hold is handed to the readers who waited for it, never stored under that
    /// number: anyone can make up numbers).
    pub async fn get_or_render_if<F>(
        &self,
        revision: &Revision,
        key: &K,
        keep: impl FnOnce(&V) -> bool,
        render: impl FnOnce() -> F,
    ) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        let current = revision.current();
        if current < 0 {
            // Not synchronised with the database yet: render, keep nothing.
            self.counters.miss();
            return render().await;
        }
        let key = AtRevision {
            key: key.clone(),
            revision: current,
        };
        match self.entries.get_value_or_guard_async(&key).await {
            Ok(outcome) => {
                self.counters.hit();
                outcome
            }
            Err(guard) => {
                self.counters.miss();
                let outcome = render().await;
                if !outcome.as_ref().is_ok_and(keep) {
                    // Removing the placeholder first makes the insert below reach only the
                    // readers waiting on it: nothing is stored, nothing is evicted for it.
                    self.entries.remove(&key);
                }
                let _ = guard.insert(outcome.clone());
                outcome
            }
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

/// The last value of each key with the revision it was computed at.
pub struct LatestCache<K, V> {
    name: &'static str,
    entries: Cache<K, (i64, V), LatestByWeight, DefaultHashBuilder, CountEvictions>,
    counters: Arc<CacheCounters>,
}

impl<K: Eq + Hash + Clone, V: Clone + Weighed> LatestCache<K, V> {
    /// A cache named `name` (in `/metrics`) of about `items` entries holding at most `bytes`.
    pub fn new(name: &'static str, items: usize, bytes: u64) -> Self {
        let counters = Arc::new(CacheCounters::default());
        LatestCache {
            name,
            entries: Cache::with(
                items,
                bytes,
                LatestByWeight,
                DefaultHashBuilder::default(),
                CountEvictions(counters.clone()),
            ),
            counters,
        }
    }

    /// What this cache did so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats::read(self.name, &self.counters, self.entries.len())
    }

    /// The value for `key` if it was computed at the current revision (a hit, else a miss).
    pub fn get(&self, revision: &Revision, key: &K) -> Option<V> {
        let current = revision.current();
        let found = match self.entries.get(key) {
            Some((at, value)) if current >= 0 && at == current => Some(value),
            _ => None,
        };
        if found.is_some() {
            self.counters.hit();
        } else {
            self.counters.miss();
        }
        found
    }

    /// The value for `key` whatever revision it was computed at.
    pub fn get_any(&self, key: &K) -> Option<(i64, V)> {
        self.entries.get(key)
    }

    /// Keeps a value computed from data read at revision `read_at`, unless the registry moved.
    pub fn put(&self, revision: &Revision, read_at: i64, key: K, value: V) {
        if read_at >= 0 && revision.current() == read_at {
            self.entries.insert(key, (read_at, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    #[derive(Clone, Debug, PartialEq)]
    struct Page(&'static str);

    impl Weighed for Page {
        fn weight(&self) -> u64 {
            self.0.len() as u64
        }
    }

    impl Weighed for &'static str {
        fn weight(&self) -> u64 {
            0
        }
    }

    impl Weighed for i32 {
        fn weight(&self) -> u64 {
            0
        }
    }

    async fn render_counted(count: &AtomicUsize, page: &'static str) -> Result<Page, ()> {
        count.fetch_add(1, Ordering::SeqCst);
        Ok(Page(page))
    }

    #[actix_web::test]
    async fn values_live_until_the_revision_moves() {
        let revision = Revision::default();
        let cache: RenderCache<&str, Page, ()> = RenderCache::new("test", 10, 1000);
        let renders = AtomicUsize::new(0);
        let got = cache
            .get_or_render(&revision, &"A", || render_counted(&renders, "a"))
            .await;
        assert_eq!(got, Ok(Page("a")));
        assert_eq!(
            cache.get(&revision, &"A"),
            None,
            "nothing cached before the first check"
        );
        revision.observe(5);
        for _ in 0..3 {
            let got = cache
                .get_or_render(&revision, &"A", || render_counted(&renders, "a"))
                .await;
            assert_eq!(got, Ok(Page("a")));
        }
        assert_eq!(
            renders.load(Ordering::SeqCst),
            2,
            "rendered once at revision 5"
        );
        assert_eq!(cache.get(&revision, &"A"), Some(Page("a")));
        assert!(!revision.observe(5), "same revision");
        // Two overlapping reads: the one that began first ends last, with the older value.
        let (first, second) = (revision.begin_read(), revision.begin_read());
        assert!(revision.observe_read(second, 7));
        assert!(
            !revision.observe_read(first, 5),
            "an older read cannot go back"
        );
        assert_eq!(revision.current(), 7);
        assert!(revision.observe(5), "a later read may: a restored backup");
        assert!(cache.get(&revision, &"A").is_some());
        assert!(revision.observe(6), "a change");
        assert_eq!(
            cache.get(&revision, &"A"),
            None,
            "an older entry is never served"
        );
        let got = cache
            .get_or_render(&revision, &"A", || render_counted(&renders, "new"))
            .await;
        assert_eq!(got, Ok(Page("new")));
        assert_eq!(cache.get(&revision, &"A"), Some(Page("new")));
    }

    /// Sixteen readers ask for one key while its render is held; returns what each got and
    /// how many renders ran. A reader that never gets an answer fails the test (timeout).
    async fn sixteen_readers(
        outcome: Result<Page, &'static str>,
    ) -> (Vec<Result<Page, &'static str>>, usize) {
        let cache: Arc<RenderCache<&str, Page, &str>> =
            Arc::new(RenderCache::new("test", 10, 1000));
        let renders = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Notify::new());
        let readers: Vec<_> = (0..16)
            .map(|_| {
                let (cache, renders, gate) = (cache.clone(), renders.clone(), gate.clone());
                let outcome = outcome.clone();
                actix_web::rt::spawn(async move {
                    let revision = Revision::default();
                    revision.observe(1);
                    cache
                        .get_or_render(&revision, &"A", || async {
                            renders.fetch_add(1, Ordering::SeqCst);
                            // Hold the render until every reader has asked.
                            gate.notified().await;
                            outcome
                        })
                        .await
                })
            })
            .collect();
        // Let every reader reach the cache, then release the one render.
        for _ in 0..50 {
            actix_web::rt::task::yield_now().await;
        }
        gate.notify_waiters();
        gate.notify_one();
        let mut got = Vec::new();
        for reader in readers {
            let answer = actix_web::rt::time::timeout(Duration::from_secs(5), reader)
                .await
                .expect("every reader is answered");
            got.push(answer.expect("a reader"));
        }
        (got, renders.load(Ordering::SeqCst))
    }

    #[actix_web::test]
    async fn concurrent_misses_render_once() {
        let (got, renders) = sixteen_readers(Ok(Page("a"))).await;
        assert!(got.iter().all(|g| *g == Ok(Page("a"))), "{got:?}");
        assert_eq!(renders, 1, "16 readers, one render");
    }

    #[actix_web::test]
    async fn readers_waiting_on_a_failed_render_share_its_failure() {
        let (got, renders) = sixteen_readers(Err("db down")).await;
        assert!(got.iter().all(|g| *g == Err("db down")), "{got:?}");
        assert_eq!(renders, 1, "the waiters did not render one after another");
    }

    #[actix_web::test]
    async fn a_failed_render_is_not_kept_and_the_next_reader_renders() {
        let revision = Revision::default();
        revision.observe(1);
        let cache: RenderCache<&str, Page, &str> = RenderCache::new("test", 10, 1000);
        let failed = cache
            .get_or_render(&revision, &"A", || async { Err::<Page, _>("db down") })
            .await;
        assert_eq!(failed, Err("db down"));
        assert_eq!(cache.get(&revision, &"A"), None);
        let got = cache
            .get_or_render(&revision, &"A", || async { Ok::<_, &str>(Page("a")) })
            .await;
        assert_eq!(got, Ok(Page("a")));
    }

    #[actix_web::test]
    async fn a_value_not_to_keep_reaches_its_waiters_and_is_not_stored() {
        let revision = Revision::default();
        revision.observe(1);
        let cache: RenderCache<&str, Page, ()> = RenderCache::new("test", 10, 1000);
        let got = cache
            .get_or_render_if(&revision, &"X", |_| false, || async { Ok(Page("x")) })
            .await;
        assert_eq!(got, Ok(Page("x")));
        assert_eq!(cache.get(&revision, &"X"), None);
        assert!(cache.is_empty(), "nothing stored, not even a placeholder");
    }

    #[test]
    fn the_latest_value_is_kept_with_its_revision() {
        let revision = Revision::default();
        let cache = LatestCache::new("test", 10, 1000);
        cache.put(&revision, -1, "A", Page("a"));
        assert_eq!(
            cache.get_any(&"A"),
            None,
            "nothing kept before the first check"
        );
        revision.observe(5);
        cache.put(&revision, 5, "A", Page("a"));
        assert_eq!(cache.get(&revision, &"A"), Some(Page("a")));
        revision.observe(6);
        assert_eq!(cache.get(&revision, &"A"), None);
        assert_eq!(cache.get_any(&"A"), Some((5, Page("a"))), "served stale");
        // A value read before the change must not be stored after it.
        cache.put(&revision, 5, "A", Page("stale"));
        assert_eq!(cache.get_any(&"A"), Some((5, Page("a"))));
    }

    #[actix_web::test]
    async fn the_byte_budget_bounds_the_cache() {
        let revision = Revision::default();
        revision.observe(1);
        let cache: RenderCache<i32, Page, ()> = RenderCache::new("test", 10, 100);
        for key in 0..50 {
            let _ = cache
                .get_or_render(&revision, &key, || async {
                    Ok::<_, ()>(Page("0123456789"))
                })
                .await;
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
