//! Issuing a certificate on an initial evaluation through the back office: the preview, the
//! certificate as the public sees it, the stored evaluation (scored partly per sub-indicator),
//! the numbering, a company reused, and the refusals that leave the registry as it was.

use crate::common;

use common::backoffice::{event_kinds, seed};
use common::fixtures::credit_code;
use common::staff::{account, csrf_of, Browser};
use common::{beijing, get, with_conn, TestDb};
use diesel::prelude::*;
use sqe_registry::db::models::NewIndicator;
use sqe_registry::db::schema::{
    audit_log, certificates, companies, evaluation_scores, evaluations, indicators,
};
use sqe_registry::db::write;
use sqe_registry::domain::grade::{grade_for, Score};

const SCHEME: &str = "31526-2015";

/// An indicator's code, points earned (`None`: not applicable), and points it counts for.
type StoredScore = (String, Option<f64>, f64);

/// The ids of the 2015 scheme's first-level indicators 1, 2, 3, and of two sub-indicators
/// added under indicator 1 (6 and 4 points).
fn indicator_ids(db: &TestDb) -> ([i32; 3], [i32; 2]) {
    with_conn(db, |conn| {
        let firsts: Vec<(i32, i32)> = indicators::table
            .filter(indicators::parent_id.is_null())
            .filter(indicators::code.eq_any(["1", "2", "3"]))
            .select((indicators::id, indicators::scheme_version_id))
            .order_by(indicators::position.asc())
            .load(conn)
            .expect("indicators");
        let (parent, scheme) = firsts[0];
        let child = |code: &str, points: f64, position: i32| NewIndicator {
            scheme_version_id: scheme,
            parent_id: Some(parent),
            code: code.into(),
            name_zh: format!("子项 {code}"),
            name_en: format!("Item {code}"),
            max_points: points,
            position,
        };
        let a = write::insert_indicator(conn, &child("1.1", 6.0, 0)).expect("child");
        let b = write::insert_indicator(conn, &child("1.2", 4.0, 1)).expect("child");
        ([firsts[0].0, firsts[1].0, firsts[2].0], [a, b])
    })
}

fn count(db: &TestDb, table: &str) -> i64 {
    with_conn(db, |conn| match table {
        "certificates" => certificates::table.count().get_result(conn),
        "companies" => companies::table.count().get_result(conn),
        "evaluations" => evaluations::table.count().get_result(conn),
        _ => audit_log::table.count().get_result(conn),
    })
    .expect("count")
}

