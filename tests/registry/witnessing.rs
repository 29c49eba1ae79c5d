//! Witnessing the transparency log: the real `sqe-registry witness serve` binary cosigns the
//! registry's checkpoints as the submitter sends them (from the empty tree, then with
//! consistency proofs, and after a 409 tells it the witness's size); the cosignatures are
//! verified, stored and served on `/log/checkpoint`, in proofs and on `/log/`; a forked
//! checkpoint is refused and kept as evidence; a witness that is down holds nothing up.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common;

use chrono::NaiveDate;
use sqe_registry::app::certificates::apply;
use sqe_registry::app::transparency;
use sqe_registry::config::log_key::demo_signer;
use sqe_registry::config::witnesses::Witnessing;
use sqe_registry::db::{log, DbConnection};
use sqe_registry::domain::lifecycle::{ActionInput, ActionKind};
use sqe_registry::domain::tlog::checkpoint::Checkpoint;
use sqe_registry::domain::tlog::merkle::MemoryTree;
use sqe_registry::domain::tlog::note::{self, Verifier};
use sqe_registry::domain::tlog::policy::Policy;
use sqe_registry::witness::submitter::{Outcome, Submitter};

use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{beijing, cli_actor, with_conn};

const BIN: &str = env!("CARGO_BIN_EXE_sqe-registry");

