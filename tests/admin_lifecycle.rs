//! Lifecycle actions through the back office, as the public sees them at once: the verification
//! page, the badge, the history; refused transitions; the dashboard's lists; the audit log and
//! its CSV.

mod common;

use actix_web::web;
use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::staff::{account, Browser};
use common::{beijing, date, get, with_conn, TestDb};
use diesel::prelude::*;
use sqe_registry::db::schema::{audit_log, certificate_events, certificates};

fn cert(number: &str, code17: &str) -> CertificateBuilder {
    CertificateBuilder::new(number)
        .company("杭州云禾网络科技有限公司", None, &credit_code(code17))
        .platform("云禾商城", "b2c")
}

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        cert("L-1", "91330100MA2A00001")
            .domains(&["yunhe.com"])
            .stars(4)
            .dates(date(2025, 1, 10), date(2028, 1, 9))
            // Surveillance due 2026-07-10 after this initial evaluation: overdue on 2026-11-28.
            .last_assessment("initial", date(2026, 1, 10))
            .insert(conn, &refs);
        cert("L-2", "91330100MA2A00002")
            .domains(&["l2.example.cn"])
            // Due 2026-12-15: within 30 days.
            .last_assessment("surveillance", date(2025, 12, 15))
            .insert(conn, &refs);
        cert("L-3", "91330100MA2A00003")
            .domains(&["l3.example.cn"])
            // Due 2027-06-01: not listed.
            .last_assessment("surveillance", date(2026, 6, 1))
            .insert(conn, &refs);
    });
    account(db, "eve", "evaluator");
}

fn stored(db: &TestDb, number: &str) -> (String, Option<chrono::NaiveDate>, chrono::NaiveDate) {
    with_conn(db, |conn| {
        certificates::table
            .filter(certificates::number.eq(number))
            .select((
                certificates::status,
                certificates::suspended_until,
                certificates::expires_on,
            ))
            .first(conn)
            .expect("certificate")
    })
}

both_backends_async!(suspend_restore_revoke_as_the_public_sees_it, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    // Cache the public page and the badge first: the action must drop them at once.
    get(&app, "/certificates/L-1")
        .await
        .assert_contains("status-valid");
    get(&app, "/badge/L-1.svg").await.assert_contains("有效");

    let mut eve = Browser::login(&app, "eve").await;
    let token = eve.token(&app).await;
    let page = eve
        .post(
            &app,
            "/admin/certificates/L-1/suspend",
            &[
                ("csrf", &token),
                ("until", "2026-12-31"),
                ("reason_zh", "监督发现退换货问题"),
                ("reason_en", "Problems with returns found in surveillance"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        stored(&db, "L-1"),
        (
            "suspended".into(),
            Some(date(2026, 12, 31)),
            date(2028, 1, 9)
        )
    );
    get(&app, "/certificates/L-1")
        .await
        .assert_contains("status-suspended")
        .assert_contains("监督发现退换货问题")
        .assert_contains("暂停期至 2026-12-31");
    get(&app, "/badge/L-1.svg").await.assert_contains("暂停");

    // Suspending again is a transition the rules forbid: a clear message, nothing written.
    let events_before = count_events(&db);
    let again = eve
        .post(
            &app,
            "/admin/certificates/L-1/suspend",
            &[
                ("csrf", &token),
                ("until", "2026-12-31"),
                ("reason_zh", "再次"),
            ],
        )
        .await;
    assert_eq!(again.status, 409);
    again.assert_contains("状态为“暂停”的证书不能暂停");
    assert_eq!(count_events(&db), events_before);

    let restored = eve
        .post(&app, "/admin/certificates/L-1/restore", &[("csrf", &token)])
        .await;
    assert_eq!(restored.status, 303);
    assert_eq!(stored(&db, "L-1").0, "valid");
    assert_eq!(stored(&db, "L-1").1, None);
    get(&app, "/badge/L-1.svg").await.assert_contains("有效");

    let revoked = eve
        .post(
            &app,
            "/admin/certificates/L-1/revoke",
            &[("csrf", &token), ("reason_zh", "整改不到位")],
        )
        .await;
    assert_eq!(revoked.status, 303);
    get(&app, "/certificates/L-1")
        .await
        .assert_contains("status-revoked")
        .assert_contains("整改不到位");
    // Nothing follows a revocation.
    for action in ["restore", "suspend", "renew", "cancel"] {
        let page = eve
            .post(
                &app,
                &format!("/admin/certificates/L-1/{action}"),
                &[
                    ("csrf", &token),
                    ("reason_zh", "x"),
                    ("until", "2026-12-31"),
                ],
            )
            .await;
        assert_eq!(page.status, 409, "{action} after revocation");
    }
    // The public history has the three events; the audit log has them with before and after.
    let kinds = event_kinds(&db, "L-1");
    assert_eq!(
        kinds[kinds.len() - 3..],
        ["suspended", "restored", "revoked"]
    );
    let audits: Vec<(String, Option<String>, Option<String>)> = with_conn(&db, |conn| {
        audit_log::table
            .filter(audit_log::entity_id.eq("L-1"))
            .order_by(audit_log::id.asc())
            .select((
                audit_log::action,
                audit_log::before_json,
                audit_log::after_json,
            ))
            .load(conn)
            .expect("audit")
    });
    let actions: Vec<&str> = audits.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "certificate.suspend",
            "certificate.restore",
            "certificate.revoke"
        ]
    );
    assert!(audits[0]
        .1
        .as_deref()
        .is_some_and(|b| b.contains("\"status\":\"valid\"")));
    assert!(audits[0]
        .2
        .as_deref()
        .is_some_and(|a| a.contains("\"status\":\"suspended\"")));

    // The CSV export of the audit log: a header and the three rows, filtered by action prefix.
    let csv = eve.get(&app, "/admin/audit.csv?action=certificate.").await;
    assert_eq!(csv.status, 200);
    assert!(csv
        .header("content-type")
        .is_some_and(|v| v.starts_with("text/csv")));
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][3], "certificate.revoke");
    assert_eq!(&rows[0][2], "eve");
    let filtered = eve
        .get(&app, "/admin/audit?action=certificate.restore")
        .await;
    filtered
        .assert_contains("certificate.restore")
        .assert_lacks("certificate.revoke</td>");
});

