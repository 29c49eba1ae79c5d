//! The transparency log through the one commit path, on both backends: a lifecycle action
//! appends its entry and signs a new checkpoint in its own transaction; a change that fails
//! leaves no entry; each certificate's entries form a chain; the history recorded before the
//! log began is appended first, in the order recorded; a key that is not the log's is refused.

use crate::common;

use chrono::NaiveDate;
use diesel::prelude::*;
use sqe_registry::app::certificates::apply;
use sqe_registry::app::{commit, transparency, PublicEvent};
use sqe_registry::config::log_key::demo_signer;
use sqe_registry::db::schema::log_entries;
use sqe_registry::db::{log, DbConnection};
use sqe_registry::domain::event::EventKind;
use sqe_registry::domain::lifecycle::{ActionInput, ActionKind};
use sqe_registry::domain::tlog::checkpoint::Checkpoint;
use sqe_registry::domain::tlog::entry::{hex, LogEntry};
use sqe_registry::domain::tlog::merkle::{self, MemoryTree};
use sqe_registry::domain::tlog::note::{self, NoteSigner, TYPE_ED25519};
use sqe_registry::domain::tlog::tile;

use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{beijing, cli_actor, with_conn, Served};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Every entry in order, parsed, and the tree rebuilt from their bytes.
fn read_log(conn: &mut DbConnection) -> (Vec<LogEntry>, MemoryTree) {
    let head = log::head(conn).expect("head").expect("the log has begun");
    let bodies = log::entry_run(conn, 0, head.size).expect("entries");
    assert_eq!(bodies.len() as u64, head.size, "one row per entry");
    let mut tree = MemoryTree::default();
    let entries = bodies
        .iter()
        .map(|b| {
            tree.push(b);
            LogEntry::parse(b).expect("a canonical entry")
        })
        .collect();
    (entries, tree)
}

/// The head's checkpoint: signed by the demo key and naming the rebuilt tree.
fn assert_head_signs(conn: &mut DbConnection, tree: &MemoryTree) {
    let head = log::head(conn).expect("head").expect("begun");
    let (body, _) =
        note::open(&head.checkpoint, &[demo_signer().verifier()]).expect("signed by the key");
    let checkpoint = Checkpoint::parse(&body).expect("a checkpoint");
    assert_eq!(checkpoint.origin, "demo.sqe-registry.invalid/log");
    assert_eq!(checkpoint.size, tree.size());
    assert_eq!(
        checkpoint.root,
        tree.root(),
        "the signed root is the entries' tree"
    );
    assert_eq!(head.root, tree.root());
}

fn suspend(conn: &mut DbConnection, number: &str, on: NaiveDate) {
    let actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
    assert_eq!(actor.today, on);
    apply(
        conn,
        &actor,
        number,
        ActionKind::Suspend,
        &ActionInput {
            reason_zh: "监督中发现问题".into(),
            reason_en: "Problems found in surveillance".into(),
            until: Some(day(2027, 1, 31)),
        },
    )
    .expect("suspended");
}

