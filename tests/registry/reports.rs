//! Reports from the public through the real app (issue 15): the form and its errors, the
//! anti-abuse guards, the receipt and the follow-up page, folding, triage in the back office,
//! the public outcome and figures, that the contact never appears in a public response, and the
//! erasure of contacts.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::fixtures::{seed_reference, yunhe};
use common::staff::{account, csrf_of, Browser};
use common::{beijing, get, with_conn, Page, TestApp, TestDb};
use diesel::prelude::*;
use sqe_registry::db::schema::{audit_log, mark_sightings, report_cases, reports};

const MOBILE: &str = "13912345678";
const EMAIL: &str = "Witness.Li@Example.cn";

fn t0() -> DateTime<Utc> {
    beijing(2026, 12, 8, 10, 0)
}

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe("R-1", "91330100MA2A00001")
            .domains(&["yunhe.com"])
            .stars(4)
            .insert(conn, &refs);
    });
    account(db, "eve", "evaluator");
    account(db, "vic", "viewer");
}

/// The form's token from `/reports/new` on `app`.
async fn token_of(app: &TestApp, browser: &mut Browser) -> String {
    let page = browser.get(app, "/reports/new").await;
    assert_eq!(page.status, 200, "{}", page.body);
    field_value(&page, "t")
}

fn field_value(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in:\n{}", page.body))
        + marker.len();
    page.body[start..]
        .split('"')
        .next()
        .expect("value")
        .to_owned()
}

/// A report typed by a person: the form opened on `open`, sent on `send` (30 s later).
async fn report(
    open: &TestApp,
    send: &TestApp,
    browser: &mut Browser,
    fields: &[(&str, &str)],
) -> Page {
    let token = token_of(open, browser).await;
    let mut form = vec![("t", token.as_str())];
    form.extend_from_slice(fields);
    browser.post(send, "/reports?lang=en", &form).await
}

fn cases(db: &TestDb) -> Vec<(i32, String, Option<String>, String, i32)> {
    with_conn(db, |conn| {
        report_cases::table
            .order_by(report_cases::id.asc())
            .select((
                report_cases::id,
                report_cases::kind,
                report_cases::site,
                report_cases::status,
                report_cases::report_count,
            ))
            .load(conn)
            .expect("cases")
    })
}

fn count_reports(db: &TestDb) -> i64 {
    with_conn(db, |conn| {
        reports::table.count().get_result(conn).expect("count")
    })
}

/// Every response of a public flow, to search for what must never be in one.
#[derive(Default)]
struct Seen(Vec<(String, Page)>);

impl Seen {
    fn keep(&mut self, what: &str, page: Page) -> &Page {
        self.0.push((what.to_owned(), page));
        &self.0.last().expect("kept").1
    }

    fn assert_never(&self, secret: &str) {
        let lower = secret.to_lowercase();
        for (what, page) in &self.0 {
            let headers = format!("{:?}", page.headers).to_lowercase();
            assert!(
                !page.body.to_lowercase().contains(&lower) && !headers.contains(&lower),
                "{secret:?} appeared in the public response of {what}"
            );
        }
    }
}

