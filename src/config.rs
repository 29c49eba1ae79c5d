//! Typed configuration, read once from the environment (and an optional `.env`) at start.
//! Documented in `.env.example`.

use std::env;

use anyhow::{bail, Context};

use crate::domain::language::Lang;
use crate::domain::numbering::{check_pattern, DEFAULT_PATTERN};

/// The sitemap protocol's limit of URLs in one file (and of files in one index).
pub const MAX_SITEMAP_URLS_PER_FILE: u32 = 50_000;

/// `SQE_STALE_IF_ERROR_SECS` unless set: a quarter of an hour.
pub const DEFAULT_STALE_IF_ERROR: std::time::Duration = std::time::Duration::from_secs(900);

/// The default SQLite database, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/sqe-registry.db";

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` for PostgreSQL; anything else is a SQLite path (`sqlite://` optional).
    pub database_url: String,
    /// Address the HTTP server listens on.
    pub bind: String,
    /// Public base URL without trailing slash, for absolute links and QR codes.
    pub public_url: String,
    /// Validity period of a new or renewed certificate.
    pub cert_validity_years: u32,
    /// How new certificate numbers are formed (`domain::numbering::format_number`).
    pub number_pattern: String,
    /// Language when neither `?lang=`, the cookie nor `Accept-Language` decide.
    pub default_lang: Lang,
    /// Connections in the pool.
    pub pool_size: u32,
    /// Signs the back-office session cookie. Every instance must have the same one.
    pub session_secret: SessionSecret,
    /// Minutes without a request after which a back-office session ends.
    pub session_idle_minutes: u32,
    /// Whether the client address comes from `X-Forwarded-For` (only behind a reverse proxy
    /// that sets it; otherwise anyone could pick their own address and dodge login throttling).
    pub trust_proxy: bool,
    /// How long after the database last answered cached badges and pages are still served
    /// (with a note on pages); past it badges are neutral and pages 503.
    pub stale_if_error: std::time::Duration,
    /// URLs in one sitemap file (`web::sitemap`): the protocol's 50,000; not read from the
    /// environment (tests make it small).
    pub sitemap_urls_per_file: u32,
}

/// The key that signs session cookies: 64 bytes or more. Never printed.
#[derive(Clone)]
pub struct SessionSecret(Vec<u8>);

impl SessionSecret {
    /// A random secret for this process only: sessions end at a restart and are not shared
    /// between instances.
    pub fn random() -> SessionSecret {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut bytes = vec![0u8; 64];
        OsRng.fill_bytes(&mut bytes);
        SessionSecret(bytes)
    }

    /// From at least 128 hex digits (64 bytes), as `openssl rand -hex 64` prints.
    pub fn from_hex(hex: &str) -> anyhow::Result<SessionSecret> {
        let hex = hex.trim();
        if hex.len() < 128 || hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("SQE_SESSION_KEY must be at least 128 hex digits (openssl rand -hex 64)");
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()?;
        Ok(SessionSecret(bytes))
    }

    pub fn key(&self) -> actix_web::cookie::Key {
        actix_web::cookie::Key::derive_from(&self.0)
    }
}

impl std::fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionSecret(…)")
    }
}

