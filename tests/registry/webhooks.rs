//! Webhooks through the real app on both backends, received by a listener in the test process
//! that checks `v1` signatures with the Standard Webhooks specification's own library and `v1a`
//! ones with ed25519-dalek: staff register endpoints (bad URLs refused); a public event is
//! queued in its own transaction and delivered signed; a failure is retried with backoff, a 410
//! or three days of failures disable the endpoint; a delivery whose sender died is sent again
//! after its lease, and by a restarted server; private addresses are refused after DNS.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;
use sqe_registry::app::webhooks as use_case;
use sqe_registry::config::log_key::demo_signer;
use sqe_registry::db::schema::{log_entries, webhook_deliveries, webhook_endpoints};
use sqe_registry::db::webhooks::{self, Recorded};
use sqe_registry::domain::lifecycle::ActionKind;
use sqe_registry::webhook_sender::Sender;

use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::receiver::{Received, Receiver};
use common::staff::{account, Browser};
use common::{beijing, cli_actor, date, with_conn, TestApp, TestDb};

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("C-1")
            .company(
                "示例网络科技有限公司",
                None,
                &credit_code("91310000MA1FL0001"),
            )
            .domains(&["shop.example.cn"])
            .stars(4)
            .event("issued", date(2025, 1, 10), (None, Some(4)), None)
            .insert(conn, &refs);
        CertificateBuilder::new("C-2")
            .company("第二公司", None, &credit_code("91330100MA2B00002"))
            .event("issued", date(2025, 2, 1), (None, Some(3)), None)
            .insert(conn, &refs);
        sqe_registry::app::transparency::start(conn, &demo_signer(), |_| {}).expect("log");
        sqe_registry::app::credentials::start(conn).expect("credentials");
    });
}

fn register(db: &TestDb, target: &str, url: &str) -> i32 {
    with_conn(db, |conn| {
        use_case::register(
            conn,
            &cli_actor("ops", beijing(2026, 12, 7, 9, 0)),
            target,
            url,
            true,
        )
        .expect("registered")
    })
}

fn sender(db: &TestDb, allow_loopback: bool) -> Sender {
    Sender::new(
        db.pool(),
        "http://127.0.0.1:8080",
        Some(Arc::new(demo_signer())),
        allow_loopback,
    )
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn secret_of(db: &TestDb, endpoint: i32) -> String {
    with_conn(db, |conn| {
        webhooks::endpoint(conn, endpoint)
            .expect("read")
            .expect("endpoint")
            .secret
    })
}

/// (state, attempts) of every delivery to `endpoint`, oldest first.
fn deliveries(db: &TestDb, endpoint: i32) -> Vec<(String, i32)> {
    with_conn(db, |conn| {
        webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(endpoint))
            .order(webhook_deliveries::id)
            .select((webhook_deliveries::state, webhook_deliveries::attempts))
            .load(conn)
            .expect("deliveries")
    })
}

/// Checks both signatures of a received delivery: `v1` with the `standardwebhooks` crate under
/// `secret`, `v1a` with the registry's published key.
fn assert_signed(got: &Received, secret: &str) {
    standardwebhooks::Webhook::new(secret)
        .expect("secret")
        .verify(&got.body, &got.header_map())
        .expect("v1 verifies with the specification's library");
    let id = got.header("webhook-id").expect("id");
    let timestamp = got.header("webhook-timestamp").expect("timestamp");
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(&got.body);
    let v1a = got
        .header("webhook-signature")
        .expect("signature")
        .split(' ')
        .find_map(|s| s.strip_prefix("v1a,"))
        .expect("a v1a signature");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v1a)
        .expect("base64");
    let signature = ed25519_dalek::Signature::from_slice(&bytes).expect("64 bytes");
    demo_signer()
        .verifier()
        .key
        .verify_strict(&signed, &signature)
        .expect("v1a verifies with the published key");
    // A changed body no longer verifies.
    let mut tampered = got.body.clone();
    tampered.extend_from_slice(b" ");
    assert!(standardwebhooks::Webhook::new(secret)
        .expect("secret")
        .verify(&tampered, &got.header_map())
        .is_err());
}

