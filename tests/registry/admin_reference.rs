//! Reference data through the back office: bodies and scheme versions with indicator trees
//! from CSV or JSON, checked whole, administrators only, audited; edits that certificate pages
//! show at once, and a tree replaced only while no evaluation uses it.

use crate::common;

use common::fixtures::{seed_reference, CertificateBuilder};
use common::holders::audits;
use common::staff::{account, csrf_of, Browser};
use common::{beijing, get, with_conn, Page, TestDb};
use diesel::prelude::*;
use sqe_registry::db::schema::{audit_log, certification_bodies, indicators, scheme_versions};

const TREE_CSV: &str = "code,parent_code,name_zh,name_en,max_points
1,,商品质量,Product quality,10
2,,售后服务,After-sales service,5
1.1,1,商品信息,Product information,6
1.2,1,质量抽检,Quality checks,4";

fn scheme_form<'a>(
    token: &'a str,
    slug: &'a str,
    format: &'a str,
    tree: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", token),
        ("slug", slug),
        ("standard_code", "GB/T 31524-2035"),
        ("title_zh", "电子商务平台运营与技术规范"),
        ("title_en", "E-commerce platform operation"),
        ("effective_from", "2026-12-01"),
        ("format", format),
        ("tree", tree),
    ]
}

both_backends_async!(administrators_add_bodies_and_scheme_trees, |db| {
    account(&db, "ada", "admin");
    account(&db, "eve", "evaluator");
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut ada = Browser::login(&app, "ada").await;
    let token = ada.token(&app).await;

    let body = |code: &'static str, website: &'static str| {
        vec![
            ("code", code),
            ("name_zh", "中质认证中心"),
            ("name_en", "China Quality Certification"),
            ("approval_number", "CNCA-R-2002-001"),
            ("website", website),
        ]
    };
    for (fields, status) in [
        (body("cq", ""), 422),
        (body("CQM", "javascript:alert(1)"), 422),
        (body("CQM", "https://cqm.example.cn"), 303),
        (body("CQM", ""), 409),
    ] {
        let mut form = vec![("csrf", token.as_str())];
        form.extend(fields);
        let page = ada.post(&app, "/admin/reference/bodies", &form).await;
        assert_eq!(page.status, status, "{form:?}: {}", page.body);
    }

    // A tree with a mismatch is refused with its message; nothing is written.
    let bad = "code,parent_code,name_zh,name_en,max_points\n1,,甲,A,10\n1.1,1,乙,B,6\n";
    let page = ada
        .post(
            &app,
            "/admin/reference/schemes",
            &scheme_form(&token, "v2035", "csv", bad),
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("指标“1”：其子指标分值合计 6，不等于 10")
        .assert_contains("v2035");
    let zero = "code,parent_code,name_zh,name_en,max_points\n1,,甲,A,0\n";
    let page = ada
        .post(
            &app,
            "/admin/reference/schemes",
            &scheme_form(&token, "v2035", "csv", zero),
        )
        .await;
    page.assert_contains("第 2 行：分值须为大于 0 的数字");
    let page = ada
        .post(
            &app,
            "/admin/reference/schemes",
            &scheme_form(&token, "v2035", "csv", TREE_CSV),
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let json = r#"[{"code":"A","name_zh":"甲","name_en":"A","max_points":3}]"#;
    let page = ada
        .post(
            &app,
            "/admin/reference/schemes",
            &scheme_form(&token, "v2035", "json", json),
        )
        .await;
    assert_eq!(page.status, 409);
    let page = ada
        .post(
            &app,
            "/admin/reference/schemes",
            &scheme_form(&token, "v2036", "json", json),
        )
        .await;
    assert_eq!(page.status, 303);

    let tree: Vec<(String, Option<i32>, f64, i32)> = with_conn(&db, |conn| {
        indicators::table
            .inner_join(scheme_versions::table)
            .filter(scheme_versions::slug.eq("v2035"))
            .order_by(indicators::position.asc())
            .select((
                indicators::code,
                indicators::parent_id,
                indicators::max_points,
                indicators::position,
            ))
            .load(conn)
            .expect("tree")
    });
    let codes: Vec<&str> = tree.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(codes, ["1", "1.1", "1.2", "2"]);
    assert!(tree[0].1.is_none() && tree[1].1.is_some() && tree[3].1.is_none());
    let page = ada.get(&app, "/admin/reference").await;
    page.assert_contains("CQM")
        .assert_contains("v2035")
        .assert_contains("v2036");

    // Evaluators read but cannot add.
    let mut eve = Browser::login(&app, "eve").await;
    let eve_token = eve.token(&app).await;
    assert_eq!(eve.get(&app, "/admin/reference").await.status, 200);
    let page = eve
        .post(
            &app,
            "/admin/reference/schemes",
            &scheme_form(&eve_token, "v2037", "csv", TREE_CSV),
        )
        .await;
    assert_eq!(page.status, 403);
    let (bodies, schemes, audits): (i64, i64, i64) = with_conn(&db, |conn| {
        (
            certification_bodies::table
                .count()
                .get_result(conn)
                .expect("bodies"),
            scheme_versions::table
                .count()
                .get_result(conn)
                .expect("schemes"),
            audit_log::table
                .filter(audit_log::action.eq_any(["body.create", "scheme.create"]))
                .count()
                .get_result(conn)
                .expect("audit"),
        )
    });
    assert_eq!((bodies, schemes, audits), (1, 2, 3));
});

/// The hidden `version` of the form posting to `action`.
fn version_for(page: &Page, action: &str) -> String {
    let form = page
        .body
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form for {action}"));
    let marker = "name=\"version\" value=\"";
    let start = form + page.body[form..].find(marker).expect("version field") + marker.len();
    page.body[start..]
        .split('"')
        .next()
        .expect("value")
        .to_owned()
}

/// The reference rows of the fixtures, a certificate of the 2015 scheme (evaluated when
/// `evaluated`), and an administrator and an evaluator.
fn seed_certificate(db: &TestDb, evaluated: bool) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        let cert = CertificateBuilder::new("C-1");
        let cert = if evaluated {
            cert.indicator_scores([Some(8.0), Some(9.0), None])
        } else {
            cert
        };
        cert.insert(conn, &refs);
    });
    account(db, "ada", "admin");
    account(db, "eve", "evaluator");
}

