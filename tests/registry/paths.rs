//! Every path `web::paths` builds resolves to a route of the real app: the certificate's
//! pages, images and feed, the company's page and feed, the registry feed, the statistics'
//! CSV, a sitemap file, the search with filters, the misuse list, and the back office's pages
//! and form targets (an anonymous request there is sent to the login form, which proves the
//! route exists; an unknown path would be a 404).

use crate::common;

use sqe_registry::web::paths;

use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{beijing, get, send, with_conn};

both_backends_async!(every_built_path_is_routed, |db| {
    let code = credit_code("91440300MA5F00001");
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("CQM-SQE-2025-000001")
            .company("路径测试有限公司", None, &code)
            .insert(conn, &refs);
        let signer = sqe_registry::config::log_key::demo_signer();
        sqe_registry::app::transparency::start(conn, &signer, |_| {}).expect("log");
        sqe_registry::app::credentials::start(conn).expect("credentials");
    });
    let submitted = with_conn(&db, |conn| {
        let report =
            sqe_registry::domain::report::check(&sqe_registry::domain::report::ReportForm {
                kind: "wrong_data".into(),
                what: "说明".into(),
                ..Default::default()
            })
            .expect("report");
        let actor = common::cli_actor("test", beijing(2026, 12, 1, 12, 0));
        sqe_registry::app::reports::submit(conn, &actor, &report, "0").expect("submit")
    });
    let app = app!(db, beijing(2026, 12, 2, 12, 0));
    let number = "CQM-SQE-2025-000001";
    let public = [
        paths::certificate(number),
        paths::certificate_feed(number),
        paths::embed(number),
        paths::print(number),
        paths::credential(number),
        paths::status_json(number),
        paths::company(&code),
        paths::company_feed(&code),
        paths::REGISTRY_FEED.to_owned(),
        paths::badge(number, "svg", ""),
        paths::badge(number, "png", "?scale=2"),
        paths::qr(number, "svg", "?size=s"),
        paths::qr(number, "png", "?size=l&scale=2"),
        paths::statistics_csv("grades", ""),
        paths::sitemap_file("pages"),
        paths::sitemap_file("certificates-1"),
        paths::search(""),
        paths::search("q=%E8%B7%AF%E5%BE%84&stars=3&sort=name"),
        paths::misuse(1),
        paths::report_new("fake_mark", number, "shop.example.cn"),
        paths::report_new("", "", ""),
        paths::report_follow(&submitted.token),
        paths::PRIVACY.to_owned(),
    ];
    for path in &public {
        let page = get(&app, path).await;
        assert_eq!(page.status, 200, "GET {path}: {}", page.body);
    }
    let back_office = [
        paths::admin_certificate(number),
        paths::admin_evaluate(number),
        paths::admin_company(&code),
        paths::admin_audit(""),
        paths::admin_audit("entity_id=x"),
        paths::admin_audit_csv(""),
        paths::admin_audit_of(number),
        paths::admin_cases(""),
        paths::admin_cases("kind=fake_mark&older_than=7"),
        paths::admin_case(submitted.case_id),
    ];
    for path in &back_office {
        let page = get(&app, path).await;
        assert_eq!(page.status, 303, "GET {path}: {}", page.body);
        let location = page.header("location").unwrap_or_default();
        assert!(location.starts_with("/admin/login"), "{path} → {location}");
    }
    // The back office's form targets: an anonymous POST is sent to the login form too.
    let form_targets = [
        paths::admin_sighting_confirm(1),
        paths::admin_sighting_dismiss(1),
        paths::admin_body("CQM"),
        paths::admin_scheme("31526-2015"),
        paths::admin_account(1),
        format!("{}/take", paths::admin_case(submitted.case_id)),
    ];
    for path in &form_targets {
        let page = send(
            &app,
            actix_web::test::TestRequest::post().uri(path).to_request(),
        )
        .await;
        assert_eq!(page.status, 303, "POST {path}: {}", page.body);
        let location = page.header("location").unwrap_or_default();
        assert!(location.starts_with("/admin/login"), "{path} → {location}");
    }
    // The check can fail: a path no route serves is a 404.
    assert_eq!(get(&app, "/certificates/x/nothing").await.status, 404);
    assert_eq!(get(&app, "/admin/nothing").await.status, 404);
});
