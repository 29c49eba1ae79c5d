//! The verification page: a verdict per status, dates in Beijing time, history, profile, 404.

use crate::common;

use common::fixtures::{seed_reference, yunhe_bilingual, CertificateBuilder};
use common::{beijing, date, get, gunzip, request, send, with_conn, TestDb};

/// A certificate of the usual holder with a domain of its own.
fn cert(number: &str, code17: &str) -> CertificateBuilder {
    yunhe_bilingual(number, code17).domains(&[&format!("{}.yunhe.com", number.to_lowercase())])
}

both_backends_async!(each_status_has_its_verdict, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        cert("V-1", "91330100MA2A00001")
            .stars(4)
            .insert(conn, &refs);
        cert("S-1", "91330100MA2A00002")
            .stars(3)
            .suspended()
            .event(
                "suspended",
                date(2026, 10, 1),
                (Some(3), Some(3)),
                Some(("监督评价得分低于70分", "Surveillance score below 70")),
            )
            .insert(conn, &refs);
        cert("R-1", "91330100MA2A00003")
            .status("revoked")
            .insert(conn, &refs);
        cert("C-1", "91330100MA2A00004")
            .status("cancelled")
            .insert(conn, &refs);
        cert("E-1", "91330100MA2A00005")
            .status("expired")
            .insert(conn, &refs);
        cert("E-2", "91330100MA2A00006")
            .dates(date(2022, 1, 1), date(2024, 12, 31))
            .insert(conn, &refs);
    });
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let v = get(&app, "/certificates/V-1").await;
    assert_eq!(v.status, 200);
    v.assert_contains("verdict-valid")
        .assert_contains("有效证书 · 四星级")
        .assert_contains("★★★★☆")
        .assert_contains("v-1.yunhe.com");
    get(&app, "/certificates/S-1")
        .await
        .assert_contains("verdict-suspended")
        .assert_contains("证书已暂停")
        .assert_contains("监督评价得分低于70分")
        .assert_lacks("★★★☆☆</span> <span>");
    get(&app, "/certificates/S-1?lang=en")
        .await
        .assert_contains("Certificate suspended")
        .assert_contains("Surveillance score below 70");
    get(&app, "/certificates/R-1")
        .await
        .assert_contains("verdict-revoked")
        .assert_contains("证书已撤销");
    get(&app, "/certificates/C-1")
        .await
        .assert_contains("verdict-cancelled")
        .assert_contains("证书已注销");
    get(&app, "/certificates/E-1")
        .await
        .assert_contains("verdict-expired")
        .assert_contains("证书已过期");
    // Stored valid, but its expiry date has passed: expired.
    get(&app, "/certificates/E-2")
        .await
        .assert_contains("verdict-expired")
        .assert_contains("2024-12-31")
        .assert_lacks("verdict-valid");
});

both_backends_async!(expiry_follows_the_beijing_calendar, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        cert("TZ-1", "91330100MA2A00007")
            .dates(date(2024, 1, 1), date(2026, 12, 31))
            .insert(conn, &refs);
    });
    // 23:30 on the expiry date in Beijing (15:30 UTC): still valid.
    let app = app!(db, beijing(2026, 12, 31, 23, 30));
    get(&app, "/certificates/TZ-1")
        .await
        .assert_contains("verdict-valid");
    // 00:30 the next day in Beijing, which is still 31 December in UTC: expired.
    let app = app!(db, beijing(2027, 1, 1, 0, 30));
    get(&app, "/certificates/TZ-1")
        .await
        .assert_contains("verdict-expired");
});

both_backends_async!(history_profile_and_surveillance_are_shown, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        cert("H-1", "91330100MA2A00008")
            .stars(4)
            .dates(date(2024, 6, 1), date(2027, 5, 31))
            .last_assessment("surveillance", date(2025, 6, 1))
            .event("issued", date(2024, 6, 1), (None, Some(3)), None)
            .event("upgraded", date(2025, 6, 1), (Some(3), Some(4)), None)
            .indicator_scores([Some(9.5), None, Some(7.0)])
            .insert(conn, &refs);
    });
    let app = app!(db, beijing(2026, 11, 28, 9, 0));
    let page = get(&app, "/certificates/H-1").await;
    page.assert_contains("晋级")
        .assert_contains("★★★☆☆ → ★★★★☆")
        .assert_contains("技术性能")
        .assert_contains("9.5 / 10")
        .assert_contains("不适用")
        .assert_contains("width=\"95.0\"")
        .assert_contains("该次评价总分 92.00")
        // Last surveillance 2025-06-01: the next was due by 2026-06-01, now overdue.
        .assert_contains("已逾期（应于 2026-06-01 前完成）")
        .assert_contains("CNCA-R-2002-002")
        .assert_contains("GB/T 31526-2015")
        .assert_contains("第三方商家");
    // Newest event first.
    let history = &page.body[page.body.find("公开记录").expect("history")..];
    assert!(history.find("晋级").expect("upgrade") < history.find("发证").expect("issue"));
});

