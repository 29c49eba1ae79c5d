//! Findability: robots.txt, the sitemaps (every certificate and company once, files under the
//! limit), canonical and language links, Open Graph, and JSON-LD that hostile names cannot break.

use crate::common;

use std::collections::HashMap;

use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{beijing, get, with_conn, TestDb};
use diesel::prelude::*;
use sqe_registry::db::schema::{certificates, companies, search_tokens};

const BASE: &str = "http://127.0.0.1:8080";
const HOSTILE: &str = "坏</script><script>alert(1)</script><!-- & \"引号\" 公司";

fn now() -> chrono::DateTime<chrono::Utc> {
    beijing(2026, 11, 28, 10, 0)
}

fn number(i: usize) -> String {
    format!("CQM-SQE-2025-{i:06}")
}

/// `count` certificates of as many companies.
fn seed(db: &TestDb, count: usize) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        for i in 1..=count {
            CertificateBuilder::new(&number(i))
                .company(
                    &format!("测试{i}有限公司"),
                    None,
                    &credit_code(&format!("91310000MA1K{i:05}")),
                )
                .stars(4)
                .insert(conn, &refs);
        }
    });
}

/// The texts of every `<name>` element.
fn texts(xml: &str, name: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants()
        .filter(|n| n.tag_name().name() == name)
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect()
}

/// The `content` of `<meta property="…">`.
fn meta(html: &str, property: &str) -> String {
    let start = format!("<meta property=\"{property}\" content=\"");
    let from = html
        .find(&start)
        .unwrap_or_else(|| panic!("no {property}:\n{html}"))
        + start.len();
    let len = html[from..].find('"').expect("closing quote");
    html[from..from + len].replace("&amp;", "&")
}

/// The JSON-LD block of a page, parsed.
fn json_ld(html: &str) -> serde_json::Value {
    let open = "<script type=\"application/ld+json\">";
    let from = html.find(open).expect("a JSON-LD block") + open.len();
    let len = html[from..].find("</script>").expect("end of the block");
    serde_json::from_str(&html[from..from + len]).expect("JSON-LD is JSON")
}

both_backends_async!(robots_txt_points_to_the_sitemap, |db| {
    let app = app!(db, now());
    let res = get(&app, "/robots.txt").await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let lines: Vec<&str> = res.body.lines().collect();
    for line in [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin",
        "Disallow: /qr/",
        "Allow: /badge/*.png",
        &format!("Sitemap: {BASE}/sitemap.xml"),
    ] {
        assert!(lines.contains(&line), "{line:?} in\n{}", res.body);
    }
    assert!(!lines.contains(&"Disallow: /"), "the public site is open");
});

