//! The back office over HTTP: every route refuses the anonymous and the wrong role, CSRF on
//! every form, login and throttling, sessions shared by instances, and the lifecycle actions as
//! the public sees them.

use crate::common;

use common::fixtures::{credit_code, seed_reference, yunhe};
use common::staff::{account, csrf_of, Browser, PASSWORD};
use common::{beijing, get, with_conn, TestDb};
use diesel::prelude::*;
use sqe_registry::db::marks::{record_sightings, NewSighting};
use sqe_registry::db::schema::{audit_log, certificate_events, certificates, mark_sightings};
use sqe_registry::domain::account::Role;
use sqe_registry::web::admin::ROUTES;

/// Two certificates, a sighting, and one account per role.
fn seed(db: &TestDb) -> i32 {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe("A-1", "91330100MA2A00001")
            .domains(&["yunhe.com"])
            .stars(4)
            .insert(conn, &refs);
        // A webhook endpoint, for its routes.
        let a1 = sqe_registry::db::webhooks::find_target(conn, "A-1")
            .expect("read")
            .expect("A-1");
        sqe_registry::db::webhooks::insert_endpoint(
            conn,
            a1,
            "https://hooks.yunhe.example/sqe",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            chrono::Utc::now().naive_utc(),
            "cli:test",
        )
        .expect("endpoint");
        let id = yunhe("A-2", "91330100MA2A00002")
            .domains(&["a2.example.cn"])
            .insert(conn, &refs);
        let now = chrono::Utc::now().naive_utc();
        record_sightings(
            conn,
            &[NewSighting {
                certificate_id: id,
                host: "copycat.example".into(),
                first_seen: now,
                last_seen: now,
                hits: 3,
                networks: vec![],
            }],
        )
        .expect("sighting");
        // A report case, for the triage routes.
        let report =
            sqe_registry::domain::report::check(&sqe_registry::domain::report::ReportForm {
                kind: "fake_mark".into(),
                site: "copycat.example".into(),
                what: "假标识".into(),
                ..Default::default()
            })
            .expect("report");
        let actor = common::cli_actor("test", chrono::Utc::now());
        sqe_registry::app::reports::submit(conn, &actor, &report, "0").expect("case");
    });
    account(db, "ada", "admin");
    account(db, "eve", "evaluator");
    account(db, "vic", "viewer");
    with_conn(db, |conn| {
        mark_sightings::table
            .select(mark_sightings::id)
            .first(conn)
            .expect("sighting id")
    })
}

/// A route's path with its placeholders filled.
fn concrete(path: &str, sighting: i32) -> String {
    // The seed's one report case is the first.
    path.replace("/reports/{id}", "/reports/1")
        .replace("/webhooks/{id}", "/webhooks/1")
        .replace("{number}", "A-1")
        .replace("{action}", "suspend")
        .replace("{id}", &sighting.to_string())
        .replace("{credit_code}", &credit_code("91330100MA2A00001"))
        .replace("{code}", "CQM")
        .replace("{slug}", "31526-2015")
}

fn user_for(role: Role) -> &'static str {
    match role {
        Role::Admin => "ada",
        Role::Evaluator => "eve",
        Role::Viewer => "vic",
    }
}

fn changes(db: &TestDb) -> (i64, i64, String) {
    with_conn(db, |conn| {
        let events = certificate_events::table
            .count()
            .get_result(conn)
            .expect("events");
        let audits = audit_log::table
            .filter(audit_log::action.ne("session.login"))
            .count()
            .get_result(conn)
            .expect("audit");
        let status = certificates::table
            .filter(certificates::number.eq("A-1"))
            .select(certificates::status)
            .first(conn)
            .expect("status");
        (events, audits, status)
    })
}

