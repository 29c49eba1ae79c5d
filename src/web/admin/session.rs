//! Back-office sessions: actix-session (the actix project's own session middleware: signed
//! cookie, key renewal, TTL extension) over a store in our database, so that several instances
//! share sessions and a logout or an expiry holds on all of them.
//!
//! The cookie carries a random 256-bit key, signed; the database holds only its SHA-256. The
//! session expires after `SQE_SESSION_IDLE_MINUTES` without a request.

use std::collections::HashMap;

use actix_session::config::{BrowserSession, CookieContentSecurity, TtlExtensionPolicy};
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_session::SessionMiddleware;
use actix_web::cookie::{time::Duration as CookieDuration, Key, SameSite};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{NaiveDateTime, Utc};
use sha2::{Digest, Sha256};

use crate::db::{sessions, DbPool};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sqe_admin";

/// 32 random bytes from the operating system, as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_hash(key: &SessionKey) -> String {
    hex(&Sha256::digest(key.as_ref().as_bytes()))
}

/// Sessions in the registry's database.
#[derive(Clone)]
pub struct DbSessionStore {
    pool: DbPool,
}

impl DbSessionStore {
    pub fn new(pool: DbPool) -> DbSessionStore {
        DbSessionStore { pool }
    }

    /// A write to the sessions table. When a request's own write just waited out SQLite's
    /// busy timeout, its session's write would wait as long again for the same lock: it fails
    /// at once instead (a renewal is then skipped, a new session refused with a 503).
    async fn write<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut crate::db::DbConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if self
            .pool
            .health()
            .busy_within(std::time::Duration::from_secs(2))
        {
            anyhow::bail!("the database is busy (another process holds the write lock)");
        }
        self.run(work).await
    }

    async fn run<T, F>(&self, work: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut crate::db::DbConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            Ok(work(&mut conn)?)
        })
        .await?
    }
}

fn expiry(ttl: &CookieDuration) -> NaiveDateTime {
    let seconds = ttl.whole_seconds().clamp(0, 86_400 * 366);
    (Utc::now() + chrono::Duration::seconds(seconds)).naive_utc()
}

impl SessionStore for DbSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let hash = key_hash(session_key);
        let state = self
            .run(move |conn| sessions::load(conn, &hash, Utc::now().naive_utc()))
            .await
            .map_err(LoadError::Other)?;
        state
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| LoadError::Deserialization(e.into()))
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        let state = serde_json::to_string(&session_state)
            .map_err(|e| SaveError::Serialization(e.into()))?;
        let key = SessionKey::try_from(random_token()).map_err(|e| SaveError::Other(e.into()))?;
        let hash = key_hash(&key);
        let expires_at = expiry(ttl);
        self.write(move |conn| {
            sessions::insert(conn, &hash, &state, expires_at, Utc::now().naive_utc())
        })
        .await
        .map_err(SaveError::Other)?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let state = serde_json::to_string(&session_state)
            .map_err(|e| UpdateError::Serialization(e.into()))?;
        let hash = key_hash(&session_key);
        let expires_at = expiry(ttl);
        let updated = self
            .write(move |conn| sessions::update(conn, &hash, &state, expires_at))
            .await
            .map_err(UpdateError::Other)?;
        if updated {
            Ok(session_key)
        } else {
            // The session ended meanwhile (logout elsewhere, expiry): start a new one rather
            // than revive the old key.
            self.save(session_state, ttl).await.map_err(|e| match e {
                SaveError::Serialization(e) => UpdateError::Serialization(e),
                SaveError::Other(e) => UpdateError::Other(e),
            })
        }
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &CookieDuration,
    ) -> anyhow::Result<()> {
        let hash = key_hash(session_key);
        let expires_at = expiry(ttl);
        // Renewing the idle deadline is a write; when the database cannot take it (another
        // process holds SQLite's lock, the database is away) the session keeps its present
        // deadline rather than the page failing.
        if let Err(e) = self
            .write(move |conn| sessions::touch(conn, &hash, expires_at))
            .await
        {
            tracing::debug!(error = %e, "session deadline not renewed");
        }
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        let hash = key_hash(session_key);
        self.write(move |conn| sessions::delete(conn, &hash)).await
    }
}

/// The session middleware of the `/admin` scope: a browser-session cookie (gone when the browser
/// closes), signed, `HttpOnly`, `SameSite=Strict`, `Secure` when the site is served over https,
/// limited to `/admin`; the server forgets the session after `idle_minutes` without a request.
pub fn middleware(
    pool: DbPool,
    key: Key,
    secure: bool,
    idle_minutes: u32,
) -> SessionMiddleware<DbSessionStore> {
    SessionMiddleware::builder(DbSessionStore::new(pool), key)
        .cookie_name(SESSION_COOKIE.to_owned())
        .cookie_path("/admin".to_owned())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Strict)
        .cookie_secure(secure)
        .cookie_content_security(CookieContentSecurity::Signed)
        .session_lifecycle(
            BrowserSession::default()
                .state_ttl(CookieDuration::minutes(i64::from(idle_minutes)))
                .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
        )
        .build()
}
