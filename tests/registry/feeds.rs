//! Atom feeds of the public certificate events: the registry's, a company's, a certificate's;
//! the right entries newest first, the kind filter, languages, and validity against RFC 4287.

use crate::common;

use std::collections::HashSet;

use actix_web::test::TestRequest;
use chrono::{DateTime, FixedOffset};
use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{beijing, date, get, send, with_conn, TestDb};
use diesel::prelude::*;
use sqe_registry::db::schema::{certificates, companies};
use sqe_registry::db::write;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const N1: &str = "CQM-SQE-2025-000001";
const N2: &str = "CQM-SQE-2025-000002";
const N3: &str = "CQM-SQE-2025-000003";
/// A certificate whose only event is dated after today.
const N4: &str = "CQM-SQE-2025-000004";

fn now() -> chrono::DateTime<chrono::Utc> {
    beijing(2026, 11, 28, 10, 0)
}

fn code_a() -> String {
    credit_code("91310000MA1K00101")
}

fn code_b() -> String {
    credit_code("91440300MA5F00202")
}

/// Company A holds N1 and N2, company B holds N3 and N4.
fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new(N1)
            .company(
                "上海云帆网络科技有限公司",
                Some("Shanghai Yunfan Ltd."),
                &code_a(),
            )
            .stars(4)
            .event("issued", date(2025, 1, 10), (None, Some(3)), None)
            .event("upgraded", date(2026, 3, 1), (Some(3), Some(4)), None)
            .event(
                "suspended",
                date(2026, 11, 20),
                (Some(4), Some(4)),
                Some(("投诉查实", "Substantiated complaint")),
            )
            // Dated after today: not public yet.
            .event("restored", date(2027, 1, 5), (Some(4), Some(4)), None)
            .insert(conn, &refs);
        CertificateBuilder::new(N2)
            .company("临时公司", None, &credit_code("91110000MA0000009"))
            .event("issued", date(2025, 6, 1), (None, Some(3)), None)
            .event(
                "revoked",
                date(2026, 10, 1),
                (Some(3), None),
                Some(("冒用标识", "Misuse of the mark")),
            )
            .insert(conn, &refs);
        CertificateBuilder::new(N3)
            .company("深圳乙公司", None, &code_b())
            .event("issued", date(2025, 2, 1), (None, Some(4)), None)
            .event("downgraded", date(2026, 5, 5), (Some(4), Some(3)), None)
            .insert(conn, &refs);
        CertificateBuilder::new(N4)
            .company("深圳丙公司", None, &credit_code("91440300MA5F00303"))
            .event("issued", date(2027, 2, 1), (None, Some(3)), None)
            .insert(conn, &refs);
        // N2 belongs to company A, N4 to company B.
        for (number, code) in [(N2, code_a()), (N4, code_b())] {
            let company: i32 = companies::table
                .filter(companies::credit_code.eq(code))
                .select(companies::id)
                .first(conn)
                .expect("company");
            diesel::update(certificates::table.filter(certificates::number.eq(number)))
                .set(certificates::company_id.eq(company))
                .execute(conn)
                .expect("move certificate");
        }
    });
}

/// One entry as the tests read it.
#[derive(Debug)]
struct Entry {
    title: String,
    link: String,
    updated: DateTime<FixedOffset>,
    content: String,
    kind: String,
}

/// Checks the elements RFC 4287 requires and returns the entries in document order.
fn check_atom(xml: &str) -> (roxmltree::Document<'_>, Vec<Entry>) {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(feed.tag_name().namespace(), Some(ATOM));
    let children = |node: roxmltree::Node<'_, '_>, name: &str| -> Vec<String> {
        node.children()
            .filter(|c| c.is_element() && c.tag_name().name() == name)
            .map(|c| c.text().unwrap_or("").to_owned())
            .collect()
    };
    let rfc3339 = |s: &str| DateTime::parse_from_rfc3339(s).expect("RFC 3339 date");
    for required in ["id", "title", "updated"] {
        assert_eq!(
            children(feed, required).len(),
            1,
            "feed needs one {required}"
        );
    }
    rfc3339(&children(feed, "updated")[0]);
    let links = |node: roxmltree::Node<'_, '_>, rel: &str| -> Vec<String> {
        node.children()
            .filter(|c| c.is_element() && c.tag_name().name() == "link")
            .filter(|c| c.attribute("rel").unwrap_or("alternate") == rel)
            .map(|c| c.attribute("href").expect("href").to_owned())
            .collect()
    };
    let self_links = links(feed, "self");
    assert_eq!(self_links.len(), 1, "one rel=self link");
    assert!(self_links[0].starts_with("http://"), "absolute self link");
    let feed_has_author = feed
        .children()
        .any(|c| c.tag_name().name() == "author" && !children(c, "name").is_empty());
    let mut ids = HashSet::new();
    ids.insert(children(feed, "id")[0].clone());
    let mut entries = Vec::new();
    for e in feed.children().filter(|c| c.tag_name().name() == "entry") {
        for required in ["id", "title", "updated"] {
            assert_eq!(children(e, required).len(), 1, "entry needs one {required}");
        }
        let id = children(e, "id")[0].clone();
        assert!(id.starts_with("tag:") || id.starts_with("urn:"), "{id}");
        assert!(ids.insert(id.clone()), "id {id} is not unique");
        let alternate = links(e, "alternate");
        let content = children(e, "content");
        assert!(!alternate.is_empty() || !content.is_empty());
        assert!(
            feed_has_author || e.children().any(|c| c.tag_name().name() == "author"),
            "an author for every entry"
        );
        entries.push(Entry {
            title: children(e, "title")[0].clone(),
            link: alternate.first().cloned().unwrap_or_default(),
            updated: rfc3339(&children(e, "updated")[0]),
            content: content.first().cloned().unwrap_or_default(),
            kind: e
                .children()
                .find(|c| c.tag_name().name() == "category")
                .and_then(|c| c.attribute("term"))
                .unwrap_or("")
                .to_owned(),
        });
    }
    // The crate that writes the feeds reads it back the same.
    let parsed =
        atom_syndication::Feed::read_from(xml.as_bytes()).expect("atom_syndication reads it");
    assert_eq!(parsed.entries().len(), entries.len());
    (doc, entries)
}