both_backends_async!(
    staff_register_endpoints_and_events_reach_them_signed,
    |db| {
        seed(&db);
        account(&db, "eve", "evaluator");
        account(&db, "vic", "viewer");
        let hooks = Receiver::start(&[200]);
        let company_hooks = Receiver::start(&[200]);
        let state = common::state_with(&db, beijing(2026, 12, 7, 10, 0), |c| {
            c.webhook_allow_loopback = true;
        });
        let app = TestApp::on_state(state).await;
        let mut eve = Browser::login(&app, "eve").await;
        let token = eve.token(&app).await;

        // Refused with a clear message, nothing stored.
        for (target, url, message) in [
            (
                "C-1",
                "http://hooks.example.com/sqe",
                "must start with https://",
            ),
            ("C-1", "https://10.1.2.3/sqe", "not a private, loopback"),
            ("C-1", "https://[fd00::1]/sqe", "not a private, loopback"),
            (
                "C-1",
                "https://user:pw@hooks.example.com/",
                "must not contain a user name",
            ),
            ("C-9", hooks.url.as_str(), "No certificate has this number"),
        ] {
            let page = eve
                .post(
                    &app,
                    "/admin/webhooks?lang=en",
                    &[("csrf", &token), ("for", target), ("url", url)],
                )
                .await;
            assert_eq!(page.status, 422, "{url}: {}", page.body);
            page.assert_contains(message);
        }
        let stored: i64 = with_conn(&db, |conn| {
            webhook_endpoints::table
                .count()
                .get_result(conn)
                .expect("count")
        });
        assert_eq!(stored, 0);

        // Registered: one for C-1, one for every certificate of C-2's company.
        let page = eve
            .post(
                &app,
                "/admin/webhooks",
                &[("csrf", &token), ("for", "C-1"), ("url", &hooks.url)],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        let location = page.header("location").expect("location");
        let id: i32 = location
            .strip_prefix("/admin/webhooks/")
            .and_then(|n| n.parse().ok())
            .expect("an endpoint page");
        let code2 = credit_code("91330100MA2B00002");
        let page = eve
            .post(
                &app,
                "/admin/webhooks",
                &[
                    ("csrf", &token),
                    ("for", &code2),
                    ("url", &company_hooks.url),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        let company_endpoint = id + 1;

        // The endpoint's page gives the secret to evaluators, not to viewers.
        let secret = secret_of(&db, id);
        assert!(secret.starts_with("whsec_"), "{secret}");
        let shown = eve.get(&app, &format!("{location}?lang=en")).await;
        assert_eq!(shown.status, 200);
        shown
            .assert_contains(&secret)
            .assert_contains("whpk_")
            .assert_contains(&hooks.url);
        let mut vic = Browser::login(&app, "vic").await;
        let viewed = vic.get(&app, &location).await;
        assert_eq!(viewed.status, 200);
        viewed.assert_lacks(&secret).assert_lacks("/test\"");
        // Listed under the certificate, and the company's under C-2.
        eve.get(&app, "/admin/webhooks?for=C-1")
            .await
            .assert_contains(&hooks.url)
            .assert_lacks(&company_hooks.url);
        eve.get(&app, "/admin/webhooks?for=C-2")
            .await
            .assert_contains(&company_hooks.url);

        // A suspension of C-1: queued for its endpoint in the same transaction, none for C-2's.
        common::act(&db, "C-1", ActionKind::Suspend);
        assert_eq!(deliveries(&db, id), vec![("pending".to_owned(), 0)]);
        assert!(deliveries(&db, company_endpoint).is_empty());
        let attempts = sender(&db, true).round(now()).expect("round");
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0].recorded, Recorded::Delivered);
        let got = hooks.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].path, "/hooks/sqe");
        assert_eq!(got[0].header("content-type"), Some("application/json"));
        assert_signed(&got[0], &secret);
        let log_index: i64 = with_conn(&db, |conn| {
            log_entries::table
                .select(diesel::dsl::max(log_entries::idx))
                .first::<Option<i64>>(conn)
                .expect("log")
                .expect("entries")
        });
        let body = got[0].json();
        assert_eq!(body["type"], "certificate.suspended");
        let data = &body["data"];
        assert_eq!(data["certificate"], "C-1");
        assert_eq!(data["company"], credit_code("91310000MA1FL0001"));
        assert_eq!(data["status"], "suspended");
        assert_eq!(data["stars"], 4);
        assert_eq!(data["logIndex"], log_index);
        assert!(data["eventId"].is_i64(), "{body}");
        assert_eq!(
            data["urls"]["status"],
            "http://127.0.0.1:8080/certificates/C-1/status.json"
        );
        assert_eq!(
            data["urls"]["logEntry"],
            format!("http://127.0.0.1:8080/log/entries/{log_index}")
        );
        assert_eq!(deliveries(&db, id), vec![("delivered".to_owned(), 1)]);
        eve.get(&app, &format!("{location}?lang=en"))
            .await
            .assert_contains("certificate.suspended")
            .assert_contains("Delivered")
            .assert_contains("answered 200");

        // "Send a test event" to the company's endpoint.
        let test = eve
            .post(
                &app,
                &format!("/admin/webhooks/{company_endpoint}/test"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(test.status, 303, "{}", test.body);
        assert_eq!(sender(&db, true).round(now()).expect("round").len(), 1);
        let got = company_hooks.received();
        assert_eq!(got.len(), 1);
        assert_signed(&got[0], &secret_of(&db, company_endpoint));
        let body = got[0].json();
        assert_eq!(body["type"], "webhook.test");
        assert_eq!(body["data"]["certificate"], Value::Null);
        assert_eq!(body["data"]["company"], code2);
        // An event of C-2 reaches the company's endpoint.
        common::act(&db, "C-2", ActionKind::Suspend);
        sender(&db, true).round(now()).expect("round");
        let got = company_hooks.received();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].json()["data"]["certificate"], "C-2");
        assert_eq!(
            hooks.received().len(),
            1,
            "C-1's endpoint hears only of C-1"
        );
    }
);

