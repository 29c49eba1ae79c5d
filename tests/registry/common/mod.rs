//! Test support: fresh databases on both backends, the real app, and fixture builders.
#![allow(dead_code)]

pub mod backoffice;
pub mod fixtures;
pub mod holders;
pub mod proxy;
pub mod receiver;
pub mod staff;
pub mod test_app;

#[allow(unused_imports)]
pub use test_app::TestApp;

use std::sync::atomic::{AtomicU32, Ordering};

use actix_web::web;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use sqe_registry::config::Config;
use sqe_registry::db::{self, DbConnection, DbPool};
use sqe_registry::web::{AppState, Clock};

/// Where the PostgreSQL tests connect to create their databases.
fn pg_admin_url() -> String {
    std::env::var("SQE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Whether a missing PostgreSQL must fail the run (set by `.ci/run`) rather than skip.
fn pg_required() -> bool {
    std::env::var("SQE_TEST_REQUIRE_PG").is_ok_and(|v| v == "1")
        || std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A fresh, migrated database that disappears with the value.
pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
        pool: DbPool,
    },
    Postgres {
        name: String,
        url: String,
        pool: Option<DbPool>,
    },
}

impl TestDb {
    /// A temporary SQLite file (not `:memory:`: every pooled connection must see one database).
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("registry.db").display());
        let pool = migrated_pool(&url);
        TestDb::Sqlite {
            _dir: dir,
            url,
            pool,
        }
    }

    /// A new PostgreSQL database; `None` (with a message) when the server is not reachable and
    /// the run does not require it.
    pub fn postgres() -> Option<TestDb> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let admin_url = pg_admin_url();
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(conn) => conn,
            Err(e) if !pg_required() => {
                eprintln!("SKIPPED PostgreSQL test: cannot connect to {admin_url}: {e}");
                return None;
            }
            Err(e) => panic!("PostgreSQL is required (CI) but {admin_url} is unreachable: {e}"),
        };
        let name = format!(
            "sqe_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            Utc::now().timestamp_subsec_nanos()
        );
        // A clone of the migrated template: no migrations per test.
        let template = pg_template(&mut admin, &admin_url);
        clone_database(&mut admin, template, &name);
        let url = database_url(&admin_url, &name);
        let pool = db::build_pool(&url, 4).expect("pool");
        Some(TestDb::Postgres {
            name,
            url,
            pool: Some(pool),
        })
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub fn pool(&self) -> DbPool {
        match self {
            TestDb::Sqlite { pool, .. } => pool.clone(),
            TestDb::Postgres { pool, .. } => pool.clone().expect("pool"),
        }
    }

    pub fn conn(&self) -> diesel::r2d2::PooledConnection<db::ConnectionManager> {
        self.pool().get().expect("connection")
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { name, pool, url } = self {
            drop(pool.take());
            // The app's files (downloads, sitemaps) of a PostgreSQL database are kept in a
            // directory of its own under the temporary directory.
            let _ = std::fs::remove_dir_all(Config::for_database(url).data_dir);
            if let Ok(mut admin) = PgConnection::establish(&pg_admin_url()) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The name of the migrated template database of this migration set: its name carries a hash
/// of `migrations/postgres`, so a changed migration gets a template of its own.
fn pg_template_name() -> String {
    use sha2::{Digest, Sha256};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .expect("migrations/postgres")
        .flat_map(|entry| {
            let path = entry.expect("entry").path();
            std::fs::read_dir(&path)
                .map(|inner| inner.map(|f| f.expect("file").path()).collect::<Vec<_>>())
                .unwrap_or_else(|_| vec![path])
        })
        .collect();
    files.sort();
    let mut hash = Sha256::new();
    for file in &files {
        hash.update(
            file.strip_prefix(&dir)
                .expect("inside")
                .to_string_lossy()
                .as_bytes(),
        );
        hash.update(std::fs::read(file).expect("migration"));
    }
    let digest: String = hash.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sqe_template_{digest}")
}

/// Makes sure the migrated template database exists (once per process): built under a name of
/// its own, migrated, then renamed into place, so a test never clones a half-migrated template,
/// and another process building the same template at the same time is harmless.
fn pg_template(admin: &mut PgConnection, admin_url: &str) -> &'static str {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let template = pg_template_name();
        let exists = |admin: &mut PgConnection| {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{template}')"
            )))
            .get_result::<bool>(admin)
            .expect("pg_database")
        };
        if !exists(admin) {
            let building = format!("{template}_build_{}", std::process::id());
            // Two statements: neither may run inside a transaction block.
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .expect("drop a stale build");
            admin
                .batch_execute(&format!(
                    "CREATE DATABASE {building} TEMPLATE template0 \
                     ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
                ))
                .expect("create the template database");
            let url = database_url(admin_url, &building);
            drop(migrated_pool(&url));
            if admin
                .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
                .is_err()
            {
                // Another process renamed its own copy first: use that one.
                let _ = admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"));
            }
        }
        template
    })
}