fn kinds(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.kind.as_str()).collect()
}

fn assert_newest_first(entries: &[Entry]) {
    for pair in entries.windows(2) {
        assert!(pair[0].updated >= pair[1].updated, "{entries:#?}");
    }
}

both_backends_async!(the_registry_feed_lists_public_events_newest_first, |db| {
    seed(&db);
    let app = app!(db, now());
    let res = get(&app, "/feeds/events.atom").await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    assert!(res.header("set-cookie").is_none());
    let (doc, entries) = check_atom(&res.body);
    assert_eq!(
        kinds(&entries),
        [
            "suspended",
            "revoked",
            "downgraded",
            "upgraded",
            "issued",
            "issued",
            "issued"
        ],
        "every public event, newest first; the restoration and N4's issue are dated later"
    );
    assert_newest_first(&entries);
    let first = &entries[0];
    assert_eq!(first.title, format!("{N1} 暂停 · 上海云帆网络科技有限公司"));
    assert_eq!(
        first.link,
        format!("http://127.0.0.1:8080/certificates/{N1}")
    );
    assert_eq!(first.updated.to_rfc3339(), "2026-11-20T00:00:00+08:00");
    assert!(first.content.contains("投诉查实"), "{}", first.content);
    assert!(
        entries[2].content.contains("★★★★☆ → ★★★☆☆"),
        "the grade change: {}",
        entries[2].content
    );
    let feed = doc.root_element();
    let text = |name: &str| {
        feed.children()
            .find(|c| c.tag_name().name() == name)
            .and_then(|c| c.text())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(
        text("updated"),
        "2026-11-20T00:00:00+08:00",
        "the newest entry"
    );
    assert_eq!(text("title"), "SQE 证书动态");
    assert!(!res.body.contains(N4), "N4 has no public event yet");
    // The same feed twice (the second from the cache) is the same document.
    assert_eq!(get(&app, "/feeds/events.atom").await.body, res.body);
});

both_backends_async!(feeds_filter_by_kind, |db| {
    seed(&db);
    let app = app!(db, now());
    let res = get(&app, "/feeds/events.atom?kind=suspended,revoked").await;
    assert_eq!(res.status, 200);
    let (_, entries) = check_atom(&res.body);
    assert_eq!(kinds(&entries), ["suspended", "revoked"]);
    let again = get(
        &app,
        "/feeds/events.atom?kind=revoked&kind=suspended&utm_source=x",
    )
    .await;
    assert_eq!(
        again.body, res.body,
        "one feed, however the kinds are written"
    );
    assert!(res
        .body
        .contains("/feeds/events.atom?kind=suspended,revoked\""));
    let issued = get(
        &app,
        &format!("/companies/{}/events.atom?kind=issued", code_a()),
    )
    .await;
    assert_eq!(kinds(&check_atom(&issued.body).1), ["issued", "issued"]);
    for bad in ["bogus", "suspended,bogus", "Suspended"] {
        let res = get(&app, &format!("/feeds/events.atom?kind={bad}")).await;
        assert_eq!(res.status, 400, "{bad}");
        res.assert_contains("未知的事件类型");
    }
    let en = get(&app, "/feeds/events.atom?kind=nope&lang=en").await;
    assert_eq!(en.status, 400);
    en.assert_contains("Unknown event kind")
        .assert_contains("nope");
});

both_backends_async!(company_and_certificate_feeds_hold_their_own_events, |db| {
    seed(&db);
    let app = app!(db, now());
    let res = get(&app, &format!("/companies/{}/events.atom", code_a())).await;
    assert_eq!(res.status, 200);
    let (_, entries) = check_atom(&res.body);
    assert_eq!(
        kinds(&entries),
        ["suspended", "revoked", "upgraded", "issued", "issued"],
        "both certificates of company A"
    );
    assert_newest_first(&entries);
    assert!(entries.iter().all(|e| !e.title.contains(N3)));
    res.assert_contains("上海云帆网络科技有限公司 · 证书动态");
    let res = get(&app, &format!("/certificates/{N3}/events.atom")).await;
    let (_, entries) = check_atom(&res.body);
    assert_eq!(kinds(&entries), ["downgraded", "issued"]);
    assert!(entries.iter().all(|e| e.title.starts_with(N3)));
    // Nothing public yet: an empty feed, still valid, dated at the epoch.
    let res = get(&app, &format!("/certificates/{N4}/events.atom")).await;
    assert_eq!(res.status, 200);
    let (doc, entries) = check_atom(&res.body);
    assert!(entries.is_empty());
    let updated = doc
        .root_element()
        .children()
        .find(|c| c.tag_name().name() == "updated")
        .and_then(|c| c.text())
        .expect("updated");
    assert_eq!(
        DateTime::parse_from_rfc3339(updated)
            .expect("date")
            .timestamp(),
        0
    );
    for missing in [
        "/certificates/CQM-SQE-2025-999999/events.atom".to_owned(),
        format!(
            "/companies/{}/events.atom",
            credit_code("91110000MA0000999")
        ),
        "/companies/not-a-code/events.atom".to_owned(),
        format!("/certificates/{}/events.atom", "X".repeat(500)),
    ] {
        assert_eq!(get(&app, &missing).await.status, 404, "{missing}");
    }
});

both_backends_async!(feeds_come_in_the_language_of_their_url, |db| {
    seed(&db);
    let app = app!(db, now());
    let res = get(&app, &format!("/certificates/{N1}/events.atom?lang=en")).await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("set-cookie").is_none(),
        "a feed does not set the language"
    );
    let (doc, entries) = check_atom(&res.body);
    assert_eq!(
        doc.root_element()
            .attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
        Some("en")
    );
    assert_eq!(
        entries[0].title,
        format!("{N1} Suspended · Shanghai Yunfan Ltd.")
    );
    assert_eq!(
        entries[0].link,
        format!("http://127.0.0.1:8080/certificates/{N1}?lang=en")
    );
    assert!(entries[0].content.contains("Substantiated complaint"));
    res.assert_contains(&format!(
        "href=\"http://127.0.0.1:8080/certificates/{N1}/events.atom?lang=en\" rel=\"self\""
    ));
    // A cookie or Accept-Language does not change a feed: one URL is one document.
    let cookie = send(
        &app,
        TestRequest::get()
            .uri(&format!("/certificates/{N1}/events.atom"))
            .insert_header(("Cookie", "lang=en"))
            .insert_header(("Accept-Language", "en"))
            .to_request(),
    )
    .await;
    cookie.assert_contains("暂停");
});

