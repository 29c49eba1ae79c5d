//! Signed notes against the published vectors: golang.org/x/mod/sumdb/note's keys and notes,
//! the C2SP signed-note example, a sum.golang.org checkpoint, and the tlog-cosignature formats.

use super::*;

const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

fn verifier(vkey: &str) -> Verifier {
    Verifier::parse(vkey).expect("vkey")
}

#[test]
fn go_private_keys_give_their_published_public_keys_and_signatures() {
    let peter = NoteSigner::parse(PETER_SKEY).expect("skey");
    assert_eq!(peter.verifier().vkey(), PETER_VKEY);
    assert_eq!(peter.skey(), PETER_SKEY);
    assert_eq!(
        sign(TEXT, &[&peter]).expect("sign"),
        format!("{TEXT}\n{PETER_SIG}")
    );
    // ExampleSign_add_signatures: EnochRoot's key is the all-zero seed.
    let enoch = NoteSigner::from_seed("EnochRoot", TYPE_ED25519, [0; 32]).expect("seed");
    assert_eq!(enoch.verifier().vkey(), ENOCH_VKEY);
    assert_eq!(
        sign(TEXT, &[&peter, &enoch]).expect("sign"),
        format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}")
    );
    assert_eq!(sign("abc", &[&peter]), Err(NoteError::TextWithoutNewline));
}

#[test]
fn the_tessera_test_log_key_signs_its_published_checkpoint_byte_for_byte() {
    let skey = "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg";
    let signer = NoteSigner::parse(skey).expect("skey");
    assert_eq!(
        signer.verifier().vkey(),
        "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
    );
    let published = include_str!("../../../tests/vectors/tessera-log/checkpoint.15");
    let body = published.split("\n\n").next().expect("body").to_owned() + "\n";
    assert_eq!(sign(&body, &[&signer]).expect("sign"), published);
}

#[test]
fn notes_open_with_a_known_key_and_unknown_signatures_are_ignored() {
    let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let (text, names) = open(&both, &[verifier(PETER_VKEY)]).expect("opens");
    assert_eq!(text, TEXT);
    assert_eq!(names, ["PeterNeumann"]);
    let (_, names) = open(&both, &[verifier(PETER_VKEY), verifier(ENOCH_VKEY)]).expect("opens");
    assert_eq!(names, ["PeterNeumann", "EnochRoot"]);
    assert_eq!(open(&both, &[]), Err(NoteError::UnverifiedNote));

    // The C2SP example and a real sum.golang.org checkpoint (its origin differs from its key).
    let foo = include_str!("../../../tests/vectors/notes/c2sp-example-foo.note");
    let foo_key = verifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
    assert_eq!(
        open(foo, &[foo_key]).expect("opens").0,
        "This is an example message.\n"
    );
    let sum = include_str!("../../../tests/vectors/notes/sumgolang-6476701.note");
    let sum_key = verifier("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8");
    let (text, _) = open(sum, &[sum_key]).expect("opens");
    assert!(text.starts_with("go.sum database tree\n6476701\n"));
}

#[test]
fn a_note_splits_at_its_last_blank_line() {
    let quasimodo = include_str!("../../../tests/vectors/notes/quasimodo-unverifiable.note");
    let parsed = parse(quasimodo).expect("parses");
    assert_eq!(
        parsed.text,
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \u{e8} subito sera.\n"
    );
    assert_eq!(parsed.signatures[0].id, [0x36, 0x7b, 0xa0, 0x4b]);
}

#[test]
fn forged_and_malformed_notes_are_refused() {
    // A known key's signature that does not verify refuses the whole note.
    let mut forged = PETER_SIG.to_owned();
    forged.insert_str(60, "ABCD");
    assert_eq!(
        open(&format!("{TEXT}\n{forged}"), &[verifier(PETER_VKEY)]),
        Err(NoteError::InvalidSignature("PeterNeumann".into()))
    );
    let tampered = format!("{}\n{PETER_SIG}", TEXT.replace("answer", "Answer"));
    assert!(open(&tampered, &[verifier(PETER_VKEY)]).is_err());
    for bad in [
        TEXT.to_owned(),
        format!("{TEXT}\n"),
        format!("{TEXT}\n{}", PETER_SIG.trim_end()),
        format!("\u{1}{TEXT}\n{PETER_SIG}"),
        format!("{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"),
        format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
        format!("{TEXT}\n{}", PETER_SIG.repeat(101)),
    ] {
        assert!(
            matches!(open(&bad, &[verifier(PETER_VKEY)]), Err(NoteError::MalformedNote(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn bad_keys_are_refused() {
    for bad in [
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "",
    ] {
        assert!(Verifier::parse(bad).is_err(), "{bad}");
    }
    assert!(NoteSigner::parse(
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    )
    .is_err());
    assert!(NoteSigner::parse(PETER_VKEY).is_err());
    // A signer never prints its private key.
    let peter = NoteSigner::parse(PETER_SKEY).expect("skey");
    assert!(!format!("{peter:?}").contains("AYEKFALV"));
}

#[test]
fn cosignatures_follow_tlog_cosignature_v1() {
    // The published witness key of transparency-dev/formats has type 0x04.
    let remora = verifier("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
    assert_eq!(remora.key_type, TYPE_COSIGNATURE);
    // Its timestamp vector: key ID 646846b9, time 1727964367.
    let line = "— w ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==";
    let parsed = parse(&format!("x\n\n{line}\n")).expect("parses");
    assert_eq!(parsed.signatures[0].id, [0x64, 0x68, 0x46, 0xb9]);
    assert_eq!(
        &parsed.signatures[0].payload[..8],
        &1_727_964_367u64.to_be_bytes()
    );
    // The signed message of the specification's example.
    let body =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    assert_eq!(
        cosigned_message(body, 1_679_315_147),
        format!("cosignature/v1\ntime 1679315147\n{body}")
    );
    // Our witness's cosignature verifies as a cosignature and not as a plain signature.
    let witness =
        NoteSigner::from_seed("witness.example/w1", TYPE_COSIGNATURE, [7; 32]).expect("seed");
    let cosig = witness.cosignature_line(body, 1_679_315_147);
    let parsed = parse(&format!("{body}\n{cosig}")).expect("parses");
    assert_eq!(parsed.signatures[0].payload.len(), 72);
    assert_eq!(
        witness.verifier().check(body, &parsed.signatures[0]),
        Ok(Some(1_679_315_147))
    );
    let other = body.replace("20852163", "20852164");
    assert!(witness
        .verifier()
        .check(&other, &parsed.signatures[0])
        .is_err());
}
