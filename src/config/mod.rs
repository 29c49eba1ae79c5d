//! Typed configuration, read once from the environment (and an optional `.env`) at start.
//! Documented in `.env.example`.

use std::env;

use anyhow::{bail, Context};

use crate::domain::language::Lang;

pub mod log_key;
mod operations;
pub mod witnesses;
use crate::domain::numbering::{check_pattern, DEFAULT_PATTERN};
pub use operations::{Operations, SiteFiling};

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
    /// Trusted reverse proxies in front of the registry (`SQE_TRUST_PROXY`, default 0): with N,
    /// the client is the N-th `X-Forwarded-For` address from the right (`web::client`);
    /// with 0 the header is ignored, or anyone could pick their own address.
    pub trust_proxy: u8,
    /// Hours after login at which a back-office session ends however active it is.
    pub session_max_hours: u32,
    /// How many sightings anonymous clients can make us store.
    pub sighting_limits: crate::db::marks::SightingLimits,
    /// Where the instance writes files of its own (the downloads): `SQE_DATA_DIR`, by default
    /// the SQLite database's directory, or `data` on PostgreSQL.
    pub data_dir: std::path::PathBuf,
    /// Requests per client network and kind (`SQE_RATE_LIMIT_<KIND>`, `domain::rate_limit`).
    pub rate_limits: crate::domain::rate_limit::LimitSettings,
    /// How long after the database last answered cached badges and pages are still served
    /// (with a note on pages); past it badges are neutral and pages 503.
    pub stale_if_error: std::time::Duration,
    /// URLs in one sitemap file (`web::sitemap`): the protocol's 50,000; not read from the
    /// environment (tests make it small).
    pub sitemap_urls_per_file: u32,
    /// Settings for running instances in production (`config::operations`).
    pub operations: Operations,
    /// Signs the transparency log's checkpoints (`SQE_SIGNING_KEY_FILE`, `config::log_key`);
    /// a demo registry without one uses the published demo key.
    pub log_signer: Option<std::sync::Arc<crate::domain::tlog::note::NoteSigner>>,
    /// The log's published keys with their periods, old ones too (`SQE_LOG_KEYS_FILE`,
    /// `domain::tlog::keyring`); without it, the signing key alone ([`Config::published_keys`]).
    pub log_keys: Option<Vec<crate::domain::tlog::keyring::PublishedKey>>,
    /// The witnesses asked to cosign checkpoints (`SQE_WITNESS_POLICY_FILE`, `config::witnesses`).
    pub witnessing: Option<witnesses::Witnessing>,
    /// Whether webhook endpoints may be http on a loopback address (`SQE_WEBHOOK_ALLOW_LOOPBACK`;
    /// tests and a receiver on the same machine): otherwise only https to public addresses.
    pub webhook_allow_loopback: bool,
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
        if hex.len() < 128
            || !hex.len().is_multiple_of(2)
            || !hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
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

impl SessionSecret {
    /// A 64-bit digest of `data` keyed with this secret (SHA-256 of secret and data): the same
    /// on every instance that shares the secret, and no way back to the data without it.
    pub fn keyed_digest(&self, data: &[u8]) -> u64 {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(&self.0);
        hasher.update(data);
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }
}