both_backends_async!(the_sitemaps_list_every_page_once_in_small_files, |db| {
    let count = 8;
    seed(&db, count);
    // A gap in the ids: the range it falls in still lists the others.
    with_conn(&db, |conn| {
        let id: i32 = certificates::table
            .filter(certificates::number.eq(number(5)))
            .select(certificates::id)
            .first(conn)
            .expect("certificate");
        diesel::delete(search_tokens::table.filter(search_tokens::certificate_id.eq(id)))
            .execute(conn)
            .expect("delete tokens");
        diesel::delete(certificates::table.find(id))
            .execute(conn)
            .expect("delete");
    });
    let per_file = 3;
    let state = common::state_with(&db, now(), |c| c.sitemap_urls_per_file = per_file);
    let app = common::TestApp::on_state(state).await;
    let index = get(&app, "/sitemap.xml").await;
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type").as_deref(),
        Some("application/xml; charset=utf-8")
    );
    let doc = roxmltree::Document::parse(&index.body).expect("XML");
    assert_eq!(doc.root_element().tag_name().name(), "sitemapindex");
    assert_eq!(
        doc.root_element().tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let files = texts(&index.body, "loc");
    assert_eq!(
        files,
        [
            format!("{BASE}/sitemaps/pages.xml"),
            format!("{BASE}/sitemaps/certificates-1.xml"),
            format!("{BASE}/sitemaps/certificates-2.xml"),
            format!("{BASE}/sitemaps/certificates-3.xml"),
            format!("{BASE}/sitemaps/companies-1.xml"),
            format!("{BASE}/sitemaps/companies-2.xml"),
            format!("{BASE}/sitemaps/companies-3.xml"),
        ]
    );
    let mut seen: HashMap<String, usize> = HashMap::new();
    for file in &files {
        let res = get(&app, file.trim_start_matches(BASE)).await;
        assert_eq!(res.status, 200, "{file}");
        let urls = texts(&res.body, "loc");
        // The range files hold at most the configured number; the site's pages are a few.
        let limit = if file.ends_with("pages.xml") {
            4
        } else {
            per_file as usize
        };
        assert!(!urls.is_empty() && urls.len() <= limit, "{file}: {urls:?}");
        if file.contains("certificates-") {
            assert_eq!(
                texts(&res.body, "lastmod").len(),
                urls.len(),
                "lastmod for each"
            );
        }
        for url in urls {
            *seen.entry(url).or_default() += 1;
        }
    }
    let (numbers, codes) = with_conn(&db, |conn| {
        let numbers: Vec<String> = certificates::table
            .select(certificates::number)
            .load(conn)
            .expect("numbers");
        let codes: Vec<String> = companies::table
            .select(companies::credit_code)
            .load(conn)
            .expect("codes");
        (numbers, codes)
    });
    assert_eq!(numbers.len(), count - 1);
    for n in &numbers {
        assert_eq!(
            seen.get(&format!("{BASE}/certificates/{n}")),
            Some(&1),
            "{n}"
        );
    }
    assert!(!seen.contains_key(&format!("{BASE}/certificates/{}", number(5))));
    for code in &codes {
        assert_eq!(
            seen.get(&format!("{BASE}/companies/{code}")),
            Some(&1),
            "{code}"
        );
    }
    for page in ["/", "/search", "/about", "/misuse"] {
        assert_eq!(seen.get(&format!("{BASE}{page}")), Some(&1), "{page}");
    }
    assert_eq!(seen.len(), numbers.len() + codes.len() + 4);
    // Stored compressed: a crawler that takes gzip gets the stored file, one that takes only
    // brotli the same document uncompressed.
    let plain = get(&app, "/sitemaps/certificates-1.xml").await;
    for (accept, coding) in [("gzip", Some("gzip")), ("br", None)] {
        let res = common::send(
            &app,
            actix_web::test::TestRequest::get()
                .uri("/sitemaps/certificates-1.xml")
                .insert_header(("Accept-Encoding", accept))
                .to_request(),
        )
        .await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("content-encoding").as_deref(),
            coding,
            "{accept}"
        );
        let body = match coding {
            Some(_) => gunzip(&res.bytes),
            None => String::from_utf8(res.bytes.to_vec()).expect("utf-8"),
        };
        assert_eq!(body, plain.body, "{accept}");
    }
    for missing in [
        "/sitemaps/certificates-4.xml",
        "/sitemaps/certificates-0.xml",
        "/sitemaps/certificates-01.xml",
        "/sitemaps/certificates-x.xml",
        "/sitemaps/companies-9.xml",
    ] {
        assert_eq!(get(&app, missing).await.status, 404, "{missing}");
    }
});