both_backends_async!(failures_are_retried_with_backoff_and_a_410_disables, |db| {
    seed(&db);
    let hooks = Receiver::start(&[500, 204]);
    let id = register(&db, "C-1", &hooks.url);
    let secret = secret_of(&db, id);
    common::act(&db, "C-1", ActionKind::Suspend);
    let t0 = now();
    let first = sender(&db, true).round(t0).expect("round");
    assert_eq!(first[0].recorded, Recorded::WillRetry);
    // Not again before the first pause (5 s) is over.
    assert!(sender(&db, true)
        .round(t0 + Duration::from_secs(4))
        .expect("round")
        .is_empty());
    let second = sender(&db, true)
        .round(t0 + Duration::from_secs(6))
        .expect("round");
    assert_eq!(second[0].recorded, Recorded::Delivered);
    let got = hooks.received();
    assert_eq!(got.len(), 2);
    // The same message, signed anew for each attempt's time.
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert_eq!(got[0].body, got[1].body);
    let (ts0, ts1): (i64, i64) = (
        got[0]
            .header("webhook-timestamp")
            .expect("ts")
            .parse()
            .expect("n"),
        got[1]
            .header("webhook-timestamp")
            .expect("ts")
            .parse()
            .expect("n"),
    );
    assert_eq!(ts1 - ts0, 6);
    for g in &got {
        assert_signed(g, &secret);
    }
    assert_eq!(deliveries(&db, id), vec![("delivered".to_owned(), 2)]);

    // 410 Gone: the endpoint is disabled, and later events are not queued for it.
    hooks.answer(410);
    common::act(&db, "C-1", ActionKind::Restore);
    let gone = sender(&db, true)
        .round(t0 + Duration::from_secs(10))
        .expect("round");
    assert_eq!(gone[0].recorded, Recorded::EndpointDisabled);
    let endpoint =
        with_conn(&db, |conn| webhooks::endpoint(conn, id).expect("read")).expect("endpoint");
    assert!(!endpoint.enabled);
    assert_eq!(endpoint.disabled_reason.as_deref(), Some("410 Gone"));
    common::act(&db, "C-1", ActionKind::Suspend);
    assert_eq!(
        deliveries(&db, id).len(),
        2,
        "nothing queued for a disabled endpoint"
    );
    // Staff enable it again: the next event is queued.
    with_conn(&db, |conn| {
        use_case::set_enabled(
            conn,
            &cli_actor("ops", beijing(2026, 12, 7, 11, 0)),
            id,
            true,
        )
        .expect("enabled")
    });
    common::act(&db, "C-1", ActionKind::Restore);
    assert_eq!(deliveries(&db, id).len(), 3);
});

