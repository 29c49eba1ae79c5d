//! Renders one page of every kind from the demo registry. With `SQE_HTML_DUMP_DIR` set, the
//! pages are written there for the HTML validator that `.ci/run` runs (the Nu checker).

use crate::common;

use common::{beijing, date, get, with_conn, TestDb};
use diesel::prelude::*;
use sqe_registry::db::schema::{certificates, companies};
use sqe_registry::demo::{fill_empty, DemoOptions};

#[actix_web::test]
async fn every_kind_of_page_renders() {
    let db = TestDb::sqlite();
    let (numbers, code) = with_conn(&db, |conn| {
        let today = date(2026, 11, 28);
        fill_empty(
            conn,
            &DemoOptions {
                count: 300,
                seed: 9,
                today,
            },
        )
        .expect("demo");
        let mut numbers = Vec::new();
        for status in ["valid", "suspended", "revoked", "cancelled", "expired"] {
            let n: String = certificates::table
                .filter(certificates::status.eq(status))
                .select(certificates::number)
                .first(conn)
                .expect("a certificate of each status");
            numbers.push(n);
        }
        let code: String = companies::table
            .select(companies::credit_code)
            .first(conn)
            .expect("company");
        (numbers, code)
    });
    // A report from the public, for its follow-up page and the triage pages.
    let submitted = with_conn(&db, |conn| {
        let report =
            sqe_registry::domain::report::check(&sqe_registry::domain::report::ReportForm {
                kind: "wrong_site".into(),
                site: "copy-shop.example.cn".into(),
                number: numbers[0].clone(),
                what: "别的网站挂着这个标识\n第二行".into(),
                evidence: "https://img.example.cn/a.png".into(),
                contact: "13800138000".into(),
                consent: true,
            })
            .expect("report");
        let actor = common::cli_actor("test", beijing(2026, 11, 27, 9, 0));
        sqe_registry::app::reports::submit(conn, &actor, &report, "0123456789abcdef")
            .expect("submit")
    });
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut pages: Vec<(String, String, u16)> = vec![
        (
            "report-form".into(),
            format!("/reports/new?kind=fake_mark&number={}", numbers[0]),
            200,
        ),
        ("report-form-en".into(), "/reports/new?lang=en".into(), 200),
        (
            "report-follow".into(),
            format!("/reports/follow/{}?received=1", submitted.token),
            200,
        ),
        (
            "report-follow-en".into(),
            format!("/reports/follow/{}?lang=en", submitted.token),
            200,
        ),
        ("privacy-zh".into(), "/privacy".into(), 200),
        ("privacy-en".into(), "/privacy?lang=en".into(), 200),
        ("log-zh".into(), "/log/".into(), 200),
        ("log-en".into(), "/log/?lang=en".into(), 200),
        ("home-zh".into(), "/".into(), 200),
        ("home-en".into(), "/?lang=en".into(), 200),
        ("search-all".into(), "/search".into(), 200),
        (
            "search-name".into(),
            "/search?q=%E7%BD%91%E7%BB%9C&stars=3&sort=name".into(),
            200,
        ),
        (
            "search-broad".into(),
            "/search?q=%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&lang=en".into(),
            200,
        ),
        (
            "search-empty-domain".into(),
            "/search?q=https%3A%2F%2Fnobody.example.cn%2F".into(),
            200,
        ),
        ("search-too-short".into(), "/search?q=x".into(), 200),
        ("company".into(), format!("/companies/{code}"), 200),
        (
            "company-en".into(),
            format!("/companies/{code}?lang=en"),
            200,
        ),
        (
            "feed-unknown-kind".into(),
            "/feeds/events.atom?kind=bogus".into(),
            400,
        ),
        ("about-zh".into(), "/about".into(), 200),
        ("about-en".into(), "/about?lang=en".into(), 200),
        ("downloads".into(), "/downloads".into(), 200),
        ("downloads-en".into(), "/downloads?lang=en".into(), 200),
        ("api-zh".into(), "/api".into(), 200),
        ("api-en".into(), "/api?lang=en".into(), 200),
        (
            "certificate-unknown".into(),
            "/certificates/NOT-A-NUMBER".into(),
            404,
        ),
        ("error-400".into(), "/search?page=0".into(), 400),
        ("error-404".into(), "/no/such/page".into(), 404),
        ("misuse".into(), "/misuse".into(), 200),
        ("statistics".into(), "/statistics".into(), 200),
        ("statistics-en".into(), "/statistics?lang=en".into(), 200),
        (
            "statistics-filtered".into(),
            "/statistics?year=2025&province=440000&lang=en".into(),
            200,
        ),
        (
            "statistics-bad-year".into(),
            "/statistics?year=1999".into(),
            400,
        ),
        ("misuse-en".into(), "/misuse?lang=en".into(), 200),
        (
            "embed-valid".into(),
            format!("/certificates/{}/embed", numbers[0]),
            200,
        ),
        (
            "embed-suspended-en".into(),
            format!("/certificates/{}/embed?lang=en", numbers[1]),
            200,
        ),
        (
            "print-valid".into(),
            format!("/certificates/{}/print", numbers[0]),
            200,
        ),
        (
            "print-revoked-en".into(),
            format!("/certificates/{}/print?lang=en", numbers[2]),
            200,
        ),
    ];
    for (i, n) in numbers.iter().enumerate() {
        pages.push((
            format!("certificate-{i}"),
            format!("/certificates/{n}"),
            200,
        ));
        pages.push((
            format!("certificate-{i}-en"),
            format!("/certificates/{n}?lang=en"),
            200,
        ));
    }
    let dump = std::env::var("SQE_HTML_DUMP_DIR").ok();
    if let Some(dir) = &dump {
        std::fs::create_dir_all(dir).expect("dump dir");
    }
    for (name, uri, status) in pages {
        let page = get(&app, &uri).await;
        assert_eq!(page.status.as_u16(), status, "{uri}");
        page.assert_contains("<!DOCTYPE html>")
            .assert_contains("</html>");
        if let Some(dir) = &dump {
            std::fs::write(format!("{dir}/{name}.html"), &page.body).expect("write page");
        }
    }
    // The report form sent empty: every error beside its field.
    let errors = common::staff::Browser::default()
        .post(&app, "/reports", &[("t", "0.0.0"), ("contact", "x@")])
        .await;
    assert_eq!(errors.status, 422);
    if let Some(dir) = &dump {
        std::fs::write(format!("{dir}/report-form-errors.html"), &errors.body).expect("write");
    }
    // A verification page reached from a site the mark is not bound to carries a warning.
    let warned = common::send(
        &app,
        actix_web::test::TestRequest::get()
            .uri(&format!("/certificates/{}", numbers[0]))
            .insert_header(("Referer", "https://fake-shop.example.com/"))
            .to_request(),
    )
    .await;
    warned
        .assert_contains("misuse-alert")
        // …and the report form for that site and this certificate.
        .assert_contains(&format!(
            "/reports/new?kind=wrong_site&#38;number={}&#38;site=fake-shop.example.com",
            numbers[0]
        ));
    if let Some(dir) = &dump {
        std::fs::write(
            format!("{dir}/certificate-misuse-warning.html"),
            &warned.body,
        )
        .expect("write page");
    }
    // The back office: the login form, then each kind of page signed in, in both languages.
    common::staff::account(&db, "ada", "admin");
    let mut browser = common::staff::Browser::default();
    let mut admin_pages = vec![(
        "admin-login".to_owned(),
        browser.get(&app, "/admin/login").await,
    )];
    let failed = browser.try_login(&app, "ada", "wrong password").await;
    admin_pages.push(("admin-login-failed".into(), failed));
    let mut browser = common::staff::Browser::login(&app, "ada").await;
    for (name, uri) in [
        ("admin-dashboard", "/admin".to_owned()),
        ("admin-dashboard-en", "/admin?lang=en".to_owned()),
        (
            "admin-certificate",
            format!("/admin/certificates/{}", numbers[0]),
        ),
        (
            "admin-certificate-suspended-en",
            format!("/admin/certificates/{}?lang=en", numbers[1]),
        ),
        (
            "admin-certificate-revoked",
            format!("/admin/certificates/{}", numbers[2]),
        ),
        ("admin-audit", "/admin/audit".to_owned()),
        ("admin-accounts-en", "/admin/accounts?lang=en".to_owned()),
        ("admin-reference", "/admin/reference".to_owned()),
        (
            "admin-evaluate",
            format!("/admin/certificates/{}/evaluate", numbers[0]),
        ),
        ("admin-issue", "/admin/issue".to_owned()),
        ("admin-reports", "/admin/reports".to_owned()),
        (
            "admin-reports-en",
            "/admin/reports?lang=en&older_than=0".to_owned(),
        ),
        (
            "admin-case",
            format!("/admin/reports/{}", submitted.case_id),
        ),
        (
            "admin-case-en",
            format!("/admin/reports/{}?lang=en", submitted.case_id),
        ),
        ("admin-issue-en", "/admin/issue?lang=en".to_owned()),
        ("admin-company", format!("/admin/companies/{code}")),
        (
            "admin-company-en",
            format!("/admin/companies/{code}?lang=en"),
        ),
    ] {
        let page = browser.get(&app, &uri).await;
        assert_eq!(page.status, 200, "{uri}");
        admin_pages.push((name.into(), page));
    }
    let token = browser.token(&app).await;
    let refused = browser
        .post(
            &app,
            &format!("/admin/certificates/{}/restore", numbers[0]),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(refused.status, 409);
    admin_pages.push(("admin-refused".into(), refused));
    // The issue form sent empty: every missing field listed.
    let issue = &admin_pages
        .iter()
        .find(|(name, _)| name == "admin-issue")
        .expect("issue page")
        .1
        .body;
    let marker = "name=\"scheme_slug\" value=\"";
    let slug_at = issue.find(marker).expect("scheme field") + marker.len();
    let slug = issue[slug_at..].split('"').next().expect("slug").to_owned();
    let empty = browser
        .post(
            &app,
            "/admin/issue",
            &[
                ("csrf", &token),
                ("scheme_slug", &slug),
                ("assessed_on", "2026-11-01"),
                ("intent", "preview"),
            ],
        )
        .await;
    assert_eq!(empty.status, 422);
    admin_pages.push(("admin-issue-errors".into(), empty));
    let forbidden = browser.post(&app, "/admin/logout", &[]).await;
    assert_eq!(forbidden.status, 403);
    admin_pages.push(("admin-csrf-403".into(), forbidden));
    let company_page = browser.get(&app, &format!("/admin/companies/{code}")).await;
    let refused = browser
        .post(
            &app,
            &format!("/admin/companies/{code}"),
            &[
                ("csrf", token.as_str()),
                ("version", &common::holders::version_of(&company_page)),
                ("credit_code", "91330100MA2B00001X"),
                ("company_name_zh", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    admin_pages.push(("admin-company-refused".into(), refused));
    // A body's edit form sent with a required field empty: shown open, with the message.
    let reference = browser.get(&app, "/admin/reference").await;
    let marker = "action=\"/admin/reference/bodies/";
    let at = reference.body.find(marker).expect("body edit form") + marker.len();
    let body_code = reference.body[at..].split('"').next().expect("code");
    let refused = browser
        .post(
            &app,
            &format!("/admin/reference/bodies/{body_code}"),
            &[
                ("csrf", token.as_str()),
                ("name_zh", ""),
                ("name_en", "Body"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("<details open>");
    admin_pages.push(("admin-reference-edit-refused".into(), refused));
    let missing = browser.get(&app, "/admin/certificates/NOT-A-NUMBER").await;
    assert_eq!(missing.status, 404);
    admin_pages.push(("admin-error-404".into(), missing));
    for (name, page) in admin_pages {
        page.assert_contains("<!DOCTYPE html>")
            .assert_contains("</html>");
        if let Some(dir) = &dump {
            std::fs::write(format!("{dir}/{name}.html"), &page.body).expect("write page");
        }
    }
}