both_backends!(
    history_before_the_log_is_appended_first_then_each_action,
    |db| {
        with_conn(&db, |conn| {
            let refs = seed_reference(conn);
            CertificateBuilder::new("C-1")
                .domains(&["b.example.cn", "a.example.cn"])
                .event("issued", day(2024, 3, 1), (None, Some(4)), None)
                .event("upgraded", day(2025, 3, 1), (Some(4), Some(5)), None)
                .insert(conn, &refs);
            CertificateBuilder::new("C-2")
                .company("第二公司", None, &credit_code("91330100MA2B00002"))
                .event("issued", day(2024, 5, 1), (None, Some(3)), None)
                .insert(conn, &refs);
            assert!(
                log::head(conn).expect("head").is_none(),
                "no log before the first change"
            );

            suspend(conn, "C-1", day(2026, 12, 2));
            let (entries, tree) = read_log(conn);
            let kinds: Vec<(&str, &str)> = entries
                .iter()
                .map(|e| (e.certificate.as_str(), e.kind.as_str()))
                .collect();
            // The recorded history in the order recorded, then the suspension.
            assert_eq!(
                kinds,
                [
                    ("C-1", "issued"),
                    ("C-1", "upgraded"),
                    ("C-2", "issued"),
                    ("C-1", "suspended")
                ]
            );
            for (i, e) in entries.iter().enumerate() {
                assert_eq!(e.index, i as u64);
            }
            let suspended = &entries[3];
            assert_eq!(suspended.date, "2026-12-02");
            assert_eq!(
                suspended.domains,
                ["a.example.cn", "b.example.cn"],
                "sorted"
            );
            assert_eq!(suspended.reason_zh.as_deref(), Some("监督中发现问题"));
            assert_eq!(
                suspended.reason_en.as_deref(),
                Some("Problems found in surveillance")
            );
            // C-1's chain: issued → upgraded → suspended; C-2 starts its own.
            let leaf = |i: usize| hex(&merkle::leaf_hash(&entries[i].to_bytes().expect("bytes")));
            assert_eq!(entries[0].previous, None);
            assert_eq!(entries[1].previous, Some(leaf(0)));
            assert_eq!(entries[2].previous, None);
            assert_eq!(entries[3].previous, Some(leaf(1)));
            assert_head_signs(conn, &tree);

            // The next action adds one entry and a new checkpoint, and chains on.
            let before = log::head(conn).expect("head").expect("begun");
            suspend(conn, "C-2", day(2026, 12, 2));
            let (entries, tree) = read_log(conn);
            assert_eq!(entries.len(), 5);
            assert_eq!(entries[4].certificate, "C-2");
            assert_eq!(entries[4].previous, Some(leaf(2)));
            assert_head_signs(conn, &tree);
            // The old head is a prefix of the new one.
            let proof = log::with_subtrees(conn, |s| merkle::consistency_proof(s, before.size, 5))
                .expect("read")
                .expect("proof");
            merkle::verify_consistency(before.size, 5, &proof, &before.root, &tree.root())
                .expect("consistent");
        });
    }
);

both_backends!(a_change_that_fails_appends_nothing, |db| {
    let id = with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("C-1").insert(conn, &refs)
    });
    let actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
    with_conn(&db, |conn| {
        suspend(conn, "C-1", actor.today);
        let before = log::head(conn).expect("head").expect("begun");
        let failed: Result<(), diesel::result::Error> =
            commit::run(conn, &actor, |conn, changes| {
                changes.publish(PublicEvent {
                    certificate_id: id,
                    kind: EventKind::Revoked,
                    occurred_on: actor.today,
                    grade_before: None,
                    grade_after: None,
                    reason_zh: Some("撤销".into()),
                    reason_en: None,
                });
                // Something fails after the event was published: the whole change goes.
                diesel::sql_query("SELECT * FROM no_such_table").execute(conn)?;
                Ok(())
            });
        assert!(failed.is_err());
        assert_eq!(log::head(conn).expect("head"), Some(before.clone()));
        let rows: i64 = log_entries::table.count().get_result(conn).expect("count");
        assert_eq!(rows as u64, before.size);
    });
});

