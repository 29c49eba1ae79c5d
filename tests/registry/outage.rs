//! The registry while its database does not answer, through the real app: cached badges and
//! pages within the stale-if-error window (pages with a note), neutral badges and 503 pages
//! past it, fast 503s for what needs the database, nothing half-saved, `/readyz`, recovery;
//! a real PostgreSQL outage (a proxy cut and restored); SQLite's write lock held elsewhere.

use crate::common;

use std::time::{Duration, Instant};

use common::fixtures::{seed_reference, yunhe};
use common::staff::{account, Browser, PASSWORD};
use common::{beijing, proxy, with_conn, TestApp, TestDb};
use diesel::prelude::*;
use sqe_registry::db::schema::accounts;

/// 10:20:30 Beijing: the note's "as of" minute cannot slip by the milliseconds a test takes.
fn now() -> chrono::DateTime<chrono::Utc> {
    beijing(2026, 11, 28, 10, 20) + chrono::Duration::seconds(30)
}

const NUMBER: &str = "CQM-SQE-2026-000777";

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe(NUMBER, "91330106MA2H7K3L8")
            .stars(4)
            .insert(conn, &refs);
    });
}

/// The registry seeded, the app, and the admin "ada" signed in with her CSRF token.
async fn signed_in_admin(db: &TestDb) -> (TestApp, Browser, String) {
    seed(db);
    account(db, "ada", "admin");
    let app = TestApp::new(db, now()).await;
    let mut ada = Browser::login(&app, "ada").await;
    let token = ada.token(&app).await;
    (app, ada, token)
}

/// The back office's form creating the account "newbie" (a write).
fn new_account(token: &str) -> [(&str, &str); 5] {
    [
        ("csrf", token),
        ("username", "newbie"),
        ("role", "evaluator"),
        ("password", PASSWORD),
        ("password_again", PASSWORD),
    ]
}

fn account_count(db: &TestDb) -> i64 {
    with_conn(db, |conn| {
        accounts::table.count().get_result(conn).expect("accounts")
    })
}

both_backends_async!(
    cached_answers_outlive_the_database_for_the_window_only,
    |db| {
        seed(&db);
        let app = app!(db, now());
        let page = format!("/certificates/{NUMBER}");
        let badge = format!("/badge/{NUMBER}.svg");
        let live_page = app.get(&page).await;
        assert_eq!(live_page.status, 200);
        assert!(!live_page.body.contains("outage-banner"));
        let live_badge = app.get(&badge).await;
        assert_eq!(live_badge.status, 200);
        let english = [("accept-language", "en")];
        assert_eq!(app.get_with(&page, &english).await.status, 200);
        assert_eq!(app.get("/readyz").await.status, 200);

        app.state.pool.health().lost("a test cut the database");

        // Within the window: the same badge bytes, the page with the note in the reader's
        // language, telling the time of the last contact in Beijing time.
        let stale_badge = app.get(&badge).await;
        assert_eq!(stale_badge.status, 200, "{}", stale_badge.body);
        assert_eq!(stale_badge.bytes, live_badge.bytes);
        let stale = app.get_with(&page, &english).await;
        assert_eq!(stale.status, 200);
        stale.assert_contains("outage-banner");
        stale.assert_contains("cannot be reached; the status shown is as of 10:20 Beijing time");
        stale.assert_contains(NUMBER);
        assert_eq!(stale.header("cache-control").as_deref(), Some("no-store"));
        // Asked compressed, still the page with the note (not the stored gzip of the old one).
        let gz = app.get_with(&page, &[("accept-encoding", "gzip")]).await;
        assert_eq!(gz.status, 200);
        assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
        let mut html = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz.bytes[..]), &mut html)
            .expect("gzip");
        assert!(
            html.contains("暂时无法连接登记册数据库；所示状态为北京时间 10:20 的状态"),
            "{html}"
        );
        // A page never kept (another language in the URL) needs the database: 503.
        assert_eq!(app.get(&format!("{page}?lang=en&x=1")).await.status, 503);

        // What needs the database: a 503 at once, with Retry-After, as a page, JSON or text.
        let search = app.get("/search?q=%E4%BA%91%E7%A6%BE").await;
        assert_eq!(search.status, 503);
        assert!(search.header("retry-after").is_some());
        search.assert_contains("登记册暂时无法应答");
        let api = app.get(&format!("/api/v1/certificates/{NUMBER}")).await;
        assert_eq!(api.status, 503);
        assert!(api.header("retry-after").is_some());
        let json: serde_json::Value = serde_json::from_str(&api.body).expect("JSON");
        assert_eq!(json["error"]["status"], 503);
        let unknown = app.get("/badge/CQM-SQE-2026-999999.svg").await;
        assert_eq!(unknown.status, 503);
        assert!(unknown
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/plain")));
        assert!(unknown.header("retry-after").is_some());
        assert_eq!(app.get("/healthz").await.status, 200);
        let ready = app.get("/readyz").await;
        assert_eq!(ready.status, 503);
        ready.assert_contains("database unreachable");

        // Past the window (an instance configured with none, on the same pool and so the same
        // outage): no badge says valid, every page is a 503, the liveness check still answers.
        let past = TestApp::with_config(&db, now(), |c| c.stale_if_error = Duration::ZERO).await;
        let neutral = past.get(&badge).await;
        assert_eq!(neutral.status, 503);
        assert_eq!(
            neutral.header("content-type").as_deref(),
            Some("image/svg+xml")
        );
        assert_eq!(neutral.header("cache-control").as_deref(), Some("no-store"));
        neutral.assert_contains("暂时无法核验");
        assert!(!neutral.body.contains("有效"), "{}", neutral.body);
        let neutral_en = past.get(&format!("{badge}?lang=en")).await;
        neutral_en.assert_contains("CANNOT BE CHECKED NOW");
        assert_eq!(past.get(&format!("/badge/{NUMBER}.png")).await.status, 503);
        let gone = past.get(&page).await;
        assert_eq!(gone.status, 503);
        assert!(gone.header("retry-after").is_some());
        assert_eq!(past.get("/").await.status, 503);
        assert_eq!(past.get("/healthz").await.status, 200);

        // The probe finds the database again: live pages, no note, ready.
        assert!(app.state.probe_database().await);
        let back = app.get(&page).await;
        assert_eq!(back.status, 200);
        assert!(!back.body.contains("outage-banner"));
        assert_eq!(past.get(&badge).await.bytes, live_badge.bytes);
        assert_eq!(app.get("/readyz").await.status, 200);
    }
);

