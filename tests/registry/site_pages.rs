//! Home, about and company pages, languages, static files, headers, and bad input anywhere.

use crate::common;

use actix_web::http::header;
use actix_web::test::TestRequest;
use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{beijing, date, get, send, with_conn, TestDb};
use sqe_registry::db::write;

fn now() -> chrono::DateTime<chrono::Utc> {
    beijing(2026, 11, 28, 10, 0)
}

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("CQM-SQE-2025-000101")
            .company(
                "上海云帆网络科技有限公司",
                Some("Shanghai Yunfan Network Technology Co., Ltd."),
                &credit_code("91310000MA1K00101"),
            )
            .province("310000")
            .platform("云帆优选", "b2c")
            .domains(&["yunfan.cn"])
            .stars(4)
            .event("issued", date(2025, 3, 1), (None, Some(4)), None)
            .event(
                "suspended",
                date(2026, 11, 20),
                (Some(4), Some(4)),
                Some(("投诉查实", "Substantiated complaint")),
            )
            .event("restored", date(2027, 1, 5), (Some(4), Some(4)), None)
            .insert(conn, &refs);
    });
}

both_backends_async!(home_shows_counts_bands_and_latest_events, |db| {
    seed(&db);
    let app = app!(db, now());
    let page = get(&app, "/").await;
    assert_eq!(page.status, 200);
    page.assert_contains("<html lang=\"zh-CN\">")
        .assert_contains("核验 SQE 服务质量标识")
        .assert_contains("95 ≤ s ≤ 100")
        .assert_contains("暂停")
        .assert_contains("上海云帆网络科技有限公司")
        // An event dated after today is not public yet.
        .assert_lacks(">恢复<");
    let en = get(&app, "/?lang=en").await;
    en.assert_contains("<html lang=\"en\">")
        .assert_contains("Check an SQE service-quality mark");
});

both_backends_async!(the_cached_home_page_follows_a_change, |db| {
    seed(&db);
    let app = app!(db, now());
    let count = |body: &str| {
        // The figure after the "valid certificates" label.
        let label = "<dt>有效证书</dt><dd>";
        let start = body.find(label).expect("valid count") + label.len();
        body[start..].split('<').next().unwrap_or("").to_owned()
    };
    let before = get(&app, "/").await;
    let again = get(&app, "/").await;
    assert_eq!(before.body, again.body);
    let valid_before: i64 = count(&before.body).parse().expect("a number");
    assert_eq!(valid_before, 1);
    // Another instance revokes a valid certificate: the row and the revision change together.
    common::set_status(&db, "CQM-SQE-2025-000101", "revoked");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    let after = get(&app, "/").await;
    let valid_after: i64 = count(&after.body).parse().expect("a number");
    assert_eq!(valid_after, valid_before - 1, "{}", after.body);
    // Pre-compressed for a browser, the same page.
    let br = send(
        &app,
        TestRequest::get()
            .uri("/")
            .insert_header(("Accept-Encoding", "br"))
            .to_request(),
    )
    .await;
    assert_eq!(br.header("content-encoding").as_deref(), Some("br"));
});

#[actix_web::test]
async fn language_comes_from_the_switch_cookie_or_accept_language() {
    let db = TestDb::sqlite();
    let app = app!(db, now());
    // The switch sets a cookie...
    let page = get(&app, "/about?lang=en").await;
    let cookie = page.header("set-cookie").expect("lang cookie");
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    page.assert_contains("About the SQE service-quality mark")
        .assert_contains("href=\"/about?lang=zh-CN\"");
    // ...which later pages follow.
    let req = TestRequest::get()
        .uri("/")
        .cookie(actix_web::cookie::Cookie::new("lang", "en"))
        .to_request();
    send(&app, req).await.assert_contains("<html lang=\"en\">");
    // Without a choice, Accept-Language decides.
    let req = TestRequest::get()
        .uri("/")
        .insert_header((header::ACCEPT_LANGUAGE, "en-US,en;q=0.9,zh;q=0.5"))
        .to_request();
    send(&app, req).await.assert_contains("<html lang=\"en\">");
    let req = TestRequest::get()
        .uri("/")
        .insert_header((header::ACCEPT_LANGUAGE, "fr-FR, zh-TW;q=0.8"))
        .to_request();
    send(&app, req)
        .await
        .assert_contains("<html lang=\"zh-CN\">");
    // An explicit choice wins over the header; an unknown one is ignored.
    let req = TestRequest::get()
        .uri("/?lang=zh-CN")
        .insert_header((header::ACCEPT_LANGUAGE, "en"))
        .to_request();
    send(&app, req)
        .await
        .assert_contains("<html lang=\"zh-CN\">");
    get(&app, "/?lang=xx")
        .await
        .assert_contains("<html lang=\"zh-CN\">");
}