both_backends!(
    a_key_that_is_not_the_logs_is_refused_and_nothing_written,
    |db| {
        with_conn(&db, |conn| {
            let refs = seed_reference(conn);
            CertificateBuilder::new("C-1").insert(conn, &refs);
            suspend(conn, "C-1", day(2026, 12, 2));
            let before = log::head(conn).expect("head").expect("begun");
            let mut actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
            let other =
                NoteSigner::from_seed("elsewhere.example/log", TYPE_ED25519, [9; 32]).expect("key");
            actor.log_signer = Some(std::sync::Arc::new(other.clone()));
            let revoke = ActionInput {
                reason_zh: "撤销".into(),
                reason_en: String::new(),
                until: None,
            };
            let refused = apply(conn, &actor, "C-1", ActionKind::Revoke, &revoke);
            assert!(refused.is_err());
            actor.log_signer = None;
            assert!(
                apply(conn, &actor, "C-1", ActionKind::Revoke, &revoke).is_err(),
                "no key, no change"
            );
            assert_eq!(log::head(conn).expect("head"), Some(before));
            assert!(matches!(
                transparency::start(conn, &other, |_| {}),
                Err(log::LogError::KeyMismatch { .. })
            ));
        });
    }
);

both_backends!(
    starting_the_log_backfills_once_and_signs_an_empty_log_too,
    |db| {
        with_conn(&db, |conn| {
            let signer = demo_signer();
            // An empty registry: the log begins empty with a signed checkpoint of size 0.
            let started = transparency::start(conn, &signer, |_| {}).expect("start");
            let transparency::Started::Began { backfilled, head } = started else {
                panic!("began now: {started:?}");
            };
            assert_eq!((backfilled, head.size), (0, 0));
            assert_eq!(head.root, merkle::empty_root());
            assert!(head.checkpoint.starts_with("demo.sqe-registry.invalid/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— "));
            assert!(matches!(
                transparency::start(conn, &signer, |_| {}),
                Ok(transparency::Started::Already(_))
            ));
        });
    }
);