both_backends_async!(a_back_office_write_during_the_outage_saves_nothing, |db| {
    let (app, mut ada, token) = signed_in_admin(&db).await;
    let before = account_count(&db);
    app.state.pool.health().lost("a test cut the database");
    let form = new_account(&token);
    let refused = ada.post(&app, "/admin/accounts", &form).await;
    assert_eq!(refused.status, 503);
    assert!(refused.header("retry-after").is_some());
    refused.assert_contains("未保存任何内容");
    let dashboard = ada.get(&app, "/admin").await;
    assert_eq!(dashboard.status, 503);
    assert!(app.state.probe_database().await);
    assert_eq!(account_count(&db), before, "nothing was written");
    // Once it answers again the same form works, with the same session.
    assert_eq!(ada.post(&app, "/admin/accounts", &form).await.status, 303);
    assert_eq!(account_count(&db), before + 1);
});

/// PostgreSQL behind a proxy that the test cuts and restores: the instance notices by itself
/// (failed connections), answers 503 without waiting out the pool, and recovers on its own.
#[actix_web::test]
async fn a_real_postgresql_outage_is_noticed_and_ends_without_a_restart() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    seed(&db);
    let target = proxy::address_of(db.url());
    let mut proxy = proxy::Proxy::start(target);
    let url = proxy.url_for(db.url());
    let pool = sqe_registry::db::build_pool(&url, 4).expect("pool through the proxy");
    let config = sqe_registry::config::Config::for_database(&url);
    let state = actix_web::web::Data::new(sqe_registry::web::AppState::new(
        pool,
        config,
        sqe_registry::web::Clock::fixed(now()),
    ));
    let app = TestApp::on_state(state).await;
    let badge = format!("/badge/{NUMBER}.svg");
    let live = app.get(&badge).await;
    assert_eq!(live.status, 200);

    proxy.cut();
    // The first request that needs the database finds it gone (its pooled connection fails
    // the checkout test, a new one is refused) and answers 503, far sooner than the pool's
    // 5 s wait; the next ones answer at once.
    let started = Instant::now();
    let first = app.get("/search?q=x").await;
    assert_eq!(first.status, 503);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(!app.state.pool.health().is_reachable());
    assert_eq!(app.get("/search?q=y").await.status, 503);
    assert_eq!(
        app.get(&badge).await.bytes,
        live.bytes,
        "cached badge served"
    );
    assert!(!app.state.probe_database().await);
    assert_eq!(app.get("/readyz").await.status, 503);

    proxy.restore();
    let started = Instant::now();
    while !app.state.probe_database().await {
        assert!(started.elapsed() < Duration::from_secs(5), "no recovery");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.get("/readyz").await.status, 200);
    let searched = app.get("/search?q=%E4%BA%91%E7%A6%BE").await;
    assert_eq!(searched.status, 200, "{}", searched.body);
    drop(app);
}

/// SQLite while another process holds the write lock (an import, a restore): readers are
/// served, a writer is told "busy, nothing was saved" once the busy timeout has passed.
#[actix_web::test]
async fn a_sqlite_write_lock_held_elsewhere_blocks_no_reader_and_refuses_writers_cleanly() {
    use diesel::connection::SimpleConnection;
    let db = TestDb::sqlite();
    let (app, mut ada, token) = signed_in_admin(&db).await;
    let before = account_count(&db);

    let path = db.url().trim_start_matches("sqlite://").to_owned();
    let mut other = diesel::SqliteConnection::establish(&path).expect("a second connection");
    other
        .batch_execute("BEGIN IMMEDIATE; INSERT INTO registry_meta (key, value) VALUES ('lock-test', '1') ON CONFLICT (key) DO UPDATE SET value = '1';")
        .expect("the write lock");

    let page = app.get(&format!("/certificates/{NUMBER}")).await;
    assert_eq!(page.status, 200);
    let search = app.get("/search?q=%E4%BA%91%E7%A6%BE").await;
    assert_eq!(search.status, 200);
    let form = new_account(&token);
    let busy = ada.post(&app, "/admin/accounts", &form).await;
    assert_eq!(busy.status, 503, "{}", busy.body);
    assert_eq!(busy.header("retry-after").as_deref(), Some("2"));
    busy.assert_contains("登记册正忙于其他修改");
    busy.assert_contains("未保存任何内容");
    assert!(app.state.pool.health().is_reachable(), "busy is not down");

    other.batch_execute("ROLLBACK").expect("release the lock");
    assert_eq!(account_count(&db), before);
    assert_eq!(ada.post(&app, "/admin/accounts", &form).await.status, 303);
}