both_backends_async!(every_route_refuses_anonymous_and_lower_roles, |db| {
    let sighting = seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let before = changes(&db);
    let suspend = [("reason_zh", "测试"), ("until", "2026-12-20")];
    for route in ROUTES {
        let path = concrete(route.path, sighting);
        let Some(needed) = route.role else { continue };
        // Anonymous: sent to the login form (or refused), never served.
        let mut anonymous = Browser::default();
        let page = match route.method {
            "GET" => anonymous.get(&app, &path).await,
            _ => anonymous.post(&app, &path, &suspend).await,
        };
        assert!(
            page.status == 303 || page.status == 403,
            "anonymous {} {path}: {}",
            route.method,
            page.status
        );
        if page.status == 303 {
            let location = page.header("location").expect("location");
            assert!(location.starts_with("/admin/login"), "{location}");
        }
        // Every role below the one needed: 403, with a valid CSRF token so that only the role
        // can be what refuses.
        for role in Role::ALL.into_iter().filter(|r| !r.allows(needed)) {
            let mut browser = Browser::login(&app, user_for(role)).await;
            let token = browser.token(&app).await;
            let mut form = vec![("csrf", token.as_str())];
            form.extend(suspend);
            let page = match route.method {
                "GET" => browser.get(&app, &path).await,
                _ => browser.post(&app, &path, &form).await,
            };
            assert_eq!(page.status, 403, "{role:?} {} {path}", route.method);
        }
        // The role itself is served (the route exists as listed).
        if route.method == "GET" {
            let mut browser = Browser::login(&app, user_for(needed)).await;
            let page = browser.get(&app, &path).await;
            let served = page.status == 200
                || (page.status == 303
                    && page
                        .header("location")
                        .is_some_and(|l| !l.starts_with("/admin/login")));
            assert!(
                served,
                "{needed:?} GET {path}: {} {}",
                page.status, page.body
            );
        }
    }
    assert_eq!(changes(&db), before, "a refused request changed something");
});

both_backends_async!(every_form_needs_the_session_csrf_token, |db| {
    let sighting = seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut admin = Browser::login(&app, "ada").await;
    let before = changes(&db);
    let mut other = Browser::login(&app, "eve").await;
    let foreign = other.token(&app).await;
    for route in ROUTES.iter().filter(|r| r.method == "POST") {
        let path = concrete(route.path, sighting);
        for token in [
            None,
            Some(""),
            Some("0".repeat(64).as_str()),
            Some(foreign.as_str()),
        ] {
            let mut form = vec![("reason_zh", "测试"), ("until", "2026-12-20")];
            if let Some(t) = token {
                form.push(("csrf", t));
            }
            let page = admin.post(&app, &path, &form).await;
            assert_eq!(
                page.status, 403,
                "POST {path} with {token:?}: {}",
                page.body
            );
        }
    }
    assert_eq!(changes(&db), before);
    // Still logged in: the refusals did not end the session.
    assert_eq!(admin.get(&app, "/admin").await.status, 200);
});

both_backends_async!(login_fails_alike_and_is_throttled, |db| {
    seed(&db);
    // The per-network rate limit of login requests is tested on its own (tests/registry/guards/limits.rs).
    let state = common::state_with(&db, beijing(2026, 11, 28, 12, 0), |c| {
        c.rate_limits = sqe_registry::web::limits::LimitSettings::all(None);
    });
    let app = common::TestApp::on_state(state).await;
    let mut browser = Browser::from("203.0.113.9:4000");
    let wrong = browser.try_login(&app, "eve", "not the password").await;
    let unknown = browser.try_login(&app, "nobody", "not the password").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    let message = "用户名或密码不正确";
    wrong.assert_contains(message);
    unknown.assert_contains(message);
    // Four more failures for eve from this network reach the limit of five: now even the
    // right password is refused from here, as for an account that does not exist.
    for _ in 0..4 {
        assert_eq!(browser.try_login(&app, "eve", "wrong").await.status, 401);
    }
    let throttled = browser.try_login(&app, "eve", PASSWORD).await;
    assert_eq!(throttled.status, 429);
    throttled.assert_contains("15");
    assert_eq!(throttled.header("retry-after").as_deref(), Some("900"));
    for _ in 0..5 {
        browser.try_login(&app, "ghost", "wrong").await;
    }
    assert_eq!(browser.try_login(&app, "ghost", "x").await.status, 429);
    // Nobody can lock eve out: from a network without failures the right password still
    // logs in (after a short wait, eve's name having five failures).
    let started = std::time::Instant::now();
    Browser::from("198.51.100.20:5000")
        .logged_in(&app, "eve")
        .await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    // Another account from the first network is still allowed (11 failures so far < 20)…
    Browser::from("203.0.113.9:4100")
        .logged_in(&app, "vic")
        .await;
    // …until the network has 20 failures, whichever names were tried.
    for i in 0..9 {
        browser.try_login(&app, &format!("guess{i}"), "wrong").await;
    }
    assert_eq!(browser.try_login(&app, "ada", PASSWORD).await.status, 429);
    // Refused again, now from memory (no query): counted, and written in one row.
    for _ in 0..5 {
        assert_eq!(browser.try_login(&app, "vic", PASSWORD).await.status, 429);
    }
    sqe_registry::web::admin::login_guard::flush_refused(&app.state)
        .await
        .expect("flush");
    // The dashboard counts the day's failed (20) and refused (3 + 5) logins.
    let mut admin = Browser::from("192.0.2.1:80").logged_in(&app, "ada").await;
    let dashboard = admin.get(&app, "/admin").await;
    dashboard.assert_contains("登录失败（24 小时）</dt><dd>20</dd>");
    dashboard.assert_contains("被拒绝的登录（24 小时）</dt><dd>8</dd>");
});

