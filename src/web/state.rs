//! What every handler shares: the pool, the configuration, the clock, and small caches.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix_web::web;
use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Config;
use crate::db::stats::{RegistryCounts, Statistics, StatsQuery};
use crate::db::{DbConnection, DbPool};
use crate::domain::dates::beijing_today;
use crate::domain::hostname::Hostname;
use crate::error::AppError;
use crate::web::feeds::FeedKey;
use crate::web::marks::{MarkImage, MarkKey};
use crate::web::pages::certificate::{CachedPage, PageKey};
use crate::web::render_cache::{RenderCache, Revision};
use crate::web::sightings::SightingBuffer;
use crate::web::sitemap::SitemapKey;
use actix_web::web::Bytes;

/// The time source. Tests fix it to check dates at the edges (for example a certificate's last
/// day in Beijing while it is still the day before in UTC).
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock(Arc::new(move || at))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

/// A value recomputed at most once per `ttl`.
pub struct Cached<T> {
    ttl: Duration,
    slot: RwLock<Option<(Instant, T)>>,
}

impl<T: Clone> Cached<T> {
    pub fn new(ttl: Duration) -> Cached<T> {
        Cached {
            ttl,
            slot: RwLock::new(None),
        }
    }

    /// The cached value if still fresh and `accept` agrees.
    pub fn get_if(&self, accept: impl Fn(&T) -> bool) -> Option<T> {
        let slot = self.slot.read().ok()?;
        match &*slot {
            Some((at, value)) if at.elapsed() < self.ttl && accept(value) => Some(value.clone()),
            _ => None,
        }
    }

    pub fn put(&self, value: T) {
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some((Instant::now(), value));
        }
    }
}

/// Application state, built once and shared by every worker.
pub struct AppState {
    pub pool: DbPool,
    pub config: Config,
    pub clock: Clock,
    /// Whether the demo registry is loaded (a banner on every page).
    pub demo: Cached<bool>,
    /// Home-page counts, with the date they were computed for.
    pub counts: Cached<(NaiveDate, RegistryCounts)>,
    /// The registry revision cached renderings must match.
    pub revision: Revision,
    /// Rendered verification pages (about 15 KB each; 64 MB at most).
    pub pages: RenderCache<PageKey, CachedPage>,
    /// Rendered badges and QR codes (2–20 KB each; 64 MB at most).
    pub marks: RenderCache<MarkKey, Arc<MarkImage>>,
    /// The statistics page's figures per filter (a few hundred bytes each). Not dropped when
    /// the registry changes: stale figures are served while fresh ones are computed.
    pub statistics: RenderCache<StatsQuery, Arc<Statistics>>,
    /// The figures being computed, per filter: a reader who asks meanwhile waits for that
    /// computation instead of starting another.
    pub statistics_inflight: std::sync::Mutex<std::collections::HashMap<StatsQuery, InFlight>>,
    /// Rendered Atom feeds (up to about 60 KB each; 16 MB at most).
    pub feeds: RenderCache<FeedKey, Bytes>,
    /// The sitemap index and the list of site pages (the large per-range files are not kept).
    pub sitemaps: RenderCache<SitemapKey, Bytes>,
    /// Sightings of marks on hosts they are not bound to, waiting to be written.
    pub sightings: SightingBuffer,
    /// The host of the public URL: links from it are ours.
    pub own_hosts: Vec<Hostname>,
}

/// One computation of the statistics' figures that several readers may wait on.
pub type InFlight = Arc<tokio::sync::OnceCell<Arc<Statistics>>>;

impl AppState {
    pub fn new(pool: DbPool, config: Config, clock: Clock) -> AppState {
        AppState {
            pool,
            clock,
            demo: Cached::new(Duration::from_secs(30)),
            counts: Cached::new(Duration::from_secs(60)),
            revision: Revision::default(),
            pages: RenderCache::new(4_000, 64 << 20),
            marks: RenderCache::new(20_000, 64 << 20),
            statistics: RenderCache::new(2_000, 4 << 20),
            statistics_inflight: Default::default(),
            feeds: RenderCache::new(1_000, 16 << 20),
            sitemaps: RenderCache::new(16, 4 << 20),
            sightings: SightingBuffer::default(),
            own_hosts: Hostname::parse(&config.public_url).into_iter().collect(),
            config,
        }
    }

    /// Today's date in China Standard Time: the calendar certificates are dated in.
    pub fn today(&self) -> NaiveDate {
        beijing_today(self.clock.now())
    }

    /// Runs database work on the blocking pool, off the async workers.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }

    /// Reads the registry revision when due (at most once a second per instance), so cached
    /// pages are dropped soon after any change, whichever instance made it.
    pub async fn sync_revision(&self) {
        if !self.revision.check_due() {
            return;
        }
        match self.db(|conn| Ok(crate::db::stats::revision(conn)?)).await {
            Ok(revision) => {
                if self.revision.observe(revision) {
                    self.pages.clear();
                    self.marks.clear();
                    self.feeds.clear();
                    self.sitemaps.clear();
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read the registry revision"),
        }
    }

    /// Writes the sightings counted so far (the server calls this every few seconds and at
    /// shutdown; tests call it directly). On failure they stay buffered for the next attempt.
    pub async fn flush_sightings(&self) -> Result<usize, AppError> {
        let rows = self.sightings.drain();
        if rows.is_empty() {
            return Ok(0);
        }
        let n = rows.len();
        let kept = rows.clone();
        match self
            .db(move |conn| Ok(crate::db::marks::record_sightings(conn, &rows)?))
            .await
        {
            Ok(()) => Ok(n),
            Err(e) => {
                self.sightings.restore(kept);
                Err(e)
            }
        }
    }

    /// Whether the demo banner shows (cached for 30 s; a failure to read counts as no).
    pub async fn is_demo(&self) -> bool {
        if let Some(demo) = self.demo.get_if(|_| true) {
            return demo;
        }
        let demo = self
            .db(|conn| Ok(crate::db::stats::is_demo(conn)?))
            .await
            .unwrap_or(false);
        self.demo.put(demo);
        demo
    }
}
