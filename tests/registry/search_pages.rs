//! The search page through the real app, on SQLite and PostgreSQL: names (Chinese partial
//! match), domains and pasted URLs, credit codes, numbers, filters, sorting and pagination.

use crate::common;

use common::fixtures::{
    credit_code, jd, old_times, seed_reference, taobao, CertificateBuilder, Refs,
};
use common::{beijing, get, with_conn, TestDb};

/// A small registry: JD-like, a two-character brand, an IDN-bound platform, an expired one.
fn seed(db: &TestDb) -> Refs {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        jd("CQM-SQE-2024-000001").insert(conn, &refs);
        taobao("CQM-SQE-2023-000002").stars(3).insert(conn, &refs);
        CertificateBuilder::new("CQM-SQE-2022-000003")
            .company(
                "广州例子贸易有限公司",
                Some("Guangzhou Example Trading Co., Ltd."),
                &credit_code("91440101MA59ABCDE"),
            )
            .province("440000")
            .platform("例子海购", "cross-border")
            .domains(&["例子.中国"])
            .stars(4)
            .scheme_2025()
            .insert(conn, &refs);
        old_times("CQM-SQE-2020-000004").insert(conn, &refs);
        refs
    })
}

fn now() -> chrono::DateTime<chrono::Utc> {
    beijing(2026, 11, 28, 10, 0)
}

both_backends_async!(
    two_character_chinese_name_finds_the_full_company_name,
    |db| {
        seed(&db);
        let app = app!(db, now());
        let page = get(&app, "/search?q=%E4%BA%AC%E4%B8%9C").await; // 京东
        assert_eq!(page.status, 200);
        page.assert_contains("北京京东世纪贸易有限公司")
            .assert_contains("共 1 条结果")
            .assert_lacks("淘宝");
        let page = get(&app, "/search?q=%E6%B7%98%E5%AE%9D").await; // 淘宝
        page.assert_contains("浙江淘宝网络有限公司");
        // A fragment in the middle of a name, and a Latin word of the English name.
        get(&app, "/search?q=%E4%B8%96%E7%BA%AA%E8%B4%B8%E6%98%93")
            .await
            .assert_contains("北京京东世纪贸易有限公司"); // 世纪贸易
        get(&app, "/search?q=jingdong&lang=en")
            .await
            .assert_contains("Beijing Jingdong Century Trading");
        // Bigrams present but not adjacent in that order must not match.
        get(&app, "/search?q=%E4%B8%9C%E4%BA%AC")
            .await
            .assert_contains("共 0 条结果"); // 东京
    }
);

both_backends_async!(domains_and_pasted_urls_find_the_bound_platform, |db| {
    seed(&db);
    let app = app!(db, now());
    for q in [
        "jd.com",
        "JD.COM.",
        "www.jd.com",
        "https%3A%2F%2Fitem.jd.com%2F100012043978.html%3Fspm%3Dx%23top",
        "http%3A%2F%2Fjd.com%3A8080%2F",
        "jd.hk",
    ] {
        get(&app, &format!("/search?q={q}"))
            .await
            .assert_contains("北京京东世纪贸易有限公司")
            .assert_contains("按网址查询");
    }
    // An internationalised domain, in Unicode and in punycode.
    get(&app, "/search?q=%E4%BE%8B%E5%AD%90.%E4%B8%AD%E5%9B%BD")
        .await
        .assert_contains("广州例子贸易有限公司");
    get(&app, "/search?q=xn--fsqu00a.xn--fiqs8s")
        .await
        .assert_contains("广州例子贸易有限公司");
    // A look-alike host is not a subdomain.
    get(&app, "/search?q=https%3A%2F%2Fnotjd.com%2Fshop")
        .await
        .assert_contains("没有 SQE 证书覆盖 notjd.com")
        .assert_contains("不是真实有效的")
        .assert_lacks("北京京东世纪贸易有限公司");
    get(&app, "/search?q=https%3A%2F%2Fjd.com.evil.cn%2F")
        .await
        .assert_lacks("北京京东世纪贸易有限公司");
});

