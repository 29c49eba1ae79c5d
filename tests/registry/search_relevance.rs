//! The best-match order of a name search (issue 13 §1): exact names, then names that start
//! with the query (a company's also after its place names), then other matches, whatever the
//! grades; within each band in force first. Fixtures are built to tempt the grade order.

use crate::common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use crate::common::{beijing, get, with_conn, TestDb};

fn now() -> chrono::DateTime<chrono::Utc> {
    beijing(2026, 12, 7, 10, 0)
}

/// The numbers of `numbers` in the order they appear in `body`; panics on a missing one.
fn order_in(body: &str, numbers: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, &str)> = numbers
        .iter()
        .map(|n| {
            let at = body
                .find(n)
                .unwrap_or_else(|| panic!("{n} not listed in:\n{body}"));
            (at, *n)
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n.to_owned()).collect()
}

fn search_url(path: &str, q: &str, extra: &str) -> String {
    let q = serde_urlencoded::to_string([("q", q)]).expect("encoded");
    format!("{path}?{q}{extra}")
}

/// Six certificates whose grades say the opposite of how well they match `禾云`.
fn seed_tempting(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        // Other band: 禾云 in the middle of the name, the highest grade.
        CertificateBuilder::new("CQM-SQE-2025-000301")
            .company(
                "茂禾云仓贸易有限公司",
                None,
                &credit_code("91440300MA5F00301"),
            )
            .platform("茂禾云仓", "b2c")
            .stars(5)
            .score(98.0)
            .insert(conn, &refs);
        // Prefix band: the platform's name starts with the brand.
        CertificateBuilder::new("CQM-SQE-2025-000302")
            .company(
                "禾云直供网络科技有限公司",
                None,
                &credit_code("91440300MA5F00302"),
            )
            .platform("禾云直供", "b2c")
            .stars(3)
            .score(82.0)
            .insert(conn, &refs);
        // Prefix band, through the company's name after its place (北京).
        CertificateBuilder::new("CQM-SQE-2025-000303")
            .company(
                "北京禾云优品科技有限公司",
                None,
                &credit_code("91110000MA5F00303"),
            )
            .province("110000")
            .platform("优品汇", "b2c")
            .stars(4)
            .score(90.0)
            .insert(conn, &refs);
        // Exact band: the platform is named 禾云, the lowest grade.
        CertificateBuilder::new("CQM-SQE-2025-000304")
            .company(
                "云帆电子商务有限公司",
                None,
                &credit_code("91440300MA5F00304"),
            )
            .platform("禾云", "b2c")
            .stars(2)
            .score(72.0)
            .insert(conn, &refs);
        // Exact band, revoked with five stars: after the one in force.
        CertificateBuilder::new("CQM-SQE-2025-000305")
            .company("星悦贸易有限公司", None, &credit_code("91440300MA5F00305"))
            .platform("禾云", "cross-border")
            .stars(5)
            .score(99.0)
            .status("revoked")
            .insert(conn, &refs);
        // Prefix band, suspended with five stars: after those in force.
        CertificateBuilder::new("CQM-SQE-2025-000306")
            .company(
                "禾云优选商贸有限公司",
                None,
                &credit_code("91440300MA5F00306"),
            )
            .platform("乐购", "b2c")
            .stars(5)
            .score(97.0)
            .suspended()
            .insert(conn, &refs);
    });
}

const ALL: [&str; 6] = [
    "CQM-SQE-2025-000301",
    "CQM-SQE-2025-000302",
    "CQM-SQE-2025-000303",
    "CQM-SQE-2025-000304",
    "CQM-SQE-2025-000305",
    "CQM-SQE-2025-000306",
];