both_backends_async!(the_log_is_served_as_tlog_tiles_prescribes, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("C-1")
            .event("issued", day(2024, 3, 1), (None, Some(4)), None)
            .insert(conn, &refs);
        CertificateBuilder::new("C-2")
            .company("第二公司", None, &credit_code("91330100MA2B00002"))
            .event("issued", day(2024, 5, 1), (None, Some(3)), None)
            .insert(conn, &refs);
        suspend(conn, "C-1", day(2026, 12, 2));
    });
    let app = common::TestApp::new(&db, beijing(2026, 12, 2, 11, 0)).await;
    let (entries, tree) = with_conn(&db, read_log);
    assert_eq!(tree.size(), 3);

    let checkpoint = app.get("/log/checkpoint").await;
    assert_eq!(checkpoint.status, 200);
    assert_eq!(
        checkpoint.headers.get("content-type").expect("type"),
        "text/plain; charset=utf-8"
    );
    assert!(checkpoint
        .headers
        .get("cache-control")
        .expect("cache")
        .to_str()
        .expect("ascii")
        .contains("max-age=5"));
    let (body, _) = note::open(&checkpoint.body, &[demo_signer().verifier()]).expect("signed");
    let parsed = Checkpoint::parse(&body).expect("checkpoint");
    assert_eq!((parsed.size, parsed.root), (3, tree.root()));

    // The partial level-0 tile: the three leaf hashes; the entry bundle: the three entries.
    let leaves = app.get("/log/tile/0/000.p/3").await;
    assert_eq!(leaves.status, 200);
    assert_eq!(
        leaves.headers.get("content-type").expect("type"),
        "application/octet-stream"
    );
    let expected: Vec<u8> = entries
        .iter()
        .flat_map(|e| merkle::leaf_hash(&e.to_bytes().expect("bytes")))
        .collect();
    assert_eq!(leaves.bytes, expected);
    let bundle = app.get("/log/tile/entries/000.p/3").await;
    assert_eq!(bundle.status, 200);
    let bodies = tile::unbundle(&bundle.bytes).expect("a bundle");
    assert_eq!(bodies.len(), 3);
    for (body, entry) in bodies.iter().zip(&entries) {
        assert_eq!(LogEntry::parse(body).expect("entry"), *entry);
    }
    // Narrower partial tiles exist; wider ones, full ones and odd spellings do not.
    assert_eq!(app.get("/log/tile/0/000.p/2").await.bytes, expected[..64]);
    for missing in [
        "/log/tile/0/000.p/4",
        "/log/tile/0/000",
        "/log/tile/0/001.p/1",
        "/log/tile/1/000.p/1",
        "/log/tile/entries/000",
        "/log/tile/0/0.p/3",
        "/log/tile/0/000.p/03",
        "/log/tile/x",
    ] {
        assert_eq!(app.get(missing).await.status, 404, "{missing}");
    }

    // A proof of the suspension's entry, checked against the signed checkpoint it carries.
    let proof = app.get("/log/proof/2").await;
    assert_eq!(proof.status, 200);
    let (head, rest) = proof
        .body
        .split_once("\n\n")
        .expect("proof, blank line, checkpoint");
    let mut lines = head.lines();
    assert_eq!(lines.next(), Some("c2sp.org/tlog-proof@v1"));
    assert_eq!(lines.next(), Some("index 2"));
    let hashes: Vec<merkle::Hash> = lines
        .map(|l| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(l)
                .expect("base64")
                .try_into()
                .expect("32 bytes")
        })
        .collect();
    let (cp_body, _) = note::open(rest, &[demo_signer().verifier()]).expect("signed");
    let cp = Checkpoint::parse(&cp_body).expect("checkpoint");
    let leaf = merkle::leaf_hash(&entries[2].to_bytes().expect("bytes"));
    merkle::verify_inclusion(&leaf, 2, cp.size, &hashes, &cp.root).expect("included");
    for missing in [
        "/log/proof/3",
        "/log/proof/02",
        "/log/proof/-1",
        "/log/proof/+1",
        "/log/entries/+1",
        "/log/proof/x",
    ] {
        assert_eq!(app.get(missing).await.status, 404, "{missing}");
    }

    // One entry alone, as the log hashed it; and each history event links its entry and proof.
    let one = app.get("/log/entries/2").await;
    assert_eq!(one.status, 200);
    assert_eq!(one.bytes, entries[2].to_bytes().expect("bytes"));
    assert_eq!(app.get("/log/entries/3").await.status, 404);
    let page = app.get("/certificates/C-1").await;
    page.assert_contains("href=\"/log/entries/2\"")
        .assert_contains("href=\"/log/proof/2\"")
        .assert_contains("href=\"/log/entries/0\"");
    let api = app.get("/api/v1/certificates/C-1").await;
    let item: serde_json::Value = serde_json::from_str(&api.body).expect("json");
    let indexes: Vec<i64> = item["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["log_index"].as_i64().expect("an index"))
        .collect();
    assert_eq!(indexes, [0, 2], "issued, then suspended");
    assert!(item["history"][1]["log_proof_url"]
        .as_str()
        .expect("url")
        .ends_with("/log/proof/2"));

    // The next change is in the checkpoint as soon as the instance sees the new revision
    // (at most a second later; made due here).
    with_conn(&db, |conn| suspend(conn, "C-2", day(2026, 12, 2)));
    app.state.revision.force_check();
    let next = app.get("/log/checkpoint").await;
    let (body, _) = note::open(&next.body, &[demo_signer().verifier()]).expect("signed");
    assert_eq!(Checkpoint::parse(&body).expect("checkpoint").size, 4);

    let keys = app.get("/log/keys").await;
    assert_eq!(keys.status, 200);
    keys.assert_contains(&demo_signer().verifier().vkey())
        .assert_contains("DEMO REGISTRY");
});