both_backends_async!(sessions_are_renewed_shared_and_ended, |db| {
    seed(&db);
    let now = beijing(2026, 11, 28, 12, 0);
    let app = app!(db, now);
    let other_instance = app!(db, now);
    // A session from before (here: an earlier login in this browser) is replaced at login.
    let mut browser = Browser::login(&app, "eve").await;
    let anonymous_cookie = browser.cookie.clone().expect("session before login");
    let answer = browser.try_login(&app, "eve", PASSWORD).await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.header("location").as_deref(), Some("/admin"));
    let set_cookie = answer.cookie("sqe_admin").expect("cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "http site: {set_cookie}");
    let cookie = browser.cookie.clone().expect("session");
    assert_ne!(
        cookie, anonymous_cookie,
        "the session key must change at login"
    );
    // The old (pre-login) cookie is not logged in.
    let mut fixated = Browser {
        cookie: Some(anonymous_cookie),
        ..Browser::default()
    };
    assert_eq!(fixated.get(&app, "/admin").await.status, 303);
    // The other instance knows the session (it lives in the database)…
    let mut elsewhere = browser.clone();
    assert_eq!(elsewhere.get(&other_instance, "/admin").await.status, 200);
    // …and a logout on one ends it on both.
    let token = browser.token(&app).await;
    let out = browser
        .post(&app, "/admin/logout", &[("csrf", &token)])
        .await;
    assert_eq!(out.status, 303);
    // Both ends of the session are in the audit log, stamped with the app's clock.
    let trail: Vec<(String, String, chrono::NaiveDateTime)> = with_conn(&db, |conn| {
        sqe_registry::db::accounts::latest_audit(conn, 2)
            .expect("audit")
            .into_iter()
            .map(|e| (e.action, e.actor, e.at))
            .collect()
    });
    assert_eq!(
        trail,
        [
            (
                "session.logout".to_owned(),
                "eve".to_owned(),
                now.naive_utc()
            ),
            (
                "session.login".to_owned(),
                "eve".to_owned(),
                now.naive_utc()
            ),
        ]
    );
    let mut stale = Browser {
        cookie: Some(cookie.clone()),
        ..Browser::default()
    };
    assert_eq!(stale.get(&other_instance, "/admin").await.status, 303);
    // An idle session expires: push a fresh one's expiry into the past.
    let mut idle = Browser::login(&app, "vic").await;
    with_conn(&db, |conn| {
        diesel::update(sqe_registry::db::schema::sessions::table)
            .set(
                sqe_registry::db::schema::sessions::expires_at
                    .eq(chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1)),
            )
            .execute(conn)
            .expect("expire");
    });
    assert_eq!(idle.get(&app, "/admin").await.status, 303);
    // A tampered cookie (signature no longer matches) is not a session.
    let mut forged = Browser {
        cookie: Some(cookie.replacen('=', "=x", 1)),
        ..Browser::default()
    };
    assert_eq!(forged.get(&app, "/admin").await.status, 303);
});