both_backends_async!(numbers_and_credit_codes_are_exact, |db| {
    seed(&db);
    let app = app!(db, now());
    get(&app, "/search?q=CQM-SQE-2024-000001")
        .await
        .assert_contains("按证书编号查询")
        .assert_contains("北京京东世纪贸易有限公司");
    get(&app, "/search?q=cqm-sqe-2024-000001")
        .await
        .assert_contains("北京京东世纪贸易有限公司");
    let code = credit_code("91330100799655058");
    get(&app, &format!("/search?q={code}"))
        .await
        .assert_contains("按统一社会信用代码查询")
        .assert_contains("浙江淘宝网络有限公司")
        .assert_lacks("京东");
    get(&app, &format!("/search?q={}", code.to_lowercase()))
        .await
        .assert_contains("浙江淘宝网络有限公司");
});

both_backends_async!(filters_sort_and_count, |db| {
    seed(&db);
    let app = app!(db, now());
    let all = get(&app, "/search").await;
    all.assert_contains("共 4 条结果");
    // Highest grade first by default.
    let jd = all.body.find("北京京东").expect("jd listed");
    let tb = all.body.find("浙江淘宝").expect("taobao listed");
    assert!(jd < tb, "five stars before three");
    get(&app, "/search?stars=3")
        .await
        .assert_contains("共 1 条结果")
        .assert_contains("浙江淘宝");
    get(&app, "/search?province=44")
        .await
        .assert_contains("共 2 条结果");
    get(&app, "/search?province=%E5%B9%BF%E4%B8%9C")
        .await
        .assert_contains("共 2 条结果"); // 广东
    get(&app, "/search?type=cross-border")
        .await
        .assert_contains("共 1 条结果")
        .assert_contains("例子海购");
    get(&app, "/search?scheme=31526-2025")
        .await
        .assert_contains("共 1 条结果")
        .assert_contains("例子海购");
    // The expired certificate is found by its effective status, not its stored one.
    get(&app, "/search?status=expired")
        .await
        .assert_contains("共 1 条结果")
        .assert_contains("旧时光");
    get(&app, "/search?status=valid")
        .await
        .assert_contains("共 3 条结果")
        .assert_lacks("旧时光");
    // Sort by expiry: the expired one first.
    let page = get(&app, "/search?sort=expiry").await;
    assert!(
        page.body.find("旧时光").expect("listed") < page.body.find("北京京东").expect("listed")
    );
    // Filters combine with a name query.
    get(
        &app,
        "/search?q=%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&province=440000",
    )
    .await
    .assert_contains("共 2 条结果"); // 有限公司
});

both_backends_async!(pagination_walks_every_result_once, |db| {
    let refs = seed(&db);
    with_conn(&db, |conn| {
        for i in 0..41u32 {
            let prefix = format!("91440300MA5E{i:05}");
            CertificateBuilder::new(&format!("DEMO-P-{i:03}"))
                .company(
                    &format!("分页测试{i:02}有限公司"),
                    None,
                    &credit_code(&prefix),
                )
                .stars(3)
                .insert(conn, &refs);
        }
    });
    let app = app!(db, now());
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = get(
            &app,
            &format!("/search?q=%E5%88%86%E9%A1%B5&sort=name&page={page}"),
        )
        .await; // 分页
        assert_eq!(p.status, 200, "page {page}");
        p.assert_contains("共 41 条结果");
        for i in 0..41 {
            if p.body.contains(&format!("DEMO-P-{i:03}<")) {
                seen.push(i);
            }
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..41).collect::<Vec<_>>());
    let beyond = get(&app, "/search?q=%E5%88%86%E9%A1%B5&page=4").await;
    assert_eq!(beyond.status, 400);
    beyond.assert_contains("没有这一页");
});

