//! Reference data through the back office: bodies and scheme versions with indicator trees
//! from CSV or JSON, checked whole, administrators only, audited.

mod common;

use common::staff::{account, Browser};
use common::{beijing, with_conn};
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
