//! Rate limits per client network through the real app: a 429 with `Retry-After` as a page in
//! the reader's language, as JSON under `/api/`, as plain text for an image; known badges never
//! limited; the client is the peer unless proxies are trusted (`SQE_TRUST_PROXY`).

use crate::common::fixtures::{seed_reference, yunhe};
use crate::common::{beijing, send, with_conn, Page, TestApp, TestDb};
use actix_web::test::TestRequest;
use sqe_registry::web::limits::{Budget, LimitSettings};

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe("L-1", "91330100MA2A00001")
            .domains(&["yunhe.com"])
            .insert(conn, &refs);
    });
}

/// The app with every kind limited to `budget`, and `proxies` trusted proxies.
async fn limited_app(db: &TestDb, budget: &str, proxies: u8) -> TestApp {
    let state = crate::common::state_with(db, beijing(2026, 12, 3, 10, 0), |c| {
        c.rate_limits = LimitSettings::all(Budget::parse(budget));
        c.trust_proxy = proxies;
    });
    TestApp::on_state(state).await
}

/// GET `uri` from `peer`, with extra headers.
async fn from(app: &TestApp, peer: &str, uri: &str, headers: &[(&str, &str)]) -> Page {
    let mut req = TestRequest::get()
        .uri(uri)
        .peer_addr(peer.parse().expect("peer"));
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    send(app, req.to_request()).await
}

fn retry_after(page: &Page) -> u64 {
    page.header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After: {:?}", page.headers))
}

both_backends_async!(a_network_over_its_budget_gets_a_localised_429, |db| {
    seed(&db);
    let app = limited_app(&db, "3/min", 0).await;
    let phone = "203.0.113.9:4000";
    for _ in 0..3 {
        assert_eq!(
            from(&app, phone, "/search?q=%E4%BA%91%E5%90%88", &[])
                .await
                .status,
            200
        );
    }
    let refused = from(&app, phone, "/search?q=%E4%BA%91%E5%90%88", &[]).await;
    assert_eq!(refused.status, 429);
    assert!((1..=21).contains(&retry_after(&refused)));
    assert!(refused
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html")));
    refused.assert_contains("请求过于频繁");
    let english = from(&app, phone, "/search?q=x", &[("Accept-Language", "en")]).await;
    assert_eq!(english.status, 429);
    english.assert_contains("Too many requests");
    // Another network, another kind, a page without a limit: unaffected.
    assert_eq!(
        from(
            &app,
            "203.0.113.10:4000",
            "/search?q=%E4%BA%91%E5%90%88",
            &[]
        )
        .await
        .status,
        200
    );
    assert_eq!(
        from(&app, phone, "/feeds/events.atom", &[]).await.status,
        200
    );
    assert_eq!(
        from(&app, phone, "/certificates/L-1", &[]).await.status,
        200
    );
    assert_eq!(from(&app, phone, "/", &[]).await.status, 200);
});

both_backends_async!(the_api_answers_429_in_json, |db| {
    seed(&db);
    let app = limited_app(&db, "2/min", 0).await;
    let peer = "[2001:db8:5::1]:443";
    for _ in 0..2 {
        assert_eq!(
            from(&app, peer, "/api/v1/certificates/L-1", &[])
                .await
                .status,
            200
        );
    }
    // Another address in the same IPv6 /64 shares the budget.
    let refused = from(
        &app,
        "[2001:db8:5::99]:443",
        "/api/v1/certificates/L-1",
        &[],
    )
    .await;
    assert_eq!(refused.status, 429);
    retry_after(&refused);
    assert_eq!(
        refused.header("content-type").as_deref(),
        Some("application/json")
    );
    let body: serde_json::Value = serde_json::from_str(&refused.body).expect("json");
    assert_eq!(body["error"]["status"], 429);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("60") || m.contains("seconds") || m.contains("秒")),
        "{body}"
    );
});