/// A witness process with its own key and state file, killed when dropped.
struct WitnessProcess {
    child: Child,
    url: String,
    key: Verifier,
    state: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Generates a witness key with the CLI and serves a witness trusting the demo log key.
fn start_witness() -> WitnessProcess {
    let dir = tempfile::tempdir().expect("dir");
    let key_file = dir.path().join("witness.key");
    let generated = Command::new(BIN)
        .args([
            "keys",
            "generate",
            "--witness",
            "--name",
            "witness.test/w1",
            "--output",
        ])
        .arg(&key_file)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("unused.db").display()),
        )
        .output()
        .expect("keys generate");
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let vkey = String::from_utf8(generated.stdout).expect("utf-8");
    let key = Verifier::parse(vkey.trim()).expect("a verifier key");
    assert_eq!(key.key_type, note::TYPE_COSIGNATURE);
    let port = common::free_port();
    let state = dir.path().join("witness-state.json");
    let child = Command::new(BIN)
        .args(["witness", "serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--key")
        .arg(&key_file)
        .arg("--state")
        .arg(&state)
        .args(["--log", &demo_signer().verifier().vkey()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("witness serve");
    let url = format!("http://127.0.0.1:{port}");
    assert!(
        common::wait_until_up(&format!("{url}/")),
        "the witness did not start"
    );
    WitnessProcess {
        child,
        url,
        key,
        state,
        _dir: dir,
    }
}

fn witnessing(witness: &WitnessProcess) -> Witnessing {
    let text = format!(
        "# one witness\nwitness W1 {} {}\nquorum W1\n",
        witness.key.vkey(),
        witness.url
    );
    Witnessing {
        policy: Arc::new(Policy::parse(&text).expect("policy")),
        allow_loopback: true,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn act(conn: &mut DbConnection, number: &str, kind: ActionKind) {
    let actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
    apply(
        conn,
        &actor,
        number,
        kind,
        &ActionInput {
            reason_zh: "监督中发现问题".into(),
            reason_en: "Problems found in surveillance".into(),
            until: Some(day(2027, 1, 31)),
        },
    )
    .expect("applied");
}

fn head_size(db: &common::TestDb) -> u64 {
    with_conn(db, |conn| {
        log::head(conn).expect("head").expect("begun").size
    })
}

/// POSTs a raw add-checkpoint body to the witness: status, content type, body.
fn post(witness: &WitnessProcess, body: &str) -> (u16, String, String) {
    let mut response = ureq::post(&format!("{}/add-checkpoint", witness.url))
        .config()
        .http_status_as_error(false)
        .build()
        .send(body.as_bytes())
        .expect("witness answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

both_backends_async!(
    a_witness_cosigns_each_new_checkpoint_and_refuses_a_fork,
    |db| {
        let witness = start_witness();
        with_conn(&db, |conn| {
            let refs = seed_reference(conn);
            CertificateBuilder::new("C-1").insert(conn, &refs);
            CertificateBuilder::new("C-2")
                .company("第二公司", None, &credit_code("91330100MA2B00002"))
                .insert(conn, &refs);
            transparency::start(conn, &demo_signer(), |_| {}).expect("log begun");
            act(conn, "C-1", ActionKind::Suspend);
        });
        let first_size = head_size(&db);
        let config = witnessing(&witness);

        // The first submission goes from the empty tree.
        let mut submitter = Submitter::new(db.pool(), config.policy.clone(), true);
        let outcomes = submitter.round(Instant::now());
        assert_eq!(
            outcomes,
            vec![Outcome::Cosigned {
                witness: "W1".into(),
                size: first_size
            }]
        );
        assert_eq!(
            submitter.round(Instant::now()),
            vec![Outcome::UpToDate {
                witness: "W1".into()
            }]
        );

        // The checkpoint served carries the cosignature: the log's key and the witness's verify.
        let app = common::TestApp::with_config(&db, beijing(2026, 12, 2, 11, 0), |c| {
            c.witnessing = Some(config.clone());
        })
        .await;
        let served = app.get("/log/checkpoint").await;
        assert_eq!(served.status, 200);
        let (body, by) = note::open(
            &served.body,
            &[demo_signer().verifier(), witness.key.clone()],
        )
        .expect("both signatures verify");
        assert_eq!(by, vec!["demo.sqe-registry.invalid/log", "witness.test/w1"]);
        assert_eq!(
            Checkpoint::parse(&body).expect("checkpoint").size,
            first_size
        );
        let proof = app.get("/log/proof/0").await;
        assert!(proof.body.ends_with(&served.body), "{}", proof.body);
        let policy = app.get("/log/policy").await;
        assert_eq!(policy.status, 200);
        assert!(
            policy.body.contains(&format!(
                "\nlog {} http://127.0.0.1:8080/log\n",
                demo_signer().verifier().vkey()
            )),
            "{}",
            policy.body
        );
        assert!(
            policy.body.contains(&format!(
                "witness W1 {} {}\n",
                witness.key.vkey(),
                witness.url
            )),
            "{}",
            policy.body
        );
        assert!(policy.body.ends_with("quorum W1\n"), "{}", policy.body);
        let page = app.get("/log/?lang=en").await;
        page.assert_contains("W1")
            .assert_contains("witness.test/w1")
            .assert_contains(&format!("cosigned the checkpoint of {first_size} entries"))
            .assert_contains("(the current checkpoint)")
            .assert_contains("— witness.test/w1 ")
            .assert_contains("The current checkpoint has the cosignatures the log")
            .assert_contains("href=\"/log/policy\"");

        // A later checkpoint is sent with the consistency proof from the size cosigned.
        with_conn(&db, |conn| act(conn, "C-2", ActionKind::Suspend));
        let second_size = head_size(&db);
        assert!(second_size > first_size);
        assert_eq!(
            submitter.round(Instant::now()),
            vec![Outcome::Cosigned {
                witness: "W1".into(),
                size: second_size
            }]
        );

        // A submitter that forgot the witness's size (a restart, another instance) learns it
        // from the 409 and proves from there.
        with_conn(&db, |conn| act(conn, "C-1", ActionKind::Revoke));
        let third_size = head_size(&db);
        let mut restarted = Submitter::new(db.pool(), config.policy.clone(), true);
        assert_eq!(
            restarted.round(Instant::now()),
            vec![Outcome::Cosigned {
                witness: "W1".into(),
                size: third_size
            }]
        );

        // The witness's own answers: the wrong old size is a 409 naming its size.
        let current = with_conn(&db, |conn| log::head(conn).expect("head").expect("begun"));
        let (status, content_type, answer) =
            post(&witness, &format!("old 0\n\n{}", current.checkpoint));
        assert_eq!(
            (status, content_type.as_str(), answer.as_str()),
            (409, "text/x.tlog.size", &*format!("{third_size}\n"))
        );

        // A fork: a checkpoint of the same size with another root, validly signed by the log's
        // key (as an insider could), is refused with 422 and kept as evidence.
        let mut forked_tree = MemoryTree::default();
        for i in 0..third_size {
            forked_tree.push(format!("rewritten {i}").as_bytes());
        }
        let forked = note::sign(
            &Checkpoint {
                origin: current.origin.clone(),
                size: third_size,
                root: forked_tree.root(),
            }
            .body(),
            &[&demo_signer()],
        )
        .expect("sign");
        let (status, _, answer) = post(&witness, &format!("old {third_size}\n\n{forked}"));
        assert_eq!(status, 422, "{answer}");
        assert!(answer.contains("fork"), "{answer}");
        let state = std::fs::read_to_string(&witness.state).expect("state file");
        let forked_root = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(forked_tree.root())
        };
        assert!(
            state.contains("evidence") && state.contains(&forked_root),
            "{state}"
        );
        // An unknown origin is 404; a checkpoint of ours signed by another key is 403.
        let stranger = sqe_registry::domain::tlog::note::NoteSigner::from_seed(
            "demo.sqe-registry.invalid/log",
            note::TYPE_ED25519,
            [5; 32],
        )
        .expect("key");
        let impostor = note::sign(
            &Checkpoint {
                origin: current.origin.clone(),
                size: third_size,
                root: current.root,
            }
            .body(),
            &[&stranger],
        )
        .expect("sign");
        assert_eq!(
            post(&witness, &format!("old {third_size}\n\n{impostor}")).0,
            403
        );
        let elsewhere = sqe_registry::domain::tlog::note::NoteSigner::from_seed(
            "elsewhere.test/log",
            note::TYPE_ED25519,
            [5; 32],
        )
        .expect("key");
        let unknown = note::sign(
            "elsewhere.test/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
            &[&elsewhere],
        )
        .expect("sign");
        assert_eq!(post(&witness, &format!("old 0\n\n{unknown}")).0, 404);
        // The witness still stands by the true log: its monitoring URL serves the cosigned head.
        let latest = ureq::get(&format!(
            "{}/{}/checkpoint",
            witness.url,
            sqe_registry::witness::origin_hash_of(&current.origin)
        ))
        .call()
        .expect("latest")
        .body_mut()
        .read_to_string()
        .expect("body");
        assert!(latest.starts_with(&current.checkpoint), "{latest}");

        // A witness that is down holds no write up; the submitter waits before trying again.
        drop(witness);
        with_conn(&db, |conn| act(conn, "C-2", ActionKind::Revoke));
        assert!(head_size(&db) > third_size, "the change was logged");
        let now = Instant::now();
        assert!(matches!(
            submitter.round(now).as_slice(),
            [Outcome::Unreachable { .. }]
        ));
        assert!(matches!(
            submitter.round(now + Duration::from_secs(1)).as_slice(),
            [Outcome::Waiting { .. }]
        ));
    }
);

/// Without the explicit setting, a witness on a loopback address is never called.
#[test]
fn a_loopback_witness_is_refused_without_the_setting() {
    let db = common::TestDb::sqlite();
    let witness = start_witness();
    with_conn(&db, |conn| {
        transparency::start(conn, &demo_signer(), |_| {}).expect("log begun");
    });
    let mut submitter = Submitter::new(db.pool(), witnessing(&witness).policy, false);
    let outcomes = submitter.round(Instant::now());
    assert!(
        matches!(outcomes.as_slice(), [Outcome::Unreachable { error, .. }] if error.contains("host")),
        "{outcomes:?}"
    );
    assert!(!witness.state.exists(), "the witness was never asked");
}
