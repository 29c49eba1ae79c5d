//! Connections and the pool: one binary speaks SQLite or PostgreSQL, chosen by the URL scheme.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::health::DatabaseHealth;

/// A connection to either backend. Queries are written once against this type; the few places
/// where SQL must differ match on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The pool shared by the web workers (through `web::block`) and the CLI, with the health of
/// the database it connects to: while that is known not to answer, [`DbPool::get`] fails at
/// once instead of waiting out the pool's time-out.
#[derive(Clone)]
pub struct DbPool {
    inner: r2d2::Pool<ConnectionManager>,
    health: Arc<DatabaseHealth>,
    /// For the probe's own connection while the pool's attempts are failing.
    backend: Backend,
    waits: Arc<AtomicU64>,
    timeouts: Arc<AtomicU64>,
}

/// The pool as `/metrics` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    pub in_use: u32,
    pub idle: u32,
    pub max: u32,
    /// Requests for a connection that found none free at once.
    pub waits: u64,
    /// Requests that gave up waiting ([`PoolError::Exhausted`]).
    pub timeouts: u64,
}

/// A pooled connection (derefs to [`DbConnection`]).
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// Why no connection was handed out.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The database is known not to answer (a connection attempt failed, or one was lost).
    #[error("the database does not answer")]
    Unreachable,
    /// Every connection stayed busy for the whole wait.
    #[error("no free database connection: {0}")]
    Exhausted(r2d2::PoolError),
}

/// How long a request waits for a free connection in all.
const POOL_WAIT: Duration = Duration::from_secs(5);
/// How often a waiting request looks whether the database was found unreachable meanwhile.
const POOL_WAIT_STEP: Duration = Duration::from_millis(100);

impl DbPool {
    /// A connection, tested on checkout. Fails at once while the database is known not to
    /// answer, and as soon as it is found so while waiting.
    pub fn get(&self) -> Result<PooledConnection, PoolError> {
        let started = std::time::Instant::now();
        if !self.health.is_reachable() {
            return Err(PoolError::Unreachable);
        }
        if let Some(conn) = self.inner.try_get() {
            self.health.contact();
            return Ok(conn);
        }
        self.waits.fetch_add(1, Ordering::Relaxed);
        loop {
            if !self.health.is_reachable() {
                return Err(PoolError::Unreachable);
            }
            match self.inner.get_timeout(POOL_WAIT_STEP) {
                Ok(conn) => {
                    self.health.contact();
                    return Ok(conn);
                }
                Err(e) if started.elapsed() >= POOL_WAIT => {
                    self.timeouts.fetch_add(1, Ordering::Relaxed);
                    return Err(PoolError::Exhausted(e));
                }
                Err(_) => continue,
            }
        }
    }

    /// Connections in use and idle, and how often requests waited or gave up.
    pub fn usage(&self) -> PoolUsage {
        let state = self.inner.state();
        PoolUsage {
            in_use: state.connections.saturating_sub(state.idle_connections),
            idle: state.idle_connections,
            max: self.inner.max_size(),
            waits: self.waits.load(Ordering::Relaxed),
            timeouts: self.timeouts.load(Ordering::Relaxed),
        }
    }

    /// The database this pool connects to.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// What the pool knows of the database's health.
    pub fn health(&self) -> &Arc<DatabaseHealth> {
        &self.health
    }