both_backends_async!(unknown_numbers_get_a_counterfeit_warning, |db| {
    let app = app!(db, beijing(2026, 11, 28, 9, 0));
    let page = get(&app, "/certificates/FAKE-123").await;
    assert_eq!(page.status, 404);
    page.assert_contains("登记册中没有此证书编号")
        .assert_contains("伪造")
        .assert_contains("FAKE-123");
    let en = get(&app, "/certificates/FAKE-123?lang=en").await;
    assert_eq!(en.status, 404);
    en.assert_contains("may be counterfeit");
    // Markup in a number is escaped, never rendered.
    let xss = get(&app, "/certificates/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(xss.status, 404);
    xss.assert_lacks("<script>alert(1)</script>")
        .assert_contains("&#60;script&#62;");
    let long = get(&app, &format!("/certificates/{}", "A".repeat(5000))).await;
    assert_eq!(long.status, 404);
});

#[actix_web::test]
async fn a_number_with_spaces_and_unicode_resolves() {
    let db = TestDb::sqlite();
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        cert("方圆-2026-01", "91330100MA2A00009").insert(conn, &refs);
    });
    let app = app!(db, beijing(2026, 11, 28, 9, 0));
    get(&app, "/certificates/%E6%96%B9%E5%9C%86-2026-01")
        .await
        .assert_contains("verdict-valid");
}

both_backends_async!(a_status_change_reaches_cached_pages_within_a_second, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        cert("CACHE-1", "91330100MA2A00010")
            .stars(4)
            .insert(conn, &refs);
    });
    let app = app!(db, beijing(2026, 11, 28, 9, 0));
    get(&app, "/certificates/CACHE-1")
        .await
        .assert_contains("verdict-valid");
    // Another instance suspends the certificate: the row and the revision change together.
    common::set_status(&db, "CACHE-1", "suspended");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    get(&app, "/certificates/CACHE-1")
        .await
        .assert_contains("verdict-suspended");
    get(&app, "/certificates/CACHE-1?lang=en")
        .await
        .assert_contains("Certificate suspended");
});

both_backends_async!(
    documents_about_a_certificate_are_kept_until_it_changes,
    |db| {
        with_conn(&db, |conn| {
            let refs = seed_reference(conn);
            cert("DOC-1", "91330100MA2A00012")
                .stars(4)
                .insert(conn, &refs);
        });
        let code = common::fixtures::credit_code("91330100MA2A00012");
        let app = app!(db, beijing(2026, 11, 28, 9, 0));
        let documents = app
            .state
            .feature::<sqe_registry::web::pages::keyed::Documents>();
        let company = format!("/companies/{code}");
        let uris = [
            "/certificates/DOC-1/embed",
            "/certificates/DOC-1/print",
            company.as_str(),
            "/api/v1/certificates/DOC-1",
        ];
        let mut first = Vec::new();
        for uri in uris {
            let res = get(&app, uri).await;
            assert_eq!(res.status, 200, "{uri}");
            first.push(res.body);
        }
        assert_eq!(documents.len(), 4, "one kept document per URL");
        for (uri, body) in uris.iter().zip(&first) {
            // Served again from memory, in the coding asked for.
            let gz = send(&app, request(uri, &[("Accept-Encoding", "gzip")])).await;
            assert_eq!(
                gz.header("content-encoding").as_deref(),
                Some("gzip"),
                "{uri}"
            );
            assert_eq!(&gunzip(&gz.bytes), body, "{uri}");
        }
        assert_eq!(documents.len(), 4);
        let etag = get(&app, "/api/v1/certificates/DOC-1")
            .await
            .header("etag")
            .expect("an ETag");
        let held = send(
            &app,
            request("/api/v1/certificates/DOC-1", &[("If-None-Match", &etag)]),
        )
        .await;
        assert_eq!(held.status, 304);
        get(&app, "/certificates/DOC-1/embed?lang=en").await;
        assert_eq!(documents.len(), 5, "each language its own");
        get(&app, "/certificates/DOC-1/print?utm_source=x").await;
        assert_eq!(
            documents.len(),
            5,
            "a URL with other parameters is not kept"
        );
        // A suspension reaches every kept document as soon as the revision is read.
        common::set_status(&db, "DOC-1", "suspended");
        app.state.revision.force_check();
        for (uri, now_shown) in [
            ("/certificates/DOC-1/embed", "status-suspended"),
            ("/certificates/DOC-1/print", "class=\"sheet-void\""),
            (company.as_str(), "status-suspended"),
        ] {
            get(&app, uri)
                .await
                .assert_contains(now_shown)
                .assert_lacks("status-valid");
        }
        let api = get(&app, "/api/v1/certificates/DOC-1").await;
        assert!(
            api.body.contains("\"status\":\"suspended\""),
            "{}",
            api.body
        );
        assert_ne!(api.header("etag"), Some(etag));
    }
);

