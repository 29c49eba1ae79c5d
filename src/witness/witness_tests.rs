//! The witness with its state file: what it cosigns and keeps, and what it refuses to keep.

use super::*;
use crate::domain::tlog::checkpoint::Checkpoint;
use crate::domain::tlog::merkle::MemoryTree;
use crate::domain::tlog::note::{self, NoteSigner};
use crate::domain::tlog::witness::request_body;

const ORIGIN: &str = "registry.test/log";

fn log_key() -> NoteSigner {
    NoteSigner::from_seed(ORIGIN, TYPE_ED25519, [1; 32]).expect("key")
}

fn witness_key() -> NoteSigner {
    NoteSigner::from_seed("witness.test/w1", TYPE_COSIGNATURE, [2; 32]).expect("key")
}

fn open(dir: &Path) -> Witness {
    Witness::open(
        witness_key(),
        vec![log_key().verifier()],
        &dir.join("state.json"),
    )
    .expect("open")
}

fn tree(size: u64) -> MemoryTree {
    let mut t = MemoryTree::default();
    for i in 0..size {
        t.push(format!("{i}").as_bytes());
    }
    t
}

fn text(t: &MemoryTree, extension: &str) -> String {
    let body = Checkpoint {
        origin: ORIGIN.to_owned(),
        size: t.size(),
        root: t.root(),
    }
    .body();
    format!("{body}{extension}")
}

#[test]
fn it_cosigns_the_whole_text_and_keeps_only_verified_signatures() {
    let dir = tempfile::tempdir().expect("dir");
    let w = open(dir.path());
    let t = tree(4);
    let text = text(&t, "extension\n");
    // The log's signature plus a garbage line under the witness's own name.
    let forged = format!("— witness.test/w1 {}\n", "A".repeat(108));
    let note = format!(
        "{}{forged}",
        note::sign(&text, &[&log_key()]).expect("sign")
    );
    let line = w
        .add_checkpoint(&request_body(0, &[], &note), || 1_800_000_000)
        .expect("cosigned");
    let parsed = note::parse(&format!("{text}\n{line}")).expect("note");
    let time = witness_key()
        .verifier()
        .check(&text, &parsed.signatures[0])
        .expect("verifies over the text with its extension line");
    assert_eq!(time, Some(1_800_000_000));
    // What the monitoring URL serves verifies for the log's key and the witness's key.
    let kept = w.latest(&origin_hash_of(ORIGIN)).expect("kept");
    assert!(!kept.contains(&forged), "{kept}");
    let (_, by) = note::open(&kept, &[log_key().verifier(), witness_key().verifier()])
        .expect("the kept checkpoint verifies");
    assert_eq!(by.len(), 2);
}

#[test]
fn times_never_go_back_and_the_state_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let (t3, t5) = (tree(3), tree(5));
    {
        let w = open(dir.path());
        let note = note::sign(&text(&t3, ""), &[&log_key()]).expect("sign");
        w.add_checkpoint(&request_body(0, &[], &note), || 2_000)
            .expect("cosigned");
    }
    let w = open(dir.path());
    let proof = crate::domain::tlog::merkle::consistency_proof(t5.source(), 3, 5).expect("proof");
    let note = note::sign(&text(&t5, ""), &[&log_key()]).expect("sign");
    // A clock that went back: the cosignature keeps the later time.
    let line = w
        .add_checkpoint(&request_body(3, &proof, &note), || 1_000)
        .expect("cosigned from the kept size");
    let parsed = note::parse(&format!("{}\n{line}", text(&t5, ""))).expect("note");
    assert_eq!(
        witness_key()
            .verifier()
            .check(&text(&t5, ""), &parsed.signatures[0])
            .expect("verifies"),
        Some(2_000)
    );
    // A second process on the same state file is refused while this one runs.
    let second = Witness::open(
        witness_key(),
        vec![log_key().verifier()],
        &dir.path().join("state.json"),
    );
    assert!(second.is_err());
}

#[test]
fn a_fork_is_kept_once_as_evidence_and_junk_is_not_kept() {
    let dir = tempfile::tempdir().expect("dir");
    let w = open(dir.path());
    let t3 = tree(3);
    let note = note::sign(&text(&t3, ""), &[&log_key()]).expect("sign");
    w.add_checkpoint(&request_body(0, &[], &note), || 2_000)
        .expect("cosigned");
    let mut fork = tree(2);
    fork.push(b"rewritten");
    let forked = note::sign(&text(&fork, ""), &[&log_key()]).expect("sign");
    for _ in 0..2 {
        let refused = w.add_checkpoint(&request_body(3, &[], &forked), || 2_001);
        assert!(matches!(
            refused,
            Err(WitnessError::Refused(Refusal::Fork { .. }))
        ));
    }
    assert_eq!(w.evidence(), vec![forked.clone()]);
    // A bad proof proves nothing: 422, not kept.
    let junk = w.add_checkpoint(&request_body(3, &[t3.root()], &note), || 2_002);
    assert!(matches!(
        junk,
        Err(WitnessError::Refused(Refusal::Unprocessable(_)))
    ));
    assert_eq!(w.evidence().len(), 1);
}

#[test]
fn a_damaged_state_file_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("state.json"),
        r#"{"logs":{"registry.test/log":{"size":3,"root":"not base64","checkpoint":""}}}"#,
    )
    .expect("write");
    let refused = Witness::open(
        witness_key(),
        vec![log_key().verifier()],
        &dir.path().join("state.json"),
    );
    assert!(refused.is_err());
}