/// The names of the files in the sitemap directory, sorted.
fn stored_sitemaps(app: &common::TestApp) -> Vec<String> {
    let dir = sqe_registry::web::sitemap::directory(&app.state);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the sitemap directory")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

both_backends_async!(sitemaps_are_stored_once_per_revision, |db| {
    seed(&db, 5);
    let state = common::state_with(&db, now(), |c| c.sitemap_urls_per_file = 3);
    let app = common::TestApp::on_state(state).await;
    let gzip = |uri: &str, extra: Option<(&str, String)>| {
        let mut req = actix_web::test::TestRequest::get()
            .uri(uri)
            .insert_header(("Accept-Encoding", "gzip"));
        if let Some(header) = extra {
            req = req.insert_header(header);
        }
        common::send(&app, req.to_request())
    };
    let first = gzip("/sitemaps/certificates-2.xml", None).await;
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("an ETag");
    assert!(first.header("last-modified").is_some());
    assert_eq!(first.header("accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(
        first.header("cache-control").as_deref(),
        Some("public, max-age=3600")
    );
    let revision = sqe_registry::web::stored_files::revision(&app.state)
        .await
        .expect("revision");
    assert_eq!(
        stored_sitemaps(&app),
        [format!("certificates-2-r{revision}.xml.gz")]
    );
    let again = gzip(
        "/sitemaps/certificates-2.xml",
        Some(("If-None-Match", etag.clone())),
    )
    .await;
    assert_eq!(again.status, 304);
    let part = gzip(
        "/sitemaps/certificates-2.xml",
        Some(("Range", "bytes=0-9".into())),
    )
    .await;
    assert_eq!((part.status.as_u16(), part.bytes.len()), (206, 10));
    // A range past the end is a 404 and leaves nothing behind.
    assert_eq!(get(&app, "/sitemaps/certificates-3.xml").await.status, 404);
    assert_eq!(stored_sitemaps(&app).len(), 1);

    // After a change the previous file is served at once, then the new one replaces it.
    common::set_status(&db, &number(4), "revoked");
    app.state.revision.force_check();
    let during = gzip("/sitemaps/certificates-2.xml", None).await;
    assert_eq!(
        during.header("etag"),
        Some(etag.clone()),
        "the previous file, at once"
    );
    let mut tries = 0;
    loop {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        let res = gzip("/sitemaps/certificates-2.xml", None).await;
        if res.header("etag") != Some(etag.clone()) {
            assert_eq!(gunzip(&res.bytes).matches("<url>").count(), 2);
            break;
        }
        tries += 1;
        assert!(tries < 200, "the new file never came");
    }
    let names = stored_sitemaps(&app);
    assert_eq!(names.len(), 1, "the replaced file is removed: {names:?}");
    assert_ne!(names[0], format!("certificates-2-r{revision}.xml.gz"));

    // A range emptied since: its last file is dropped, and the range answers 404.
    with_conn(&db, |conn| {
        let ids: Vec<i32> = certificates::table
            .filter(certificates::number.eq_any([number(4), number(5)]))
            .select(certificates::id)
            .load(conn)
            .expect("ids");
        diesel::delete(search_tokens::table.filter(search_tokens::certificate_id.eq_any(&ids)))
            .execute(conn)
            .expect("delete tokens");
        diesel::delete(certificates::table.filter(certificates::id.eq_any(&ids)))
            .execute(conn)
            .expect("delete");
    });
    common::set_status(&db, &number(1), "suspended");
    app.state.revision.force_check();
    let mut tries = 0;
    while get(&app, "/sitemaps/certificates-2.xml").await.status != 404 {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        tries += 1;
        assert!(tries < 200, "the emptied range is still served");
    }
    assert!(
        stored_sitemaps(&app).is_empty(),
        "{:?}",
        stored_sitemaps(&app)
    );
});

both_backends_async!(an_empty_registry_has_a_sitemap_of_its_pages, |db| {
    let app = app!(db, now());
    let index = get(&app, "/sitemap.xml").await;
    assert_eq!(
        texts(&index.body, "loc"),
        [format!("{BASE}/sitemaps/pages.xml")]
    );
    assert_eq!(get(&app, "/sitemaps/certificates-1.xml").await.status, 404);
});

both_backends_async!(a_certificate_page_has_canonical_og_and_json_ld, |db| {
    seed(&db, 1);
    let app = app!(db, now());
    let n = number(1);
    let page = get(&app, &format!("/certificates/{n}?utm_source=weibo")).await;
    assert_eq!(page.status, 200);
    page.assert_contains(&format!("<link rel=\"canonical\" href=\"{BASE}/certificates/{n}\">"))
        .assert_contains(&format!(
            "<link rel=\"alternate\" hreflang=\"en\" href=\"{BASE}/certificates/{n}?lang=en\">"
        ))
        .assert_contains(&format!(
            "<link rel=\"alternate\" hreflang=\"zh-CN\" href=\"{BASE}/certificates/{n}\">"
        ))
        .assert_contains(&format!(
            "<link rel=\"alternate\" hreflang=\"x-default\" href=\"{BASE}/certificates/{n}\">"
        ))
        .assert_contains(&format!(
            "type=\"application/atom+xml\" title=\"{n} · 证书动态\" href=\"{BASE}/certificates/{n}/events.atom\">"
        ))
        .assert_contains("订阅更新");
    let title = meta(&page.body, "og:title");
    assert!(title.contains("有效") && title.contains("★★★★☆"), "{title}");
    assert_eq!(
        meta(&page.body, "og:url"),
        format!("{BASE}/certificates/{n}")
    );
    assert_eq!(meta(&page.body, "og:type"), "website");
    assert!(meta(&page.body, "og:description").contains(&n));
    let image = meta(&page.body, "og:image");
    assert_eq!(image, format!("{BASE}/badge/{n}.png"));
    let png = get(&app, image.trim_start_matches(BASE)).await;
    assert_eq!(png.status, 200);
    assert_eq!(png.header("content-type").as_deref(), Some("image/png"));
    let ld = json_ld(&page.body);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "Certification");
    assert_eq!(ld["certificationIdentification"], n.as_str());
    assert_eq!(
        ld["certificationStatus"],
        "https://schema.org/CertificationActive"
    );
    assert_eq!(ld["certificationRating"]["ratingValue"], 4);
    assert_eq!(
        ld["about"]["identifier"],
        credit_code("91310000MA1K00001").as_str()
    );
    // In English: the canonical URL of the English version, the English preview.
    let en = get(&app, &format!("/certificates/{n}?lang=en")).await;
    en.assert_contains(&format!(
        "<link rel=\"canonical\" href=\"{BASE}/certificates/{n}?lang=en\">"
    ))
    .assert_contains(&format!(
        "href=\"{BASE}/certificates/{n}/events.atom?lang=en\""
    ));
    assert!(meta(&en.body, "og:title").contains("Valid"));
    assert_eq!(meta(&en.body, "og:locale"), "en_US");
    // A suspended certificate's preview shows no stars.
    common::set_status(&db, &n, "suspended");
    let app = app!(db, now());
    let suspended = get(&app, &format!("/certificates/{n}")).await;
    let title = meta(&suspended.body, "og:title");
    assert!(title.contains("暂停") && !title.contains('★'), "{title}");
    assert_eq!(
        json_ld(&suspended.body)["certificationStatus"],
        "https://schema.org/CertificationInactive"
    );
});

both_backends_async!(hostile_names_do_not_break_out_of_json_ld, |db| {
    let code = credit_code("91310000MA1K66666");
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("CQM-SQE-2025-000666")
            .company(HOSTILE, Some(HOSTILE), &code)
            .platform(HOSTILE, "b2c")
            .insert(conn, &refs);
    });
    let app = app!(db, now());
    for (uri, name) in [
        ("/certificates/CQM-SQE-2025-000666".to_owned(), "about"),
        (format!("/companies/{code}"), "name"),
        (format!("/companies/{code}?lang=en"), "alternateName"),
    ] {
        let page = get(&app, &uri).await;
        assert_eq!(page.status, 200, "{uri}");
        assert_eq!(
            page.body.matches("<script").count(),
            1,
            "{uri}: one script element"
        );
        let ld = json_ld(&page.body);
        let value = if name == "about" {
            &ld["about"]["name"]
        } else {
            &ld[name]
        };
        assert_eq!(value, HOSTILE, "{uri}");
    }
});

