//! What each in-memory cache did, for `/metrics`: hits, misses and evictions (counted by the
//! caches of `web::render_cache`), and how many entries it holds now.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A cache's counters, shared with its eviction hook.
#[derive(Debug, Default)]
pub struct CacheCounters {
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
}

impl CacheCounters {
    pub fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    pub fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    pub fn evicted(&self) {
        self.evictions.fetch_add(1, Ordering::Relaxed);
    }
}

/// One cache as `/metrics` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheStats {
    /// Its name, the `cache` label.
    pub name: &'static str,
    pub hits: u64,
    pub misses: u64,
    /// Entries pushed out to stay within the cache's budget (not those dropped because the
    /// registry changed).
    pub evictions: u64,
    pub entries: u64,
}

impl CacheStats {
    pub fn read(name: &'static str, counters: &CacheCounters, entries: usize) -> CacheStats {
        CacheStats {
            name,
            hits: counters.hits.load(Ordering::Relaxed),
            misses: counters.misses.load(Ordering::Relaxed),
            evictions: counters.evictions.load(Ordering::Relaxed),
            entries: u64::try_from(entries).unwrap_or(u64::MAX),
        }
    }
}

/// quick_cache's eviction hook: counts what the cache pushed out.
#[derive(Debug, Clone, Default)]
pub struct CountEvictions(pub Arc<CacheCounters>);

impl<K, V> quick_cache::Lifecycle<K, V> for CountEvictions {
    type RequestState = ();

    fn on_evict(&self, _state: &mut (), _key: K, _val: V) {
        self.0.evicted();
    }
}