both_backends_async!(a_report_is_received_followed_triaged_and_published, |db| {
    seed(&db);
    let open = common::TestApp::new(&db, t0()).await;
    let send = common::TestApp::new(&db, t0() + Duration::seconds(30)).await;
    let mut seen = Seen::default();
    let mut reporter = Browser::from("203.0.113.7:5000");
    // Prefilled from the not-found page of a number.
    let nf = get(&open, "/certificates/CQM-SQE-2099-000001").await;
    assert_eq!(nf.status, 404);
    nf.assert_contains("/reports/new?kind=fake_mark&#38;number=CQM-SQE-2099-000001");
    let prefilled = reporter
        .get(
            &open,
            "/reports/new?kind=fake_mark&number=CQM-SQE-2099-000001",
        )
        .await;
    prefilled
        .assert_contains("value=\"fake_mark\" checked")
        .assert_contains("value=\"CQM-SQE-2099-000001\"")
        .assert_contains("href=\"/privacy\"");
    assert_eq!(
        prefilled.header("cache-control").as_deref(),
        Some("no-store")
    );
    let sent = report(
        &open,
        &send,
        &mut reporter,
        &[
            ("kind", "fake_mark"),
            ("site", "https://www.fake-yunhe.example/shop"),
            ("number", "CQM-SQE-2099-000001"),
            ("what", "首页挂着五星 SQE 标识"),
            ("evidence", "https://img.example.cn/shot.png"),
            ("contact", MOBILE),
            ("consent", "1"),
        ],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let follow = sent.header("location").expect("location");
    assert!(follow.starts_with("/reports/follow/") && follow.ends_with("?received=1"));
    seen.keep("POST /reports", sent);
    let stored = cases(&db);
    assert_eq!(stored.len(), 1);
    let (case_id, ..) = stored[0];
    let number = format!("R2026-{case_id:06}");
    let receipt = get(&send, &format!("{follow}&lang=en")).await;
    assert_eq!(receipt.status, 200);
    receipt
        .assert_contains(&number)
        .assert_contains("your report was received")
        .assert_contains("Received")
        .assert_contains("fake-yunhe.example");
    assert_eq!(
        receipt.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(receipt.header("cache-control").as_deref(), Some("no-store"));
    seen.keep("the receipt", receipt);
    // A wrong token is nobody's case.
    let wrong = format!("/reports/follow/{}", "ab".repeat(32));
    assert_eq!(get(&send, &wrong).await.status, 404);

    // Triage: the queue, the case with its contact (staff only), take, confirm.
    let mut eve = Browser::login(&send, "eve").await;
    let queue = eve.get(&send, "/admin/reports").await;
    assert_eq!(queue.status, 200);
    queue
        .assert_contains(&number)
        .assert_contains("fake-yunhe.example");
    let dashboard = eve.get(&send, "/admin").await;
    dashboard.assert_contains("href=\"/admin/reports\">1</a>");
    let case_href = format!("/admin/reports/{case_id}");
    let case = eve.get(&send, &case_href).await;
    case.assert_contains(MOBILE)
        .assert_contains("首页挂着五星 SQE 标识");
    let csrf = csrf_of(&case);
    let mut vic = Browser::login(&send, "vic").await;
    let vic_csrf = vic.token(&send).await;
    assert_eq!(
        vic.post(&send, &format!("{case_href}/take"), &[("csrf", &vic_csrf)])
            .await
            .status,
        403,
        "a viewer may read, not decide"
    );
    let taken = eve
        .post(&send, &format!("{case_href}/take"), &[("csrf", &csrf)])
        .await;
    assert_eq!(taken.status, 303);
    let status = get(&send, &follow).await;
    status.assert_contains("核实中");
    seen.keep("the follow-up page under review", status);
    let confirmed = eve
        .post(
            &send,
            &format!("{case_href}/confirm"),
            &[("csrf", &csrf), ("note", "冒用云禾标识的仿冒网站")],
        )
        .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    // Decided once: a second decision is refused.
    let again = eve
        .post(
            &send,
            &format!("{case_href}/not-confirm"),
            &[("csrf", &csrf), ("reason", "x")],
        )
        .await;
    assert_eq!(again.status, 409);

    // The public outcome: on /misuse (with the month's figures), and for the reporter.
    let misuse = get(&send, "/misuse?lang=en").await;
    misuse
        .assert_contains("fake-yunhe.example")
        .assert_contains("冒用云禾标识的仿冒网站")
        .assert_contains("<th scope=\"row\">2026-12</th><td>1</td><td>1</td><td>0</td>");
    seen.keep("/misuse", misuse);
    let statistics = get(&send, "/statistics").await;
    statistics.assert_contains("<th scope=\"row\">2026-12</th><td>1</td><td>1</td><td>0</td>");
    seen.keep("/statistics", statistics);
    let outcome = get(&send, &format!("{follow}&lang=en")).await;
    outcome
        .assert_contains("Confirmed")
        .assert_contains("冒用云禾标识的仿冒网站")
        .assert_contains("href=\"/misuse\"");
    seen.keep("the follow-up page, confirmed", outcome);
    for uri in [
        "/",
        "/search?q=fake-yunhe.example",
        "/certificates/R-1",
        "/api/v1/certificates",
        "/api/v1/lookup?domain=fake-yunhe.example",
        "/downloads/sqe-registry.csv",
        "/downloads/sqe-registry.jsonl",
        "/feeds/events.atom",
        "/sitemap.xml",
        "/privacy",
        "/log/",
    ] {
        let page = get(&send, uri).await;
        assert!(page.status.is_success(), "{uri}: {}", page.status);
        seen.keep(uri, page);
    }
    seen.assert_never(MOBILE);
    seen.assert_never("首页挂着五星");
    // The audit export holds the case's history, with the contact withheld.
    let audit = eve.get(&send, "/admin/audit.csv?entity_id=").await;
    assert_eq!(audit.status, 200);
    assert!(audit.body.contains("report.open") && audit.body.contains("withheld"));
    assert!(!audit.body.contains(MOBILE), "contact in the audit export");
    let actions: Vec<String> = with_conn(&db, |conn| {
        audit_log::table
            .filter(audit_log::entity.eq("report_case"))
            .order_by(audit_log::id.asc())
            .select(audit_log::action)
            .load(conn)
            .expect("audit")
    });
    assert_eq!(actions, ["report.open", "case.take", "case.confirm"]);
    eve.get(&send, &case_href)
        .await
        .assert_contains("case.confirm")
        .assert_contains("report.open");
});

both_backends_async!(
    a_case_linked_to_a_certificate_warns_as_a_confirmed_sighting,
    |db| {
        seed(&db);
        let open = common::TestApp::new(&db, t0()).await;
        let send = common::TestApp::new(&db, t0() + Duration::seconds(30)).await;
        let mut reporter = Browser::from("203.0.113.8:5000");
        let sent = report(
            &open,
            &send,
            &mut reporter,
            &[
                ("kind", "wrong_site"),
                ("site", "yunhe-outlet.example"),
                ("number", "r-1"),
                ("what", "别的网站挂着云禾的标识"),
            ],
        )
        .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        let (case_id, ..) = cases(&db)[0];
        let case_href = format!("/admin/reports/{case_id}");
        let mut eve = Browser::login(&send, "eve").await;
        let case = eve.get(&send, &format!("{case_href}?lang=en")).await;
        // The number the reporter gave is a certificate: linked with one click.
        case.assert_contains("Link to R-1")
            .assert_contains("No certificate covers this website.");
        let csrf = csrf_of(&case);
        let linked = eve
            .post(
                &send,
                &format!("{case_href}/link"),
                &[("csrf", &csrf), ("number", "R-1")],
            )
            .await;
        assert_eq!(linked.status, 303);
        eve.get(&send, "/admin/certificates/R-1")
            .await
            .assert_contains(&case_href);
        let no_such = eve
            .post(
                &send,
                &format!("{case_href}/link"),
                &[("csrf", &csrf), ("number", "R-9")],
            )
            .await;
        assert_eq!(no_such.status, 400);
        let confirmed = eve
            .post(&send, &format!("{case_href}/confirm"), &[("csrf", &csrf)])
            .await;
        assert_eq!(confirmed.status, 303);
        let listed: Vec<(String, bool)> = with_conn(&db, |conn| {
            mark_sightings::table
                .select((
                    mark_sightings::host,
                    mark_sightings::confirmed_at.is_not_null(),
                ))
                .load(conn)
                .expect("sightings")
        });
        assert_eq!(listed, [("yunhe-outlet.example".to_owned(), true)]);
        get(&send, "/misuse")
            .await
            .assert_contains("yunhe-outlet.example")
            .assert_contains("/certificates/R-1");
    }
);

both_backends_async!(
    bad_input_comes_back_with_every_error_and_nothing_lost,
    |db| {
        seed(&db);
        let open = common::TestApp::new(&db, t0()).await;
        let send = common::TestApp::new(&db, t0() + Duration::seconds(30)).await;
        let mut reporter = Browser::from("203.0.113.9:5000");
        let page = report(
            &open,
            &send,
            &mut reporter,
            &[
                ("kind", "not_valid"),
                ("site", ""),
                ("number", "CQM SQE"),
                ("what", "标识<b>还在</b>"),
                ("evidence", "javascript:alert(1)"),
                ("contact", "someone@"),
            ],
        )
        .await;
        assert_eq!(page.status, 422);
        page.assert_contains("Give the website")
            .assert_contains("only letters, digits and hyphens")
            .assert_contains("starting with http")
            .assert_contains("neither an e-mail address")
            // What was typed is kept (escaped).
            .assert_contains("value=\"not_valid\" checked")
            .assert_contains("value=\"CQM SQE\"")
            .assert_contains("标识&#60;b&#62;还在&#60;/b&#62;")
            .assert_contains("javascript:alert(1)</textarea>")
            .assert_contains("value=\"someone@\"")
            .assert_lacks("<b>还在</b>");
        // A contact without consent.
        let token = field_value(&page, "t");
        let again = reporter
            .post(
                &send,
                "/reports",
                &[
                    ("t", token.as_str()),
                    ("kind", "wrong_data"),
                    ("what", "数据有误"),
                    ("contact", EMAIL),
                ],
            )
            .await;
        assert_eq!(again.status, 422);
        again.assert_contains("id=\"consent-error\"");
        // Too long.
        let long = "字".repeat(2001);
        let too_long = reporter
            .post(
                &send,
                "/reports",
                &[
                    ("t", token.as_str()),
                    ("kind", "wrong_data"),
                    ("what", &long),
                ],
            )
            .await;
        assert_eq!(too_long.status, 422);
        assert!(
            too_long.body.contains(&long),
            "the long text is kept to be shortened"
        );
        // A body past the form's size limit is refused outright.
        let huge = "x".repeat(70 * 1024);
        let refused = reporter
            .post(&send, "/reports", &[("t", token.as_str()), ("what", &huge)])
            .await;
        assert_eq!(refused.status, 413);
        assert_eq!(count_reports(&db), 0);
        // GET on the action is not a way in.
        assert_eq!(get(&send, "/reports").await.status, 405);
    }
);

both_backends_async!(bots_are_turned_away_by_honeypot_token_and_fill_time, |db| {
    seed(&db);
    let open = common::TestApp::new(&db, t0()).await;
    let send = common::TestApp::new(&db, t0() + Duration::seconds(30)).await;
    let good = [("kind", "wrong_data"), ("what", "数据有误")];
    let mut bot = Browser::from("198.51.100.20:5000");
    // The hidden field filled in.
    let mut fields = good.to_vec();
    fields.push(("homepage", "http://spam.example"));
    let page = report(&open, &send, &mut bot, &fields).await;
    assert_eq!(page.status, 422);
    // Sent within a second of being served.
    let token = token_of(&open, &mut bot).await;
    let mut form = vec![("t", token.as_str())];
    form.extend_from_slice(&good);
    let fast = bot.post(&open, "/reports?lang=en", &form).await;
    assert_eq!(fast.status, 422);
    fast.assert_contains("too quickly")
        .assert_contains("数据有误");
    // No token, a forged one, one from a deployment with another key, a day-old one.
    let other_key = common::TestApp::with_config(&db, t0(), |c| {
        c.session_secret =
            sqe_registry::config::SessionSecret::from_hex(&"a7".repeat(64)).expect("key");
    })
    .await;
    let foreign = token_of(&other_key, &mut bot).await;
    let late = common::TestApp::new(&db, t0() + Duration::hours(25)).await;
    for token in ["", "1.2.3", foreign.as_str(), token.as_str()] {
        let mut form = vec![("t", token)];
        form.extend_from_slice(&good);
        let app = if token == foreign || token.is_empty() {
            &send
        } else {
            &late
        };
        let page = bot.post(app, "/reports?lang=en", &form).await;
        assert_eq!(page.status, 422, "token {token:?}");
        page.assert_contains("expired or did not come from this site");
    }
    assert_eq!(count_reports(&db), 0, "nothing was stored");
    // The form it came back with works.
    let page = report(&open, &send, &mut bot, &good).await;
    assert_eq!(page.status, 303);
    assert_eq!(count_reports(&db), 1);
});

both_backends_async!(
    a_network_over_its_budget_gets_429_and_keeps_its_form,
    |db| {
        seed(&db);
        let tweak = |c: &mut sqe_registry::config::Config| {
            let mut limits = sqe_registry::domain::rate_limit::LimitSettings::all(None);
            limits.0[sqe_registry::domain::rate_limit::LimitKind::Reports.index()] =
                sqe_registry::domain::rate_limit::Budget::parse("2/h");
            c.rate_limits = limits;
        };
        let open = common::TestApp::with_config(&db, t0(), tweak).await;
        let send = common::TestApp::with_config(&db, t0() + Duration::seconds(30), tweak).await;
        let mut a = Browser::from("203.0.113.50:5000");
        for i in 0..2 {
            let what = format!("第{i}份");
            let page = report(
                &open,
                &send,
                &mut a,
                &[("kind", "wrong_data"), ("what", &what)],
            )
            .await;
            assert_eq!(page.status, 303, "{i}");
        }
        let page = report(
            &open,
            &send,
            &mut a,
            &[("kind", "wrong_data"), ("what", "第三份")],
        )
        .await;
        assert_eq!(page.status, 429);
        assert!(page.header("retry-after").is_some());
        page.assert_contains("第三份")
            .assert_contains("try again later");
        // Another network is not held back.
        let mut b = Browser::from("198.51.100.60:5000");
        let page = report(
            &open,
            &send,
            &mut b,
            &[("kind", "wrong_data"), ("what", "别处")],
        )
        .await;
        assert_eq!(page.status, 303);
        assert_eq!(count_reports(&db), 3);
    }
);

both_backends_async!(
    reports_about_one_site_fold_into_a_case_for_seven_days,
    |db| {
        seed(&db);
        let submit = |at: DateTime<Utc>, kind: &str, site: &str| {
            let report =
                sqe_registry::domain::report::check(&sqe_registry::domain::report::ReportForm {
                    kind: kind.to_owned(),
                    site: site.to_owned(),
                    what: "说明".to_owned(),
                    ..Default::default()
                })
                .expect("valid");
            let actor = sqe_registry::app::Actor {
                kind: sqe_registry::app::ActorKind::Public,
                today: sqe_registry::domain::dates::beijing_today(at),
                now: at.naive_utc(),
                validity_years: 3,
                log_signer: Some(std::sync::Arc::new(
                    sqe_registry::config::log_key::demo_signer(),
                )),
            };
            with_conn(&db, |conn| {
                sqe_registry::app::reports::submit(conn, &actor, &report, "n").expect("submit")
            })
        };
        let first = submit(t0(), "fake_mark", "www.shop-copy.example");
        assert!(!first.folded);
        let second = submit(
            t0() + Duration::days(2),
            "fake_mark",
            "https://m.shop-copy.example/x",
        );
        assert!(second.folded);
        assert_eq!(second.case_id, first.case_id);
        assert_eq!(second.case_number, first.case_number);
        let other_kind = submit(t0() + Duration::days(2), "not_valid", "shop-copy.example");
        assert_ne!(other_kind.case_id, first.case_id);
        let later = submit(t0() + Duration::days(8), "fake_mark", "shop-copy.example");
        assert_ne!(later.case_id, first.case_id, "past seven days: a new case");
        let no_site = submit(t0(), "wrong_data", "");
        let no_site_again = submit(t0(), "wrong_data", "");
        assert_ne!(no_site.case_id, no_site_again.case_id);
        let stored = cases(&db);
        assert_eq!(
            stored
                .iter()
                .find(|c| c.0 == first.case_id)
                .expect("case")
                .4,
            2
        );
        assert_eq!(stored[0].2.as_deref(), Some("shop-copy.example"));
        // Each report has its own follow-up link to the one case.
        assert_ne!(first.token, second.token);
        let app = common::TestApp::new(&db, t0() + Duration::days(3)).await;
        for token in [&first.token, &second.token] {
            get(&app, &format!("/reports/follow/{token}"))
                .await
                .assert_contains(&first.case_number)
                .assert_contains("<dd>2</dd>");
        }
        // Merging: the reports follow the case they were merged into.
        let mut eve = Browser::login(&app, "eve").await;
        let csrf = eve.token(&app).await;
        let merge = eve
            .post(
                &app,
                &format!("/admin/reports/{}/merge", other_kind.case_id),
                &[("csrf", &csrf), ("into", &first.case_number)],
            )
            .await;
        assert_eq!(merge.status, 303, "{}", merge.body);
        get(&app, &format!("/reports/follow/{}", other_kind.token))
            .await
            .assert_contains(&first.case_number)
            .assert_contains("<dd>3</dd>");
        let into_itself = eve
            .post(
                &app,
                &format!("/admin/reports/{}/merge", first.case_id),
                &[("csrf", &csrf), ("into", &first.case_number)],
            )
            .await;
        assert_eq!(into_itself.status, 400);
        // Not confirmed: the reporter is given the reason; a reason is required.
        let path = format!("/admin/reports/{}/not-confirm", first.case_id);
        let bare = eve
            .post(&app, &path, &[("csrf", &csrf), ("reason", "  ")])
            .await;
        assert_eq!(bare.status, 400);
        let decided = eve
            .post(
                &app,
                &path,
                &[("csrf", &csrf), ("reason", "该网站已下线，无法核实")],
            )
            .await;
        assert_eq!(decided.status, 303);
        get(&app, &format!("/reports/follow/{}?lang=en", second.token))
            .await
            .assert_contains("Not confirmed")
            .assert_contains("该网站已下线，无法核实");
        // The queue's filters: open cases by default, oldest first; every status; kind; age;
        // site.
        let queue = eve.get(&app, "/admin/reports").await;
        queue
            .assert_lacks(&first.case_number)
            .assert_contains(&later.case_number)
            .assert_contains(&no_site.case_number);
        assert!(
            queue.body.find(&no_site.case_number) < queue.body.find(&later.case_number),
            "oldest first"
        );
        eve.get(
            &app,
            "/admin/reports?status=all&site=https://www.shop-copy.example/",
        )
        .await
        .assert_contains(&first.case_number)
        .assert_contains(&later.case_number)
        .assert_lacks(&no_site.case_number);
        eve.get(&app, "/admin/reports?kind=wrong_data")
            .await
            .assert_contains(&no_site.case_number)
            .assert_lacks(&later.case_number);
        eve.get(&app, "/admin/reports?older_than=1")
            .await
            .assert_contains(&no_site.case_number)
            .assert_lacks(&later.case_number);
        eve.get(&app, "/admin/reports?status=not_confirmed")
            .await
            .assert_contains(&first.case_number)
            .assert_lacks(&later.case_number);
        assert_eq!(
            eve.get(&app, "/admin/reports?older_than=x").await.status,
            400
        );
        assert_eq!(
            eve.get(&app, "/admin/reports?site=not%20a%20host!")
                .await
                .status,
            400
        );
    }
);

both_backends_async!(
    contacts_are_erased_when_the_case_has_been_closed_180_days,
    |db| {
        seed(&db);
        let report =
            sqe_registry::domain::report::check(&sqe_registry::domain::report::ReportForm {
                kind: "wrong_data".to_owned(),
                what: "说明".to_owned(),
                contact: EMAIL.to_owned(),
                consent: true,
                ..Default::default()
            })
            .expect("valid");
        let actor = common::cli_actor("test", t0());
        let (closed, open) = with_conn(&db, |conn| {
            let closed = sqe_registry::app::reports::submit(conn, &actor, &report, "n").expect("a");
            let open = sqe_registry::app::reports::submit(conn, &actor, &report, "n").expect("b");
            sqe_registry::app::reports::triage(
                conn,
                &actor,
                closed.case_id,
                &sqe_registry::app::reports::Triage::NotConfirm {
                    reason: "已更正".to_owned(),
                },
            )
            .expect("decided");
            (closed, open)
        });
        let contacts = || {
            with_conn(&db, |conn| {
                reports::table
                    .order_by(reports::id.asc())
                    .select((reports::case_id, reports::contact))
                    .load::<(i32, Option<String>)>(conn)
                    .expect("contacts")
            })
        };
        let db_ref = &db;
        let erase = |at: DateTime<Utc>| async move {
            let state = common::state(db_ref, at);
            sqe_registry::web::reports::erasure::erase_due_contacts(&state)
                .await
                .expect("erasure")
        };
        let stored = "Witness.Li@example.cn".to_owned();
        assert_eq!(erase(t0() + Duration::days(179)).await, 0);
        assert_eq!(
            contacts(),
            [
                (closed.case_id, Some(stored.clone())),
                (open.case_id, Some(stored.clone()))
            ]
        );
        assert_eq!(erase(t0() + Duration::days(181)).await, 1);
        assert_eq!(
            contacts(),
            [(closed.case_id, None), (open.case_id, Some(stored))],
            "only the closed case's contact"
        );
        assert_eq!(erase(t0() + Duration::days(182)).await, 0, "done once");
        let audited: i64 = with_conn(&db, |conn| {
            audit_log::table
                .filter(audit_log::action.eq("report.erase_contacts"))
                .filter(audit_log::actor.eq("system:report-erasure"))
                .count()
                .get_result(conn)
                .expect("audit")
        });
        assert_eq!(audited, 1);
        // Staff see that it was erased.
        let app = common::TestApp::new(&db, t0() + Duration::days(181)).await;
        let mut eve = Browser::login(&app, "eve").await;
        eve.get(&app, &format!("/admin/reports/{}?lang=en", closed.case_id))
            .await
            .assert_contains("erased")
            .assert_lacks("Witness.Li");
    }
);