both_backends_async!(company_home_and_search_pages_link_their_feeds, |db| {
    seed(&db, 2);
    let app = app!(db, now());
    let code = credit_code("91310000MA1K00001");
    let company = get(&app, &format!("/companies/{code}?lang=en")).await;
    company
        .assert_contains(&format!(
            "<link rel=\"canonical\" href=\"{BASE}/companies/{code}?lang=en\">"
        ))
        .assert_contains(&format!(
            "href=\"{BASE}/companies/{code}/events.atom?lang=en\""
        ))
        .assert_contains(">Subscribe</a>");
    let ld = json_ld(&company.body);
    assert_eq!(ld["@type"], "Organization");
    assert_eq!(ld["identifier"]["value"], code.as_str());
    assert_eq!(ld["name"], "测试1有限公司");
    assert_eq!(
        ld["hasCertification"][0]["certificationIdentification"],
        number(1).as_str()
    );
    for uri in ["/", "/search"] {
        get(&app, uri)
            .await
            .assert_contains(&format!(
                "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"SQE 证书动态\" href=\"{BASE}/feeds/events.atom\">"
            ))
            .assert_contains("订阅更新");
    }
    // The search's canonical URL keeps what changes the results, not tracking tags.
    get(&app, "/search?utm_campaign=x&q=%E6%B5%8B%E8%AF%95&stars=4")
        .await
        .assert_contains(&format!(
            "<link rel=\"canonical\" href=\"{BASE}/search?q=%E6%B5%8B%E8%AF%95&#38;stars=4\">"
        ));
    get(&app, "/about?utm_source=x")
        .await
        .assert_contains(&format!("<link rel=\"canonical\" href=\"{BASE}/about\">"));
});

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut out)
        .expect("a gzip body");
    out
}