/// The URL of database `name` on the server of `admin_url`.
fn database_url(admin_url: &str, name: &str) -> String {
    match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("SQE_TEST_PG_URL must end with /database"),
    }
}

/// Creates database `name` as a copy of `template`. PostgreSQL refuses while another session
/// is connected to the template (another process still building it): wait for it.
fn clone_database(admin: &mut PgConnection, template: &str, name: &str) {
    let mut tries = 0;
    loop {
        match admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}")) {
            Ok(()) => return,
            Err(e) if tries < 100 => {
                tries += 1;
                if tries == 1 {
                    eprintln!("waiting for the template database {template}: {e}");
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => panic!("cannot create {name} from {template}: {e}"),
        }
    }
}

fn migrated_pool(url: &str) -> DbPool {
    let pool = db::build_pool(url, 4).expect("pool");
    let mut conn = pool.get().expect("connection");
    db::run_migrations(&mut conn).expect("migrations");
    pool
}

/// Runs database work on a connection of the test database.
pub fn with_conn<T>(db: &TestDb, f: impl FnOnce(&mut DbConnection) -> T) -> T {
    let mut conn = db.conn();
    f(&mut conn)
}

/// Changes a certificate's stored status as the back office will: the row and the registry
/// revision in one transaction (so every instance drops its cached pages and images).
pub fn set_status(db: &TestDb, number: &str, status: &str) {
    use diesel::prelude::*;
    use sqe_registry::db::schema::certificates;
    with_conn(db, |conn| {
        conn.transaction(|conn| {
            diesel::update(certificates::table.filter(certificates::number.eq(number)))
                .set(certificates::status.eq(status))
                .execute(conn)?;
            sqe_registry::db::write::bump_revision(conn)
        })
        .expect("status change");
    });
}

/// A UTC instant from a Beijing wall-clock time (UTC+8).
pub fn beijing(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let local = chrono::FixedOffset::east_opt(8 * 3600)
        .expect("offset")
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid time");
    local.with_timezone(&Utc)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The application state the real server builds, on a test database and a fixed clock.
pub fn state(db: &TestDb, now: DateTime<Utc>) -> web::Data<AppState> {
    state_with(db, now, |_| {})
}

/// [`state`] with a configuration changed by `tweak`.
pub fn state_with(
    db: &TestDb,
    now: DateTime<Utc>,
    tweak: impl FnOnce(&mut Config),
) -> web::Data<AppState> {
    let mut config = Config::for_database(db.url());
    // Every instance of a deployment shares the key that signs session cookies.
    config.session_secret =
        sqe_registry::config::SessionSecret::from_hex(&"5e".repeat(64)).expect("test key");
    tweak(&mut config);
    web::Data::new(AppState::new(db.pool(), config, Clock::fixed(now)))
}

/// Declares a test that runs once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($db: $crate::common::TestDb) $body

            #[test]
            fn sqlite() {
                run($crate::common::TestDb::sqlite());
            }

            #[test]
            fn postgres() {
                if let Some(db) = $crate::common::TestDb::postgres() {
                    run(db);
                }
            }
        }
    };
}

