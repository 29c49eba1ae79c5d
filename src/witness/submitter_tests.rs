//! A witness's answer is believed only as cosignature lines over our checkpoint's text.

use super::*;
use crate::domain::tlog::checkpoint::Checkpoint;
use crate::domain::tlog::merkle::MemoryTree;
use crate::domain::tlog::note::{NoteSigner, TYPE_COSIGNATURE, TYPE_ED25519};

const NOW: i64 = 1_800_000_000;

fn head() -> log::Head {
    let mut tree = MemoryTree::default();
    tree.push(b"one");
    let text = Checkpoint {
        origin: "registry.test/log".to_owned(),
        size: 1,
        root: tree.root(),
    }
    .body();
    let key = NoteSigner::from_seed("registry.test/log", TYPE_ED25519, [1; 32]).expect("key");
    log::Head {
        origin: "registry.test/log".to_owned(),
        size: 1,
        root: tree.root(),
        checkpoint: note::sign(&text, &[&key]).expect("sign"),
        signed_at: chrono::DateTime::from_timestamp(NOW, 0)
            .expect("time")
            .naive_utc(),
    }
}

fn witness() -> NoteSigner {
    NoteSigner::from_seed("witness.test/w1", TYPE_COSIGNATURE, [2; 32]).expect("key")
}

fn text(head: &log::Head) -> String {
    note::parse(&head.checkpoint).expect("note").text
}

#[test]
fn a_cosignature_line_over_the_text_is_accepted() {
    let head = head();
    let line = witness().cosignature_line(&text(&head), NOW as u64);
    let c = verified(&witness().verifier(), &head, &line, NOW).expect("verified");
    assert_eq!(format!("{}\n", c.line), line);
    assert_eq!(c.size, 1);
    assert_eq!(c.cosigned_at.and_utc().timestamp(), NOW);
    // With another witness's line beside it, ours is still found.
    let other = NoteSigner::from_seed("other.test/w", TYPE_COSIGNATURE, [3; 32]).expect("key");
    let both = format!("{}{line}", other.cosignature_line(&text(&head), NOW as u64));
    assert!(verified(&witness().verifier(), &head, &both, NOW).is_ok());
}

#[test]
fn an_answer_that_would_change_the_text_is_refused() {
    let head = head();
    // A blank line first would make the log's signature line part of the "text": a witness
    // signing that longer text must not be believed.
    let longer_text = head.checkpoint.clone();
    let sneaky = format!("\n{}", witness().cosignature_line(&longer_text, NOW as u64));
    assert!(verified(&witness().verifier(), &head, &sneaky, NOW).is_err());
    for bad in [
        "",
        "hello\n",
        "— witness.test/w1 AAAA",
        "— witness.test/w1 AAAAAAAA\n",
    ] {
        assert!(
            verified(&witness().verifier(), &head, bad, NOW).is_err(),
            "{bad:?}"
        );
    }
    // A line over another checkpoint's text does not verify.
    let elsewhere = witness().cosignature_line("registry.test/log\n2\nAAAA\n", NOW as u64);
    assert!(verified(&witness().verifier(), &head, &elsewhere, NOW).is_err());
    // Only another key's line: nothing of ours.
    let other = NoteSigner::from_seed("other.test/w", TYPE_COSIGNATURE, [3; 32]).expect("key");
    let theirs = other.cosignature_line(&text(&head), NOW as u64);
    assert!(verified(&witness().verifier(), &head, &theirs, NOW).is_err());
}

#[test]
fn a_time_of_zero_or_far_ahead_is_refused() {
    let head = head();
    for time in [0, (NOW + 2 * MAX_CLOCK_AHEAD) as u64] {
        let line = witness().cosignature_line(&text(&head), time);
        assert!(
            verified(&witness().verifier(), &head, &line, NOW).is_err(),
            "{time}"
        );
    }
    let soon = witness().cosignature_line(&text(&head), (NOW + 60) as u64);
    assert!(verified(&witness().verifier(), &head, &soon, NOW).is_ok());
}
