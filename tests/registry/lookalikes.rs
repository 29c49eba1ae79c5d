//! Look-alike sites (issue 13 §3) through the real app on both backends: a table of hosts that
//! must warn (with the certified site they resemble and how) and of hosts that must not (the
//! certified ones themselves, unrelated names, short names). The table decides the thresholds
//! of `domain::lookalike`.

use crate::common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use crate::common::{beijing, get, with_conn, TestDb};

fn now() -> chrono::DateTime<chrono::Utc> {
    beijing(2026, 12, 7, 10, 0)
}

/// Certified platforms and their bound domains.
const CERTIFIED: [(&str, &[&str]); 14] = [
    ("果甄优选", &["guozhen.com", "m.guozhen.com"]),
    ("京东", &["jd.com"]),
    ("京东物流", &["jdl.com"]),
    ("淘宝", &["taobao.com"]),
    ("天猫", &["tmall.com"]),
    ("拼多多", &["pinduoduo.com"]),
    ("苏宁易购", &["suning.com"]),
    ("当当", &["dangdang.com"]),
    ("美团", &["meituan.com"]),
    ("唯品会", &["vip.com"]),
    ("小红书", &["xiaohongshu.com"]),
    ("禾云", &["禾云.中国"]),
    ("携程", &["ctrip.com"]),
    ("考拉海购", &["kaola.com"]),
];

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        for (i, (platform, domains)) in CERTIFIED.iter().enumerate() {
            let n = 500 + i;
            CertificateBuilder::new(&format!("CQM-SQE-2025-{n:06}"))
                .company(
                    &format!("{platform}测试有限公司"),
                    None,
                    &credit_code(&format!("91440300MA5F{n:05}")),
                )
                .platform(platform, "b2c")
                .domains(domains)
                .insert(conn, &refs);
        }
    });
}

/// Hosts without a certificate that resemble a certified site: (host, site, how).
const LOOK_ALIKES: [(&str, &str, &str); 37] = [
    ("guozhen.co", "guozhen.com", "other-suffix"),
    ("guozhen.com.cn", "guozhen.com", "other-suffix"),
    ("www.guozhen.com.cn", "guozhen.com", "other-suffix"),
    ("guozhen.net", "guozhen.com", "other-suffix"),
    ("guozhen-com.shop", "guozhen.com", "embedded"),
    ("guozhen.com.example.cn", "guozhen.com", "embedded"),
    ("login.guozhen.com.verify.top", "guozhen.com", "embedded"),
    ("guozhem.com", "guozhen.com", "typo"),
    ("gu0zhen.com", "guozhen.com", "confusable"),
    ("gu\u{043E}zhen.com", "guozhen.com", "confusable"), // Cyrillic о
    ("guozhenn.com", "guozhen.com", "typo"),
    ("gouzhen.com", "guozhen.com", "typo"),
    ("taobao.net", "taobao.com", "other-suffix"),
    ("ta0bao.com", "taobao.com", "confusable"),
    ("taobaoo.com", "taobao.com", "typo"),
    ("tabao.com", "taobao.com", "typo"),
    ("taobao-com.top", "taobao.com", "embedded"),
    ("tmall.cn", "tmall.com", "other-suffix"),
    ("tmal1.com", "tmall.com", "confusable"),
    ("jd.com.cn", "jd.com", "other-suffix"),
    ("jd-com.shop", "jd.com", "embedded"),
    ("jd.com.account-verify.cn", "jd.com", "embedded"),
    ("pinduoduo.cn", "pinduoduo.com", "other-suffix"),
    ("pindouduo.com", "pinduoduo.com", "typo"),
    ("pinduodu0.com", "pinduoduo.com", "confusable"),
    ("suning.co", "suning.com", "other-suffix"),
    ("sunlng.com", "suning.com", "typo"),
    ("dangdang.net", "dangdang.com", "other-suffix"),
    ("dangdamg.com", "dangdang.com", "typo"),
    ("meituan.co", "meituan.com", "other-suffix"),
    ("meltuan.com", "meituan.com", "typo"),
    ("vip.com.cn", "vip.com", "other-suffix"),
    ("xiaohongshu.cn", "xiaohongshu.com", "other-suffix"),
    ("xiaohongshv.com", "xiaohongshu.com", "typo"),
    ("禾云.com", "禾云.中国", "other-suffix"),
    ("ctrip.co", "ctrip.com", "other-suffix"),
    (
        "https://www.kaola.net/item/1.html",
        "kaola.com",
        "other-suffix",
    ),
];

/// Hosts that must not warn: certified ones (any form), and unrelated or short names.
const INNOCENT: [&str; 39] = [
    "jd.com",
    "jdl.com",
    "www.jd.com",
    "m.taobao.com",
    "guozhen.com",
    "www.guozhen.com",
    "禾云.中国",
    "baidu.com",
    "qq.com",
    "weibo.com",
    "bilibili.com",
    "zhihu.com",
    "douban.com",
    "163.com",
    "sina.com.cn",
    "sohu.com",
    "google.com",
    "apple.com",
    "github.com",
    "example.com",
    "jdsports.com",
    "taobaotips.com",
    "guozhenxiaodian.com",
    "qd.com",
    "jx.com",
    "vivo.com",
    "ctrl.com",
    "alibaba.com",
    "aliexpress.com",
    "ele.me",
    "12306.cn",
    "mi.com",
    "oppo.com",
    "huawei.com",
    "lenovo.com",
    "xiaomi.com",
    "douyin.com",
    "kuaishou.com",
    "guozheng-tea.com",
];