/// The form of a new company's platform scored 1.1 = 5, 1.2 n/a, 2 = 9, 3 = 8:
/// (5 + 9 + 8) / (6 + 10 + 10) × 100 = 84.62.
fn form(token: &str, ids: ([i32; 3], [i32; 2]), intent: &str) -> Vec<(String, String)> {
    let ([_, two, three], [one_one, one_two]) = ids;
    [
        ("csrf", token.to_owned()),
        ("scheme_slug", SCHEME.to_owned()),
        ("credit_code", credit_code("91440300MA5F0NEW1")),
        ("company_name_zh", "深圳新禾电子商务有限公司".to_owned()),
        (
            "company_name_en",
            "Shenzhen Xinhe E-commerce Co., Ltd.".to_owned(),
        ),
        ("province_code", "440000".to_owned()),
        ("city", "深圳".to_owned()),
        ("address", "南山区科技园 1 号".to_owned()),
        ("platform_name", "新禾优选".to_owned()),
        ("platform_type", "b2c".to_owned()),
        (
            "domains",
            "https://www.xinhe-shop.cn/index.html\nm.xinhe-shop.cn".to_owned(),
        ),
        ("app_names", "新禾优选".to_owned()),
        ("body_code", "CQM".to_owned()),
        ("scope_zh", String::new()),
        ("scope_en", String::new()),
        ("assessed_on", "2026-11-20".to_owned()),
        (&format!("s{one_one}"), "5".to_owned()),
        (&format!("na{one_two}"), "1".to_owned()),
        (&format!("s{two}"), "9".to_owned()),
        (&format!("s{three}"), "8".to_owned()),
        ("deduction", "0".to_owned()),
        ("intent", intent.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn set(form: &mut Vec<(String, String)>, name: &str, value: &str) {
    form.retain(|(k, _)| k != name);
    form.push((name.to_owned(), value.to_owned()));
}

async fn post<S: common::AppService<B>, B: actix_web::body::MessageBody>(
    browser: &mut Browser,
    app: &S,
    form: &[(String, String)],
) -> common::Page {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post(app, "/admin/issue", &pairs).await
}

both_backends_async!(an_initial_evaluation_issues_a_public_certificate, |db| {
    seed(&db);
    let ids = indicator_ids(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut eve = Browser::login(&app, "eve").await;
    let page = eve
        .get(&app, &format!("/admin/issue?scheme={SCHEME}"))
        .await;
    assert_eq!(page.status, 200);
    page.assert_contains("1.1 子项 1.1")
        .assert_contains("name=\"scheme_slug\"");
    let token = csrf_of(&page);
    let before = count(&db, "certificates");

    let preview = post(&mut eve, &app, &form(&token, ids, "preview")).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let stars = grade_for(Score::new(84.62).expect("score"))
        .expect("passes")
        .stars();
    preview
        .assert_contains("84.62")
        .assert_contains(&"★".repeat(usize::from(stars)))
        .assert_contains("2026-11-28 – 2029-11-27")
        // Six months after the evaluation.
        .assert_contains("2027-05-20");
    assert_eq!(
        count(&db, "certificates"),
        before,
        "a preview saves nothing"
    );

    let saved = post(&mut eve, &app, &form(&token, ids, "save")).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let location = saved.header("location").expect("redirect");
    let number = location
        .trim_start_matches("/admin/certificates/")
        .to_owned();
    let serial = number.strip_prefix("CQM-SQE-2026-").expect("pattern");
    assert!(
        serial.len() == 6 && serial.bytes().all(|b| b.is_ascii_digit()),
        "{number}"
    );

    // The public sees it at once, found by its number, its name and its domain.
    get(&app, &format!("/certificates/{number}"))
        .await
        .assert_contains("status-valid")
        .assert_contains("深圳新禾电子商务有限公司")
        .assert_contains("xinhe-shop.cn")
        .assert_contains("2029-11-27")
        .assert_contains("84.62");
    get(&app, &format!("/badge/{number}.svg"))
        .await
        .assert_contains("有效");
    for q in ["新禾电子", "m.xinhe-shop.cn", "https://xinhe-shop.cn/"] {
        let uri = format!(
            "/search?{}",
            serde_urlencoded::to_string([("q", q)]).expect("query")
        );
        let found = get(&app, &uri).await;
        assert!(
            found.body.contains(&number) || found.status == 303,
            "{q} does not find {number}"
        );
    }
    assert_eq!(event_kinds(&db, &number), ["issued"]);

    // The evaluation keeps the sub-indicators and the derived first-level result.
    let (kind, total, scores): (String, f64, Vec<StoredScore>) = with_conn(&db, |conn| {
        let (id, kind, total) = evaluations::table
            .inner_join(certificates::table)
            .filter(certificates::number.eq(&number))
            .select((evaluations::id, evaluations::kind, evaluations::total_score))
            .first::<(i32, String, f64)>(conn)
            .expect("evaluation");
        let scores = evaluation_scores::table
            .inner_join(indicators::table)
            .filter(evaluation_scores::evaluation_id.eq(id))
            .order_by(indicators::code.asc())
            .select((
                indicators::code,
                evaluation_scores::earned,
                evaluation_scores::max_points,
            ))
            .load(conn)
            .expect("scores");
        (kind, total, scores)
    });
    assert_eq!((kind.as_str(), total), ("initial", 84.62));
    assert_eq!(
        scores,
        [
            ("1".to_owned(), Some(5.0), 6.0),
            ("1.1".to_owned(), Some(5.0), 6.0),
            ("1.2".to_owned(), None, 4.0),
            ("2".to_owned(), Some(9.0), 10.0),
            ("3".to_owned(), Some(8.0), 10.0),
        ]
    );
    let actions: Vec<String> = with_conn(&db, |conn| {
        audit_log::table
            .filter(audit_log::actor.eq("eve"))
            .order_by(audit_log::id.asc())
            .select(audit_log::action)
            .load(conn)
            .expect("audit")
    });
    assert_eq!(
        actions[actions.len() - 3..],
        ["company.create", "certificate.create", "evaluation.initial"]
    );

    // A second certificate of the same company: the stored company is reused as it is (its
    // fields may stay empty), and the next serial is taken.
    let mut again = form(&token, ids, "save");
    for field in ["company_name_zh", "company_name_en", "city", "address"] {
        set(&mut again, field, "");
    }
    set(&mut again, "domains", "xinhe-global.com");
    set(&mut again, "platform_name", "新禾全球购");
    let companies_before = count(&db, "companies");
    let second = post(&mut eve, &app, &again).await;
    assert_eq!(second.status, 303, "{}", second.body);
    let next = second.header("location").expect("redirect");
    let next_serial: u64 = next
        .rsplit('-')
        .next()
        .expect("serial")
        .parse()
        .expect("digits");
    assert_eq!(next_serial, serial.parse::<u64>().expect("digits") + 1);
    assert_eq!(count(&db, "companies"), companies_before);
});

both_backends_async!(refused_drafts_leave_the_registry_unchanged, |db| {
    seed(&db);
    let ids = indicator_ids(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut eve = Browser::login(&app, "eve").await;
    let token = csrf_of(&eve.get(&app, "/admin/issue").await);
    let before = (
        count(&db, "certificates"),
        count(&db, "companies"),
        count(&db, "evaluations"),
        count(&db, "audit"),
    );
    let ([_, two, three], [one_one, _]) = ids;
    let cases = [
        // A total under 70 earns no certificate; the preview says so with a 200.
        ("", "", "低于 70 分"),
        ("domains", "yunhe.com", "L-1"),
        ("credit_code", "91440300MA5F0NEW2", "统一社会信用代码"),
        ("platform_name", "", "平台名称"),
        ("assessed_on", "2026-11-29", "180"),
        ("assessed_on", "2026-05-01", "180"),
        ("body_code", "", "认证机构"),
        ("province_code", "", "省份"),
        ("domains", "not a domain!", "域名"),
        ("deduction", "-1", "特别扣分"),
    ];
    for (i, (field, value, expected)) in cases.into_iter().enumerate() {
        let mut f = form(&token, ids, "save");
        if i == 0 {
            // 1.1 = 1, 2 = 5, 3 = 5 of 26: 42.31.
            set(&mut f, &format!("s{one_one}"), "1");
            set(&mut f, &format!("s{two}"), "5");
            set(&mut f, &format!("s{three}"), "5");
            let mut preview = f.clone();
            set(&mut preview, "intent", "preview");
            let shown = post(&mut eve, &app, &preview).await;
            assert_eq!(shown.status, 200);
            shown.assert_contains("42.31").assert_contains("不予发证");
        } else {
            set(&mut f, field, value);
        }
        let refused = post(&mut eve, &app, &f).await;
        assert_eq!(refused.status, 422, "case {i}: {}", refused.body);
        refused.assert_contains(expected);
    }
    // Both a first-level score and its sub-indicators; a sub-indicator left blank.
    let ([one, ..], [_, one_two]) = ids;
    let mut both = form(&token, ids, "save");
    set(&mut both, &format!("s{one}"), "8");
    post(&mut eve, &app, &both)
        .await
        .assert_contains("不能同时填写");
    let mut blank = form(&token, ids, "save");
    blank.retain(|(k, _)| *k != format!("na{one_two}"));
    post(&mut eve, &app, &blank).await.assert_contains("1.2");
    assert_eq!(
        before,
        (
            count(&db, "certificates"),
            count(&db, "companies"),
            count(&db, "evaluations"),
            count(&db, "audit"),
        )
    );
    // A viewer may look at certificates but not issue them.
    account(&db, "vic", "viewer");
    let mut vic = Browser::login(&app, "vic").await;
    assert_eq!(vic.get(&app, "/admin/issue").await.status, 403);
});

both_backends_async!(the_number_pattern_is_configurable, |db| {
    seed(&db);
    let ids = indicator_ids(&db);
    let state = common::state_with(&db, beijing(2027, 1, 5, 9, 0), |config| {
        config.number_pattern = "SQE{year}-{serial:04}".to_owned();
    });
    let app = common::TestApp::on_state(state).await;
    // Someone already holds the first number of the year (imported under the same pattern).
    with_conn(&db, |conn| {
        diesel::update(certificates::table.filter(certificates::number.eq("L-3")))
            .set(certificates::number.eq("SQE2027-0001"))
            .execute(conn)
            .expect("renumber")
    });
    let mut eve = Browser::login(&app, "eve").await;
    let token = csrf_of(&eve.get(&app, "/admin/issue").await);
    let mut f = form(&token, ids, "save");
    set(&mut f, "assessed_on", "2027-01-04");
    let saved = post(&mut eve, &app, &f).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.header("location").as_deref(),
        Some("/admin/certificates/SQE2027-0002")
    );
});

both_backends!(instances_issuing_at_once_get_different_numbers, |db| {
    seed(&db);
    let ([one, two, three], _) = indicator_ids(&db);
    let pool = db.pool();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                use sqe_registry::app::issuing::{issue, Draft};
                use sqe_registry::app::{Actor, ActorKind};
                use sqe_registry::domain::record::{Column, RawRecord};
                use sqe_registry::domain::score_sheet::Entry;
                let raw = RawRecord::default()
                    .with(
                        Column::CreditCode,
                        credit_code(&format!("91440300MA5F0000{i}")),
                    )
                    .with(Column::CompanyNameZh, format!("并发测试公司 {i}"))
                    .with(Column::ProvinceCode, "440000")
                    .with(Column::City, "深圳")
                    .with(Column::PlatformName, format!("并发商城 {i}"))
                    .with(Column::PlatformType, "b2c")
                    .with(Column::Domains, format!("shop-{i}.example.cn"))
                    .with(Column::BodyCode, "CQM")
                    .with(Column::SchemeSlug, SCHEME);
                let draft = Draft {
                    raw,
                    assessed_on: common::date(2026, 11, 20),
                    entries: [one, two, three]
                        .into_iter()
                        .map(|id| (id, Entry::Earned(9.0)))
                        .collect(),
                    deduction: 0.0,
                };
                let actor = Actor {
                    kind: ActorKind::Staff {
                        account_id: 1,
                        username: "eve".to_owned(),
                    },
                    today: common::date(2026, 11, 28),
                    now: chrono::Utc::now().naive_utc(),
                    validity_years: 3,
                    log_signer: Some(std::sync::Arc::new(
                        sqe_registry::config::log_key::demo_signer(),
                    )),
                };
                let mut conn = pool.get().expect("connection");
                issue(
                    &mut conn,
                    &actor,
                    &draft,
                    sqe_registry::domain::numbering::DEFAULT_PATTERN,
                )
                .map(|(number, _)| number)
                .expect("issued")
            })
        })
        .collect();
    let mut numbers: Vec<String> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 4, "{numbers:?}");
});