both_backends_async!(company_page_lists_platforms_and_certificates, |db| {
    seed(&db);
    let app = app!(db, now());
    let code = credit_code("91310000MA1K00101");
    let page = get(&app, &format!("/companies/{code}")).await;
    assert_eq!(page.status, 200);
    page.assert_contains("上海云帆网络科技有限公司")
        .assert_contains("云帆优选")
        .assert_contains("yunfan.cn")
        .assert_contains("CQM-SQE-2025-000101");
    get(&app, &format!("/companies/{code}?lang=en"))
        .await
        .assert_contains("Shanghai Yunfan Network Technology");
    // A valid code nobody holds, and an invalid one: 404 pages, not errors.
    assert_eq!(
        get(
            &app,
            &format!("/companies/{}", credit_code("91110000000000001"))
        )
        .await
        .status,
        404
    );
    assert_eq!(get(&app, "/companies/91310000MA1K00101X").await.status, 404);
});

#[actix_web::test]
async fn about_page_explains_the_scheme_in_both_languages() {
    let db = TestDb::sqlite();
    let app = app!(db, now());
    get(&app, "/about")
        .await
        .assert_contains("GB/T 31524-2015")
        .assert_contains("第 6 个月")
        .assert_contains("12315");
    get(&app, "/about?lang=en")
        .await
        .assert_contains("6 months after certification")
        .assert_contains("GB/T 31526-2025");
}

#[actix_web::test]
async fn bad_input_gets_a_helpful_4xx_never_a_5xx() {
    let db = TestDb::sqlite();
    let app = app!(db, now());
    let long_q = format!("/search?q={}", "%E4%BA%AC".repeat(3500));
    let cases: Vec<(String, u16)> = vec![
        ("/search?page=-1".into(), 400),
        ("/search?page=0".into(), 400),
        ("/search?page=99999999999999999999".into(), 400),
        ("/search?page=abc".into(), 400),
        ("/search?stars=9".into(), 400),
        ("/search?status=lost".into(), 400),
        ("/search?type=p2p".into(), 400),
        ("/search?province=atlantis".into(), 400),
        (
            "/search?sort=%27%3B%20DROP%20TABLE%20certificates".into(),
            400,
        ),
        ("/search?scheme=%3Cx%3E".into(), 400),
        (long_q, 400),
        ("/search?q=%FF%FE".into(), 200),
        ("/search?q=%00%01".into(), 200),
        ("/search?q=%25%25%5F".into(), 200),
        ("/certificates/%FF".into(), 404),
        ("/certificates/".into(), 404),
        ("/certificates/a/b".into(), 404),
        ("/companies/%FF".into(), 404),
        ("/static/../Cargo.toml".into(), 404),
        ("/static/%2e%2e/Cargo.toml".into(), 404),
        ("/static/nope.css".into(), 404),
        ("/wp-admin.php".into(), 404),
        ("/%00".into(), 404),
    ];
    for (uri, expected) in cases {
        let page = get(&app, &uri).await;
        assert_eq!(page.status.as_u16(), expected, "{uri}: {}", page.body);
        if expected >= 400 {
            assert!(
                page.body.contains("<html lang="),
                "{uri} should render an HTML page"
            );
        }
    }
    let long = get(&app, &format!("/search?q={}", "a".repeat(10_000))).await;
    long.assert_contains("最多 200 个字符");
    let post = send(&app, TestRequest::post().uri("/search").to_request()).await;
    assert_eq!(
        post.status.as_u16(),
        405,
        "a known path with another method"
    );
    post.assert_contains("不接受这种请求方式");
    assert_eq!(post.header("allow").as_deref(), Some("GET, HEAD"));
}

