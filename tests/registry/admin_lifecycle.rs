//! Lifecycle actions through the back office, as the public sees them at once: the verification
//! page, the badge, the history; refused transitions; the dashboard's lists; the audit log and
//! its CSV.

use crate::common;

use actix_web::web;
use common::backoffice::{count_events, event_kinds, seed, stored};
use common::staff::Browser;
use common::{beijing, date, get, with_conn};
use diesel::prelude::*;
use sqe_registry::db::schema::{audit_log, certificates};

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
    let app = common::TestApp::on_state(state).await;
    let mut browser = Browser::default();
    let form = browser.get(&app, "/admin/login").await;
    let login_cookie = form.cookie("sqe_login").expect("login cookie");
    assert!(login_cookie.contains("Secure"), "{login_cookie}");
    let answer = browser
        .try_login(&app, "eve", common::staff::PASSWORD)
        .await;
    assert_eq!(answer.status, 303);
    let cookie = answer.cookie("sqe_admin").expect("cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
});

/// The part of a page from the heading with this id to the next section.
fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body.find(&format!("id=\"{id}\"")).expect("section");
    let rest = &body[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}