both_backends_async!(bad_action_input_is_refused_with_a_message, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut eve = Browser::login(&app, "eve").await;
    let token = eve.token(&app).await;
    type Case = (
        &'static str,
        Vec<(&'static str, &'static str)>,
        u16,
        &'static str,
    );
    let cases: [Case; 5] = [
        (
            "suspend",
            vec![("until", "2026-12-31")],
            422,
            "必须填写中文公开原因",
        ),
        ("suspend", vec![("reason_zh", "x")], 422, "结束日期"),
        (
            "suspend",
            vec![("reason_zh", "x"), ("until", "2027-06-30")],
            422,
            "结束日期",
        ),
        (
            "suspend",
            vec![("reason_zh", "x"), ("until", "31/12/2026")],
            400,
            "YYYY-MM-DD",
        ),
        (
            "revoke",
            vec![("reason_zh", " ")],
            422,
            "必须填写中文公开原因",
        ),
    ];
    for (action, fields, status, message) in cases {
        let mut form = vec![("csrf", token.as_str())];
        form.extend(fields.iter().copied());
        let page = eve
            .post(&app, &format!("/admin/certificates/L-2/{action}"), &form)
            .await;
        assert_eq!(page.status, status, "{action} {fields:?}");
        page.assert_contains(message);
    }
    assert_eq!(stored(&db, "L-2").0, "valid");
    let unknown = eve
        .post(&app, "/admin/certificates/L-2/delete", &[("csrf", &token)])
        .await;
    assert_eq!(unknown.status, 404);
    let missing = eve
        .post(
            &app,
            "/admin/certificates/NOPE/restore",
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(missing.status, 404);
});

both_backends_async!(renewal_starts_a_new_validity_period, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut eve = Browser::login(&app, "eve").await;
    let token = eve.token(&app).await;
    let page = eve
        .post(&app, "/admin/certificates/L-3/renew", &[("csrf", &token)])
        .await;
    assert_eq!(page.status, 303);
    // Three years from today (Beijing), the last day included.
    assert_eq!(stored(&db, "L-3").2, date(2029, 11, 27));
    get(&app, "/certificates/L-3")
        .await
        .assert_contains("2029-11-27");
});