both_backends_async!(exact_names_then_prefixes_then_other_matches, |db| {
    seed_tempting(&db);
    let app = app!(db, now());
    let best = [
        "CQM-SQE-2025-000304", // exact, in force
        "CQM-SQE-2025-000305", // exact, revoked
        "CQM-SQE-2025-000303", // prefix (company after 北京), 4 stars
        "CQM-SQE-2025-000302", // prefix, 3 stars
        "CQM-SQE-2025-000306", // prefix, suspended
        "CQM-SQE-2025-000301", // elsewhere in the name, 5 stars
    ];
    // The default order of a name, on the page and in the API; and asked for by name.
    for url in [
        search_url("/search", "禾云", ""),
        search_url("/search", "禾云", "&sort=best"),
        search_url("/api/v1/certificates", "禾云", ""),
        search_url("/search", "  禾雲 ", ""), // traditional and padded: the same query
    ] {
        let page = get(&app, &url).await;
        assert_eq!(page.status, 200, "{url}");
        assert_eq!(order_in(&page.body, &ALL), best, "{url}");
    }
    // The grade order stays as it was: by grade and score alone, whatever the name or status.
    let by_grade = get(&app, &search_url("/search", "禾云", "&sort=grade")).await;
    assert_eq!(
        order_in(&by_grade.body, &ALL),
        [
            "CQM-SQE-2025-000305",
            "CQM-SQE-2025-000301",
            "CQM-SQE-2025-000306",
            "CQM-SQE-2025-000303",
            "CQM-SQE-2025-000302",
            "CQM-SQE-2025-000304",
        ]
    );
    // A company's whole name is an exact name too.
    let company = get(&app, &search_url("/search", "北京禾云优品科技有限公司", "")).await;
    company.assert_contains("CQM-SQE-2025-000303");
    // Filters narrow every band alike.
    let five = get(&app, &search_url("/search", "禾云", "&stars=5")).await;
    assert_eq!(
        order_in(
            &five.body,
            &[
                "CQM-SQE-2025-000301",
                "CQM-SQE-2025-000305",
                "CQM-SQE-2025-000306"
            ]
        ),
        [
            "CQM-SQE-2025-000305",
            "CQM-SQE-2025-000306",
            "CQM-SQE-2025-000301"
        ]
    );
    five.assert_lacks("CQM-SQE-2025-000304");
    // An identifier still answers with its exact match alone.
    let number = get(&app, &search_url("/search", "CQM-SQE-2025-000302", "")).await;
    number.assert_contains("CQM-SQE-2025-000302");
    for other in ["CQM-SQE-2025-000301", "CQM-SQE-2025-000304"] {
        number.assert_lacks(other);
    }
    // The order is offered in both languages, selected by default.
    get(&app, &search_url("/search", "禾云", ""))
        .await
        .assert_contains(r#"<option value="best" selected>最佳匹配</option>"#);
    get(&app, &search_url("/search", "禾云", "&lang=en"))
        .await
        .assert_contains(r#"<option value="best" selected>Best match</option>"#);
});

both_backends_async!(pages_of_the_best_order_never_overlap, |db| {
    // 45 prefix matches over three pages, and 5 exact ones with the lowest grade.
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        for i in 0..50u32 {
            let (platform, stars) = if i < 5 {
                ("禾云".to_owned(), 2)
            } else {
                (
                    format!("禾云{i}号店"),
                    2 + i16::try_from(i % 4).expect("small"),
                )
            };
            CertificateBuilder::new(&format!("CQM-SQE-2025-{:06}", 400 + i))
                .company(
                    &format!("测试{i}有限公司"),
                    None,
                    &credit_code(&format!("91440300MA5F{:05}", 400 + i)),
                )
                .platform(&platform, "b2c")
                .stars(stars)
                .insert(conn, &refs);
        }
    });
    let app = app!(db, now());
    let mut seen = Vec::new();
    for page in 1..=3 {
        let url = search_url("/api/v1/certificates", "禾云", &format!("&page={page}"));
        let body = get(&app, &url).await.body;
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        let items = json["items"].as_array().expect("items");
        seen.extend(
            items
                .iter()
                .map(|c| c["number"].as_str().expect("number").to_owned()),
        );
    }
    assert_eq!(seen.len(), 50);
    let distinct: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), 50, "pages overlap: {seen:?}");
    let exact: Vec<String> = (400..405).map(|n| format!("CQM-SQE-2025-{n:06}")).collect();
    let mut first5 = seen[..5].to_vec();
    first5.sort();
    assert_eq!(first5, exact, "the exact names first, whatever their grade");
});