impl SessionSecret {
    /// The HMAC-SHA256 of `data` under this secret, for tokens a client hands back (the report
    /// form's): the same on every instance that shares the secret.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` is [`SessionSecret::sign`] of `data`, compared in constant time.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length");
        mac.update(data);
        mac.verify_slice(tag).is_ok()
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
    /// `SQE_SESSION_MAX_HOURS`, `SQE_SIGHTING_HOSTS_PER_DAY`, `SQE_SIGHTINGS_MAX_UNCONFIRMED`,
    /// `SQE_RATE_LIMIT_<KIND>`, `SQE_STALE_IF_ERROR_SECS`, `SQE_TRUST_PROXY`,
    /// `SQE_SIGNING_KEY_FILE`, `SQE_WITNESS_POLICY_FILE`, `SQE_WITNESS_ALLOW_LOOPBACK`,
    /// `SQE_WEBHOOK_ALLOW_LOOPBACK` and those of
    /// [`Operations::from_env`].
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
        let limits = &mut config.sighting_limits;
        limits.new_hosts_per_day = parse_var("SQE_SIGHTING_HOSTS_PER_DAY", 50)?.into();
        limits.max_unconfirmed = parse_var("SQE_SIGHTINGS_MAX_UNCONFIRMED", 10_000)?.into();
        if limits.max_unconfirmed < 100 {
            bail!("SQE_SIGHTINGS_MAX_UNCONFIRMED must be at least 100");
        }
        config.rate_limits = rate_limits_from_env()?;
        if let Ok(dir) = env::var("SQE_DATA_DIR") {
            config.data_dir = dir.into();
        }
        let stale = parse_var("SQE_STALE_IF_ERROR_SECS", 900)?;
        if stale > 86_400 {
            bail!("SQE_STALE_IF_ERROR_SECS must be at most 86400 (a day)");
        }
        config.stale_if_error = std::time::Duration::from_secs(u64::from(stale));
        let proxies = parse_var("SQE_TRUST_PROXY", 0)?;
        config.trust_proxy = match u8::try_from(proxies) {
            Ok(n) if n <= 10 => n,
            _ => bail!("SQE_TRUST_PROXY is the number of trusted reverse proxies in front of the registry (0 to 10)"),
        };
        config.session_max_hours = parse_var("SQE_SESSION_MAX_HOURS", 12)?;
        if !(1..=168).contains(&config.session_max_hours) {
            bail!("SQE_SESSION_MAX_HOURS must be between 1 and 168 (a week)");
        }
        config.operations = Operations::from_env()?;
        if let Some(path) = env::var_os("SQE_SIGNING_KEY_FILE") {
            config.log_signer = Some(std::sync::Arc::new(log_key::load(
                path.as_ref(),
                "SQE_SIGNING_KEY_FILE",
            )?));
        }
        if let Some(path) = env::var_os("SQE_LOG_KEYS_FILE") {
            let today = crate::domain::dates::beijing_today(chrono::Utc::now());
            config.log_keys = Some(log_key::load_keys(
                path.as_ref(),
                config.log_signer.as_deref(),
                today,
            )?);
        }
        config.witnessing = witnesses::Witnessing::from_env()?;
        config.webhook_allow_loopback = match env::var("SQE_WEBHOOK_ALLOW_LOOPBACK").as_deref() {
            Ok("1" | "true") => true,
            Ok("0" | "false" | "") | Err(_) => false,
            Ok(other) => bail!("SQE_WEBHOOK_ALLOW_LOOPBACK is 1 or 0, not {other:?}"),
        };
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
        let data_dir = default_data_dir(&database_url);
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
            trust_proxy: 0,
            session_max_hours: 12,
            sighting_limits: crate::db::marks::SightingLimits::default(),
            rate_limits: crate::domain::rate_limit::LimitSettings::default(),
            data_dir,
            stale_if_error: DEFAULT_STALE_IF_ERROR,
            sitemap_urls_per_file: MAX_SITEMAP_URLS_PER_FILE,
            operations: Operations::default(),
            log_signer: None,
            log_keys: None,
            witnessing: None,
            webhook_allow_loopback: false,
        })
    }

    /// The log's published verifier keys, newest first: those of `SQE_LOG_KEYS_FILE`, or else
    /// the signing key's alone (its period unknown: since the log began).
    pub fn published_keys(&self) -> Vec<crate::domain::tlog::keyring::PublishedKey> {
        match &self.log_keys {
            Some(keys) => keys.clone(),
            None => self
                .log_signer
                .iter()
                .map(|s| crate::domain::tlog::keyring::PublishedKey {
                    verifier: s.verifier(),
                    from: None,
                    until: None,
                })
                .collect(),
        }
    }

    /// Whether the log is signed with the demo registry's published key (pages and files that
    /// show the key say so).
    pub fn signs_with_demo_key(&self) -> bool {
        self.log_signer.as_deref().is_some_and(log_key::is_demo_key)
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
            trust_proxy: 0,
            session_max_hours: 12,
            sighting_limits: crate::db::marks::SightingLimits::default(),
            rate_limits: crate::domain::rate_limit::LimitSettings::default(),
            data_dir: tool_data_dir(database_url),
            stale_if_error: DEFAULT_STALE_IF_ERROR,
            sitemap_urls_per_file: MAX_SITEMAP_URLS_PER_FILE,
            operations: Operations::default(),
            // Tests and tools sign with the published demo key.
            log_signer: Some(std::sync::Arc::new(log_key::demo_signer())),
            log_keys: None,
            witnessing: None,
            webhook_allow_loopback: false,
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

/// Where files of the instance go unless `SQE_DATA_DIR` says: beside a SQLite database; for
/// PostgreSQL `data` (tests and tools: a directory of the database's own in the temporary
/// directory, see [`Config::for_database`]).
fn default_data_dir(database_url: &str) -> std::path::PathBuf {
    use crate::db::Backend;
    match Backend::from_url(database_url) {
        Backend::Sqlite(path) => std::path::Path::new(&path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| ".".into(), std::path::Path::to_path_buf),
        Backend::Postgres(_) => "data".into(),
    }
}

/// [`default_data_dir`], but for PostgreSQL a directory of the database's own in the temporary
/// directory (tests run many databases at once; none may write into the working copy).
fn tool_data_dir(database_url: &str) -> std::path::PathBuf {
    use sha2::{Digest, Sha256};
    match crate::db::Backend::from_url(database_url) {
        crate::db::Backend::Postgres(_) => {
            let digest = Sha256::digest(database_url.as_bytes());
            let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            std::env::temp_dir().join(format!("sqe-registry-{name}"))
        }
        crate::db::Backend::Sqlite(_) => default_data_dir(database_url),
    }
}

/// The default rate limits, overridden by `SQE_RATE_LIMIT_<KIND>` where set.
fn rate_limits_from_env() -> anyhow::Result<crate::domain::rate_limit::LimitSettings> {
    use crate::domain::rate_limit::{Budget, LimitKind, LimitSettings};
    let mut settings = LimitSettings::default();
    for kind in LimitKind::ALL {
        let name = format!("SQE_RATE_LIMIT_{}", kind.env_name());
        if let Ok(value) = env::var(&name) {
            settings.0[kind.index()] = if value.trim() == "off" {
                None
            } else {
                Some(Budget::parse(&value).with_context(|| {
                    format!("{name} must be N/s, N/min, N/h or off, not {value:?}")
                })?)
            };
        }
    }
    Ok(settings)
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

#[cfg(test)]
mod tests {
    use super::SessionSecret;

    #[test]
    fn signatures_are_hmac_sha256_as_rfc_4231_test_case_6() {
        // RFC 4231 §4.7: a 131-byte key of 0xaa (longer than a block, so hashed first).
        let secret = SessionSecret::from_hex(&"aa".repeat(131)).expect("key");
        let data = b"Test Using Larger Than Block-Size Key - Hash Key First";
        let expected = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
        let tag = secret.sign(data);
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
        assert!(secret.verify(data, &tag));
        assert!(!secret.verify(
            b"Test Using Larger Than Block-Size Key - Hash Key Firsu",
            &tag
        ));
        assert!(!secret.verify(data, &tag[..31]));
    }
}