both_backends_async!(the_dashboard_lists_what_needs_attention, |db| {
    seed(&db);
    // A suspension that ended yesterday.
    with_conn(&db, |conn| {
        diesel::update(certificates::table.filter(certificates::number.eq("L-3")))
            .set((
                certificates::status.eq("suspended"),
                certificates::suspended_until.eq(Some(date(2026, 11, 27))),
            ))
            .execute(conn)
            .expect("suspend");
    });
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut eve = Browser::login(&app, "eve").await;
    let page = eve.get(&app, "/admin").await;
    assert_eq!(page.status, 200);
    let due = section(&page.body, "due-h");
    assert!(
        due.contains("L-1") && due.contains("L-2") && !due.contains("L-3"),
        "{due}"
    );
    assert!(
        due.contains("2026-07-10") && due.contains("2026-12-15"),
        "{due}"
    );
    assert!(due.find("L-1") < due.find("L-2"), "most overdue first");
    let suspensions = section(&page.body, "susp-h");
    assert!(suspensions.contains("L-3") && suspensions.contains("2026-11-27"));
    assert!(!suspensions.contains("L-1"));
});

both_backends_async!(the_session_cookie_is_secure_on_an_https_site, |db| {
    seed(&db);
    let state = common::state(&db, beijing(2026, 11, 28, 12, 0));
    let mut config = state.config.clone();
    config.public_url = "https://sqe.example.cn".into();
    let state = web::Data::new(sqe_registry::web::AppState::new(
        db.pool(),
        config,
        sqe_registry::web::Clock::fixed(beijing(2026, 11, 28, 12, 0)),
    ));
    let app = actix_web::test::init_service(sqe_registry::web::build_app(state)).await;
    let mut browser = Browser::default();
    let answer = browser
        .try_login(&app, "eve", common::staff::PASSWORD)
        .await;
    assert_eq!(answer.status, 303);
    let cookie = answer.header("set-cookie").expect("cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
});

/// A certificate's public events, oldest first.
fn event_kinds(db: &TestDb, number: &str) -> Vec<String> {
    with_conn(db, |conn| {
        certificate_events::table
            .inner_join(certificates::table)
            .filter(certificates::number.eq(number))
            .order_by(certificate_events::id.asc())
            .select(certificate_events::kind)
            .load(conn)
            .expect("events")
    })
}

fn count_events(db: &TestDb) -> i64 {
    with_conn(db, |conn| {
        certificate_events::table
            .count()
            .get_result(conn)
            .expect("count")
    })
}

/// The part of a page from the heading with this id to the next section.
fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body.find(&format!("id=\"{id}\"")).expect("section");
    let rest = &body[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}

both_backends_async!(
    an_evaluation_downgrades_then_a_fail_suspends_then_restore,
    |db| {
        seed(&db);
        let app = app!(db, beijing(2026, 11, 28, 12, 0));
        let zh = sqe_registry::web::i18n::Lang::ZhCn;
        let mut eve = Browser::login(&app, "eve").await;
        let form = eve.get(&app, "/admin/certificates/L-1/evaluate").await;
        assert_eq!(form.status, 200);
        let token = common::staff::csrf_of(&form);
        let ids: Vec<i32> = with_conn(&db, |conn| {
            use sqe_registry::db::schema::indicators;
            indicators::table
                .filter(indicators::parent_id.is_null())
                .filter(
                    indicators::scheme_version_id.eq(certificates::table
                        .filter(certificates::number.eq("L-1"))
                        .select(certificates::scheme_version_id)
                        .single_value()
                        .assume_not_null()),
                )
                .order_by(indicators::position.asc())
                .select(indicators::id)
                .load(conn)
                .expect("indicators")
        });
        assert_eq!(ids.len(), 3);
        let fields = |date: &str, scores: [&str; 3], intent: &str| {
            let mut f: Vec<(String, String)> = vec![
                ("csrf".into(), token.clone()),
                ("kind".into(), "surveillance".into()),
                ("assessed_on".into(), date.into()),
                ("deduction".into(), "0".into()),
                ("intent".into(), intent.into()),
            ];
            for (id, s) in ids.iter().zip(scores) {
                if s == "na" {
                    f.push((format!("na{id}"), "1".into()));
                } else {
                    f.push((format!("s{id}"), s.into()));
                }
            }
            f
        };
        let post = |f: Vec<(String, String)>| {
            let mut eve = eve.clone();
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> =
                    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                eve.post(app, "/admin/certificates/L-1/evaluate", &pairs)
                    .await
            }
        };
        // The preview computes 24/30 = 80 (three stars, down from four) and saves nothing.
        let preview = post(fields("2026-11-20", ["8", "8", "8"], "preview")).await;
        assert_eq!(preview.status, 200);
        preview
            .assert_contains("80.00")
            .assert_contains(&zh.t("event-downgraded"));
        assert_eq!(stored(&db, "L-1").0, "valid");
        let events_before = count_events(&db);
        // Bad input: a missing score, a score above its maximum.
        let missing = post(fields("2026-11-20", ["8", "", "8"], "save")).await;
        assert_eq!(missing.status, 422);
        let over = post(fields("2026-11-20", ["8", "11", "8"], "save")).await;
        assert_eq!(over.status, 422);
        assert_eq!(count_events(&db), events_before);

        let saved = post(fields("2026-11-20", ["8", "8", "8"], "save")).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let grade: i16 = with_conn(&db, |conn| {
            certificates::table
                .filter(certificates::number.eq("L-1"))
                .select(certificates::grade)
                .first(conn)
                .expect("grade")
        });
        assert_eq!(grade, 3);
        get(&app, "/certificates/L-1")
            .await
            .assert_contains("status-valid")
            .assert_contains(&zh.t("event-downgraded"))
            .assert_contains("2026-11-20");
        // A second evaluation on the same day is refused (it must follow the last one).
        let same_day = post(fields("2026-11-20", ["8", "8", "8"], "save")).await;
        assert_eq!(same_day.status, 422);

        // 12 of 20 applicable points = 60: a fail suspends, with the public reason.
        let failed = post(fields("2026-11-27", ["6", "6", "na"], "save")).await;
        assert_eq!(failed.status, 303);
        assert_eq!(stored(&db, "L-1").0, "suspended");
        get(&app, "/certificates/L-1")
            .await
            .assert_contains("status-suspended")
            .assert_contains(sqe_registry::domain::evaluation::FAIL_REASON_ZH);
        get(&app, "/badge/L-1.svg").await.assert_contains("暂停");

        // Restored after corrective action: valid again, at the grade it last earned.
        let restored = eve
            .post(&app, "/admin/certificates/L-1/restore", &[("csrf", &token)])
            .await;
        assert_eq!(restored.status, 303);
        get(&app, "/badge/L-1.svg").await.assert_contains("有效");
        let kinds: Vec<String> = with_conn(&db, |conn| {
            certificate_events::table
                .inner_join(certificates::table)
                .filter(certificates::number.eq("L-1"))
                .order_by(certificate_events::id.asc())
                .select(certificate_events::kind)
                .load(conn)
                .expect("events")
        });
        assert_eq!(
            kinds[kinds.len() - 3..],
            ["downgraded", "suspended", "restored"]
        );
        let audit: i64 = with_conn(&db, |conn| {
            audit_log::table
                .filter(audit_log::action.eq("evaluation.surveillance"))
                .count()
                .get_result(conn)
                .expect("audit")
        });
        assert_eq!(audit, 2);
    }
);