both_backends!(binding_scope_and_misuse_changes_are_logged_too, |db| {
    use sqe_registry::app::certificates::{change_binding, BindingChange};
    use sqe_registry::app::sightings::{confirm, SightingRef};
    use sqe_registry::db::marks::{record_sightings, NewSighting};

    let actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        let id = CertificateBuilder::new("C-1")
            .domains(&["a.example.cn", "b.example.cn"])
            .insert(conn, &refs);
        let scope = |conn: &mut DbConnection| -> (String, String) {
            use sqe_registry::db::schema::certificates;
            certificates::table
                .find(id)
                .select((certificates::scope_zh, certificates::scope_en))
                .first(conn)
                .expect("scope")
        };
        let (zh, en) = scope(conn);
        let bind = |conn: &mut DbConnection, domains: &[&str], zh: &str, en: &str| {
            change_binding(
                conn,
                &actor,
                "C-1",
                &BindingChange {
                    domains: domains.iter().map(|d| d.to_string()).collect(),
                    scope_zh: zh.into(),
                    scope_en: en.into(),
                },
            )
            .expect("changed");
        };
        // The same domains in another order and the same scope: nothing to log.
        bind(conn, &["b.example.cn", "a.example.cn"], &zh, &en);
        assert_eq!(
            log::head(conn).expect("head"),
            None,
            "nothing appended, nothing begun"
        );
        bind(conn, &["a.example.cn", "c.example.cn"], &zh, &en);
        bind(
            conn,
            &["a.example.cn", "c.example.cn"],
            "网络零售平台服务",
            &en,
        );
        record_sightings(
            conn,
            &[NewSighting {
                certificate_id: id,
                host: "fake-shop.com".to_owned(),
                first_seen: actor.now,
                last_seen: actor.now,
                hits: 3,
                networks: vec![],
            }],
        )
        .expect("sighting");
        let host = SightingRef::Host {
            number: "C-1".into(),
            host: "fake-shop.com".into(),
        };
        confirm(conn, &actor, &host, Some("复制了徽章")).expect("confirmed");

        let (entries, tree) = read_log(conn);
        let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["domains_changed", "scope_changed", "misuse_confirmed"]
        );
        assert_eq!(entries[0].domains, ["a.example.cn", "c.example.cn"]);
        assert_eq!(entries[2].site.as_deref(), Some("fake-shop.com"));
        assert_eq!(entries[2].reason_zh.as_deref(), Some("复制了徽章"));
        assert_eq!(entries[2].date, "2026-12-02");
        assert_head_signs(conn, &tree);
    });
});