both_backends_async!(a_disabled_account_is_out_at_once, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut browser = Browser::login(&app, "eve").await;
    with_conn(&db, |conn| {
        use sqe_registry::db::schema::accounts;
        diesel::update(accounts::table.filter(accounts::username.eq("eve")))
            .set(accounts::disabled.eq(true))
            .execute(conn)
            .expect("disable");
    });
    assert_eq!(browser.get(&app, "/admin").await.status, 303);
    assert_eq!(browser.try_login(&app, "eve", PASSWORD).await.status, 401);
});

both_backends_async!(login_returns_only_to_back_office_paths, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    for (next, expected) in [
        ("/admin/audit", "/admin/audit"),
        ("https://evil.example/", "/admin"),
        ("//evil.example/admin", "/admin"),
        ("/admin//evil.example", "/admin"),
        ("/search", "/admin"),
    ] {
        let mut browser = Browser::default();
        let form = browser
            .get(&app, &format!("/admin/login?next={}", urlencode(next)))
            .await;
        let token = csrf_of(&form);
        let page = browser
            .post(
                &app,
                "/admin/login",
                &[
                    ("csrf", &token),
                    ("username", "vic"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(page.header("location").as_deref(), Some(expected), "{next}");
    }
    // Back-office pages are never cached and never indexed.
    let mut browser = Browser::login(&app, "vic").await;
    let page = browser.get(&app, "/admin").await;
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    assert!(page
        .header("x-robots-tag")
        .is_some_and(|v| v.contains("noindex")));
    // The public pages set no session cookie.
    let public = get(&app, "/").await;
    assert!(public.header("set-cookie").is_none());
});

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).expect("encode")[2..].to_owned()
}

both_backends_async!(administrators_manage_accounts_but_not_their_own, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut ada = Browser::login(&app, "ada").await;
    let token = ada.token(&app).await;
    let new = |username: &'static str, password: &'static str, again: &'static str| {
        vec![
            ("username", username),
            ("role", "evaluator"),
            ("password", password),
            ("password_again", again),
        ]
    };
    for (form, status) in [
        (new("Bad Name", PASSWORD, PASSWORD), 422),
        (new("newbie", "short", "short"), 422),
        (new("newbie", PASSWORD, "something else entirely"), 422),
        (new("eve", PASSWORD, PASSWORD), 409),
    ] {
        let mut form = form;
        form.push(("csrf", &token));
        let page = ada.post(&app, "/admin/accounts", &form).await;
        assert_eq!(page.status, status, "{form:?}");
    }
    let mut form = new("newbie", PASSWORD, PASSWORD);
    form.push(("csrf", &token));
    assert_eq!(ada.post(&app, "/admin/accounts", &form).await.status, 303);
    let mut newbie = Browser::login(&app, "newbie").await;
    assert_eq!(
        newbie
            .get(&app, "/admin/certificates/A-1/evaluate")
            .await
            .status,
        200
    );
    // The password never reaches the audit log.
    let audit: Vec<Option<String>> = with_conn(&db, |conn| {
        audit_log::table
            .filter(audit_log::action.like("account.%"))
            .select(audit_log::after_json)
            .load(conn)
            .expect("audit")
    });
    assert!(audit.iter().flatten().all(|a| !a.contains(PASSWORD)));
    // Demote newbie to viewer and disable eve: both take effect at once.
    let ids: Vec<(String, i32)> = with_conn(&db, |conn| {
        use sqe_registry::db::schema::accounts;
        accounts::table
            .select((accounts::username, accounts::id))
            .load(conn)
            .expect("ids")
    });
    let id = |name: &str| ids.iter().find(|(n, _)| n == name).expect("account").1;
    let mut eve = Browser::login(&app, "eve").await;
    let demote = ada
        .post(
            &app,
            &format!("/admin/accounts/{}", id("newbie")),
            &[("csrf", &token), ("role", "viewer")],
        )
        .await;
    assert_eq!(demote.status, 303);
    // A demotion ends the account's sessions; signed in again, the new role holds.
    assert_eq!(newbie.get(&app, "/admin").await.status, 303);
    let mut newbie = Browser::login(&app, "newbie").await;
    assert_eq!(
        newbie
            .get(&app, "/admin/certificates/A-1/evaluate")
            .await
            .status,
        403
    );
    let disable = ada
        .post(
            &app,
            &format!("/admin/accounts/{}", id("eve")),
            &[("csrf", &token), ("role", "evaluator"), ("disabled", "1")],
        )
        .await;
    assert_eq!(disable.status, 303);
    assert_eq!(eve.get(&app, "/admin").await.status, 303);
    // Not oneself: an administrator cannot demote or disable their own account.
    for form in [
        vec![("csrf", token.as_str()), ("role", "viewer")],
        vec![
            ("csrf", token.as_str()),
            ("role", "admin"),
            ("disabled", "1"),
        ],
    ] {
        let page = ada
            .post(&app, &format!("/admin/accounts/{}", id("ada")), &form)
            .await;
        assert_eq!(page.status, 409);
    }
    assert_eq!(ada.get(&app, "/admin/accounts").await.status, 200);
});

