//! The SQE mark over HTTP: badges per status and variant, PNG sizes, the QR round trip,
//! caching validators, no cookies, sightings and the binding warning, the embed kit, the
//! printable certificate and /misuse.

use crate::common;

use actix_web::test::TestRequest;
use common::fixtures::{seed_reference, yunhe_bilingual};
use common::{beijing, date, get, send, with_conn, TestDb};
use sqe_registry::app::sightings::{confirm, Confirmation, SightingRef};
use sqe_registry::db::marks::sightings;

/// The public URL of `Config::for_database`.
const BASE: &str = "http://127.0.0.1:8080";

/// Valid (4 stars), suspended, revoked, cancelled, and expired by date.
fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe_bilingual("V-1", "91330100MA2A00001")
            .domains(&["yunhe.com", "yunhe-mall.cn"])
            .stars(4)
            .insert(conn, &refs);
        yunhe_bilingual("S-1", "91330100MA2A00002")
            .domains(&["s1.example.cn"])
            .stars(3)
            .suspended()
            .insert(conn, &refs);
        yunhe_bilingual("R-1", "91330100MA2A00003")
            .domains(&["r1.example.cn"])
            .status("revoked")
            .insert(conn, &refs);
        yunhe_bilingual("C-1", "91330100MA2A00004")
            .domains(&["c1.example.cn"])
            .status("cancelled")
            .insert(conn, &refs);
        yunhe_bilingual("E-1", "91330100MA2A00005")
            .domains(&["e1.example.cn"])
            .dates(date(2022, 1, 1), date(2024, 12, 31))
            .insert(conn, &refs);
        yunhe_bilingual("方圆-7", "91330100MA2A00006")
            .domains(&["fangyuan.example.cn"])
            .stars(5)
            .insert(conn, &refs);
    });
}

fn with_header(uri: &str, name: &str, value: &str) -> actix_http::Request {
    TestRequest::get()
        .uri(uri)
        .insert_header((name, value))
        .to_request()
}