both_backends_async!(
    the_outside_check_accepts_the_log_and_catches_a_rewrite_or_a_fork,
    |db| {
        use sqe_registry::domain::tlog::verify::{verify, VerifyError};

        with_conn(&db, |conn| {
            let refs = seed_reference(conn);
            CertificateBuilder::new("C-1")
                .event("issued", day(2024, 3, 1), (None, Some(4)), None)
                .event("upgraded", day(2025, 3, 1), (Some(4), Some(5)), None)
                .insert(conn, &refs);
            suspend(conn, "C-1", day(2026, 12, 2));
        });
        let app = common::TestApp::new(&db, beijing(2026, 12, 2, 11, 0)).await;
        let keys = [demo_signer().verifier()];
        let mut steps = Vec::new();
        let first = verify(&mut Served(&app), &keys, None, true, |n, of| {
            steps.push((n, of))
        })
        .await
        .expect("the log checks out");
        assert_eq!(first.checkpoint.size, 3);
        assert_eq!(first.certificates, 1);
        assert_eq!(first.tiles, 1);
        assert_eq!(steps, [(3, 3)]);

        // The log grew: the kept checkpoint is a prefix of the new one.
        with_conn(&db, |conn| {
            let actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
            let restore = ActionInput {
                reason_zh: "整改完成".into(),
                reason_en: String::new(),
                until: None,
            };
            apply(conn, &actor, "C-1", ActionKind::Restore, &restore).expect("restored");
        });
        app.state.revision.force_check();
        let again = verify(
            &mut Served(&app),
            &keys,
            Some(&first.checkpoint),
            true,
            |_, _| {},
        )
        .await
        .expect("still checks out");
        assert_eq!(again.checkpoint.size, 4);

        // Another key: refused.
        let other = NoteSigner::from_seed("demo.sqe-registry.invalid/log", TYPE_ED25519, [5; 32])
            .expect("key")
            .verifier();
        assert!(matches!(
            verify(&mut Served(&app), &[other], None, true, |_, _| {}).await,
            Err(VerifyError::Signature(_))
        ));

        // A fork: a kept checkpoint of the same size with another root.
        let mut forked = first.checkpoint.clone();
        forked.root[0] ^= 1;
        assert_eq!(
            verify(&mut Served(&app), &keys, Some(&forked), true, |_, _| {}).await,
            Err(VerifyError::Fork { old: 3 })
        );
        let mut longer = again.checkpoint.clone();
        longer.size = 5;
        assert_eq!(
            verify(&mut Served(&app), &keys, Some(&longer), true, |_, _| {}).await,
            Err(VerifyError::Shrunk { old: 5, new: 4 })
        );

        // A stored hash changed: the tile that serves it differs from the entries' tree.
        let set_leaf = |hash: Vec<u8>| {
            use sqe_registry::db::schema::log_hashes;
            with_conn(&db, |conn| {
                diesel::update(log_hashes::table.find((0i16, 0i64)))
                    .set(log_hashes::hash.eq(hash))
                    .execute(conn)
                    .expect("hash")
            })
        };
        let leaf0 = with_conn(&db, |conn| {
            log::subtrees(conn, &[(0, 0)]).expect("hashes")[&(0, 0)]
        });
        set_leaf(vec![0; 32]);
        assert_eq!(
            verify(&mut Served(&app), &keys, None, true, |_, _| {}).await,
            Err(VerifyError::Tile {
                path: "tile/0/000.p/4".into()
            })
        );
        set_leaf(leaf0.to_vec());

        // An insider rewrites entries in the database. The last one: the entries no longer give
        // the signed root. An earlier one: the next entry of the certificate no longer follows it.
        // (The log alone; compared with the histories, the rewritten entry differs first:
        // `log_histories`.)
        let rewrite = |index: i64, from: &'static str, to: &'static str| {
            with_conn(&db, |conn| {
                let body: Vec<u8> = log_entries::table
                    .find(index)
                    .select(log_entries::body)
                    .first(conn)
                    .expect("entry");
                let text = String::from_utf8(body).expect("utf-8");
                assert!(text.contains(from), "{text}");
                diesel::update(log_entries::table.find(index))
                    .set(log_entries::body.eq(text.replace(from, to).into_bytes()))
                    .execute(conn)
                    .expect("rewritten");
            })
        };
        rewrite(3, "整改完成", "从未暂停");
        assert_eq!(
            verify(&mut Served(&app), &keys, None, false, |_, _| {}).await,
            Err(VerifyError::Root)
        );
        rewrite(3, "从未暂停", "整改完成");
        verify(&mut Served(&app), &keys, None, false, |_, _| {})
            .await
            .expect("as it was");
        rewrite(1, "\"grade_after\":5", "\"grade_after\":4");
        assert_eq!(
            verify(&mut Served(&app), &keys, None, false, |_, _| {}).await,
            Err(VerifyError::Chain {
                index: 2,
                certificate: "C-1".into()
            })
        );
    }
);