/// The reference rows `seed` inserted.
fn refs_of(conn: &mut sqe_registry::db::DbConnection) -> crate::common::fixtures::Refs {
    use diesel::prelude::*;
    use sqe_registry::db::schema::{certification_bodies, indicators, scheme_versions};
    let id_of = |conn: &mut sqe_registry::db::DbConnection, slug: &str| -> i32 {
        scheme_versions::table
            .filter(scheme_versions::slug.eq(slug))
            .select(scheme_versions::id)
            .first(conn)
            .expect("scheme")
    };
    let scheme_2015 = id_of(conn, "31526-2015");
    let found: Vec<i32> = indicators::table
        .filter(indicators::scheme_version_id.eq(scheme_2015))
        .order_by(indicators::position)
        .select(indicators::id)
        .load(conn)
        .expect("indicators");
    crate::common::fixtures::Refs {
        body_id: certification_bodies::table
            .select(certification_bodies::id)
            .first(conn)
            .expect("body"),
        scheme_2015,
        scheme_2025: id_of(conn, "31526-2025"),
        indicators: [found[0], found[1], found[2]],
    }
}

async fn lookup<S, B>(app: &S, host: &str) -> serde_json::Value
where
    S: crate::common::AppService<B>,
    B: actix_web::body::MessageBody,
{
    let q = serde_urlencoded::to_string([("url", host)]).expect("encoded");
    let page = get(app, &format!("/api/v1/lookup?{q}")).await;
    assert_eq!(page.status, 200, "{host}: {}", page.body);
    serde_json::from_str(&page.body).expect("json")
}

both_backends_async!(the_table_of_look_alikes_and_innocent_hosts, |db| {
    seed(&db);
    let app = app!(db, now());
    let mut wrong = Vec::new();
    for (host, site, how) in LOOK_ALIKES {
        let found = lookup(&app, host).await;
        let first = &found["resembles"][0];
        if found["certified"] != false || first["site"] != site || first["resemblance"] != how {
            wrong.push(format!("{host}: expected {site} ({how}), got {found}"));
        }
        if first["certificates"].as_array().is_none_or(Vec::is_empty) {
            wrong.push(format!("{host}: no certificate named: {found}"));
        }
    }
    for host in INNOCENT {
        let found = lookup(&app, host).await;
        if found["resembles"].as_array().is_none_or(|r| !r.is_empty()) {
            wrong.push(format!("{host}: expected no look-alike, got {found}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
});

both_backends_async!(the_empty_result_warns_in_both_languages, |db| {
    seed(&db);
    let app = app!(db, now());
    let zh = get(&app, "/search?q=guozhen.com.cn").await;
    assert_eq!(zh.status, 200);
    zh.assert_contains("当心")
        .assert_contains("guozhen.com.cn")
        .assert_contains(r#"href="/certificates/CQM-SQE-2025-000500""#);
    let en = get(&app, "/search?q=https%3A%2F%2Fgu0zhen.com%2Fitem&lang=en").await;
    en.assert_contains("Careful")
        .assert_contains("looks like")
        .assert_contains(r#"href="/certificates/CQM-SQE-2025-000500""#)
        // The warning offers the report form for the look-alike site.
        .assert_contains(r#"href="/reports/new?kind=fake_mark&#38;site=gu0zhen.com""#);
    // A certified host and an unrelated one: no warning.
    get(&app, "/search?q=guozhen.com")
        .await
        .assert_lacks("当心");
    get(&app, "/search?q=baidu.com").await.assert_lacks("当心");
});

both_backends_async!(a_newly_bound_domain_is_resembled_after_the_change, |db| {
    use diesel::prelude::*;
    use sqe_registry::db::schema::registry_meta;
    seed(&db);
    let app = app!(db, now());
    // The index of keys is built on first use.
    let before = lookup(&app, "heyunn.com").await;
    assert_eq!(before["resembles"], serde_json::json!([]));
    with_conn(&db, |conn| {
        let refs = refs_of(conn);
        CertificateBuilder::new("CQM-SQE-2025-000600")
            .company("禾云新店有限公司", None, &credit_code("91440300MA5F00600"))
            .platform("禾云新店", "b2c")
            .domains(&["heyun.com"])
            .insert(conn, &refs);
        diesel::update(registry_meta::table.filter(registry_meta::key.eq("revision")))
            .set(registry_meta::value.eq("999"))
            .execute(conn)
            .expect("revision");
    });
    // Any instance reads the revision within a second; this one is told to at once.
    app.state.revision.force_check();
    let after = lookup(&app, "heyunn.com").await;
    assert_eq!(after["resembles"][0]["site"], "heyun.com", "{after}");
});
