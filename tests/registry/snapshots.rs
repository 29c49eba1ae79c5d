//! Whole pages, API answers and feeds as a reader gets them, compared with snapshots written
//! out in `tests/registry/snapshots/` (insta). Both backends compare with the same file: SQLite and
//! PostgreSQL must render the registry identically. A change to a page shows up here as a diff
//! to review; accept it with `INSTA_UPDATE=always cargo test --test registry snapshots::` (or
//! `cargo insta review`) once it is what a reader should see. The clock is fixed, so dates
//! are not volatile; database ids (which depend on insertion order and sequences) are
//! redacted.

use crate::common;

use common::fixtures::{credit_code, seed_reference, yunhe_bilingual, CertificateBuilder};
use common::{beijing, date, with_conn, TestApp, TestDb};

/// A certificate in each status, with domains, apps, an indicator profile and a history.
fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe_bilingual("SNAP-VALID", "91330100MA2A00001")
            .province("330000")
            .domains(&["yunhe.com", "m.yunhe.com"])
            .apps(&["云禾 App"])
            .stars(4)
            .score(86.5)
            .dates(date(2025, 1, 10), date(2028, 1, 9))
            .last_assessment("surveillance", date(2026, 1, 12))
            .event("issued", date(2025, 1, 10), (None, Some(3)), None)
            .event(
                "upgraded",
                date(2026, 1, 12),
                (Some(3), Some(4)),
                Some(("监督评价晋级", "Upgraded at surveillance")),
            )
            .indicator_scores([Some(9.5), None, Some(7.25)])
            .insert(conn, &refs);
        yunhe_bilingual("SNAP-SUSPENDED", "91330100MA2A00002")
            .province("330000")
            .domains(&["yunhe-mall.cn"])
            .stars(3)
            .suspended()
            .event("issued", date(2025, 2, 1), (None, Some(3)), None)
            .event(
                "suspended",
                date(2026, 11, 20),
                (Some(3), Some(3)),
                Some(("投诉查实", "Substantiated complaint")),
            )
            .insert(conn, &refs);
        CertificateBuilder::new("SNAP-REVOKED")
            .company("深圳乙公司", None, &credit_code("91440300MA5F00301"))
            .province("440000")
            .platform("乙商城", "c2c")
            .domains(&["yi-shop.cn"])
            .status("revoked")
            .event("issued", date(2025, 3, 1), (None, Some(2)), None)
            .event(
                "revoked",
                date(2026, 10, 1),
                (Some(2), None),
                Some(("冒用标识", "Misuse of the mark")),
            )
            .insert(conn, &refs);
        CertificateBuilder::new("SNAP-CANCELLED")
            .company("深圳丙公司", None, &credit_code("91440300MA5F00302"))
            .province("440000")
            .platform("乙海购", "cross-border")
            .status("cancelled")
            .insert(conn, &refs);
        CertificateBuilder::new("SNAP-EXPIRED")
            .company("深圳丁公司", None, &credit_code("91440300MA5F00303"))
            .province("440000")
            .platform("乙优选", "b2c")
            .stars(2)
            .dates(date(2022, 1, 1), date(2024, 12, 31))
            .insert(conn, &refs);
    });
}

/// Compares `body` with the snapshot `name`, ids redacted.
macro_rules! snapshot {
    ($name:expr, $body:expr) => {{
        let (name, body): (String, String) = ($name.into(), $body);
        insta::with_settings!({filters => vec![(r"event/[0-9]+", "event/[id]")]}, {
            insta::assert_snapshot!(name, body);
        })
    }};
}

/// Noon in Beijing on a fixed day: every date on the pages follows from it.
async fn app(db: &TestDb) -> TestApp {
    seed(db);
    TestApp::new(db, beijing(2026, 11, 28, 12, 0)).await
}

/// The body of a 200 answer.
async fn page(app: &TestApp, uri: &str) -> String {
    let page = app.get(uri).await;
    assert_eq!(page.status, 200, "{uri}: {}", page.body);
    page.body
}

/// JSON pretty-printed with sorted keys, so the snapshot reads as a document.
fn pretty(json: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    serde_json::to_string_pretty(&value).expect("JSON")
}

both_backends_async!(verification_pages, |db| {
    let app = app(&db).await;
    for status in ["valid", "suspended", "revoked", "cancelled", "expired"] {
        let number = format!("SNAP-{}", status.to_uppercase());
        let body = page(&app, &format!("/certificates/{number}")).await;
        snapshot!(format!("certificate_{status}"), body);
    }
    let en = page(&app, "/certificates/SNAP-VALID?lang=en").await;
    snapshot!("certificate_valid_en", en);
    let unknown = app.get("/certificates/SNAP-NONE").await;
    assert_eq!(unknown.status, 404);
    snapshot!("certificate_unknown", unknown.body);
});

both_backends_async!(search_company_home, |db| {
    let app = app(&db).await;
    let code = credit_code("91330100MA2A00001");
    snapshot!(
        "search_yunhe",
        page(&app, &format!("/search?q={}", "%E4%BA%91%E7%A6%BE")).await
    );
    snapshot!("company", page(&app, &format!("/companies/{code}")).await);
    snapshot!("home", page(&app, "/").await);
});

both_backends_async!(embed_kit_and_print, |db| {
    let app = app(&db).await;
    snapshot!("embed", page(&app, "/certificates/SNAP-VALID/embed").await);
    snapshot!("print", page(&app, "/certificates/SNAP-VALID/print").await);
});

both_backends_async!(api_answers, |db| {
    let app = app(&db).await;
    snapshot!(
        "api_certificate",
        pretty(&page(&app, "/api/v1/certificates/SNAP-VALID").await)
    );
    snapshot!(
        "api_search",
        pretty(&page(&app, "/api/v1/certificates?q=%E4%BA%91%E7%A6%BE&sort=name").await)
    );
    snapshot!(
        "api_lookup",
        pretty(&page(&app, "/api/v1/lookup?url=https://m.yunhe.com/item/1").await)
    );
});

both_backends_async!(atom_feeds, |db| {
    let app = app(&db).await;
    snapshot!("feed_registry", page(&app, "/feeds/events.atom").await);
    snapshot!(
        "feed_certificate_en",
        page(&app, "/certificates/SNAP-SUSPENDED/events.atom?lang=en").await
    );
});