/// Filled stars of the light theme (the emblem's small star has no stroke).
fn filled_stars(svg: &str) -> usize {
    svg.matches(r##"fill="#f2a900" stroke="##).count()
}

both_backends_async!(each_status_has_its_badge, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let valid = get(&app, "/badge/V-1.svg").await;
    assert_eq!(valid.status, 200);
    assert_eq!(
        valid.header("content-type").as_deref(),
        Some("image/svg+xml")
    );
    assert_eq!(filled_stars(&valid.body), 4);
    valid
        .assert_contains(">有效<")
        .assert_contains("V-1")
        .assert_contains("role=\"img\"")
        .assert_contains("aria-label=\"SQE 服务质量评价标识：四星级，证书有效，证书编号 V-1\"");
    for (number, word) in [
        ("S-1", "证书已暂停"),
        ("R-1", "证书已撤销"),
        ("C-1", "证书已注销"),
        ("E-1", "证书已过期"),
    ] {
        let badge = get(&app, &format!("/badge/{number}.svg")).await;
        assert_eq!(badge.status, 200, "{number}");
        assert_eq!(filled_stars(&badge.body), 0, "{number} shows no stars");
        badge.assert_contains(word).assert_lacks(">有效<");
    }
    let unknown = get(&app, "/badge/FAKE-5-STARS.svg?lang=en").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.header("content-type").as_deref(),
        Some("image/svg+xml")
    );
    unknown
        .assert_contains("NOT IN REGISTRY")
        .assert_contains("Do not trust this mark")
        .assert_lacks("FAKE");
    // Variants.
    get(&app, "/badge/V-1.svg?size=s")
        .await
        .assert_contains(r#"width="150" height="40""#);
    get(&app, "/badge/V-1.svg?size=l&lang=en&theme=dark")
        .await
        .assert_contains(r#"width="330" height="96""#)
        .assert_contains("Service Quality")
        .assert_contains("#1b2129");
    // Bad values are a clear 400, unknown parameters are ignored.
    for bad in ["size=xl", "lang=fr", "theme=blue", "scale=3"] {
        let page = get(&app, &format!("/badge/V-1.png?{bad}")).await;
        assert_eq!(page.status, 400, "{bad}");
        page.assert_contains(bad.split('=').nth(1).unwrap_or_default());
    }
    let bad = get(&app, "/badge/V-1.svg?theme=blue").await;
    assert_eq!(
        bad.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    bad.assert_contains("不是此图片可用的选项")
        .assert_contains("is not an option for this image");
    assert_eq!(get(&app, "/badge/V-1.svg?v=2").await.status, 200);
});

both_backends_async!(png_badges_decode_at_their_size, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    for (uri, size, status) in [
        ("/badge/V-1.png", (220, 64), 200),
        ("/badge/V-1.png?scale=2", (440, 128), 200),
        ("/badge/V-1.png?size=s", (150, 40), 200),
        ("/badge/R-1.png?size=l&scale=2&theme=dark", (660, 192), 200),
        ("/badge/NOPE.png?size=l", (330, 96), 404),
    ] {
        let page = get(&app, uri).await;
        assert_eq!(page.status, status, "{uri}");
        assert_eq!(page.header("content-type").as_deref(), Some("image/png"));
        let (width, height, _) = common::decode_png(&page.bytes);
        assert_eq!((width, height), size, "{uri}");
    }
});

/// Decodes a QR code PNG to its text.
fn decode_qr(png: &[u8]) -> String {
    let (width, height, rgba) = common::decode_png(png);
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            rgba[(y * width as usize + x) * 4]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("decodes").1
}

both_backends_async!(qr_codes_decode_to_the_verification_url, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    for size in ["s", "m", "l"] {
        let page = get(&app, &format!("/qr/V-1.png?size={size}")).await;
        assert_eq!(page.status, 200);
        assert_eq!(
            decode_qr(&page.bytes),
            format!("{BASE}/certificates/V-1"),
            "{size}"
        );
    }
    let encoded = get(&app, "/qr/%E6%96%B9%E5%9C%86-7.png?scale=2").await;
    assert_eq!(
        decode_qr(&encoded.bytes),
        format!("{BASE}/certificates/%E6%96%B9%E5%9C%86-7")
    );
    let svg = get(&app, "/qr/V-1.svg").await;
    assert_eq!(svg.header("content-type").as_deref(), Some("image/svg+xml"));
    svg.assert_contains("shape-rendering=\"crispEdges\"");
    assert_eq!(get(&app, "/qr/NOPE.png").await.status, 404);
    assert_eq!(get(&app, "/qr/V-1.png?size=xxl").await.status, 400);
});

both_backends_async!(
    badges_revalidate_with_etags_and_follow_status_changes,
    |db| {
        seed(&db);
        let app = app!(db, beijing(2026, 11, 28, 12, 0));
        let first = get(&app, "/badge/V-1.svg").await;
        let etag = first.header("etag").expect("an ETag");
        assert!(
            etag.starts_with('"') && !etag.starts_with("W/"),
            "strong: {etag}"
        );
        let cache = first.header("cache-control").expect("cache-control");
        assert!(cache.contains("public"), "{cache}");
        let max_age: u32 = cache
            .split("max-age=")
            .nth(1)
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
            .expect("max-age");
        assert!(max_age > 0 && max_age <= 300, "{max_age}");
        let again = send(&app, with_header("/badge/V-1.svg", "If-None-Match", &etag)).await;
        assert_eq!(again.status, 304);
        assert!(again.bytes.is_empty());
        assert_eq!(again.header("etag"), Some(etag.clone()));
        let other = send(
            &app,
            with_header("/badge/V-1.svg", "If-None-Match", "\"nope\""),
        )
        .await;
        assert_eq!(other.status, 200);
        // The same bytes give the same tag; another variant another one.
        assert_eq!(
            get(&app, "/badge/V-1.svg").await.header("etag"),
            Some(etag.clone())
        );
        assert_ne!(
            get(&app, "/badge/V-1.svg?lang=en").await.header("etag"),
            Some(etag.clone())
        );
        // gzip is served pre-compressed with its own tag.
        let gz = send(
            &app,
            with_header("/badge/V-1.svg", "Accept-Encoding", "gzip"),
        )
        .await;
        assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
        assert_ne!(gz.header("etag"), Some(etag.clone()));
        // The certification body suspends the certificate (from any instance): the cached badge
        // goes within a second.
        common::set_status(&db, "V-1", "suspended");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
        let after = send(&app, with_header("/badge/V-1.svg", "If-None-Match", &etag)).await;
        assert_eq!(after.status, 200, "the old tag no longer matches");
        after.assert_contains("证书已暂停");
        assert_eq!(filled_stars(&after.body), 0);
        assert_ne!(after.header("etag"), Some(etag));
    }
);

