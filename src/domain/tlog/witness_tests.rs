//! The witness's decisions, one per rule of C2SP tlog-witness `add-checkpoint`, on trees built
//! here leaf by leaf, and the request format on the specification's example.

use super::*;
use crate::domain::tlog::merkle::MemoryTree;
use crate::domain::tlog::note::{NoteSigner, TYPE_ED25519};

const ORIGIN: &str = "example.com/log";

fn log_key() -> NoteSigner {
    NoteSigner::from_seed(ORIGIN, TYPE_ED25519, [7; 32]).expect("key")
}

fn tree(size: u64) -> MemoryTree {
    let mut t = MemoryTree::default();
    for i in 0..size {
        t.push(format!("entry {i}").as_bytes());
    }
    t
}

fn signed(tree: &MemoryTree, key: &NoteSigner) -> String {
    let body = Checkpoint {
        origin: key.name().to_owned(),
        size: tree.size(),
        root: tree.root(),
    }
    .body();
    note::sign(&body, &[key]).expect("sign")
}

fn proof(new: &MemoryTree, old: u64) -> Vec<Hash> {
    merkle::consistency_proof(new.source(), old, new.size()).expect("proof")
}

/// Decides `request` for a witness that trusts `log_key()` and last cosigned `recorded`.
fn decide_with(request: &AddCheckpoint, recorded: Option<Recorded>) -> Result<Checkpoint, Refusal> {
    accept_with(request, recorded).map(|a| a.checkpoint)
}

fn accept_with(request: &AddCheckpoint, recorded: Option<Recorded>) -> Result<Accepted, Refusal> {
    let keys = [log_key().verifier()];
    decide(
        request,
        |origin| (origin == ORIGIN).then_some(&keys[..]),
        |_| recorded,
    )
}

fn recorded(t: &MemoryTree) -> Option<Recorded> {
    Some(Recorded {
        size: t.size(),
        root: t.root(),
    })
}

#[test]
fn the_specification_example_request_parses_and_prints_back() {
    let body = "old 20852014\n\
        PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\
        jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\
        5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n\
        /6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\
        \n\
        example.com/behind-the-sofa\n\
        20852163\n\
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\
        \n\
        — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
    let request = parse_request(body).expect("parses");
    assert_eq!(request.old, 20_852_014);
    assert_eq!(request.proof.len(), 4);
    // "PlRN" is 0x3e 0x54 0x4d; "/6WV" is 0xff 0xa5 0x95.
    assert_eq!(&request.proof[0][..3], &[0x3e, 0x54, 0x4d]);
    assert_eq!(&request.proof[3][..3], &[0xff, 0xa5, 0x95]);
    assert!(request
        .note
        .starts_with("example.com/behind-the-sofa\n20852163\n"));
    assert_eq!(
        request_body(request.old, &request.proof, &request.note),
        body
    );
}

#[test]
fn malformed_requests_are_bad_requests() {
    let note = signed(&tree(3), &log_key());
    let hash = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
    let many = hash.repeat(64);
    for body in [
        String::new(),
        format!("old 3\n{note}"),
        format!("old 03\n\n{note}"),
        format!("old -1\n\n{note}"),
        format!("new 3\n\n{note}"),
        format!("old 3\nnot-base64!\n\n{note}"),
        format!("old 3\nAAAA\n\n{note}"),
        format!("old 3\n{many}\n{note}"),
        // Proof lines and no blank line: no checkpoint at all.
        format!("old 3\n{hash}"),
    ] {
        let refused = parse_request(&body).and_then(|r| decide_with(&r, None));
        assert_eq!(refused.map_err(|e| e.status()), Err(400), "{body:?}");
    }
    // 63 lines are allowed by the format (the proof itself then fails).
    let request = parse_request(&format!("old 0\n{}\n{note}", hash.repeat(63))).expect("63 lines");
    assert_eq!(request.proof.len(), 63);
}

#[test]
fn a_first_checkpoint_is_cosigned_and_a_later_one_with_its_proof() {
    let t3 = tree(3);
    let first = parse_request(&request_body(0, &[], &signed(&t3, &log_key()))).expect("parses");
    let c = decide_with(&first, None).expect("accepted");
    assert_eq!((c.size, c.root), (3, t3.root()));

    let t10 = tree(10);
    let next = AddCheckpoint {
        old: 3,
        proof: proof(&t10, 3),
        note: signed(&t10, &log_key()),
    };
    assert_eq!(
        decide_with(&next, recorded(&t3)).expect("accepted").size,
        10
    );
    // The same checkpoint again (old = size, no proof) is fine too.
    let again = AddCheckpoint {
        old: 10,
        proof: vec![],
        note: signed(&t10, &log_key()),
    };
    assert!(decide_with(&again, recorded(&t10)).is_ok());
}

#[test]
fn the_wrong_old_size_is_a_conflict_naming_the_witness_size() {
    let t10 = tree(10);
    let request = AddCheckpoint {
        old: 3,
        proof: proof(&t10, 3),
        note: signed(&t10, &log_key()),
    };
    assert_eq!(
        decide_with(&request, recorded(&tree(5))),
        Err(Refusal::Conflict(5))
    );
    assert_eq!(decide_with(&request, None), Err(Refusal::Conflict(0)));
    assert_eq!(parse_conflict("5\n"), Some(5));
    assert_eq!(parse_conflict("05\n"), None);
    assert_eq!(parse_conflict("5"), None);
}

