//! `/metrics` in the Prometheus text format, served on an address of its own
//! (`SQE_METRICS_BIND`, off by default) and never by the public app.
//!
//! Built on `prometheus-client`, the Prometheus project's own Rust client (its text encoder
//! follows the OpenMetrics format that Prometheus scrapes). Request counts and latencies are
//! counted as requests end ([`Metrics::request_done`]); everything else (caches, pool,
//! database, revision, buffers) is read when scraped, into a registry built for that scrape.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::{web, HttpResponse};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::web::AppState;

/// Latency buckets in seconds: a badge from memory takes well under a millisecond, a deep
/// search page tens of milliseconds, a download seconds.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route_group: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

/// What this instance counts as it serves.
#[derive(Debug)]
pub struct Metrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
    /// Revision bumps announced by the database (`db::revision_listener`).
    notifications: Counter,
    /// Times the listener (re)connected.
    listener_connects: Counter,
    /// Milliseconds since the Unix epoch of the listener's last connection, 0 before.
    listener_connected_at: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: Family::default(),
            latency: Family::new_with_constructor(|| {
                Histogram::new(LATENCY_BUCKETS.iter().copied())
            }),
            notifications: Counter::default(),
            listener_connects: Counter::default(),
            listener_connected_at: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Counts a finished request.
    pub fn request_done(&self, route_group: &'static str, status: u16, elapsed: Duration) {
        let labels = RequestLabels {
            route_group,
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Counts what the revision listener reported.
    pub fn revision_news(&self, news: crate::db::revision_listener::RevisionNews) {
        match news {
            crate::db::revision_listener::RevisionNews::Bumped(_) => {
                self.notifications.inc();
            }
            crate::db::revision_listener::RevisionNews::Listening => {
                self.listener_connects.inc();
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
                self.listener_connected_at.store(now, Ordering::Relaxed);
            }
        }
    }
}

/// The page of figures: counted ones and those read now.
pub async fn render(state: &AppState) -> String {
    let mut registry = Registry::with_prefix("sqe");
    let m = &state.metrics;
    registry.register(
        "http_requests",
        "Requests answered, by route group and status",
        m.requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to the response head, by route group and status",
        m.latency.clone(),
    );
    registry.register(
        "revision_notifications",
        "Revision bumps announced by PostgreSQL (LISTEN/NOTIFY)",
        m.notifications.clone(),
    );
    registry.register(
        "revision_listener_connects",
        "Times the revision listener connected (again)",
        m.listener_connects.clone(),
    );
    register_caches(&mut registry, state);
    register_database(&mut registry, state).await;
    register_buffers(&mut registry, state);
    registry.register(
        "build",
        "This build",
        Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
    );
    let mut out = String::new();
    if encode(&mut out, &registry).is_err() {
        out.clear();
    }
    out
}

fn register_caches(registry: &mut Registry, state: &AppState) {
    use crate::web::{api, feeds, marks, pages};
    let hits = Family::<CacheLabels, Counter>::default();
    let misses = Family::<CacheLabels, Counter>::default();
    let evictions = Family::<CacheLabels, Counter>::default();
    let entries = Family::<CacheLabels, Gauge>::default();
    let all = [
        state.feature::<marks::MarkCache>().caches(),
        state.feature::<marks::UnverifiableBadges>().caches(),
        state.feature::<pages::certificate::PageCache>().caches(),
        state.feature::<pages::keyed::Documents>().caches(),
        state.feature::<pages::shared::SharedPages>().caches(),
        state.feature::<pages::search_cache::SearchCache>().caches(),
        state
            .feature::<pages::statistics::StatisticsCache>()
            .caches(),
        state.feature::<feeds::FeedCache>().caches(),
        state.feature::<api::companies::CompanyCounts>().caches(),
    ];
    use crate::web::state::FeatureState as _;
    for stats in all.into_iter().flatten() {
        let labels = CacheLabels { cache: stats.name };
        hits.get_or_create(&labels).inc_by(stats.hits);
        misses.get_or_create(&labels).inc_by(stats.misses);
        evictions.get_or_create(&labels).inc_by(stats.evictions);
        entries
            .get_or_create(&labels)
            .set(i64::try_from(stats.entries).unwrap_or(i64::MAX));
    }
    registry.register("cache_hits", "Values served from memory", hits);
    registry.register("cache_misses", "Values rendered or computed", misses);
    registry.register(
        "cache_evictions",
        "Values pushed out to stay within the cache's memory budget",
        evictions,
    );
    registry.register("cache_entries", "Values held now", entries);
}

async fn register_database(registry: &mut Registry, state: &AppState) {
    let pool = state.pool.usage();
    let connections = Family::<StateLabels, Gauge>::default();
    connections
        .get_or_create(&StateLabels { state: "in_use" })
        .set(i64::from(pool.in_use));
    connections
        .get_or_create(&StateLabels { state: "idle" })
        .set(i64::from(pool.idle));
    registry.register(
        "db_pool_connections",
        "Pooled database connections",
        connections,
    );
    registry.register(
        "db_pool_max_connections",
        "The pool's size (SQE_POOL_SIZE)",
        gauge(i64::from(pool.max)),
    );
    registry.register(
        "db_pool_waits",
        "Requests for a connection that found none free at once",
        counter(pool.waits),
    );
    registry.register(
        "db_pool_timeouts",
        "Requests for a connection that gave up waiting",
        counter(pool.timeouts),
    );
    let reachable = state.pool.health().is_reachable();
    registry.register(
        "db_up",
        "Whether the database answers (1) or not (0)",
        gauge(i64::from(reachable)),
    );
    let served = state.revision.current();
    registry.register(
        "revision_served",
        "The registry revision this instance's caches are at (-1 before the first read)",
        gauge(served),
    );
    if reachable {
        let read = state.db(|conn| Ok(crate::db::stats::revision(conn)?)).await;
        if let Ok(latest) = read {
            registry.register(
                "revision_lag",
                "Revisions the database is ahead of this instance's caches",
                gauge(latest.saturating_sub(served.max(0))),
            );
        }
    }
}

fn register_buffers(registry: &mut Registry, state: &AppState) {
    registry.register(
        "sighting_buffer",
        "Badge sightings counted in memory, waiting to be written",
        gauge(i64::try_from(state.sightings.len()).unwrap_or(i64::MAX)),
    );
    let refused = state
        .feature::<crate::web::admin::login_guard::RefusedLogins>()
        .unrecorded();
    registry.register(
        "refused_login_buffer",
        "Refused back-office logins waiting to be recorded",
        gauge(i64::from(refused)),
    );
}

fn gauge(value: i64) -> Gauge {
    let g = Gauge::default();
    g.set(value);
    g
}

fn counter(value: u64) -> Counter {
    let c = Counter::default();
    c.inc_by(value);
    c
}

/// The handler of `/metrics` on the metrics address.
pub async fn show(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(render(&state).await)
}

/// The app of the metrics address: `/metrics` and nothing else.
pub fn app(
    state: web::Data<AppState>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    actix_web::App::new()
        .app_data(state)
        .route("/metrics", web::get().to(show))
}