/// Like [`both_backends!`] for async tests that call the app.
#[macro_export]
macro_rules! both_backends_async {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($db: $crate::common::TestDb) $body

            #[actix_web::test]
            async fn sqlite() {
                run($crate::common::TestDb::sqlite()).await;
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(db) = $crate::common::TestDb::postgres() {
                    run(db).await;
                }
            }
        }
    };
}

/// A response as tests read it.
pub struct Page {
    pub status: actix_web::http::StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: String,
    /// The raw body (images).
    pub bytes: Vec<u8>,
}

impl Page {
    /// Panics with the body when `needle` is missing, so failures show what the page said.
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in the page (status {}):\n{}",
            self.status,
            self.body
        );
        self
    }

    pub fn assert_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.body.contains(needle),
            "did not expect {needle:?} in the page:\n{}",
            self.body
        );
        self
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The `Set-Cookie` header that sets the cookie `name`, whole (with its attributes).
    pub fn cookie(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}=");
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&prefix))
            .map(str::to_owned)
    }
}

/// The app under test, as `init_service` returns it (or a [`TestApp`]).
pub trait AppService<B>:
    actix_web::dev::Service<
    actix_http::Request,
    Response = actix_web::dev::ServiceResponse<B>,
    Error = actix_web::Error,
>
{
}

impl<S, B> AppService<B> for S where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >
{
}

/// Sends a request through the app and reads the whole response.
pub async fn send<S, B>(app: &S, req: actix_http::Request) -> Page
where
    S: AppService<B>,
    B: actix_web::body::MessageBody,
{
    let res = actix_web::test::call_service(app, req).await;
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = actix_web::test::read_body(res).await;
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

/// GET `uri` with no special headers.
pub async fn get<S, B>(app: &S, uri: &str) -> Page
where
    S: AppService<B>,
    B: actix_web::body::MessageBody,
{
    send(
        app,
        actix_web::test::TestRequest::get().uri(uri).to_request(),
    )
    .await
}

/// The real app on a test database with a fixed clock: a [`TestApp`].
#[macro_export]
macro_rules! app {
    ($db:expr, $now:expr) => {
        $crate::common::TestApp::new(&$db, $now).await
    };
}

/// The command line acting at `now`, run by the operating-system user `os_user` (audited as
/// `cli:<os_user>`), with three-year certificates.
pub fn cli_actor(os_user: &str, now: DateTime<Utc>) -> sqe_registry::app::Actor {
    sqe_registry::app::Actor {
        kind: sqe_registry::app::ActorKind::Cli {
            os_user: os_user.to_owned(),
        },
        today: sqe_registry::domain::dates::beijing_today(now),
        now: now.naive_utc(),
        validity_years: 3,
        log_signer: Some(std::sync::Arc::new(
            sqe_registry::config::log_key::demo_signer(),
        )),
    }
}

/// Applies a lifecycle action to certificate `number` from the command line, at 10:00 Beijing
/// on 2026-12-07 (a public reason, and an end date for a suspension).
pub fn act(db: &TestDb, number: &str, action: sqe_registry::domain::lifecycle::ActionKind) {
    with_conn(db, |conn| {
        sqe_registry::app::certificates::apply(
            conn,
            &cli_actor("ops", beijing(2026, 12, 7, 10, 0)),
            number,
            action,
            &sqe_registry::domain::lifecycle::ActionInput {
                reason_zh: "监督结果".into(),
                reason_en: "Surveillance result".into(),
                until: Some(date(2027, 1, 31)),
            },
        )
        .expect("applied");
    });
}

/// A PNG decoded to RGBA: width, height and 4 bytes a pixel.
pub use sqe_registry::domain::mark::raster::decode_rgba as decode_png;

/// A GET request for `uri` with these headers.
pub fn request(uri: &str, headers: &[(&str, &str)]) -> actix_http::Request {
    let mut req = actix_web::test::TestRequest::get().uri(uri);
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    req.to_request()
}

/// A gzip body, decoded.
pub fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut out)
        .expect("a gzip body");
    out
}