both_backends_async!(bound_domains_and_scope_change_with_the_rules, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut eve = Browser::login(&app, "eve").await;
    let token = eve.token(&app).await;
    let post = |domains: &'static str, scope: &'static str| {
        let mut eve = eve.clone();
        let token = token.clone();
        let app = &app;
        async move {
            eve.post(
                app,
                "/admin/certificates/L-2/binding",
                &[("csrf", &token), ("domains", domains), ("scope_zh", scope)],
            )
            .await
        }
    };
    let bound = |db: &TestDb| {
        with_conn(db, |conn| {
            sqe_registry::db::certificates::find_detail(conn, "L-2")
                .expect("read")
                .expect("certificate")
                .domains
        })
    };
    // yunhe.com belongs to L-1's platform.
    let taken = post("l2.example.cn\nyunhe.com", "网络零售").await;
    assert_eq!(taken.status, 409);
    taken.assert_contains("yunhe.com");
    assert_eq!(post("not a host!", "网络零售").await.status, 422);
    assert_eq!(post("l2.example.cn", " ").await.status, 422);
    assert_eq!(bound(&db), ["l2.example.cn"]);

    let saved = post(
        "https://www.L2-new.example.cn/shop\nl2.example.cn",
        "网络零售平台服务",
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(bound(&db), ["l2-new.example.cn", "l2.example.cn"]);
    get(&app, "/certificates/L-2")
        .await
        .assert_contains("l2-new.example.cn")
        .assert_contains("网络零售平台服务");

    set_revoked(&db, "L-2");
    assert_eq!(post("l2.example.cn", "网络零售").await.status, 409);
    assert_eq!(bound(&db), ["l2-new.example.cn", "l2.example.cn"]);
});

fn set_revoked(db: &TestDb, number: &str) {
    common::set_status(db, number, "revoked");
}