/// `sqe-registry log verify` against a registry served over HTTP by the real binary.
#[test]
fn log_verify_checks_a_running_registry_over_http() {
    let mut server = common::DemoServer::start(40);
    let base = server.base.clone();
    let verify = |args: &[&str]| {
        let mut all = vec!["log", "verify", "--url", &base];
        all.extend_from_slice(args);
        common::run_bin(&all)
    };
    let state = server.dir.path().join("state.json");
    let state = state.to_str().expect("path");
    let key = demo_signer().verifier().vkey();
    // The keys as /log/keys serves them, comments and all.
    let served_keys = server.fetch("/log/keys");
    assert!(served_keys.contains(&key), "{served_keys}");
    let first = verify(&["--key", &served_keys, "--state", state]);
    let second = verify(&["--state", state]);
    let stranger = NoteSigner::from_seed("demo.sqe-registry.invalid/log", TYPE_ED25519, [3; 32])
        .expect("key")
        .verifier()
        .vkey();
    let refused = verify(&["--key", &stranger]);
    server.stop();
    assert!(server.up, "the server did not start");
    assert!(first.0, "{first:?}");
    assert!(
        first
            .1
            .starts_with("OK: demo.sqe-registry.invalid/log holds "),
        "{first:?}"
    );
    assert!(
        first
            .1
            .contains("the public histories of 40 certificates match their "),
        "{first:?}"
    );
    assert!(
        second.0 && second.1.contains("it extends the"),
        "{second:?}"
    );
    assert!(!refused.0, "{refused:?}");
    assert!(refused.2.contains("FAILED"), "{refused:?}");
}

both_backends!(a_large_backfill_is_written_whole_and_chained, |db| {
    // 300 events over two certificates, appended in one backfill.
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        let mut c1 = CertificateBuilder::new("C-1");
        let mut c2 = CertificateBuilder::new("C-2").company(
            "第二公司",
            None,
            &credit_code("91330100MA2B00002"),
        );
        for i in 0..150u32 {
            let on = day(2020, 1, 1) + chrono::Days::new(u64::from(i));
            c1 = c1.event("surveillance_passed", on, (Some(4), Some(4)), None);
            c2 = c2.event("surveillance_passed", on, (Some(3), Some(3)), None);
        }
        c1.insert(conn, &refs);
        c2.insert(conn, &refs);
        let started = transparency::start(conn, &demo_signer(), |_| {}).expect("start");
        let transparency::Started::Began { backfilled, .. } = started else {
            panic!("began now: {started:?}");
        };
        assert_eq!(backfilled, 300);
        let (entries, tree) = read_log(conn);
        assert_eq!(tree.size(), 300);
        let mut last: std::collections::HashMap<String, String> = Default::default();
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.index, i as u64);
            assert_eq!(e.previous, last.get(&e.certificate).cloned(), "entry {i}");
            let body = e.to_bytes().expect("bytes");
            last.insert(e.certificate.clone(), hex(&merkle::leaf_hash(&body)));
        }
        let linked: i64 = log_entries::table
            .filter(log_entries::event_id.is_not_null())
            .count()
            .get_result(conn)
            .expect("count");
        assert_eq!(linked, 300, "every entry keeps its event");
        assert_head_signs(conn, &tree);
        if let DbConnection::Pg(pg) = conn {
            // The bulk load dropped the secondary indexes and foreign keys: all are back.
            assert_eq!(
                log_entries_schema(pg),
                [
                    "CREATE INDEX log_entries_certificate ON public.log_entries USING btree (certificate_id, idx)",
                    "CREATE INDEX log_entries_event ON public.log_entries USING btree (event_id)",
                    "CREATE UNIQUE INDEX log_entries_pkey ON public.log_entries USING btree (idx)",
                    "FOREIGN KEY (certificate_id) REFERENCES certificates(id)",
                    "FOREIGN KEY (event_id) REFERENCES certificate_events(id)",
                    "PRIMARY KEY (idx)",
                ]
            );
        }
    });
});

/// The definitions of the indexes and constraints of `log_entries` on PostgreSQL, sorted.
fn log_entries_schema(pg: &mut diesel::PgConnection) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Definition {
        #[diesel(sql_type = diesel::sql_types::Text)]
        definition: String,
    }
    let rows: Vec<Definition> = diesel::sql_query(
        "SELECT indexdef AS definition FROM pg_indexes WHERE tablename = 'log_entries' \
         UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid = 'log_entries'::regclass ORDER BY 1",
    )
    .load(pg)
    .expect("schema");
    rows.into_iter().map(|r| r.definition).collect()
}