    /// Looks whether the database answers (blocking; the server runs it every second or so):
    /// through the pool while it is believed reachable, else with a new connection of its own
    /// (the pool's attempts back off), which ends the outage when it opens. Also notes
    /// whether every migration is applied.
    pub fn probe(&self) -> bool {
        let pending = if self.health.is_reachable() {
            match self.inner.get_timeout(Duration::from_secs(2)) {
                Ok(mut conn) => pending_migrations(&mut conn),
                // Busy is not down: the pool reports failed connection attempts itself.
                Err(_) => return true,
            }
        } else {
            match self.backend.connect() {
                Ok(mut conn) => {
                    self.health.contact();
                    pending_migrations(&mut conn)
                }
                Err(_) => return false,
            }
        };
        // A connection answered; a failed look at the migrations table makes the instance
        // unready, not the database unreachable (lost connections are reported where they
        // happen).
        self.health
            .set_schema_current(pending.is_ok_and(|pending| pending == 0));
        true
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// SQLite settings applied to every new connection: WAL so readers never wait for the writer,
/// foreign keys enforced, and a busy timeout instead of an immediate "database is locked".
/// The file is also read through a memory map (up to SQLite's 2 GB limit), shared by every
/// connection of the pool, rather than copied into each connection's own page cache: a cold
/// connection reading rows at random paid a system call per page (search of 50,000 revoked
/// certificates at 1,000,000: 130 ms, docs/PERFORMANCE.md).
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32000; \
     PRAGMA mmap_size = 2147418112;";

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Postgres(String),
    /// A file path (the `sqlite://` prefix removed).
    Sqlite(String),
}

impl Backend {
    /// Picks the backend from the URL scheme. SQLite accepts any string as a path, so a URL is
    /// never handed to `establish` on a guess: a bad `postgres://` URL must fail as PostgreSQL.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(url.to_owned())
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            Backend::Sqlite(path.to_owned())
        }
    }

    /// A name for logs that never contains credentials.
    pub fn describe(&self) -> String {
        match self {
            Backend::Postgres(url) => match url::Url::parse(url) {
                Ok(u) => format!(
                    "PostgreSQL at {}:{}{}",
                    u.host_str().unwrap_or("localhost"),
                    u.port().unwrap_or(5432),
                    u.path()
                ),
                Err(_) => "PostgreSQL".to_owned(),
            },
            Backend::Sqlite(path) => format!("SQLite at {path}"),
        }
    }

    /// Opens one connection, with the SQLite pragmas applied.
    pub fn connect(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match self {
            Backend::Postgres(url) => {
                PgConnection::establish(&with_connect_timeout(url)).map(DbConnection::Pg)
            }
            Backend::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// An r2d2 manager that opens connections through [`Backend::connect`].
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    backend: Backend,
    health: Arc<DatabaseHealth>,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend.connect() {
            Ok(conn) => {
                self.health.contact();
                Ok(conn)
            }
            Err(e) => {
                self.health.lost(&e.to_string());
                Err(r2d2::Error::ConnectionError(e))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        match conn {
            // A connection whose server went away: not returned to the pool.
            DbConnection::Pg(pg) => pg.is_broken(),
            DbConnection::Sqlite(_) => false,
        }
    }
}

/// Builds the pool. For SQLite the parent folder is created first, so the default
/// `data/sqe-registry.db` works on a fresh clone.
pub fn build_pool(url: &str, max_size: u32) -> anyhow::Result<DbPool> {
    let backend = Backend::from_url(url);
    if let Backend::Sqlite(path) = &backend {
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() && path != ":memory:" {
                std::fs::create_dir_all(parent)?;
            }
        }
        // One connection first switches a new file to WAL (a setting kept in the file): the pool
        // opens its connections at once, and several of them switching together get "database
        // is locked" (the busy timeout does not cover that lock).
        backend.connect()?;
    }
    let health = Arc::new(DatabaseHealth::default());
    let inner = r2d2::Pool::builder()
        .max_size(max_size)
        // `get` waits in steps of its own; this caps the back-off between the pool's failed
        // connection attempts at half of it (1 s), so the pool refills soon after an outage.
        .connection_timeout(Duration::from_secs(2))
        // The health records every failed attempt; r2d2 would log each one at error level.
        .error_handler(Box::new(r2d2::NopErrorHandler))
        .build(ConnectionManager {
            backend: backend.clone(),
            health: health.clone(),
        })?;
    Ok(DbPool {
        inner,
        health,
        backend,
        waits: Arc::default(),
        timeouts: Arc::default(),
    })
}

/// How many migrations this binary carries that the database has not applied. Reads the
/// migrations table only (diesel's own check would create it, a write).
pub fn pending_migrations(conn: &mut DbConnection) -> anyhow::Result<usize> {
    #[derive(diesel::QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let source = match conn {
        DbConnection::Pg(_) => PG_MIGRATIONS,
        DbConnection::Sqlite(_) => SQLITE_MIGRATIONS,
    };
    let applied: Vec<Applied> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(conn)?;
    let applied: std::collections::HashSet<String> =
        applied.into_iter().map(|a| a.version).collect();
    let carried = MigrationSource::<diesel::pg::Pg>::migrations(&source)
        .map_err(|e| anyhow::anyhow!("reading the embedded migrations: {e}"))?;
    Ok(carried
        .iter()
        .filter(|m| !applied.contains(&m.name().version().to_string()))
        .count())
}

/// A PostgreSQL URL with libpq's `connect_timeout` (2 s) unless it names one: an address
/// that swallows packets must not hold a request longer than a refused connection does.
pub(super) fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout=2")
}

/// Applies pending migrations of the connection's backend. On PostgreSQL an advisory lock keeps
/// several instances that start together from migrating at the same time.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConnection::Pg(pg) => {
            pg.batch_execute("SELECT pg_advisory_lock(315260)")?;
            let result = pg.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len());
            pg.batch_execute("SELECT pg_advisory_unlock(315260)")?;
            result
        }
        DbConnection::Sqlite(lite) => lite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| anyhow::anyhow!("migration failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(
            Backend::from_url("postgres://u@h/db"),
            Backend::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            Backend::from_url("postgresql://h/db"),
            Backend::Postgres("postgresql://h/db".into())
        );
        assert_eq!(
            Backend::from_url("sqlite://data/x.db"),
            Backend::Sqlite("data/x.db".into())
        );
        assert_eq!(
            Backend::from_url("data/x.db"),
            Backend::Sqlite("data/x.db".into())
        );
    }

    #[test]
    fn a_connect_timeout_is_added_unless_named() {
        assert_eq!(
            with_connect_timeout("postgres://h/db"),
            "postgres://h/db?connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?sslmode=disable"),
            "postgres://h/db?sslmode=disable&connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?connect_timeout=10"),
            "postgres://h/db?connect_timeout=10"
        );
    }

    #[test]
    fn description_hides_credentials() {
        let d = Backend::from_url("postgres://admin:s3cret@db.example:6543/sqe").describe();
        assert!(!d.contains("s3cret"), "{d}");
        assert!(d.contains("db.example:6543/sqe"), "{d}");
    }
}
