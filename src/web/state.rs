//! What every handler shares: the pool, the configuration, the clock, the registry revision,
//! and each feature's own per-instance state (its caches), which this module does not name.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use actix_web::web;
use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Config;
use crate::db::health::Freshness;
use crate::db::{DbConnection, DbPool};
use crate::domain::dates::beijing_today;
use crate::domain::hostname::Hostname;
use crate::error::AppError;
use crate::web::render_cache::Revision;
use crate::web::sightings::SightingBuffer;

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

/// What one feature keeps per instance, typically its cache of renderings. A feature asks
/// for its own with [`AppState::feature`]; the first ask creates it.
pub trait FeatureState: Default + Send + Sync + 'static {
    /// The registry revision moved: drop what can no longer be served.
    fn registry_changed(&self) {}

    /// What the feature's caches did, for `/metrics`.
    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        Vec::new()
    }
}

/// A [`FeatureState`] stored by type.
trait Slot: Any + Send + Sync {
    fn registry_changed(&self);
}

impl<T: FeatureState> Slot for T {
    fn registry_changed(&self) {
        FeatureState::registry_changed(self)
    }
}

/// Every feature's state, by type.
#[derive(Default)]
struct Features(RwLock<HashMap<TypeId, Arc<dyn Slot>>>);

impl Features {
    fn get<T: FeatureState>(&self) -> Arc<T> {
        // A panic elsewhere cannot leave the map half-written (one insert), so a poisoned
        // lock is used as it is rather than turning every cache off.
        let found = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&TypeId::of::<T>())
            .cloned();
        let slot = match found {
            Some(slot) => slot,
            None => self
                .0
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(TypeId::of::<T>())
                .or_insert_with(|| Arc::new(T::default()))
                .clone(),
        };
        let slot: Arc<dyn Any + Send + Sync> = slot;
        slot.downcast::<T>()
            .unwrap_or_else(|_| unreachable!("slots are stored under their own type"))
    }

    fn registry_changed(&self) {
        let slots = self.0.read().unwrap_or_else(PoisonError::into_inner);
        for slot in slots.values() {
            slot.registry_changed();
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
    /// The registry revision cached renderings must match.
    pub revision: Revision,
    /// Each feature's caches (verification pages, marks, feeds, sitemaps, statistics).
    features: Features,
    /// Sightings of marks on hosts they are not bound to, waiting to be written.
    pub sightings: SightingBuffer,
    /// The host of the public URL: links from it are ours.
    pub own_hosts: Vec<Hostname>,
    /// Requests per client network and kind.
    pub limits: crate::web::limits::RateLimits,
    /// What `/metrics` counts.
    pub metrics: crate::web::metrics::Metrics,
}

impl AppState {
    pub fn new(pool: DbPool, config: Config, clock: Clock) -> AppState {
        AppState {
            pool,
            clock,
            demo: Cached::new(Duration::from_secs(30)),
            revision: Revision::checked_every(config.operations.revision_poll),
            features: Features::default(),
            sightings: SightingBuffer::default(),
            own_hosts: Hostname::parse(&config.public_url).into_iter().collect(),
            limits: crate::web::limits::RateLimits::new(&config.rate_limits),
            metrics: crate::web::metrics::Metrics::default(),
            config,
        }
    }

    /// Today's date in China Standard Time: the calendar certificates are dated in.
    pub fn today(&self) -> NaiveDate {
        beijing_today(self.clock.now())
    }

    /// The state `T` of one feature (created on first use).
    pub fn feature<T: FeatureState>(&self) -> Arc<T> {
        self.features.get::<T>()
    }

    /// Runs database work on the blocking pool, off the async workers.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let done = web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?;
        match &done {
            Err(AppError::DatabaseLost(why)) => self.pool.health().lost(why),
            Err(AppError::Busy(_)) => self.pool.health().busy(),
            _ => {}
        }
        done
    }

    /// Whether what this instance serves from memory is current, stale (and since when) or
    /// too old to serve (`SQE_STALE_IF_ERROR_SECS`).
    pub fn freshness(&self) -> Freshness {
        self.pool
            .health()
            .freshness(|| self.clock.now(), self.config.stale_if_error)
    }

    /// Looks whether the database answers (the server calls this every second, and twice a
    /// second while it does not): ends an outage within a second of the database's return.
    pub async fn probe_database(&self) -> bool {
        let pool = self.pool.clone();
        web::block(move || pool.probe()).await.unwrap_or(false)
    }

    /// Runs CPU work (rendering an image, compressing a page) on the blocking pool, holding
    /// no database connection.
    pub async fn cpu<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce() -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        web::block(work).await?
    }

    /// Starts listening for revision bumps made by any instance (PostgreSQL; `None` on
    /// SQLite): each makes the next request read the revision, so this instance's cached
    /// pages and badges of an older revision go at once. Stops when the value is dropped.
    pub fn listen_for_changes(
        state: &actix_web::web::Data<AppState>,
    ) -> std::io::Result<Option<crate::db::revision_listener::RevisionListener>> {
        let news = state.clone();
        crate::db::revision_listener::spawn(state.pool.backend(), move |n| {
            news.revision.force_check();
            news.metrics.revision_news(n);
        })
    }

    /// Reads the registry revision when due (at most once a second per instance), so cached
    /// pages are dropped soon after any change, whichever instance made it.
    pub async fn sync_revision(&self) {
        if !self.revision.check_due() {
            return;
        }
        let ticket = self.revision.begin_read();
        match self.db(|conn| Ok(crate::db::stats::revision(conn)?)).await {
            Ok(revision) => {
                if self.revision.observe_read(ticket, revision) {
                    self.features.registry_changed();
                }
            }
            // While the database is away the outage is logged once, not every second.
            Err(e) if e.retry_after().is_some() => {}
            Err(e) => tracing::warn!(error = %e, "could not read the registry revision"),
        }
    }

    /// The digest of the requesting client's network, as sightings remember it.
    pub fn client_network_digest(&self, req: &actix_web::HttpRequest) -> u64 {
        let network = crate::web::client::client_network(req, self.config.trust_proxy);
        crate::web::sightings::network_digest(&self.config.session_secret, &network)
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
        let limits = self.config.sighting_limits;
        match self
            .db(move |conn| {
                Ok(crate::db::marks::record_sightings_within(
                    conn, &rows, limits,
                )?)
            })
            .await
        {
            Ok(written) => {
                if written.hosts_refused > 0 || written.oldest_dropped > 0 {
                    tracing::warn!(
                        hosts_refused = written.hosts_refused,
                        oldest_dropped = written.oldest_dropped,
                        "sightings over their limits were dropped"
                    );
                }
                Ok(n)
            }
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