both_backends_async!(empty_results_tell_the_consumer_what_it_means, |db| {
    seed(&db);
    let app = app!(db, now());
    get(
        &app,
        "/search?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E5%85%AC%E5%8F%B8",
    ) // 不存在的公司
    .await
    .assert_contains("没有找到 SQE 证书")
    .assert_contains("href=\"/reports/new\"");
    // A web address no certificate covers: the report form for that site.
    get(
        &app,
        "/search?q=https%3A%2F%2Fwww.unknown-shop.example%2Fitem",
    )
    .await
    .assert_contains("/reports/new?kind=fake_mark&#38;site=unknown-shop.example");
    get(&app, "/search?q=%E4%BA%AC&lang=en")
        .await
        .assert_contains("at least two characters"); // 京
});

both_backends_async!(traditional_and_simplified_chinese_find_each_other, |db| {
    use diesel::prelude::*;
    use sqe_registry::db::schema::{certificates, name_keys, search_tokens};
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("CQM-SQE-2025-000201")
            .company(
                "長沙果甄網絡科技有限公司",
                None,
                &credit_code("91430100MA4L00201"),
            )
            .province("430000")
            .platform("果甄優選", "b2c")
            .stars(4)
            .insert(conn, &refs);
        CertificateBuilder::new("CQM-SQE-2025-000202")
            .company(
                "上海云帆网络科技有限公司",
                None,
                &credit_code("91310000MA1K00202"),
            )
            .platform("云帆优选", "b2c")
            .stars(3)
            .insert(conn, &refs);
    });
    let app = app!(db, now());
    for (q, number) in [
        (
            "%E9%95%B7%E6%B2%99%E6%9E%9C%E7%94%84",
            "CQM-SQE-2025-000201",
        ), // 長沙果甄
        (
            "%E9%95%BF%E6%B2%99%E6%9E%9C%E7%94%84",
            "CQM-SQE-2025-000201",
        ), // 长沙果甄
        ("%E5%84%AA%E9%81%B8", "CQM-SQE-2025-000202"), // 優選
        ("%E4%BC%98%E9%80%89", "CQM-SQE-2025-000201"), // 优选
    ] {
        get(&app, &format!("/search?q={q}"))
            .await
            .assert_contains(number);
    }

    // A registry indexed before the folding: the stored text and tokens of the traditional name
    // are as they were; at start-up they are re-indexed once, and found again.
    with_conn(&db, |conn| {
        let id: i32 = certificates::table
            .filter(certificates::number.eq("CQM-SQE-2025-000201"))
            .select(certificates::id)
            .first(conn)
            .expect("id");
        diesel::update(certificates::table.filter(certificates::id.eq(id)))
            .set((certificates::search_text.eq("長沙果甄網絡科技有限公司果甄優選"),))
            .execute(conn)
            .expect("old text");
        // Name keys came later than the folding (db::refold's FOLDING 3).
        diesel::delete(name_keys::table.filter(name_keys::certificate_id.eq(id)))
            .execute(conn)
            .expect("old keys");
        diesel::delete(search_tokens::table.filter(search_tokens::certificate_id.eq(id)))
            .execute(conn)
            .expect("old tokens");
        for token in ["長沙", "沙果", "果甄", "甄網", "網絡", "優選"] {
            diesel::insert_into(search_tokens::table)
                .values((
                    search_tokens::token.eq(token),
                    search_tokens::certificate_id.eq(id),
                ))
                .execute(conn)
                .expect("old token");
        }
        sqe_registry::db::write::set_meta(conn, "search_folding", "1").expect("old folding");
    });
    let simplified = "/search?q=%E9%95%BF%E6%B2%99%E6%9E%9C%E7%94%84";
    get(&app!(db, now()), simplified)
        .await
        .assert_lacks("CQM-SQE-2025-000201");
    let refolded = with_conn(&db, |conn| {
        let first = sqe_registry::db::refold::refold_if_needed(conn).expect("refold");
        let again = sqe_registry::db::refold::refold_if_needed(conn).expect("refold");
        (first, again)
    });
    assert_eq!(refolded, (1, 0), "only the changed certificate, once");
    get(&app!(db, now()), simplified)
        .await
        .assert_contains("CQM-SQE-2025-000201");
});