fn stored_body(db: &TestDb) -> (String, String, Option<String>) {
    with_conn(db, |conn| {
        certification_bodies::table
            .filter(certification_bodies::code.eq("CQM"))
            .select((
                certification_bodies::name_zh,
                certification_bodies::approval_number,
                certification_bodies::website,
            ))
            .first(conn)
            .expect("body")
    })
}

fn body_form<'a>(
    token: &'a str,
    version: &'a str,
    name_zh: &'a str,
    website: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", token),
        ("version", version),
        ("name_zh", name_zh),
        ("name_en", "China Fangyuan Certification"),
        ("approval_number", "CNCA-R-2002-099"),
        ("website", website),
    ]
}

both_backends_async!(an_edited_body_shows_on_its_certificates_at_once, |db| {
    seed_certificate(&db, false);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    // Cache the public page first: the edit must drop it at once.
    get(&app, "/certificates/C-1")
        .await
        .assert_contains("中国方圆认证集团")
        .assert_contains("CNCA-R-2002-002");
    let mut ada = Browser::login(&app, "ada").await;
    let page = ada.get(&app, "/admin/reference").await;
    page.assert_contains("action=\"/admin/reference/bodies/CQM\"");
    let (token, version) = (
        csrf_of(&page),
        version_for(&page, "/admin/reference/bodies/CQM"),
    );
    let url = "/admin/reference/bodies/CQM";

    // Refused input: shown again as typed, in the open form, and nothing written.
    let refused = ada
        .post(
            &app,
            url,
            &body_form(&token, &version, "方圆新名", "ftp://x.example"),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    refused
        .assert_contains("网站须为 http 或 https 地址。")
        .assert_contains("value=\"方圆新名\"")
        .assert_contains("<details open>");
    let refused = ada
        .post(&app, url, &body_form(&token, &version, "", ""))
        .await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("请填写所有必填项。");
    assert_eq!(stored_body(&db).0, "中国方圆认证集团");
    assert!(audits(&db, "body.update").is_empty());
    let unknown = ada
        .post(
            &app,
            "/admin/reference/bodies/NOPE",
            &body_form(&token, &version, "方圆新名", ""),
        )
        .await;
    assert_eq!(unknown.status, 404);

    let saved = ada
        .post(
            &app,
            url,
            &body_form(
                &token,
                &version,
                "方圆认证集团有限公司",
                "https://cqm.example.cn",
            ),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        stored_body(&db),
        (
            "方圆认证集团有限公司".to_owned(),
            "CNCA-R-2002-099".to_owned(),
            Some("https://cqm.example.cn".to_owned())
        )
    );
    get(&app, "/certificates/C-1")
        .await
        .assert_contains("方圆认证集团有限公司")
        .assert_contains("CNCA-R-2002-099")
        .assert_lacks("中国方圆认证集团");
    let logged = audits(&db, "body.update");
    assert_eq!(logged.len(), 1);
    let (entity, before, after) = &logged[0];
    assert_eq!(entity, "CQM");
    assert!(before.contains("中国方圆认证集团") && before.contains("CNCA-R-2002-002"));
    assert!(after.contains("方圆认证集团有限公司") && after.contains("CNCA-R-2002-099"));

    // The form's version is spent: a second save from the same page is refused.
    let stale = ada
        .post(&app, url, &body_form(&token, &version, "又一个名字", ""))
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(stored_body(&db).0, "方圆认证集团有限公司");

    // Evaluators read but cannot edit.
    let mut eve = Browser::login(&app, "eve").await;
    let page = eve.get(&app, "/admin/reference").await;
    page.assert_lacks("action=\"/admin/reference/bodies/CQM\"");
    let eve_token = csrf_of(&page);
    let refused = eve
        .post(
            &app,
            url,
            &body_form(&eve_token, &version, "评价员改名", ""),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(audits(&db, "body.update").len(), 1);
});

/// Indicator codes of a scheme version, in order, with their ids.
fn tree_of(db: &TestDb, slug: &str) -> Vec<(i32, String)> {
    with_conn(db, |conn| {
        indicators::table
            .inner_join(scheme_versions::table)
            .filter(scheme_versions::slug.eq(slug))
            .order_by(indicators::position.asc())
            .select((indicators::id, indicators::code))
            .load(conn)
            .expect("tree")
    })
}

fn edit_form<'a>(
    token: &'a str,
    version: &'a str,
    effective_from: &'a str,
    tree: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", token),
        ("version", version),
        ("standard_code", "GB/T 31526-2025"),
        ("title_zh", "电子商务平台服务质量评价（修订）"),
        ("title_en", "Service quality evaluation (revised)"),
        ("effective_from", effective_from),
        ("format", "csv"),
        ("tree", tree),
    ]
}