fn unbrotli(bytes: &[u8]) -> String {
    let mut out = String::new();
    std::io::Read::read_to_string(&mut brotli::Decompressor::new(bytes, 4096), &mut out)
        .expect("a brotli body");
    out
}

both_backends_async!(
    a_cached_page_is_sent_in_the_coding_the_client_accepts,
    |db| {
        with_conn(&db, |conn| {
            let refs = seed_reference(conn);
            cert("GZ-1", "91330100MA2A00011")
                .stars(4)
                .insert(conn, &refs);
        });
        let app = app!(db, beijing(2026, 11, 28, 9, 0));
        let pages = app
            .state
            .feature::<sqe_registry::web::pages::certificate::PageCache>();
        assert_eq!(pages.len(), 0);
        let plain = get(&app, "/certificates/GZ-1").await;
        assert_eq!(plain.status, 200);
        assert_eq!(pages.len(), 1, "the plain URL is kept");
        assert_eq!(plain.header("content-encoding"), None);
        plain.assert_contains("verdict-valid");
        let vary = plain
            .header("vary")
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(vary.contains("accept-encoding"), "vary: {vary}");
        assert!(vary.contains("accept-language"), "vary: {vary}");
        // A browser's header: brotli first, the same page once decompressed.
        for _ in 0..2 {
            let br = send(
                &app,
                request(
                    "/certificates/GZ-1",
                    &[("Accept-Encoding", "gzip, deflate, br")],
                ),
            )
            .await;
            assert_eq!(br.status, 200);
            assert_eq!(br.header("content-encoding").as_deref(), Some("br"));
            assert!(br.bytes.len() < plain.bytes.len() / 3);
            assert_eq!(unbrotli(&br.bytes), plain.body);
        }
        let gz = send(
            &app,
            request("/certificates/GZ-1", &[("Accept-Encoding", "gzip")]),
        )
        .await;
        assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
        assert_eq!(gunzip(&gz.bytes), plain.body);
        let refused = send(
            &app,
            request(
                "/certificates/GZ-1",
                &[("Accept-Encoding", "br;q=0, gzip;q=0")],
            ),
        )
        .await;
        assert_eq!(refused.header("content-encoding"), None);
        assert_eq!(refused.body, plain.body);
        // From a site the mark is not bound to the page carries a warning: rendered for this
        // request, and gzipped on the way out (brotli only for what is kept compressed).
        let warned = |coding: &'static str| {
            request(
                "/certificates/GZ-1",
                &[
                    ("Accept-Encoding", coding),
                    ("Referer", "https://fake-shop.com/"),
                ],
            )
        };
        let gz_warned = send(&app, warned("gzip, br")).await;
        assert_eq!(
            gz_warned.header("content-encoding").as_deref(),
            Some("gzip")
        );
        assert!(gunzip(&gz_warned.bytes).contains("misuse-alert"));
        let br_only = send(&app, warned("br")).await;
        assert_eq!(br_only.header("content-encoding"), None);
        assert!(br_only.body.contains("misuse-alert"));
        // A URL with other parameters is not cached, and compressed on the way out.
        let tagged = send(
            &app,
            request(
                "/certificates/GZ-1?utm_source=x",
                &[("Accept-Encoding", "gzip")],
            ),
        )
        .await;
        assert_eq!(tagged.header("content-encoding").as_deref(), Some("gzip"));
        assert!(gunzip(&tagged.bytes).contains("verdict-valid"));
        assert_eq!(pages.len(), 1, "a URL with other parameters is not kept");
    }
);
