//! kill -9 in the middle of a long import: the database keeps all of the import or none of it,
//! with a revision that matches, and the same import then runs to the end.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::*;
use common::fixtures::seed_reference;
use sqe_registry::transfer::backup::check_file;

const ROWS: i64 = 2000;

both_backends!(an_import_killed_midway_leaves_all_or_nothing, |db| {
    with_conn(&db, seed_reference);
    let before = with_conn(&db, counts);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("long.csv");
    std::fs::write(&file, generated_csv("KILL", ROWS as u64)).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sqe-registry"))
        .arg("import")
        .arg(&file)
        .env("DATABASE_URL", db.url())
        .env("SQE_SIGNING_KEY_FILE", common::signing_key_file())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the import");
    let stderr = child.stderr.take().expect("stderr");
    let writing = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("writing certificates"));
    assert!(writing, "the import never reached its write phase");
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("kill -9");
    let status = child.wait().expect("wait");
    assert_eq!(
        status.signal(),
        Some(9),
        "killed in the middle, not finished: {status}"
    );

    let after = with_conn(&db, counts);
    assert_eq!(after, before, "a killed import leaves nothing behind");
    if let Some(path) = db.url().strip_prefix("sqlite://") {
        let contents = check_file(Path::new(path)).expect("integrity check ok");
        assert_eq!(contents.certificates, before.certificates);
    }

    let out = super::cli::sqe(db.url(), dir.path(), &["import", "long.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let done = with_conn(&db, counts);
    assert_eq!(done.certificates, before.certificates + ROWS);
    assert_eq!(done.events, before.events + ROWS);
    assert_eq!(done.revision, before.revision + 1);
});