both_backends!(
    a_registry_from_before_gets_its_name_keys_at_start_up,
    |db| {
        use diesel::prelude::*;
        use sqe_registry::db::schema::{certificates, name_keys};
        seed_tempting(&db);
        let keys_of = |db: &TestDb| {
            with_conn(db, |conn| {
                name_keys::table
                    .inner_join(certificates::table)
                    .filter(certificates::number.eq("CQM-SQE-2025-000303"))
                    .select(name_keys::name_key)
                    .order_by(name_keys::name_key)
                    .load::<String>(conn)
                    .expect("keys")
            })
        };
        let fresh = keys_of(&db);
        assert_eq!(
            fresh,
            ["优品汇", "北京禾云优品科技有限公司", "禾云优品科技有限公司"]
        );
        // As the migration leaves a registry indexed before the keys had a table.
        let refolded = with_conn(&db, |conn| {
            diesel::delete(name_keys::table)
                .execute(conn)
                .expect("old keys");
            sqe_registry::db::write::set_meta(conn, "search_folding", "2").expect("old folding");
            sqe_registry::db::refold::refold_if_needed(conn).expect("refold")
        });
        assert_eq!(refolded, 0, "no search text changed");
        assert_eq!(keys_of(&db), fresh);
        // Once: the registry now says it is current, so a second start-up writes nothing.
        with_conn(&db, |conn| {
            diesel::delete(name_keys::table)
                .execute(conn)
                .expect("keys gone");
            sqe_registry::db::refold::refold_if_needed(conn).expect("refold");
        });
        assert!(keys_of(&db).is_empty(), "refolded a second time");
    }
);

both_backends_async!(
    a_narrow_filter_still_fills_the_prefix_band_past_thousands_of_keys,
    |db| {
        use diesel::prelude::*;
        use sqe_registry::db::models::NewNameKey;
        use sqe_registry::db::schema::{certificates, name_keys};
        use sqe_registry::db::DbConnection;
        with_conn(&db, |conn| {
            let refs = seed_reference(conn);
            // In Zhejiang, a certificate with thousands of keys starting with 禾云 that sort before
            // every name below (digits before Chinese), more than one read of the band.
            CertificateBuilder::new("CQM-SQE-2025-000801")
                .company(
                    "杭州禾云网络科技有限公司",
                    None,
                    &credit_code("91330100MA5F00801"),
                )
                .province("330000")
                .platform("禾云网", "b2c")
                .stars(5)
                .insert(conn, &refs);
            // In Beijing: a name starting with 禾云 at 2 stars, and one with 禾云 inside at 5.
            CertificateBuilder::new("CQM-SQE-2025-000802")
                .company(
                    "北京禾云优选科技有限公司",
                    None,
                    &credit_code("91110000MA5F00802"),
                )
                .province("110000")
                .platform("禾云优选", "b2c")
                .stars(2)
                .insert(conn, &refs);
            CertificateBuilder::new("CQM-SQE-2025-000803")
                .company(
                    "北京茂禾云商贸有限公司",
                    None,
                    &credit_code("91110000MA5F00803"),
                )
                .province("110000")
                .platform("茂禾云", "b2c")
                .stars(5)
                .insert(conn, &refs);
            let many: i32 = certificates::table
                .filter(certificates::number.eq("CQM-SQE-2025-000801"))
                .select(certificates::id)
                .first(conn)
                .expect("id");
            let keys: Vec<NewNameKey> = (0..7_000)
                .map(|i| NewNameKey {
                    name_key: format!("禾云{i:05}"),
                    certificate_id: many,
                })
                .collect();
            for chunk in keys.chunks(2_000) {
                match conn {
                    DbConnection::Pg(c) => diesel::insert_into(name_keys::table)
                        .values(chunk)
                        .execute(c),
                    DbConnection::Sqlite(c) => diesel::insert_into(name_keys::table)
                        .values(chunk)
                        .execute(c),
                }
                .expect("keys");
            }
        });
        let app = app!(db, now());
        let beijing_only = get(
            &app,
            &search_url("/api/v1/certificates", "禾云", "&province=110000"),
        )
        .await;
        assert_eq!(beijing_only.status, 200);
        assert_eq!(
            order_in(
                &beijing_only.body,
                &["CQM-SQE-2025-000802", "CQM-SQE-2025-000803"]
            ),
            ["CQM-SQE-2025-000802", "CQM-SQE-2025-000803"],
            "the prefix match first, though 7,000 keys of another province come before it"
        );
    }
);