both_backends_async!(
    a_scheme_tree_is_replaced_only_while_no_evaluation_uses_it,
    |db| {
        seed_certificate(&db, true);
        let app = app!(db, beijing(2026, 11, 28, 12, 0));
        let mut ada = Browser::login(&app, "ada").await;
        let page = ada.get(&app, "/admin/reference").await;
        let token = csrf_of(&page);
        let (unused, used) = (
            "/admin/reference/schemes/31526-2025",
            "/admin/reference/schemes/31526-2015",
        );
        let unused_version = version_for(&page, unused);
        let used_version = version_for(&page, used);

        // The 2025 version has no certificate: its tree is replaced (checked whole first).
        let bad = "code,parent_code,name_zh,name_en,max_points\n1,,甲,A,10\n1.1,1,乙,B,6\n";
        let refused = ada
            .post(
                &app,
                unused,
                &edit_form(&token, &unused_version, "2025-12-01", bad),
            )
            .await;
        assert_eq!(refused.status, 422);
        refused.assert_contains("其子指标分值合计 6，不等于 10");
        assert!(tree_of(&db, "31526-2025").is_empty());
        let saved = ada
            .post(
                &app,
                unused,
                &edit_form(&token, &unused_version, "2025-12-01", TREE_CSV),
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let codes: Vec<String> = tree_of(&db, "31526-2025")
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(codes, ["1", "1.1", "1.2", "2"]);
        let logged = audits(&db, "scheme.update");
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].0, "31526-2025");
        assert!(logged[0].1.contains("\"indicators\":0"), "{}", logged[0].1);
        assert!(logged[0].2.contains("\"indicators\":4"), "{}", logged[0].2);
        assert!(logged[0].2.contains("（修订）"));

        // The 2015 version has an evaluation: its tree stays, whatever the form says.
        let before = tree_of(&db, "31526-2015");
        let refused = ada
            .post(
                &app,
                used,
                &edit_form(&token, &used_version, "2016-01-01", TREE_CSV),
            )
            .await;
        assert_eq!(refused.status, 409, "{}", refused.body);
        refused
            .assert_contains("该方案版本已有评价")
            .assert_contains("<details open>");
        assert_eq!(tree_of(&db, "31526-2015"), before);
        // Nor may it come into force after the evaluation (2025-01-10).
        let refused = ada
            .post(
                &app,
                used,
                &edit_form(&token, &used_version, "2025-06-01", ""),
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        refused.assert_contains("2025-01-10");
        let bad_date = ada
            .post(
                &app,
                used,
                &edit_form(&token, &used_version, "2025-13-01", ""),
            )
            .await;
        assert_eq!(bad_date.status, 422);
        assert_eq!(audits(&db, "scheme.update").len(), 1);
        // Its titles and date may still be corrected; the form no longer offers a tree.
        let saved = ada
            .post(
                &app,
                used,
                &edit_form(&token, &used_version, "2015-06-01", ""),
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(tree_of(&db, "31526-2015"), before);
        assert_eq!(audits(&db, "scheme.update").len(), 2);
        let page = ada.get(&app, "/admin/reference").await;
        page.assert_contains("已有评价使用该版本")
            .assert_contains("2015-06-01");
        let unknown = ada
            .post(
                &app,
                "/admin/reference/schemes/nope",
                &edit_form(&token, &used_version, "2015-06-01", ""),
            )
            .await;
        assert_eq!(unknown.status, 404);

        let mut eve = Browser::login(&app, "eve").await;
        let eve_token = eve.token(&app).await;
        let refused = eve
            .post(&app, unused, &edit_form(&eve_token, "x", "2025-12-01", ""))
            .await;
        assert_eq!(refused.status, 403);
    }
);
