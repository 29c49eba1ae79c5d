//! What an operator watches, through the real app: `/metrics` on its own app (never the public
//! one), request ids on responses. (Log lines: `tests/logging.rs`, a process of its own.)

use actix_web::test::{call_service, init_service, TestRequest};

use crate::common;

use common::fixtures::{seed_reference, yunhe_bilingual};
use common::{beijing, get, state_with, with_conn, TestApp, TestDb};

fn now() -> chrono::DateTime<chrono::Utc> {
    beijing(2026, 11, 28, 12, 0)
}

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe_bilingual("OP-1", "91330100MA2A00081")
            .domains(&["op-1.yunhe.com"])
            .stars(4)
            .insert(conn, &refs);
    });
}

async fn scrape(state: &actix_web::web::Data<sqe_registry::web::AppState>) -> String {
    let metrics = init_service(sqe_registry::web::metrics::app(state.clone())).await;
    let res = call_service(&metrics, TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(res.status(), 200);
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let body = actix_web::test::read_body(res).await;
    String::from_utf8(body.to_vec()).expect("utf-8")
}

fn assert_line(metrics: &str, line: &str) {
    assert!(
        metrics.lines().any(|l| l == line),
        "expected the line {line:?} in:\n{metrics}"
    );
}

both_backends_async!(metrics_count_requests_caches_and_the_database, |db| {
    seed(&db);
    let state = state_with(&db, now(), |_| {});
    let app = TestApp::on_state(state.clone()).await;
    for _ in 0..3 {
        assert_eq!(get(&app, "/certificates/OP-1").await.status, 200);
    }
    assert_eq!(get(&app, "/badge/OP-1.svg").await.status, 200);
    assert_eq!(get(&app, "/no/such/page").await.status, 404);
    // Never on the public app.
    assert_eq!(get(&app, "/metrics").await.status, 404);
    let m = scrape(&state).await;
    assert_line(
        &m,
        r#"sqe_http_requests_total{route_group="certificates",status="200"} 3"#,
    );
    assert_line(
        &m,
        r#"sqe_http_requests_total{route_group="badge",status="200"} 1"#,
    );
    assert_line(
        &m,
        r#"sqe_http_requests_total{route_group="unmatched",status="404"} 2"#,
    );
    assert_line(
        &m,
        r#"sqe_http_request_duration_seconds_count{route_group="certificates",status="200"} 3"#,
    );
    // The page was rendered once and served from memory twice.
    assert_line(&m, r#"sqe_cache_misses_total{cache="certificate_pages"} 1"#);
    assert_line(&m, r#"sqe_cache_hits_total{cache="certificate_pages"} 2"#);
    assert_line(&m, r#"sqe_cache_entries{cache="certificate_pages"} 1"#);
    assert_line(&m, r#"sqe_cache_evictions_total{cache="badges"} 0"#);
    assert_line(&m, "sqe_db_up 1");
    assert_line(&m, "sqe_revision_lag 0");
    assert_line(&m, "sqe_sighting_buffer 0");
    assert_line(&m, "sqe_db_pool_max_connections 4");
    assert_line(&m, "sqe_db_pool_timeouts_total 0");
    assert_line(
        &m,
        &format!(
            r#"sqe_build_info{{version="{}"}} 1"#,
            env!("CARGO_PKG_VERSION")
        ),
    );
    assert!(m.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    // A change made elsewhere: the instance is a revision behind until a request reads it.
    common::set_status(&db, "OP-1", "suspended");
    state.revision.force_check();
    let m = scrape(&state).await;
    assert_line(&m, "sqe_revision_lag 1");
});

#[actix_web::test]
async fn every_response_carries_a_request_id_and_a_trusted_proxy_may_name_it() {
    let db = TestDb::sqlite();
    seed(&db);
    let direct = TestApp::new(&db, now()).await;
    let a = get(&direct, "/").await.header("x-request-id").expect("id");
    let b = get(&direct, "/badge/OP-1.svg")
        .await
        .header("x-request-id")
        .expect("badges too");
    assert_ne!(a, b);
    // Without a trusted proxy, a client cannot choose the id its lines are logged under.
    let chosen = direct
        .get_with("/", &[("x-request-id", "nginx-abc-123")])
        .await;
    assert_ne!(
        chosen.header("x-request-id").as_deref(),
        Some("nginx-abc-123")
    );
    let proxied = TestApp::with_config(&db, now(), |c| c.trust_proxy = 1).await;
    let named = proxied
        .get_with("/", &[("x-request-id", "nginx-abc-123")])
        .await;
    assert_eq!(
        named.header("x-request-id").as_deref(),
        Some("nginx-abc-123")
    );
    for hostile in ["a b", "<script>", &"x".repeat(65)] {
        let page = proxied.get_with("/", &[("x-request-id", hostile)]).await;
        let id = page.header("x-request-id").expect("id");
        assert_ne!(id, hostile);
        assert!(
            id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'),
            "{id}"
        );
    }
}

#[actix_web::test]
async fn responses_not_kept_compressed_are_gzipped_whole() {
    let db = TestDb::sqlite();
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        for i in 0..6 {
            yunhe_bilingual(&format!("GZ-{i}"), &format!("91330100MA2A0009{i}"))
                .domains(&[&format!("gz-{i}.yunhe.com")])
                .insert(conn, &refs);
        }
    });
    let app = TestApp::new(&db, now()).await;
    // An API listing is not kept pre-compressed: the middleware compresses it, whole.
    let uri = "/api/v1/certificates?per_page=50";
    assert!(
        app.get(uri).await.body.len() > 1024,
        "large enough to compress"
    );
    let zipped = app.get_with(uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(zipped.status, 200);
    assert_eq!(zipped.header("content-encoding").as_deref(), Some("gzip"));
    assert!(zipped
        .header("vary")
        .is_some_and(|v| v.contains("Accept-Encoding")));
    let json: serde_json::Value =
        serde_json::from_str(&common::gunzip(&zipped.bytes)).expect("the whole JSON document");
    let plain = app.get(uri).await;
    assert_eq!(plain.header("content-encoding"), None);
    let same: serde_json::Value = serde_json::from_str(&plain.body).expect("JSON");
    assert_eq!(json, same);
}