both_backends_async!(
    the_life_of_an_issued_certificate_shows_on_the_public_page_and_badge,
    |db| {
        seed(&db);
        let ids = indicator_ids(&db);
        let app = app!(db, beijing(2026, 11, 28, 12, 0));
        let mut eve = Browser::login(&app, "eve").await;
        let token = csrf_of(&eve.get(&app, "/admin/issue").await);
        // Issued at 84.62.
        let issued = post(&mut eve, &app, &form(&token, ids, "save")).await;
        assert_eq!(issued.status, 303, "{}", issued.body);
        let admin_page = issued.header("location").expect("redirect");
        let number = admin_page
            .trim_start_matches("/admin/certificates/")
            .to_owned();
        let public = format!("/certificates/{number}");
        let badge = format!("/badge/{number}.svg");
        let issued_stars = grade_for(Score::new(84.62).expect("score")).expect("grade");
        get(&app, &public).await.assert_contains("status-valid");
        get(&app, &badge).await.assert_contains("有效");

        // A surveillance evaluation scored per first-level indicator: 8 + 7 + 7 of 30 = 73.33.
        let ([one, two, three], _) = ids;
        let surveillance = |date: &str, scores: [&str; 3]| {
            let mut f = vec![
                ("csrf".to_owned(), token.clone()),
                ("kind".to_owned(), "surveillance".to_owned()),
                ("assessed_on".to_owned(), date.to_owned()),
                ("intent".to_owned(), "save".to_owned()),
            ];
            for (id, s) in [one, two, three].into_iter().zip(scores) {
                f.push((format!("s{id}"), s.to_owned()));
            }
            f
        };
        let evaluate = format!("/admin/certificates/{number}/evaluate");
        let send = |f: Vec<(String, String)>| {
            let mut eve = eve.clone();
            let app = &app;
            let uri = evaluate.clone();
            async move {
                let pairs: Vec<(&str, &str)> =
                    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                eve.post(app, &uri, &pairs).await
            }
        };
        let down = send(surveillance("2026-11-27", ["8", "7", "7"])).await;
        assert_eq!(down.status, 303, "{}", down.body);
        let lower = grade_for(Score::new(73.33).expect("score")).expect("grade");
        assert!(lower < issued_stars);
        get(&app, &public)
            .await
            .assert_contains("status-valid")
            .assert_contains("73.33");
        // The badge draws one filled star per grade step.
        let drawn = get(&app, &badge).await;
        let filled = drawn
            .body
            .matches("fill=\"#f2a900\" stroke=\"#8a5700\"")
            .count();
        assert_eq!(filled, usize::from(lower.stars()));

        // Under 70: suspended, with the public reason; then restored by the body.
        let fail = send(surveillance("2026-11-28", ["5", "5", "5"])).await;
        assert_eq!(fail.status, 303, "{}", fail.body);
        get(&app, &public).await.assert_contains("status-suspended");
        get(&app, &badge).await.assert_contains("暂停");
        let restored = eve
            .post(&app, &format!("{admin_page}/restore"), &[("csrf", &token)])
            .await;
        assert_eq!(restored.status, 303, "{}", restored.body);
        get(&app, &public).await.assert_contains("status-valid");
        get(&app, &badge).await.assert_contains("有效");
        assert_eq!(
            event_kinds(&db, &number),
            ["issued", "downgraded", "suspended", "restored"]
        );
    }
);