both_backends_async!(
    images_never_set_cookies_and_may_be_embedded_anywhere,
    |db| {
        seed(&db);
        let app = app!(db, beijing(2026, 11, 28, 12, 0));
        for uri in [
            "/badge/V-1.svg?lang=en",
            "/badge/V-1.png?lang=en",
            "/badge/NOPE.svg?lang=en",
            "/qr/V-1.svg?lang=en",
            "/qr/V-1.png?lang=en",
        ] {
            let page = get(&app, uri).await;
            assert!(page.header("set-cookie").is_none(), "{uri} set a cookie");
            assert_eq!(
                page.header("cross-origin-resource-policy").as_deref(),
                Some("cross-origin"),
                "{uri}"
            );
            assert_eq!(
                page.header("access-control-allow-origin").as_deref(),
                Some("*")
            );
            assert!(page
                .header("content-security-policy")
                .is_some_and(|c| c.contains("frame-ancestors *")));
        }
        // Pages, by contrast, remember the language.
        assert!(get(&app, "/certificates/V-1?lang=en")
            .await
            .header("set-cookie")
            .is_some());
        // Badges ignore the visitor's language: only the URL decides.
        let cookie = send(&app, with_header("/badge/V-1.svg", "Cookie", "lang=en")).await;
        cookie.assert_contains("服务质量评价");
    }
);

/// Sightings as stored, as (host, hits).
fn stored(db: &TestDb) -> Vec<(String, i64)> {
    let mut rows: Vec<(String, i64)> = with_conn(db, |conn| sightings(conn, None, 100))
        .expect("sightings")
        .into_iter()
        .map(|s| (s.host, s.hits))
        .collect();
    rows.sort();
    rows
}

both_backends_async!(foreign_referrers_are_recorded_bound_ones_are_not, |db| {
    seed(&db);
    let state = common::state(&db, beijing(2026, 11, 28, 12, 0));
    let app = common::TestApp::on_state(state.clone()).await;
    for referer in [
        "https://yunhe.com/",
        "https://www.yunhe.com/item/1",
        "https://m.shop.yunhe.com:8443/x",
        "https://YUNHE-MALL.cn./",
        "http://127.0.0.1:8080/search?q=yunhe",
        "https://www.baidu.com/s?wd=yunhe",
    ] {
        let page = send(&app, with_header("/badge/V-1.svg", "Referer", referer)).await;
        assert_eq!(page.status, 200);
    }
    assert_eq!(
        state.flush_sightings().await.expect("flush"),
        0,
        "nothing to record"
    );
    assert!(stored(&db).is_empty());
    for _ in 0..3 {
        send(
            &app,
            with_header("/badge/V-1.png", "Referer", "https://www.fake-shop.com/"),
        )
        .await;
    }
    send(
        &app,
        with_header("/badge/V-1.svg?size=s", "Origin", "https://fake-shop.com"),
    )
    .await;
    send(
        &app,
        with_header("/certificates/V-1", "Referer", "https://copycat.cn/about"),
    )
    .await;
    // Unknown numbers have no certificate to record against.
    send(
        &app,
        with_header("/badge/NOPE.svg", "Referer", "https://fake-shop.com/"),
    )
    .await;
    assert_eq!(state.flush_sightings().await.expect("flush"), 2);
    assert_eq!(
        stored(&db),
        vec![
            ("copycat.cn".to_owned(), 1),
            ("fake-shop.com".to_owned(), 4)
        ]
    );
    // Later batches add up.
    send(
        &app,
        with_header("/badge/V-1.svg", "Referer", "https://fake-shop.com/"),
    )
    .await;
    state.flush_sightings().await.expect("flush");
    assert_eq!(stored(&db)[1], ("fake-shop.com".to_owned(), 5));
});

