//! Connections and the pool: one binary speaks SQLite or PostgreSQL, chosen by the URL scheme.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// A connection to either backend. Queries are written once against this type; the few places
/// where SQL must differ match on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The pool shared by the web workers (through `web::block`) and the CLI.
pub type DbPool = r2d2::Pool<ConnectionManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// SQLite settings applied to every new connection: WAL so readers never wait for the writer,
/// foreign keys enforced, and a busy timeout instead of an immediate "database is locked".
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32000;";

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
            Backend::Postgres(url) => PgConnection::establish(url).map(DbConnection::Pg),
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
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.backend.connect().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
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
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(5))
        .build(ConnectionManager { backend })?;
    Ok(pool)
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
    fn description_hides_credentials() {
        let d = Backend::from_url("postgres://admin:s3cret@db.example:6543/sqe").describe();
        assert!(!d.contains("s3cret"), "{d}");
        assert!(d.contains("db.example:6543/sqe"), "{d}");
    }
}