both_backends_async!(known_badges_are_never_limited_unknown_numbers_are, |db| {
    seed(&db);
    let app = limited_app(&db, "3/min", 0).await;
    let page = "198.51.100.7:1000";
    for _ in 0..20 {
        assert_eq!(from(&app, page, "/badge/L-1.svg", &[]).await.status, 200);
        assert_eq!(from(&app, page, "/qr/L-1.png", &[]).await.status, 200);
    }
    for i in 0..3 {
        assert_eq!(
            from(&app, page, &format!("/badge/NOPE-{i}.svg"), &[])
                .await
                .status,
            404
        );
    }
    let refused = from(&app, page, "/badge/NOPE-9.svg", &[]).await;
    assert_eq!(refused.status, 429);
    retry_after(&refused);
    assert!(refused
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain")));
    assert!(
        refused.body.contains("请求过于频繁") || refused.body.contains("too many"),
        "{}",
        refused.body
    );
    assert_eq!(
        from(&app, page, "/badge/L-1.svg", &[]).await.status,
        200,
        "known still served"
    );
});

/// Three searches from one peer, each claiming another client address.
async fn statuses(app: &TestApp) -> Vec<u16> {
    let mut out = Vec::new();
    for i in 0..3 {
        let forged = format!("192.0.2.{i}");
        let headers = [("X-Forwarded-For", forged.as_str())];
        let page = from(app, "10.0.0.5:80", "/search?q=x", &headers).await;
        out.push(page.status.as_u16());
    }
    out
}

both_backends_async!(forwarded_headers_count_only_behind_trusted_proxies, |db| {
    seed(&db);
    // No proxy trusted: a client cannot dodge its budget by making up addresses.
    let app = limited_app(&db, "2/min", 0).await;
    assert_eq!(statuses(&app).await, [200, 200, 429]);
    // One proxy trusted: the address it appended is the client's, one budget each.
    let behind = limited_app(&db, "2/min", 1).await;
    assert_eq!(statuses(&behind).await, [200, 200, 200]);
    let spoofed = |client: &str| format!("1.1.1.1, {client}");
    for expected in [200, 200, 429] {
        let page = from(
            &behind,
            "10.0.0.5:80",
            "/search?q=x",
            &[("X-Forwarded-For", &spoofed("198.51.100.1"))],
        )
        .await;
        assert_eq!(
            page.status.as_u16(),
            expected,
            "the left part is the client's own"
        );
    }
});

both_backends_async!(login_attempts_are_limited_per_network, |db| {
    seed(&db);
    crate::common::staff::account(&db, "eve", "evaluator");
    let app = limited_app(&db, "3/min", 0).await;
    let mut browser = crate::common::staff::Browser::from("203.0.113.50:1");
    for _ in 0..3 {
        assert_eq!(browser.try_login(&app, "eve", "wrong").await.status, 401);
    }
    let refused = browser
        .try_login(&app, "eve", crate::common::staff::PASSWORD)
        .await;
    assert_eq!(refused.status, 429);
    retry_after(&refused);
    // The form itself is not limited.
    assert_eq!(browser.get(&app, "/admin/login").await.status, 200);
});

/// Log lines written while it lives (this thread's default subscriber).
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

both_backends_async!(logs_name_the_client_the_limits_count, |db| {
    seed(&db);
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let headers = [("X-Forwarded-For", "192.0.2.77")];
    let direct = limited_app(&db, "1/min", 0).await;
    for _ in 0..2 {
        from(&direct, "10.0.0.5:80", "/search?q=x", &headers).await;
    }
    let text = logs.text();
    assert!(text.contains("rate limited"), "{text}");
    assert!(text.contains("http.client_ip=10.0.0.5"), "{text}");
    assert!(
        !text.contains("192.0.2.77"),
        "a forwarded address nobody vouches for: {text}"
    );
    let behind = limited_app(&db, "1/min", 1).await;
    for _ in 0..2 {
        from(&behind, "10.0.0.5:80", "/search?q=x", &headers).await;
    }
    assert!(
        logs.text().contains("http.client_ip=192.0.2.77"),
        "{}",
        logs.text()
    );
});