/// A transparency-log signing key for the commands the tests run (written once per test
/// process by the registry's own key generation, readable by its owner only).
pub fn signing_key_file() -> std::path::PathBuf {
    static KEY: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf)> =
        std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("key dir");
        let path = dir.path().join("log.key");
        sqe_registry::config::log_key::generate(
            "registry.test/log",
            sqe_registry::domain::tlog::note::TYPE_ED25519,
            &path,
        )
        .expect("key");
        (dir, path)
    })
    .1
    .clone()
}

/// A port free on 127.0.0.1 at the time of asking (for a process the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port()
}

/// Whether `url` answers a GET within about twenty seconds (a process the test started is up).
pub fn wait_until_up(url: &str) -> bool {
    (0..400).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        ureq::get(url).call().is_ok()
    })
}

/// The real binary serving a demo registry of `count` certificates on a free port, in a
/// temporary directory: what an outside client (`log verify`, `verify`) is tested against.
/// The server is stopped when this is dropped.
pub struct DemoServer {
    pub dir: tempfile::TempDir,
    /// The SQLite file.
    pub file: std::path::PathBuf,
    /// Its public URL, `http://127.0.0.1:<port>`.
    pub base: String,
    /// Whether it answered `/healthz`.
    pub up: bool,
    child: std::process::Child,
}

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_sqe-registry");

impl DemoServer {
    pub fn start(count: u32) -> DemoServer {
        use std::process::{Command, Stdio};
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("r.db");
        let url = format!("sqlite://{}", file.display());
        let demo = Command::new(BIN)
            .args(["demo", "--count", &count.to_string()])
            .env("DATABASE_URL", &url)
            .env("SQE_DATA_DIR", dir.path())
            .output()
            .expect("demo");
        assert!(
            demo.status.success(),
            "{}",
            String::from_utf8_lossy(&demo.stderr)
        );
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(BIN)
            .arg("serve")
            .env("DATABASE_URL", &url)
            .env("SQE_DATA_DIR", dir.path())
            .env("SQE_BIND", format!("127.0.0.1:{port}"))
            .env("SQE_PUBLIC_URL", &base)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve");
        let up = wait_until_up(&format!("{base}/healthz"));
        DemoServer {
            dir,
            file,
            base,
            up,
            child,
        }
    }

    /// The body of a GET of `path` (empty on any failure).
    pub fn fetch(&self, path: &str) -> String {
        ureq::get(&format!("{}{path}", self.base))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_to_string().ok())
            .unwrap_or_default()
    }

    /// Stops the server now (a later check must not reach it).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs the binary with `args`: whether it succeeded, its standard output and its error output.
pub fn run_bin(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(BIN)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The log and the history download as the app serves them, for the outside check
/// (`domain::tlog::verify`).
pub struct Served<'a>(pub &'a TestApp);

impl sqe_registry::domain::tlog::verify::Fetch for Served<'_> {
    async fn get(&mut self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let page = self.0.get(&format!("/log/{path}")).await;
        match page.status.as_u16() {
            200 => Ok(Some(page.bytes)),
            404 => Ok(None),
            other => Err(format!("status {other}")),
        }
    }

    async fn history(&mut self) -> Result<Option<Box<dyn std::io::BufRead>>, String> {
        let page = self
            .0
            .get(sqe_registry::domain::tlog::verify::HISTORY_PATH)
            .await;
        match page.status.as_u16() {
            200 => Ok(Some(Box::new(std::io::Cursor::new(page.bytes)))),
            404 => Ok(None),
            other => Err(format!("status {other}")),
        }
    }
}