impl Config {
    /// Reads `DATABASE_URL`, `SQE_BIND`, `SQE_PUBLIC_URL`, `SQE_CERT_VALIDITY_YEARS`, `SQE_NUMBER_PATTERN`,
    /// `SQE_DEFAULT_LANG`, `SQE_POOL_SIZE`, `SQE_SESSION_KEY`, `SQE_SESSION_IDLE_MINUTES`,
    /// `SQE_STALE_IF_ERROR_SECS` and `SQE_TRUST_PROXY`.
    pub fn from_env() -> anyhow::Result<Config> {
        let database_url =
            env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
        let bind = env::var("SQE_BIND").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
        let public_url = match env::var("SQE_PUBLIC_URL") {
            Ok(url) => url,
            Err(_) => format!("http://{bind}"),
        };
        let cert_validity_years = parse_var("SQE_CERT_VALIDITY_YEARS", 3)?;
        if !(1..=10).contains(&cert_validity_years) {
            bail!("SQE_CERT_VALIDITY_YEARS must be between 1 and 10");
        }
        let default_lang = match env::var("SQE_DEFAULT_LANG") {
            Ok(tag) => Lang::from_tag(&tag)
                .with_context(|| format!("SQE_DEFAULT_LANG: unsupported language {tag:?}"))?,
            Err(_) => Lang::ZhCn,
        };
        let pool_size = parse_var("SQE_POOL_SIZE", default_pool_size(&database_url))?;
        let mut config = Config::new(
            database_url,
            bind,
            public_url,
            cert_validity_years,
            default_lang,
            pool_size,
        )?;
        match env::var("SQE_SESSION_KEY") {
            Ok(hex) => config.session_secret = SessionSecret::from_hex(&hex)?,
            Err(_) => tracing::warn!(
                "SQE_SESSION_KEY is not set: back-office sessions end when this process stops \
                 and are not shared with other instances"
            ),
        }
        config.session_idle_minutes = parse_var("SQE_SESSION_IDLE_MINUTES", 30)?;
        if !(1..=720).contains(&config.session_idle_minutes) {
            bail!("SQE_SESSION_IDLE_MINUTES must be between 1 and 720");
        }
        if let Ok(pattern) = env::var("SQE_NUMBER_PATTERN") {
            check_pattern(&pattern).with_context(|| format!("SQE_NUMBER_PATTERN {pattern:?}"))?;
            config.number_pattern = pattern;
        }
        let stale = parse_var("SQE_STALE_IF_ERROR_SECS", 900)?;
        if stale > 86_400 {
            bail!("SQE_STALE_IF_ERROR_SECS must be at most 86400 (a day)");
        }
        config.stale_if_error = std::time::Duration::from_secs(u64::from(stale));
        config.trust_proxy = matches!(
            env::var("SQE_TRUST_PROXY").as_deref(),
            Ok("1" | "true" | "yes")
        );
        Ok(config)
    }

    /// Builds and checks a configuration (tests build theirs with this).
    pub fn new(
        database_url: String,
        bind: String,
        public_url: String,
        cert_validity_years: u32,
        default_lang: Lang,
        pool_size: u32,
    ) -> anyhow::Result<Config> {
        let parsed = url::Url::parse(&public_url)
            .with_context(|| format!("SQE_PUBLIC_URL is not a URL: {public_url:?}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            bail!("SQE_PUBLIC_URL must be an http or https URL");
        }
        Ok(Config {
            database_url,
            bind,
            public_url: public_url.trim_end_matches('/').to_owned(),
            cert_validity_years,
            number_pattern: DEFAULT_PATTERN.to_owned(),
            default_lang,
            pool_size: pool_size.max(1),
            session_secret: SessionSecret::random(),
            session_idle_minutes: 30,
            trust_proxy: false,
            stale_if_error: DEFAULT_STALE_IF_ERROR,
            sitemap_urls_per_file: MAX_SITEMAP_URLS_PER_FILE,
        })
    }

    /// Whether the public site is served over https (the session cookie is then `Secure`).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// A configuration for tests and tools: the given database, defaults elsewhere.
    pub fn for_database(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            bind: "127.0.0.1:8080".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            cert_validity_years: 3,
            number_pattern: DEFAULT_PATTERN.to_owned(),
            default_lang: Lang::ZhCn,
            pool_size: default_pool_size(database_url),
            session_secret: SessionSecret::random(),
            session_idle_minutes: 30,
            trust_proxy: false,
            stale_if_error: DEFAULT_STALE_IF_ERROR,
            sitemap_urls_per_file: MAX_SITEMAP_URLS_PER_FILE,
        }
    }
}

/// SQLite has one writer and fast local reads: a small pool. PostgreSQL gets more.
fn default_pool_size(database_url: &str) -> u32 {
    if database_url.starts_with("postgres") {
        16
    } else {
        8
    }
}

fn parse_var(name: &str, default: u32) -> anyhow::Result<u32> {
    match env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .with_context(|| format!("{name} must be a positive whole number, not {v:?}")),
        Err(_) => Ok(default),
    }
}
