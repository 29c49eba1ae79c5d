//! Correcting companies in the back office: the public pages and the search follow at once
//! (re-indexed), bad input and taken credit codes are refused with nothing changed, a stale form
//! is refused, viewers only read, and every correction is audited.

use crate::common;

use common::holders::{
    audits, code, in_force, search, search_href, seed, stored_company, stored_provinces,
    version_of, OLD_NAME,
};
use common::staff::{csrf_of, Browser};
use common::{beijing, get, with_conn};
use diesel::prelude::*;
use sqe_registry::db::models::NewCertificateEvent;
use sqe_registry::db::schema::certificates;
use sqe_registry::db::write;

const NEW_NAME: &str = "临沂青禾电子商务有限公司";

fn company_form<'a>(
    token: &'a str,
    version: &'a str,
    code: &'a str,
    name_zh: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", token),
        ("version", version),
        ("credit_code", code),
        ("company_name_zh", name_zh),
        ("company_name_en", "Linyi Qinghe E-commerce Co., Ltd."),
        ("province_code", "370000"),
        ("city", "临沂市"),
        ("address", "新华路 2 号"),
    ]
}

/// Form fields to change: (name, value).
type Fields = Vec<(&'static str, String)>;

both_backends_async!(a_renamed_company_is_found_by_its_new_name_only, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let c1 = code(1);
    // Cache the public pages first: the correction must drop them at once.
    search(&app, OLD_NAME)
        .await
        .assert_contains(&search_href("C-1"));
    get(&app, "/certificates/C-1")
        .await
        .assert_contains(OLD_NAME);
    get(&app, &format!("/companies/{c1}"))
        .await
        .assert_contains(OLD_NAME);

    // A public event, counted in the province of its certificate's company.
    with_conn(&db, |conn| {
        let id = certificates::table
            .filter(certificates::number.eq("C-1"))
            .select(certificates::id)
            .first(conn)
            .expect("C-1");
        write::insert_event(
            conn,
            &NewCertificateEvent {
                certificate_id: id,
                kind: sqe_registry::domain::event::EventKind::Upgraded,
                occurred_on: beijing(2026, 11, 1, 9, 0).date_naive(),
                grade_before: Some(3),
                grade_after: Some(4),
                reason_zh: None,
                reason_en: None,
                created_at: write::now_utc(),
            },
        )
        .expect("event")
    });
    assert_eq!(
        stored_provinces(&db, "C-1"),
        ("440000".into(), vec!["440000".into()])
    );

    let mut eve = Browser::login(&app, "eve").await;
    let form = eve.get(&app, &format!("/admin/companies/{c1}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    form.assert_contains("href=\"/admin/certificates/C-1\"")
        .assert_contains("value=\"370000\"");
    let (token, version) = (csrf_of(&form), version_of(&form));
    let saved = eve
        .post(
            &app,
            &format!("/admin/companies/{c1}"),
            &company_form(&token, &version, &c1, NEW_NAME),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.header("location"),
        Some(format!("/admin/companies/{c1}"))
    );

    // The search finds the certificate by the new names, not by the old one.
    for q in [NEW_NAME, "青禾电子", "Qinghe"] {
        search(&app, q).await.assert_contains(&search_href("C-1"));
    }
    for q in [OLD_NAME, "杭州云禾"] {
        search(&app, q).await.assert_lacks(&search_href("C-1"));
    }
    get(&app, "/certificates/C-1")
        .await
        .assert_contains(NEW_NAME)
        .assert_lacks(OLD_NAME);
    get(&app, &format!("/companies/{c1}"))
        .await
        .assert_contains(NEW_NAME)
        .assert_contains("临沂市")
        .assert_lacks(OLD_NAME);
    let sort_name: String = with_conn(&db, |conn| {
        certificates::table
            .filter(certificates::number.eq("C-1"))
            .select(certificates::sort_name)
            .first(conn)
            .expect("sort name")
    });
    assert_eq!(sort_name, NEW_NAME);
    // The certificate and its events are counted in the company's new province at once.
    let (province, events) = stored_provinces(&db, "C-1");
    assert_eq!(province, "370000");
    assert_eq!(events, ["370000"]);
    assert_eq!(in_force(&app, "provinces", "370000").await, 1);
    let entries = audits(&db, "company.update");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, c1);
    assert!(entries[0].1.contains(OLD_NAME) && entries[0].2.contains(NEW_NAME));
    eve.get(&app, &format!("/admin/companies/{c1}"))
        .await
        .assert_contains("company.update");

    // The same values again: accepted, nothing written.
    let form = eve.get(&app, &format!("/admin/companies/{c1}")).await;
    let again = eve
        .post(
            &app,
            &format!("/admin/companies/{c1}"),
            &company_form(&token, &version_of(&form), &c1, NEW_NAME),
        )
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(audits(&db, "company.update").len(), 1);

    // A form opened before that change is stale: refused, in the back office's layout.
    let stale = eve
        .post(
            &app,
            &format!("/admin/companies/{c1}"),
            &company_form(&token, &version, &c1, "另一个名称有限公司"),
        )
        .await;
    assert_eq!(stale.status, 409);
    stale
        .assert_contains("其他人修改了这条记录")
        .assert_contains("href=\"/admin/audit\"");
    assert_eq!(stored_company(&db, &c1).expect("company").0, NEW_NAME);
});
both_backends_async!(bad_company_input_is_refused_and_nothing_changes, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let c1 = code(1);
    let uri = format!("/admin/companies/{c1}");
    let mut eve = Browser::login(&app, "eve").await;
    let form = eve.get(&app, &uri).await;
    let (token, version) = (csrf_of(&form), version_of(&form));
    let mistyped = format!("{}X", &c1[..17]);
    let wrong_check = if c1.ends_with('X') {
        format!("{}Y", &c1[..17])
    } else {
        mistyped
    };
    let post = |fields: Fields| {
        let mut form: Vec<(String, String)> = company_form(&token, &version, &c1, NEW_NAME)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        for (k, v) in fields {
            form.retain(|(name, _)| name != k);
            form.push((k.to_owned(), v));
        }
        form
    };
    let cases: Vec<(Fields, u16, String)> = vec![
        (
            vec![("credit_code", wrong_check.clone())],
            422,
            "代码有误".to_owned(),
        ),
        (
            vec![("credit_code", "91330100".to_owned())],
            422,
            "此代码为 8 位".to_owned(),
        ),
        (
            vec![("company_name_zh", "  ".to_owned())],
            422,
            "必须填写“企业名称”".to_owned(),
        ),
        (
            vec![("city", "临\t沂".to_owned())],
            422,
            "“城市”含有控制字符".to_owned(),
        ),
        (
            vec![("province_code", "999999".to_owned())],
            422,
            "“999999”不是省份".to_owned(),
        ),
        (
            vec![("address", "路".repeat(301))],
            422,
            "最多 300 个字符".to_owned(),
        ),
        // Another company's code: refused, naming that company.
        (
            vec![("credit_code", code(2))],
            409,
            format!("{} 已属于另一家企业：宁波海蓝贸易有限公司", code(2)),
        ),
    ];
    for (fields, status, message) in cases {
        let form = post(fields.clone());
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let page = eve.post(&app, &uri, &pairs).await;
        assert_eq!(page.status, status, "{fields:?}: {}", page.body);
        page.assert_contains(&message)
            // The form again, with what was typed.
            .assert_contains("value=\"Linyi Qinghe E-commerce Co., Ltd.\"")
            .assert_contains("href=\"/admin/audit\"");
    }
    // English too.
    let page = eve
        .post(
            &app,
            &format!("{uri}?lang=en"),
            &[
                ("csrf", &token),
                ("version", &version),
                ("credit_code", &c1),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("“Company name (Chinese)” is required.")
        .assert_contains("“City” is required.");
    assert_eq!(
        stored_company(&db, &c1),
        Some((OLD_NAME.to_owned(), "市辖区".to_owned()))
    );
    assert!(audits(&db, "company.update").is_empty());

    // Unknown or malformed codes are not pages.
    for missing in [code(9), "not-a-code".to_owned(), wrong_check] {
        let path = format!("/admin/companies/{missing}");
        assert_eq!(eve.get(&app, &path).await.status, 404, "{path}");
        let page = eve
            .post(&app, &path, &company_form(&token, &version, &c1, NEW_NAME))
            .await;
        assert_eq!(page.status, 404, "{path}");
    }

    // The code itself may be corrected (typed in lower case): the company moves to it.
    let new_code = code(7);
    let saved = eve
        .post(
            &app,
            &uri,
            &company_form(&token, &version, &new_code.to_lowercase(), OLD_NAME),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.header("location"),
        Some(format!("/admin/companies/{new_code}"))
    );
    assert!(stored_company(&db, &c1).is_none());
    assert_eq!(eve.get(&app, &uri).await.status, 404);
    search(&app, &new_code)
        .await
        .assert_contains(&search_href("C-1"));
    get(&app, &format!("/companies/{new_code}"))
        .await
        .assert_contains(OLD_NAME);
    assert_eq!(audits(&db, "company.update")[0].0, new_code);
});
both_backends_async!(viewers_read_but_do_not_correct, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let c1 = code(1);
    let uri = format!("/admin/companies/{c1}");
    let mut vic = Browser::login(&app, "vic").await;
    let page = vic.get(&app, &uri).await;
    assert_eq!(page.status, 200);
    page.assert_contains("只读")
        .assert_lacks("name=\"version\"");
    vic.get(&app, "/admin/certificates/C-1")
        .await
        .assert_contains(&format!("href=\"/admin/companies/{c1}\""))
        .assert_lacks("/platform\"");
    let token = vic.token(&app).await;
    let refused = vic
        .post(&app, &uri, &company_form(&token, "x", &c1, NEW_NAME))
        .await;
    assert_eq!(refused.status, 403);
    let refused = vic
        .post(
            &app,
            "/admin/certificates/C-1/platform",
            &[
                ("csrf", token.as_str()),
                ("platform_name", "新名称"),
                ("platform_type", "b2c"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(stored_company(&db, &c1).expect("company").0, OLD_NAME);
});