both_backends_async!(three_days_of_failures_give_up_and_disable, |db| {
    seed(&db);
    let hooks = Receiver::start(&[503]);
    let id = register(&db, "C-1", &hooks.url);
    common::act(&db, "C-1", ActionKind::Suspend);
    let mut at = now();
    let mut outcomes = Vec::new();
    for _ in 0..12 {
        let attempts = sender(&db, true).round(at).expect("round");
        assert_eq!(attempts.len(), 1, "due at {at}");
        outcomes.push(attempts[0].recorded);
        let waited = sqe_registry::domain::webhook::retry_pause(attempts[0].claimed.attempts)
            .unwrap_or_default();
        // Nothing is sent a second before the pause ends.
        if waited > Duration::from_secs(1) {
            let early = at + waited - Duration::from_secs(1);
            assert!(sender(&db, true).round(early).expect("round").is_empty());
        }
        at += waited + Duration::from_secs(1);
    }
    assert_eq!(outcomes[..11], [Recorded::WillRetry; 11]);
    assert_eq!(outcomes[11], Recorded::EndpointDisabled);
    assert_eq!(hooks.received().len(), 12);
    assert_eq!(deliveries(&db, id), vec![("failed".to_owned(), 12)]);
    assert!(sender(&db, true)
        .round(at + Duration::from_secs(86_400))
        .expect("round")
        .is_empty());
});

both_backends_async!(a_delivery_whose_sender_died_is_sent_after_its_lease, |db| {
    seed(&db);
    let hooks = Receiver::start(&[204]);
    let id = register(&db, "C-1", &hooks.url);
    common::act(&db, "C-1", ActionKind::Suspend);
    let t0 = now();
    // An instance claims it and dies before sending (kill -9): the claim is all that is left.
    let claimed = with_conn(&db, |conn| webhooks::claim_due(conn, t0, 8).expect("claim"));
    assert_eq!(claimed.len(), 1);
    // Another instance does not take it while the lease runs…
    assert!(sender(&db, true)
        .round(t0 + Duration::from_secs(30))
        .expect("round")
        .is_empty());
    assert!(hooks.received().is_empty());
    // …and sends it once the lease is over.
    let later = sender(&db, true)
        .round(t0 + Duration::from_secs(61))
        .expect("round");
    assert_eq!(later[0].recorded, Recorded::Delivered);
    assert_eq!(hooks.received().len(), 1);
    assert_eq!(deliveries(&db, id), vec![("delivered".to_owned(), 2)]);
});

both_backends_async!(private_addresses_are_refused_after_resolution, |db| {
    seed(&db);
    let hooks = Receiver::start(&[204]);
    // Registered while loopback was allowed; the sender of a production instance refuses it,
    // by address and by a name that resolves to it.
    let by_address = register(&db, "C-1", &hooks.url);
    let by_name = register(
        &db,
        "C-1",
        &format!("http://localhost:{}/hooks/sqe", hooks.port),
    );
    // The check at registration already refuses these without the test setting.
    with_conn(&db, |conn| {
        let actor = cli_actor("ops", beijing(2026, 12, 7, 9, 0));
        for url in [
            hooks.url.as_str(),
            "https://169.254.169.254/latest/meta-data",
        ] {
            let refused = use_case::register(conn, &actor, "C-1", url, false);
            assert!(
                matches!(refused, Err(use_case::WebhookError::Url(_))),
                "{url}: {refused:?}"
            );
        }
    });
    common::act(&db, "C-1", ActionKind::Suspend);
    let attempts = sender(&db, false).round(now()).expect("round");
    assert_eq!(attempts.len(), 2);
    for a in &attempts {
        assert_eq!(a.recorded, Recorded::WillRetry);
        let sqe_registry::domain::webhook::Answer::Unreachable(why) = &a.answer else {
            panic!("{:?}", a.answer);
        };
        assert!(why.contains("no public address"), "{why}");
    }
    assert!(hooks.received().is_empty(), "never connected");
    for id in [by_address, by_name] {
        assert_eq!(deliveries(&db, id), vec![("pending".to_owned(), 1)]);
    }
});