both_backends_async!(a_page_reached_from_an_unbound_host_warns, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    // Cache the page first: the warning must not depend on what was cached.
    get(&app, "/certificates/V-1")
        .await
        .assert_lacks("misuse-alert");
    let warned = send(
        &app,
        with_header("/certificates/V-1", "Referer", "https://fake-shop.com/p"),
    )
    .await;
    assert_eq!(warned.status, 200);
    warned
        .assert_contains("misuse-alert")
        .assert_contains("此标识对 fake-shop.com 无效")
        .assert_contains("<code>yunhe.com</code>");
    assert_eq!(warned.header("cache-control").as_deref(), Some("no-store"));
    let en = send(
        &app,
        with_header(
            "/certificates/V-1?lang=en",
            "Referer",
            "https://xn--fiqs8s.com/",
        ),
    )
    .await;
    en.assert_contains("This mark is not valid for 中国.com");
    for referer in ["https://www.yunhe.com/", "https://shop.yunhe-mall.cn:8080/"] {
        send(&app, with_header("/certificates/V-1", "Referer", referer))
            .await
            .assert_lacks("misuse-alert");
    }
    // The next plain visit gets the plain page.
    get(&app, "/certificates/V-1")
        .await
        .assert_lacks("misuse-alert");
});

both_backends_async!(confirmed_misuse_is_listed, |db| {
    seed(&db);
    let state = common::state(&db, beijing(2026, 11, 28, 12, 0));
    let app = common::TestApp::on_state(state.clone()).await;
    get(&app, "/misuse")
        .await
        .assert_contains("目前没有已确认的冒用记录");
    send(
        &app,
        with_header("/badge/V-1.svg", "Referer", "https://fake-shop.com/"),
    )
    .await;
    send(
        &app,
        with_header("/badge/V-1.svg", "Referer", "https://innocent-blog.cn/"),
    )
    .await;
    state.flush_sightings().await.expect("flush");
    let actor = common::cli_actor("ops", beijing(2026, 11, 28, 12, 0));
    let host = |host: &str| SightingRef::Host {
        number: "V-1".to_owned(),
        host: host.to_owned(),
    };
    with_conn(&db, |conn| {
        assert_eq!(
            confirm(conn, &actor, &host("nobody.cn"), None).expect("confirm"),
            Confirmation::NoSuchSighting
        );
        assert_eq!(
            confirm(conn, &actor, &host("fake-shop.com"), Some("复制了徽章")).expect("confirm"),
            Confirmation::Confirmed
        );
        assert_eq!(
            confirm(conn, &actor, &host("fake-shop.com"), None).expect("confirm"),
            Confirmation::AlreadyConfirmed
        );
        let audit = sqe_registry::db::accounts::latest_audit(conn, 10).expect("audit");
        assert_eq!(audit.len(), 1, "one confirmation, one entry: {audit:?}");
        assert_eq!(
            (audit[0].action.as_str(), audit[0].actor.as_str()),
            ("sighting.confirm", "cli:ops")
        );
    });
    // The list is kept per registry revision: a confirmation made elsewhere (here the command
    // line) shows once this instance reads the revision again, within a second.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    let page = get(&app, "/misuse").await;
    page.assert_contains("<code>fake-shop.com</code>")
        .assert_contains("复制了徽章")
        .assert_contains("href=\"/certificates/V-1\"")
        .assert_contains("2026-11-28")
        .assert_lacks("innocent-blog.cn");
    get(&app, "/misuse?lang=en")
        .await
        .assert_contains("One confirmed misuse");
    assert_eq!(get(&app, "/misuse?page=2").await.status, 400);
    assert_eq!(get(&app, "/misuse?page=x").await.status, 400);
});