#[actix_web::test]
async fn pages_carry_security_headers_and_assets_are_served() {
    let db = TestDb::sqlite();
    let app = app!(db, now());
    let page = get(&app, "/").await;
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(
        page.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        page.header("strict-transport-security"),
        None,
        "plain http: no HSTS"
    );
    let css = get(&app, "/static/css/site.css").await;
    assert_eq!(css.status, 200);
    assert!(css
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/css"));
    let etag = css.header("etag").expect("etag");
    let req = TestRequest::get()
        .uri("/static/css/site.css")
        .insert_header((header::IF_NONE_MATCH, etag))
        .to_request();
    assert_eq!(send(&app, req).await.status, 304);
    // Every asset the layout links to exists.
    for path in ["css/site.css", "img/sqe-mark.svg", "img/favicon.svg"] {
        assert!(
            page.body.contains(&format!("/static/{path}")),
            "{path} linked"
        );
        assert_eq!(
            get(&app, &format!("/static/{path}")).await.status,
            200,
            "{path}"
        );
    }
}

both_backends_async!(demo_data_shows_a_banner_on_every_page, |db| {
    let app = app!(db, now());
    get(&app, "/").await.assert_lacks("demo-banner");
    with_conn(&db, |conn| {
        write::set_meta(conn, "demo_data", "true").expect("meta")
    });
    // A new app (the flag is cached for 30 s per instance).
    let app = app!(db, now());
    for uri in ["/", "/search", "/about", "/certificates/NONE", "/nope"] {
        get(&app, uri).await.assert_contains("演示数据");
    }
    get(&app, "/?lang=en").await.assert_contains("Demo data");
});

#[actix_web::test]
async fn head_requests_are_answered_like_get() {
    let db = TestDb::sqlite();
    let app = app!(db, now());
    let res = send(
        &app,
        TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/about")
            .to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    let res = send(
        &app,
        TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/certificates/NONE")
            .to_request(),
    )
    .await;
    assert_eq!(res.status, 404);
}

#[actix_web::test]
async fn an_https_registry_tells_browsers_to_stay_on_https() {
    let db = TestDb::sqlite();
    let app = common::TestApp::with_config(&db, now(), |c| {
        c.public_url = "https://sqe-registry.example.cn".to_owned();
    })
    .await;
    for uri in ["/", "/search?q=x", "/about", "/nope"] {
        let page = get(&app, uri).await;
        assert_eq!(
            page.header("strict-transport-security").as_deref(),
            Some("max-age=31536000"),
            "{uri}"
        );
    }
}

both_backends_async!(a_kept_search_follows_a_change, |db| {
    seed(&db);
    let state = common::state(&db, now());
    let app = common::TestApp::on_state(state.clone()).await;
    let url = "/search?q=%E4%BA%91%E5%B8%86&status=revoked&lang=en";
    let api = "/api/v1/certificates?q=%E4%BA%91%E5%B8%86&status=revoked";
    let before = get(&app, url).await;
    before
        .assert_lacks("CQM-SQE-2025-000101")
        .assert_contains("No results");
    assert!(get(&app, api).await.body.contains("\"total\":0"));
    // Asked again: the same answer, from memory.
    assert_eq!(get(&app, url).await.body, before.body);
    common::set_status(&db, "CQM-SQE-2025-000101", "revoked");
    state.revision.force_check();
    get(&app, url).await.assert_contains("CQM-SQE-2025-000101");
    assert!(get(&app, api).await.body.contains("\"total\":1"));
});

both_backends_async!(a_search_page_is_kept_in_its_own_spelling_only, |db| {
    seed(&db);
    let state = common::state(&db, now());
    let app = common::TestApp::on_state(state.clone()).await;
    let documents = state.feature::<sqe_registry::web::pages::keyed::Documents>();
    let own = "/search?q=%E4%BA%91%E5%B8%86&lang=en";
    let first = get(&app, own).await;
    assert_eq!(first.status, 200);
    assert_eq!(documents.len(), 1, "the search page is kept");
    // From memory, in the coding asked for, and the same page.
    let gz = common::send(&app, common::request(own, &[("Accept-Encoding", "gzip")])).await;
    assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(common::gunzip(&gz.bytes), first.body);
    // A tracking tag, empty filters from the form, another order: answered, not kept, and
    // the language switch repeats what was asked.
    for other in [
        "/search?q=%E4%BA%91%E5%B8%86&utm_source=x&lang=en",
        "/search?q=%E4%BA%91%E5%B8%86&stars=&status=&lang=en",
        "/search?sort=grade&q=%E4%BA%91%E5%B8%86&lang=en",
    ] {
        let res = get(&app, other).await;
        assert_eq!(res.status, 200, "{other}");
        res.assert_contains("CQM-SQE-2025-000101");
        assert_eq!(documents.len(), 1, "{other} is not kept");
    }
    get(&app, "/search?q=%E4%BA%91%E5%B8%86&utm_source=x&lang=en")
        .await
        .assert_contains("utm_source=x&#38;lang=zh-CN");
    // A refused search is not kept either.
    assert_eq!(get(&app, "/search?page=0").await.status, 400);
    assert_eq!(documents.len(), 1);
});

#[actix_web::test]
async fn the_footer_shows_the_filings_and_operator_only_when_configured() {
    let db = TestDb::sqlite();
    seed(&db);
    let bare = common::TestApp::new(&db, now()).await;
    for path in ["/", "/search?q=%E4%BA%91%E5%B8%86", "/certificates/NOPE"] {
        bare.get(path)
            .await
            .assert_lacks("site-filing")
            .assert_lacks("beian");
    }
    let filed = common::TestApp::with_config(&db, now(), |c| {
        c.operations.site = sqe_registry::config::SiteFiling {
            icp_number: Some("京ICP备12345678号-1".to_owned()),
            psb_number: Some("京公网安备11010502000001号".to_owned()),
            operator_name: Some("中认<测试>中心".to_owned()),
            operator_contact: Some("registry@example.cn".to_owned()),
        };
    })
    .await;
    for path in ["/", "/about?lang=en", "/certificates/NOPE"] {
        filed
            .get(path)
            .await
            .assert_contains(
                r#"<a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备12345678号-1</a>"#,
            )
            .assert_contains(
                r#"href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502000001""#,
            )
            .assert_contains(">京公网安备11010502000001号</a>")
            .assert_contains("中认&#60;测试&#62;中心")
            .assert_contains("registry@example.cn");
    }
    filed.get("/").await.assert_contains("主办单位：中认");
    filed
        .get("/about?lang=en")
        .await
        .assert_contains("Operated by: 中认");
}