both_backends_async!(pinyin_finds_chinese_names_below_character_matches, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("CQM-SQE-2025-000701")
            .company(
                "北京京东世纪贸易有限公司",
                None,
                &credit_code("91110000MA5F00701"),
            )
            .province("110000")
            .platform("京东", "b2c")
            .stars(3)
            .insert(conn, &refs);
        // JD in its name: a character match, listed before any pinyin.
        CertificateBuilder::new("CQM-SQE-2025-000702")
            .company("优选商贸有限公司", None, &credit_code("91440300MA5F00702"))
            .platform("JD优选", "b2c")
            .stars(2)
            .insert(conn, &refs);
        // Initials jdyp: spelled with jd as a prefix, after the exact spelling.
        CertificateBuilder::new("CQM-SQE-2025-000703")
            .company("吉达优品有限公司", None, &credit_code("91440300MA5F00703"))
            .platform("吉达优品", "b2c")
            .stars(5)
            .insert(conn, &refs);
        // 重 reads chong here (and zhong elsewhere): both spellings find it.
        CertificateBuilder::new("CQM-SQE-2025-000704")
            .company(
                "重庆好物电子商务有限公司",
                None,
                &credit_code("91500000MA5F00704"),
            )
            .province("500000")
            .platform("好物重庆", "b2c")
            .insert(conn, &refs);
    });
    let app = app!(db, now());
    let numbers = [
        "CQM-SQE-2025-000701",
        "CQM-SQE-2025-000702",
        "CQM-SQE-2025-000703",
    ];
    let jd = get(&app, &search_url("/api/v1/certificates", "jd", "")).await;
    assert_eq!(
        order_in(&jd.body, &numbers),
        [
            "CQM-SQE-2025-000702",
            "CQM-SQE-2025-000701",
            "CQM-SQE-2025-000703"
        ]
    );
    for (q, number) in [
        ("jingdong", "CQM-SQE-2025-000701"),
        ("JingDong", "CQM-SQE-2025-000701"),
        ("jidayoupin", "CQM-SQE-2025-000703"),
        ("haowuchongqing", "CQM-SQE-2025-000704"),
        ("haowuzhongqing", "CQM-SQE-2025-000704"),
        ("hwcq", "CQM-SQE-2025-000704"),
    ] {
        get(&app, &search_url("/search", q, ""))
            .await
            .assert_contains(number);
    }
    // Nothing spells jingdong but 京东; and no pinyin for a query with other characters.
    get(&app, &search_url("/search", "jingdong", ""))
        .await
        .assert_lacks("CQM-SQE-2025-000703");
    get(&app, &search_url("/search", "jd2", ""))
        .await
        .assert_lacks("CQM-SQE-2025-000701");
});