/// The page's text with the entities askama writes turned back into characters.
fn unescape(html: &str) -> String {
    html.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
}

both_backends_async!(the_embed_kit_gives_snippets_previews_and_downloads, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let kit = get(&app, "/certificates/V-1/embed?lang=en").await;
    assert_eq!(kit.status, 200);
    let text = unescape(&kit.body);
    for expected in [
        // Plain link and image, with size and alt text.
        format!(
            r#"<code><a href="{BASE}/certificates/V-1" target="_blank"><img src="{BASE}/badge/V-1.svg" width="220" height="64" alt="SQE 服务质量评价标识：四星级，证书有效，证书编号 V-1"></a></code>"#
        ),
        // The dark-mode version.
        format!(r#"<source srcset="{BASE}/badge/V-1.svg?lang=en&amp;theme=dark" media="(prefers-color-scheme: dark)">"#),
        // Markdown.
        format!("[![SQE service quality mark: 4 stars, certificate valid, certificate V-1]({BASE}/badge/V-1.svg?lang=en)]({BASE}/certificates/V-1)"),
        // A preview of every variant, and print-ready downloads.
        r#"<img src="/badge/V-1.svg?size=l&lang=en&theme=dark" width="330" height="96" alt="SQE service quality mark: 4 stars, certificate valid, certificate V-1">"#.to_owned(),
        r#"href="/certificates/V-1/baked-badge.png" download="sqe-badge-V-1-zh-CN-light.png""#.to_owned(),
        r#"href="/qr/V-1.png?size=l&scale=2""#.to_owned(),
        r#"<img class="qr" src="/qr/V-1.svg?size=s" width="120" height="120""#.to_owned(),
        "<code>yunhe-mall.cn</code>".to_owned(),
    ] {
        assert!(text.contains(&expected), "missing {expected}\n{text}");
    }
    kit.assert_lacks("must not be shown now");
    assert_eq!(kit.body.matches("<li class=\"").count(), 12, "12 previews");
    get(&app, "/certificates/S-1/embed?lang=en")
        .await
        .assert_contains("This mark must not be shown now");
    assert_eq!(get(&app, "/certificates/NOPE/embed").await.status, 404);
});

both_backends_async!(the_printable_certificate_carries_the_qr_code, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let sheet = get(&app, "/certificates/V-1/print").await;
    assert_eq!(sheet.status, 200);
    sheet
        .assert_contains("SQE 电子商务平台服务质量评价证书")
        .assert_contains("<img src=\"/qr/V-1.svg?size=m\"")
        .assert_contains("扫描二维码，核验本证书的实时状态")
        .assert_contains("杭州云禾网络科技有限公司")
        .assert_contains("Hangzhou Yunhe Network Technology Co., Ltd.")
        .assert_contains("<code>yunhe.com</code>")
        .assert_contains("★★★★☆")
        .assert_lacks("sheet-void");
    get(&app, "/certificates/R-1/print?lang=en")
        .await
        .assert_contains("sheet-void")
        .assert_contains("must not be used as proof");
    assert_eq!(get(&app, "/certificates/NOPE/print").await.status, 404);
    // The verification page shows the QR code and links to both.
    get(&app, "/certificates/V-1")
        .await
        .assert_contains("src=\"/qr/V-1.svg?size=s\"")
        .assert_contains("href=\"/certificates/V-1/print\"")
        .assert_contains("href=\"/certificates/V-1/embed\"");
});