both_backends_async!(
    sightings_are_confirmed_or_dismissed_from_the_dashboard,
    |db| {
        let sighting = seed(&db);
        let second = with_conn(&db, |conn| {
            let now = chrono::Utc::now().naive_utc();
            let certificate_id = sqe_registry::db::schema::certificates::table
                .filter(sqe_registry::db::schema::certificates::number.eq("A-1"))
                .select(sqe_registry::db::schema::certificates::id)
                .first::<i32>(conn)
                .expect("certificate");
            record_sightings(
                conn,
                &[NewSighting {
                    certificate_id,
                    host: "agency-preview.example".into(),
                    first_seen: now,
                    last_seen: now,
                    hits: 1,
                    networks: vec![],
                }],
            )
            .expect("sighting");
            mark_sightings::table
                .filter(mark_sightings::host.eq("agency-preview.example"))
                .select(mark_sightings::id)
                .first::<i32>(conn)
                .expect("id")
        });
        let app = app!(db, beijing(2026, 11, 28, 12, 0));
        get(&app, "/misuse").await.assert_lacks("copycat.example");
        let mut eve = Browser::login(&app, "eve").await;
        let dashboard = eve.get(&app, "/admin").await;
        dashboard
            .assert_contains("copycat.example")
            .assert_contains("agency-preview.example");
        let token = csrf_of(&dashboard);
        let confirm = format!("/admin/sightings/{sighting}/confirm");
        let page = eve
            .post(&app, &confirm, &[("csrf", &token), ("note", "仿冒店铺")])
            .await;
        assert_eq!(page.status, 303);
        get(&app, "/misuse")
            .await
            .assert_contains("copycat.example")
            .assert_contains("仿冒店铺");
        // Done once: a second confirmation finds no open sighting.
        assert_eq!(
            eve.post(&app, &confirm, &[("csrf", &token)]).await.status,
            404
        );
        let dismiss = format!("/admin/sightings/{second}/dismiss");
        assert_eq!(
            eve.post(&app, &dismiss, &[("csrf", &token)]).await.status,
            303
        );
        let dashboard = eve.get(&app, "/admin").await;
        let open = &dashboard.body[dashboard.body.find("id=\"sightings\"").expect("section")..];
        assert!(!open.contains("copycat.example") && !open.contains("agency-preview.example"));
        get(&app, "/misuse")
            .await
            .assert_lacks("agency-preview.example");
        let actions: Vec<String> = with_conn(&db, |conn| {
            audit_log::table
                .filter(audit_log::entity.eq("sighting"))
                .order_by(audit_log::id.asc())
                .select(audit_log::action)
                .load(conn)
                .expect("audit")
        });
        assert_eq!(actions, ["sighting.confirm", "sighting.dismiss"]);
    }
);
