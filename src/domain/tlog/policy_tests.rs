//! Policy files: the specification's example of nested groups, and each rule that refuses one.

use super::*;
use crate::domain::tlog::note::NoteSigner;

fn witness_vkey(seed: u8) -> String {
    NoteSigner::from_seed(&format!("w{seed}.example"), TYPE_COSIGNATURE, [seed; 32])
        .expect("key")
        .verifier()
        .vkey()
}

fn log_vkey() -> String {
    NoteSigner::from_seed("example.com/log", TYPE_ED25519, [9; 32])
        .expect("key")
        .verifier()
        .vkey()
}

/// The example of C2SP tlog-policy, with keys filled in.
fn example() -> String {
    format!(
        "# the example\nlog {log}\n\n\
         witness X1 {x1}\nwitness X2 {x2}\nwitness X3 {x3}\n\
         group X-witnesses 2 X1 X2 X3\n\n\
         witness Y1 {y1} https://y1.example/witness\n\twitness Y2 {y2}\nwitness Y3 {y3}\n\
         group Y-witnesses any Y1 Y2 Y3\n\n\
         group X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y\n",
        log = log_vkey(),
        x1 = witness_vkey(1),
        x2 = witness_vkey(2),
        x3 = witness_vkey(3),
        y1 = witness_vkey(4),
        y2 = witness_vkey(5),
        y3 = witness_vkey(6),
    )
}

#[test]
fn the_specification_example_needs_two_x_and_one_y() {
    let policy = Policy::parse(&example()).expect("parses");
    assert_eq!(policy.logs.len(), 1);
    assert_eq!(policy.witnesses.len(), 6);
    assert_eq!(
        policy.witnesses[3].url.as_deref(),
        Some("https://y1.example/witness")
    );
    let with = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        policy.satisfied(&|i| names.contains(&policy.witnesses[i].name))
    };
    assert!(with(&["X1", "X3", "Y2"]));
    assert!(with(&["X1", "X2", "X3", "Y1", "Y2", "Y3"]));
    assert!(!with(&["X1", "Y2"]), "one X is not two");
    assert!(!with(&["X1", "X2"]), "no Y");
    assert!(!with(&[]));
}

#[test]
fn a_policy_prints_back_and_parses_to_the_same() {
    let policy = Policy::parse(&example()).expect("parses");
    let text = policy.to_text();
    assert!(text.contains("group X-witnesses 2 X1 X2 X3\n"), "{text}");
    assert!(text.ends_with("quorum X-and-Y\n"), "{text}");
    assert_eq!(Policy::parse(&text).expect("parses again"), policy);
}

#[test]
fn quorum_none_asks_for_no_cosignature() {
    let policy = Policy::parse("quorum none\n").expect("parses");
    assert!(!policy.needs_cosignatures());
    assert!(policy.satisfied(&|_| false));
    assert_eq!(Policy::without_witnesses(Vec::new()), policy);
}

#[test]
fn broken_policies_are_refused_with_their_line() {
    let w1 = witness_vkey(1);
    let w2 = witness_vkey(2);
    let cases = [
        (String::new(), "no quorum"),
        (format!("witness A {w1}\n"), "no quorum"),
        (format!("witness A {w1}\nquorum B\n"), "not defined"),
        (
            format!("group G any A\nwitness A {w1}\nquorum G\n"),
            "not defined",
        ),
        (
            format!("witness A {w1}\nwitness B {w1}\nquorum A\n"),
            "twice",
        ),
        (
            format!("witness A {w1}\nwitness A {w2}\nquorum A\n"),
            "twice",
        ),
        (format!("witness none {w1}\nquorum none\n"), "reserved"),
        (
            format!("witness A {w1}\ngroup G 0 A\nquorum G\n"),
            "threshold",
        ),
        (
            format!("witness A {w1}\ngroup G 2 A\nquorum G\n"),
            "threshold",
        ),
        (
            format!("witness A {w1}\ngroup G any\nquorum G\n"),
            "expected",
        ),
        (
            format!("witness A {w1}\nquorum A\nquorum A\n"),
            "more than one",
        ),
        (format!("witness A {}\nquorum A\n", log_vkey()), "0x04"),
        (format!("log {w1}\nquorum none\n"), "0x01"),
        (
            format!("log {0}\nlog {0}\nquorum none\n", log_vkey()),
            "twice",
        ),
        (
            "witness A not-a-key\nquorum A\n".to_owned(),
            "malformed key",
        ),
        ("cosigner A\nquorum none\n".to_owned(), "expected"),
        // One witness must not count twice, in one group or across groups.
        (format!("witness A {w1}\ngroup G 2 A A\nquorum G\n"), "more than once"),
        (
            format!("witness A {w1}\nwitness B {w2}\ngroup G any A\ngroup H any A B\ngroup I all G H\nquorum I\n"),
            "more than once",
        ),
        (format!("witness A {w1}\r\nquorum A\n"), "control"),
    ];
    for (text, expected) in cases {
        let err = Policy::parse(&text).expect_err(&text);
        assert!(err.to_string().contains(expected), "{text:?}: {err}");
    }
    let err = Policy::parse(&format!("# c\nwitness A {w1}\nwitness A {w2}\nquorum A\n"))
        .expect_err("duplicate");
    assert_eq!(err.line, 3);
}