/// The queue is in the database: deliveries queued while no server ran (or before one was
/// killed) are sent by the next `serve` on its own.
#[test]
fn a_restarted_server_sends_what_was_queued() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    let demo = Command::new(common::BIN)
        .args(["demo", "--count", "3"])
        .env("DATABASE_URL", &url)
        .env("SQE_DATA_DIR", dir.path())
        .output()
        .expect("demo");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let hooks = Receiver::start(&[204]);
    let pool = sqe_registry::db::build_pool(&url, 2).expect("pool");
    let (id, message) = {
        let mut conn = pool.get().expect("conn");
        let number: String = sqe_registry::db::schema::certificates::table
            .select(sqe_registry::db::schema::certificates::number)
            .first(&mut conn)
            .expect("a certificate");
        let actor = cli_actor("ops", chrono::Utc::now());
        let id =
            use_case::register(&mut conn, &actor, &number, &hooks.url, true).expect("endpoint");
        let message = use_case::send_test(&mut conn, &actor, id).expect("queued");
        (id, message)
    };
    drop(pool);
    let port = common::free_port();
    let mut server = Command::new(common::BIN)
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("SQE_DATA_DIR", dir.path())
        .env("SQE_BIND", format!("127.0.0.1:{port}"))
        .env("SQE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("SQE_WEBHOOK_ALLOW_LOOPBACK", "1")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let got = hooks.wait_for(1, 30);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        got.len(),
        1,
        "the restarted server sent the queued delivery"
    );
    assert_eq!(got[0].header("webhook-id"), Some(message.as_str()));
    assert_eq!(got[0].json()["type"], "webhook.test");
    let pool = sqe_registry::db::build_pool(&url, 1).expect("pool");
    let secret = webhooks::endpoint(&mut pool.get().expect("conn"), id)
        .expect("read")
        .expect("endpoint")
        .secret;
    assert_signed(&got[0], &secret);
}

both_backends!(instances_never_claim_the_same_delivery, |db| {
    seed(&db);
    let hooks = Receiver::start(&[204]);
    let id = register(&db, "C-1", &hooks.url);
    with_conn(&db, |conn| {
        let actor = cli_actor("ops", beijing(2026, 12, 7, 9, 0));
        for _ in 0..40 {
            use_case::send_test(conn, &actor, id).expect("queued");
        }
    });
    // Two instances claim at once until the queue is empty (on PostgreSQL the rows one holds
    // are skipped by the other; on SQLite the claims take turns).
    let t0 = now();
    let claimers: Vec<_> = (0..2)
        .map(|_| {
            let pool = db.pool();
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                let mut conn = pool.get().expect("conn");
                loop {
                    let claimed = webhooks::claim_due(&mut conn, t0, 3).expect("claim");
                    if claimed.is_empty() {
                        return mine;
                    }
                    mine.extend(claimed.into_iter().map(|c| c.id));
                }
            })
        })
        .collect();
    let mut all: Vec<i32> = claimers
        .into_iter()
        .flat_map(|c| c.join().expect("claimer"))
        .collect();
    assert_eq!(all.len(), 40, "each delivery claimed once");
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 40);
});

both_backends!(
    a_receiver_that_hangs_times_out_without_holding_up_others,
    |db| {
        seed(&db);
        // Accepts connections and never answers.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                held.push(stream);
            }
        });
        let hooks = Receiver::start(&[204]);
        let hanging = register(&db, "C-1", &format!("http://127.0.0.1:{port}/hooks"));
        let answering = register(&db, "C-1", &hooks.url);
        common::act(&db, "C-1", ActionKind::Suspend);
        let started = std::time::Instant::now();
        let attempts = sender(&db, true).round(now()).expect("round");
        let took = started.elapsed();
        assert_eq!(attempts.len(), 2);
        for a in &attempts {
            if a.claimed.endpoint_id == hanging {
                assert_eq!(a.recorded, Recorded::WillRetry);
                let sqe_registry::domain::webhook::Answer::Unreachable(why) = &a.answer else {
                    panic!("{:?}", a.answer);
                };
                assert!(why.to_lowercase().contains("timeout"), "{why}");
            } else {
                assert_eq!(a.claimed.endpoint_id, answering);
                assert_eq!(a.recorded, Recorded::Delivered);
            }
        }
        // The time-out is the sender's 5 s (not a limit of this test's making).
        assert!(took >= sqe_registry::webhook_sender::TIMEOUT, "{took:?}");
    }
);
