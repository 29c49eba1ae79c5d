//! Back-office sessions end when they must, on every instance: a new password (one's own, an
//! administrator's reset), a disabling or a demotion, twelve hours after login; the login page
//! opens no session and writes nothing; its form needs the signed token of its own cookie.

use crate::common::staff::{account, csrf_of, Browser, PASSWORD};
use crate::common::{beijing, with_conn, TestApp, TestDb};
use diesel::prelude::*;
use sqe_registry::db::schema::{audit_log, sessions};

fn seed(db: &TestDb) {
    account(db, "ada", "admin");
    account(db, "eve", "evaluator");
}

fn session_rows(db: &TestDb) -> i64 {
    with_conn(db, |conn| {
        sessions::table.count().get_result(conn).expect("count")
    })
}

both_backends_async!(
    the_login_page_writes_nothing_and_its_form_needs_its_cookie,
    |db| {
        seed(&db);
        let app = app!(db, beijing(2026, 12, 3, 10, 0));
        let before = session_rows(&db);
        let mut browser = Browser::default();
        let form = browser.get(&app, "/admin/login").await;
        assert_eq!(form.status, 200);
        assert!(form.cookie("sqe_admin").is_none(), "no session opened");
        let login_cookie = form.cookie("sqe_login").expect("token cookie");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin/login"] {
            assert!(login_cookie.contains(attribute), "{login_cookie}");
        }
        assert_eq!(session_rows(&db), before, "nothing written");
        let token = csrf_of(&form);
        let fields = |token: &str| {
            vec![
                ("csrf", token.to_owned()),
                ("username", "eve".to_owned()),
                ("password", PASSWORD.to_owned()),
            ]
        };
        let post = |browser: &mut Browser, fields: Vec<(&'static str, String)>| {
            let mut browser = browser.clone();
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                browser.post(app, "/admin/login", &pairs).await
            }
        };
        // Without the cookie, with another token, or with an unsigned cookie: refused unchecked.
        let mut cookieless = Browser::default();
        assert_eq!(post(&mut cookieless, fields(&token)).await.status, 403);
        assert_eq!(
            post(&mut browser, fields(&"0".repeat(64))).await.status,
            403
        );
        let mut forged = Browser {
            login_cookie: Some(format!("sqe_login={}", "1".repeat(64))),
            ..Browser::default()
        };
        assert_eq!(post(&mut forged, fields(&"1".repeat(64))).await.status, 403);
        assert_eq!(session_rows(&db), before, "still nothing written");
        // With both: signed in, and the token cookie is removed.
        let answer = browser
            .post(
                &app,
                "/admin/login",
                &[
                    ("csrf", &token),
                    ("username", "eve"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert!(answer
            .cookie("sqe_login")
            .is_some_and(|c| c.contains("Max-Age=0")));
        assert_eq!(browser.get(&app, "/admin").await.status, 200);
    }
);

both_backends_async!(a_new_password_ends_the_other_sessions_everywhere, |db| {
    seed(&db);
    let now = beijing(2026, 12, 3, 10, 0);
    let app = app!(db, now);
    let other_instance = app!(db, now);
    let mut here = Browser::login(&app, "eve").await;
    let mut phone = Browser::login(&other_instance, "eve").await;
    assert_eq!(phone.get(&other_instance, "/admin").await.status, 200);
    let page = here.get(&app, "/admin/password").await;
    assert_eq!(page.status, 200);
    let token = csrf_of(&page);
    let new = "a brand new long password";
    // The present password must be right; the new one typed twice and long enough.
    for (current, password, again, message) in [
        ("wrong password!", new, new, "当前密码不正确"),
        (
            PASSWORD,
            new,
            "something else entirely",
            "两次输入的密码不一致",
        ),
        (PASSWORD, "short", "short", "12 到 256 个字符"),
    ] {
        let refused = here
            .post(
                &app,
                "/admin/password",
                &[
                    ("csrf", &token),
                    ("current", current),
                    ("password", password),
                    ("password_again", again),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{current} {password}");
        refused.assert_contains(message);
    }
    assert_eq!(
        phone.get(&other_instance, "/admin").await.status,
        200,
        "nothing changed yet"
    );
    let changed = here
        .post(
            &app,
            "/admin/password",
            &[
                ("csrf", &token),
                ("current", PASSWORD),
                ("password", new),
                ("password_again", new),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    changed.assert_contains("密码已修改");
    // This session stays; the one on the other instance has ended; the old password is gone.
    assert_eq!(here.get(&app, "/admin").await.status, 200);
    assert_eq!(phone.get(&other_instance, "/admin").await.status, 303);
    assert_eq!(
        Browser::default()
            .try_login(&app, "eve", PASSWORD)
            .await
            .status,
        401
    );
    let mut again = Browser::default();
    assert_eq!(again.try_login(&app, "eve", new).await.status, 303);
    // Audited, without the password or its hash.
    let after: Vec<Option<String>> = with_conn(&db, |conn| {
        audit_log::table
            .filter(audit_log::action.eq("account.password"))
            .select(audit_log::after_json)
            .load(conn)
            .expect("audit")
    });
    assert_eq!(after.len(), 1);
    let entry = after[0].clone().unwrap_or_default();
    assert!(
        entry.contains("eve") && !entry.contains(new) && !entry.contains("argon2"),
        "{entry}"
    );
});

both_backends_async!(a_reset_a_disabling_or_a_demotion_ends_the_sessions, |db| {
    seed(&db);
    let ids = |db: &TestDb, name: &str| {
        with_conn(db, |conn| {
            sqe_registry::db::accounts::find_account(conn, name)
                .expect("find")
                .expect("account")
                .id
        })
    };
    let eve_id = ids(&db, "eve");
    let app = app!(db, beijing(2026, 12, 3, 10, 0));
    let mut ada = Browser::login(&app, "ada").await;
    let token = ada.token(&app).await;
    let reset_to = "an administrator's new password";
    let mut eve = Browser::login(&app, "eve").await;
    let mismatch = ada
        .post(
            &app,
            &format!("/admin/accounts/{eve_id}/password"),
            &[
                ("csrf", &token),
                ("password", reset_to),
                ("password_again", "other"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert_eq!(
        eve.get(&app, "/admin").await.status,
        200,
        "a refusal ends nothing"
    );
    let reset = ada
        .post(
            &app,
            &format!("/admin/accounts/{eve_id}/password"),
            &[
                ("csrf", &token),
                ("password", reset_to),
                ("password_again", reset_to),
            ],
        )
        .await;
    assert_eq!(reset.status, 303);
    assert_eq!(
        eve.get(&app, "/admin").await.status,
        303,
        "reset: signed out"
    );
    let mut eve = Browser::default();
    assert_eq!(eve.try_login(&app, "eve", reset_to).await.status, 303);
    // Promotion keeps the session; a demotion ends it.
    let set_role = |role: &'static str| {
        let (mut ada, token, app) = (ada.clone(), token.clone(), &app);
        async move {
            ada.post(
                app,
                &format!("/admin/accounts/{eve_id}"),
                &[("csrf", &token), ("role", role)],
            )
            .await
            .status
        }
    };
    assert_eq!(set_role("admin").await, 303);
    assert_eq!(
        eve.get(&app, "/admin/accounts").await.status,
        200,
        "promoted, still in"
    );
    assert_eq!(set_role("viewer").await, 303);
    assert_eq!(
        eve.get(&app, "/admin").await.status,
        303,
        "demoted: signed out"
    );
    // Another administrator's sessions are not touched by any of it.
    assert_eq!(ada.get(&app, "/admin").await.status, 200);
    // The account page offers the reset form.
    let accounts = ada.get(&app, "/admin/accounts").await;
    accounts.assert_contains(&format!("/admin/accounts/{eve_id}/password"));
});

both_backends_async!(a_session_ends_twelve_hours_after_login, |db| {
    seed(&db);
    let login_at = beijing(2026, 12, 3, 8, 0);
    let app = app!(db, login_at);
    let mut eve = Browser::login(&app, "eve").await;
    // The same database and key, later: an instance whose clock says 11:59 later, then 12:00.
    let later = |minutes| {
        let db = &db;
        async move {
            let at = login_at + chrono::Duration::minutes(minutes);
            TestApp::on_state(crate::common::state(db, at)).await
        }
    };
    let almost = later(11 * 60 + 59).await;
    assert_eq!(eve.get(&almost, "/admin").await.status, 200);
    let past = later(12 * 60).await;
    let answer = eve.get(&past, "/admin").await;
    assert_eq!(answer.status, 303);
    assert!(answer
        .header("location")
        .is_some_and(|l| l.starts_with("/admin/login")));
    // Ended for good: even the first instance's clock does not bring it back.
    assert_eq!(eve.get(&app, "/admin").await.status, 303);
});