both_backends_async!(a_new_event_reaches_the_cached_feed, |db| {
    seed(&db);
    let state = common::state(&db, now());
    let app = common::TestApp::on_state(state.clone()).await;
    let before = get(&app, "/feeds/events.atom?kind=cancelled").await;
    assert!(check_atom(&before.body).1.is_empty());
    // A reader polling with the tag it holds gets 304 while nothing changed.
    let tag = before.header("etag").expect("etag");
    let poll = |tag: String| {
        TestRequest::get()
            .uri("/feeds/events.atom?kind=cancelled")
            .insert_header(("If-None-Match", tag))
            .to_request()
    };
    let unchanged = send(&app, poll(tag.clone())).await;
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.header("etag").as_ref(), Some(&tag));
    // Kept compressed: a reader taking gzip gets the same feed under the same tag.
    let gz = send(
        &app,
        TestRequest::get()
            .uri("/feeds/events.atom?kind=cancelled")
            .insert_header(("Accept-Encoding", "gzip"))
            .to_request(),
    )
    .await;
    assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(gz.header("etag").as_ref(), Some(&tag));
    let mut unzipped = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&gz.bytes[..]),
        &mut unzipped,
    )
    .expect("a gzip body");
    assert_eq!(unzipped, before.body);
    with_conn(&db, |conn| {
        let id: i32 = certificates::table
            .filter(certificates::number.eq(N3))
            .select(certificates::id)
            .first(conn)
            .expect("certificate");
        conn.transaction(|conn| {
            write::insert_event(
                conn,
                &sqe_registry::db::models::NewCertificateEvent {
                    certificate_id: id,
                    kind: sqe_registry::domain::event::EventKind::Cancelled,
                    occurred_on: date(2026, 11, 27),
                    grade_before: Some(3),
                    grade_after: None,
                    reason_zh: None,
                    reason_en: None,
                    created_at: write::now_utc(),
                },
            )?;
            write::bump_revision(conn)
        })
        .expect("event");
    });
    state.revision.force_check();
    let after = send(&app, poll(tag.clone())).await;
    assert_eq!(after.status, 200);
    assert_ne!(after.header("etag"), Some(tag));
    let (_, entries) = check_atom(&after.body);
    assert_eq!(kinds(&entries), ["cancelled"]);
    assert!(entries[0].title.starts_with(N3));
});