#[test]
fn unknown_origins_and_untrusted_or_broken_signatures_are_refused() {
    let other = NoteSigner::from_seed("other.example/log", TYPE_ED25519, [7; 32]).expect("key");
    let t3 = tree(3);
    let request = |note: String| AddCheckpoint {
        old: 0,
        proof: vec![],
        note,
    };
    assert_eq!(
        decide_with(&request(signed(&t3, &other)), None).map_err(|e| e.status()),
        Err(404)
    );
    // The right origin signed by a key the witness does not trust.
    let impostor = NoteSigner::from_seed(ORIGIN, TYPE_ED25519, [8; 32]).expect("key");
    assert_eq!(
        decide_with(&request(signed(&t3, &impostor)), None).map_err(|e| e.status()),
        Err(403)
    );
    // The trusted key's line over another text: the signature fails.
    let good = signed(&t3, &log_key());
    let forged = good.replacen("\n3\n", "\n4\n", 1);
    assert_eq!(
        decide_with(&request(forged), None).map_err(|e| e.status()),
        Err(403)
    );
}

#[test]
fn an_old_size_beyond_the_checkpoint_is_a_bad_request() {
    let t3 = tree(3);
    let request = AddCheckpoint {
        old: 5,
        proof: vec![],
        note: signed(&t3, &log_key()),
    };
    assert_eq!(
        decide_with(&request, recorded(&tree(5))).map_err(|e| e.status()),
        Err(400)
    );
}

#[test]
fn bad_proofs_forks_and_a_false_empty_tree_are_unprocessable() {
    let (t3, t10) = (tree(3), tree(10));
    let mut wrong = proof(&t10, 3);
    wrong[0][0] ^= 1;
    let bad_proof = AddCheckpoint {
        old: 3,
        proof: wrong,
        note: signed(&t10, &log_key()),
    };
    assert_eq!(
        decide_with(&bad_proof, recorded(&t3)).map_err(|e| e.status()),
        Err(422)
    );

    // A fork: ten entries with another last entry, submitted at the size already cosigned.
    let mut fork = tree(9);
    fork.push(b"rewritten");
    let forked = AddCheckpoint {
        old: 10,
        proof: vec![],
        note: signed(&fork, &log_key()),
    };
    let refused = decide_with(&forked, recorded(&t10)).expect_err("a fork");
    assert_eq!(refused.status(), 422);
    let Refusal::Fork { evidence } = refused else {
        panic!("a fork: {refused:?}")
    };
    assert_eq!(
        evidence,
        signed(&fork, &log_key()),
        "the forked checkpoint as signed"
    );

    // A fork that grows: its proof cannot lead from the cosigned root.
    let mut longer = tree(9);
    longer.push(b"rewritten");
    longer.push(b"eleven");
    let grown = AddCheckpoint {
        old: 10,
        proof: merkle::consistency_proof(longer.source(), 10, 11).expect("proof"),
        note: signed(&longer, &log_key()),
    };
    assert_eq!(
        decide_with(&grown, recorded(&t10)).map_err(|e| e.status()),
        Err(422)
    );

    // An empty tree must have the empty root.
    let false_empty = Checkpoint {
        origin: ORIGIN.to_owned(),
        size: 0,
        root: t3.root(),
    }
    .body();
    let request = AddCheckpoint {
        old: 0,
        proof: vec![],
        note: note::sign(&false_empty, &[&log_key()]).expect("sign"),
    };
    assert_eq!(
        decide_with(&request, None).map_err(|e| e.status()),
        Err(422)
    );

    // From the empty tree no proof is needed, and none is accepted.
    let with_proof = AddCheckpoint {
        old: 0,
        proof: vec![t3.root()],
        note: signed(&t3, &log_key()),
    };
    assert_eq!(
        decide_with(&with_proof, None).map_err(|e| e.status()),
        Err(422)
    );
}

#[test]
fn the_cosigned_text_keeps_extension_lines_and_only_the_logs_verified_signatures() {
    let t3 = tree(3);
    let text = format!(
        "{}extension line\n",
        Checkpoint {
            origin: ORIGIN.to_owned(),
            size: 3,
            root: t3.root(),
        }
        .body()
    );
    // The log's signature, and a line under another name the witness ignores and drops.
    let stranger = NoteSigner::from_seed("stranger.example", TYPE_ED25519, [3; 32]).expect("key");
    let note = note::sign(&text, &[&log_key(), &stranger]).expect("sign");
    let request = AddCheckpoint {
        old: 0,
        proof: vec![],
        note,
    };
    let accepted = accept_with(&request, None).expect("accepted");
    assert_eq!(accepted.text, text);
    assert_eq!(accepted.log_signatures.len(), 1);
    assert!(accepted.log_signatures[0].starts_with("— example.com/log "));
    let kept = accepted.cosigned_note("— w.example/w1 AAAA\n");
    assert_eq!(
        kept,
        format!(
            "{text}\n{}\n— w.example/w1 AAAA\n",
            accepted.log_signatures[0]
        )
    );
    // A proof with the same size and another root is a bad proof, not kept as a fork.
    let mut fork = tree(2);
    fork.push(b"other");
    let junk = AddCheckpoint {
        old: 3,
        proof: vec![t3.root()],
        note: signed(&fork, &log_key()),
    };
    assert!(matches!(
        accept_with(&junk, recorded(&t3)),
        Err(Refusal::Unprocessable(_))
    ));
}
