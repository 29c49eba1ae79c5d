//! Webhook deliveries per second (issue 17, §4): a small demo registry on SQLite (a temporary
//! file) or PostgreSQL (`SQE_BENCH_PG_URL`, a scratch database it creates and drops), one
//! endpoint at a keep-alive HTTP receiver in this process answering 204, 4,000 test deliveries
//! queued, then the sender's rounds until the queue is empty (claim, sign v1 and v1a, post,
//! record). Reference in the same run: the same signed posts to the same receiver from as many
//! threads as a round sends at once, without the queue.
//! Run: `cargo bench --bench webhooks` and
//! `SQE_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench webhooks`

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::Arc;
use std::time::Instant;

use diesel::connection::SimpleConnection;
use diesel::Connection;
use sqe_registry::app::{webhooks as use_case, Actor, ActorKind};
use sqe_registry::config::log_key::demo_signer;
use sqe_registry::db::{self, webhooks};
use sqe_registry::domain::webhook::{payload, DeliveryFacts};
use sqe_registry::domain::webhook_signature::{sign_v1, sign_v1a, Secret};
use sqe_registry::webhook_sender::Sender;

const QUEUED: usize = 4_000;
const THREADS: usize = 8;

/// A keep-alive HTTP/1.1 receiver answering every request 204; returns its URL.
fn receiver() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut length = 0usize;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        if h.trim().is_empty() {
                            break;
                        }
                        if let Some((n, v)) = h.split_once(':') {
                            if n.eq_ignore_ascii_case("content-length") {
                                length = v.trim().parse().unwrap_or(0);
                            }
                        }
                    }
                    let mut body = vec![0u8; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    if reader
                        .get_mut()
                        .write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}/hook")
}

fn actor() -> Actor {
    let now = chrono::Utc::now();
    Actor {
        kind: ActorKind::System { task: "bench" },
        today: sqe_registry::domain::dates::beijing_today(now),
        now: now.naive_utc(),
        validity_years: 3,
        log_signer: Some(Arc::new(demo_signer())),
    }
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (url, scratch) = match std::env::var("SQE_BENCH_PG_URL") {
        Ok(admin) => {
            let mut c = diesel::PgConnection::establish(&admin)?;
            c.batch_execute("DROP DATABASE IF EXISTS sqe_bench_webhooks WITH (FORCE)")?;
            c.batch_execute("CREATE DATABASE sqe_bench_webhooks")?;
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            (format!("{base}/sqe_bench_webhooks"), Some(c))
        }
        Err(_) => (
            format!("sqlite://{}", dir.path().join("bench.db").display()),
            None,
        ),
    };
    let pool = db::build_pool(&url, 4)?;
    {
        let mut conn = pool.get()?;
        db::run_migrations(&mut conn)?;
        let today = sqe_registry::domain::dates::beijing_today(chrono::Utc::now());
        sqe_registry::demo::fill_empty(
            &mut conn,
            &sqe_registry::demo::DemoOptions {
                count: 20,
                seed: 1,
                today,
            },
        )?;
    }
    let target = receiver();
    let actor = actor();
    let secret = {
        let mut conn = pool.get()?;
        let number: String = {
            use diesel::prelude::*;
            use sqe_registry::db::schema::certificates;
            certificates::table
                .select(certificates::number)
                .first(&mut conn)?
        };
        let id = use_case::register(&mut conn, &actor, &number, &target, true)?;
        let endpoint = webhooks::endpoint(&mut conn, id)?.expect("registered");
        let start = Instant::now();
        conn.transaction(|conn| {
            for _ in 0..QUEUED {
                webhooks::enqueue_test(conn, &endpoint, actor.now, actor.today)?;
            }
            diesel::QueryResult::Ok(())
        })?;
        println!(
            "queued {QUEUED} deliveries in {:.2} s ({})",
            start.elapsed().as_secs_f64(),
            if scratch.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        );
        endpoint.secret.clone()
    };

    // Through the queue.
    let sender = Sender::new(
        pool.clone(),
        "https://registry.example.cn",
        Some(Arc::new(demo_signer())),
        true,
    );
    let start = Instant::now();
    let mut sent = 0usize;
    loop {
        let attempts = sender
            .round(chrono::Utc::now().naive_utc())
            .map_err(anyhow::Error::msg)?;
        if attempts.is_empty() {
            break;
        }
        sent += attempts.len();
    }
    let queue_secs = start.elapsed().as_secs_f64();
    println!(
        "sender: {sent} deliveries in {queue_secs:.2} s = {:.0} deliveries/s",
        sent as f64 / queue_secs
    );

    // Reference: the same signed posts, no queue.
    let agent = sqe_registry::outbound::agent(std::time::Duration::from_secs(5), true, "bench");
    let secret = Secret::parse(&secret)?;
    let signer = demo_signer();
    let facts = DeliveryFacts {
        message_id: "msg_bench".into(),
        kind: "test".into(),
        event_id: None,
        log_index: Some(1),
        certificate_number: Some("CQM-SQE-2026-000001".into()),
        credit_code: "91330100MA27XYZ12K".into(),
        status: Some("valid".into()),
        stars: Some(4),
        created_at: actor.now,
    };
    let body = payload(&facts, "https://registry.example.cn");
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..QUEUED / THREADS {
                    let ts = chrono::Utc::now().timestamp();
                    let signature = format!(
                        "{} {}",
                        sign_v1(&secret, "msg_bench", ts, body.as_bytes()),
                        sign_v1a(signer.signing_key(), "msg_bench", ts, body.as_bytes())
                    );
                    let _ = agent
                        .post(&target)
                        .header("content-type", "application/json")
                        .header("webhook-id", "msg_bench")
                        .header("webhook-timestamp", ts.to_string())
                        .header("webhook-signature", signature)
                        .send(body.as_bytes());
                }
            });
        }
    });
    let raw_secs = start.elapsed().as_secs_f64();
    println!(
        "reference: {QUEUED} signed posts from {THREADS} threads in {raw_secs:.2} s = {:.0} posts/s; \
         queue/reference = {:.2}",
        QUEUED as f64 / raw_secs,
        raw_secs / queue_secs
    );
    drop(sender);
    drop(pool);
    if let Some(mut admin) = scratch {
        admin.batch_execute("DROP DATABASE IF EXISTS sqe_bench_webhooks WITH (FORCE)")?;
    }
    Ok(())
}