both_backends_async!(made_up_numbers_get_no_cache_entries, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let marks = app.state.feature::<sqe_registry::web::marks::MarkCache>();
    let pages = app
        .state
        .feature::<sqe_registry::web::pages::certificate::PageCache>();
    let long = "9".repeat(7_000);
    let referer = format!("https://{}.example.com/", "r".repeat(1_000));
    for i in 0..200 {
        for path in [
            format!("/badge/FAKE-{i}.svg"),
            format!("/badge/FAKE-{i}.png"),
            format!("/badge/{long}{i}.svg"),
            format!("/qr/FAKE-{i}.svg"),
            format!("/certificates/FAKE-{i}"),
            format!("/certificates/FAKE-{i}/embed"),
            format!("/certificates/FAKE-{i}/print"),
            format!("/api/v1/certificates/FAKE-{i}"),
        ] {
            let page = send(&app, with_header(&path, "Referer", &referer)).await;
            assert_eq!(page.status, 404, "{path}");
        }
    }
    // One shared image per variant (SVG, PNG) for every unknown number; no pages.
    assert_eq!(marks.len(), 2, "entries for unknown numbers");
    assert_eq!(pages.len(), 0);
    let documents = app
        .state
        .feature::<sqe_registry::web::pages::keyed::Documents>();
    assert_eq!(
        documents.len(),
        0,
        "embed, print and API documents of unknown numbers"
    );
    // The shared image still says "not found" for any number, and a real badge is kept.
    get(&app, "/badge/FAKE-999.svg?lang=en")
        .await
        .assert_contains("NOT IN REGISTRY")
        .assert_lacks("FAKE");
    assert_eq!(marks.len(), 3, "the English variant of the unknown image");
    assert_eq!(get(&app, "/badge/V-1.svg").await.status, 200);
    assert_eq!(marks.len(), 4);
});

/// The directives of a `Cache-Control` value, with their numbers.
fn directives(value: &str) -> std::collections::HashMap<String, Option<u32>> {
    value
        .split(',')
        .map(|d| {
            let mut parts = d.trim().splitn(2, '=');
            let name = parts.next().unwrap_or_default().to_ascii_lowercase();
            (name, parts.next().and_then(|n| n.trim().parse().ok()))
        })
        .collect()
}

both_backends_async!(
    a_cdn_may_keep_marks_but_a_revocation_shows_within_300_seconds,
    |db| {
        seed(&db);
        let app = app!(db, beijing(2026, 11, 28, 12, 0));
        for uri in [
            "/badge/V-1.svg",
            "/badge/V-1.svg?lang=en&size=s",
            "/badge/V-1.png",
            "/qr/V-1.svg",
            "/qr/V-1.png",
            "/badge/R-1.svg",
        ] {
            // A visitor with a language cookie: nothing personal comes back.
            let page = send(&app, with_header(uri, "Cookie", "lang=en")).await;
            assert_eq!(page.status, 200, "{uri}");
            let cache = page.header("cache-control").expect("cache-control");
            let d = directives(&cache);
            assert!(d.contains_key("public"), "{uri}: {cache}");
            for forbidden in ["private", "no-cache", "no-store", "must-revalidate"] {
                assert!(!d.contains_key(forbidden), "{uri}: {cache}");
            }
            let browser = d["max-age"].expect("max-age");
            let edge = d["s-maxage"].expect("s-maxage");
            let stale = d["stale-while-revalidate"].expect("stale-while-revalidate");
            // Even a proxy that sends no Age, handing a browser an image it kept to the end.
            assert!(
                edge + stale + browser + stale <= 300,
                "{uri}: {cache} keeps a revoked mark longer than 300 s"
            );
            assert!(
                edge >= 60,
                "{uri}: a CDN keeps it long enough to matter: {cache}"
            );
            assert!(page.header("set-cookie").is_none(), "{uri}");
            let vary = page.header("vary");
            assert!(
                vary.is_none() || vary.as_deref() == Some("Accept-Encoding"),
                "{uri}: Vary {vary:?} would split a CDN's cache"
            );
        }
        let unknown = get(&app, "/badge/NOT-THERE.svg").await;
        assert_eq!(unknown.status, 404);
        let d = directives(&unknown.header("cache-control").expect("cache-control"));
        assert!(d["s-maxage"].expect("s-maxage") <= 60 && d["max-age"].expect("max-age") <= 60);
    }
);
