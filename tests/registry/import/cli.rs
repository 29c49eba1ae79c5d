//! The commands as a person runs them: reports on stderr with a non-zero exit code (never a
//! panic), summaries on stdout, export to stdout or a file, and backup's word on PostgreSQL.

use std::path::Path;
use std::process::{Command, Output};

use super::*;
use common::fixtures::seed_reference;

pub fn sqe(database_url: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sqe-registry"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", database_url)
        .env("SQE_SIGNING_KEY_FILE", common::signing_key_file())
        .env("RUST_LOG", "warn")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run sqe-registry")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

both_backends!(import_reports_every_error_and_exits_non_zero, |db| {
    with_conn(&db, seed_reference);
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = SAMPLE.replace("78.25,valid", "78.25,withdrawn").replace(
        "2022-05-10,2022-05-10,2025-05-09",
        "2022-05-10,2022-05-10,2021-05-09",
    );
    std::fs::write(dir.path().join("bad.csv"), bad).expect("write");
    std::fs::write(dir.path().join("good.csv"), SAMPLE).expect("write");
    let out = sqe(db.url(), dir.path(), &["import", "bad.csv"]);
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("line 3: status: unknown status \"withdrawn\""),
        "{err}"
    );
    assert!(
        err.contains("line 6: expires_on: 2021-05-09 must be after issued_on"),
        "{err}"
    );
    assert!(
        err.contains("nothing was written: 3 error(s) on 2 line(s)"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(with_conn(&db, counts).certificates, 0);

    let out = sqe(db.url(), dir.path(), &["import", "good.csv", "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("6 would be imported"));
    assert_eq!(with_conn(&db, counts).certificates, 0);

    let out = sqe(db.url(), dir.path(), &["import", "good.csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "6 certificates read: 6 imported, 0 unchanged"
    );

    let out = sqe(db.url(), dir.path(), &["import", "missing.csv"]);
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("cannot read missing.csv"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
});

both_backends!(export_writes_stdout_or_a_file, |db| {
    with_conn(&db, seed_reference);
    import(&db, SAMPLE, false).expect("sample");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = sqe(db.url(), dir.path(), &["export"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with(&format!("{}\n", header())));
    assert_eq!(stdout.lines().count(), 7);
    let out = sqe(db.url(), dir.path(), &["export", "--output", "all.csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = std::fs::read_to_string(dir.path().join("all.csv")).expect("written");
    assert_eq!(file, stdout);
    assert!(!dir.path().join("all.csv.partial").exists());
});

both_backends!(backup_copies_sqlite_and_explains_postgres, |db| {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = sqe(db.url(), dir.path(), &["backup", "--output", "copy.db"]);
    let err = text(&out.stderr);
    if db.is_postgres() {
        assert!(!out.status.success());
        assert!(err.contains("pg_dump --format=custom"), "{err}");
        assert!(err.contains("pg_restore"), "{err}");
        assert!(!dir.path().join("copy.db").exists());
    } else {
        assert!(out.status.success(), "{err}");
        assert!(text(&out.stdout).contains("integrity check ok"));
        let again = sqe(db.url(), dir.path(), &["backup", "--output", "copy.db"]);
        assert!(!again.status.success());
        assert!(text(&again.stderr).contains("exists already"));
    }
    // Whatever the URL holds, the advice never shows a password.
    let secret = "postgres://sqe:s3cret-pw@db.internal:6543/registry";
    let out = sqe(secret, dir.path(), &["backup", "--output", "x.dump"]);
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("--host=db.internal --port=6543 --username=sqe --dbname=registry"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
});

#[test]
fn logs_are_plain_or_json_and_errors_are_one_message() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |format: Option<&str>, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sqe-registry"));
        cmd.args(args)
            .current_dir(dir.path())
            .env("DATABASE_URL", db.url())
            .env("SQE_SIGNING_KEY_FILE", common::signing_key_file())
            .env("RUST_LOG", "info")
            .env_remove("RUST_BACKTRACE")
            .env_remove("SQE_LOG_FORMAT");
        if let Some(f) = format {
            cmd.env("SQE_LOG_FORMAT", f);
        }
        cmd.output().expect("run sqe-registry")
    };
    // Written to a pipe, not a terminal: no colour codes.
    let plain = run(None, &["migrate"]);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    let log = text(&plain.stderr);
    assert!(log.contains("INFO"), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in {log:?}");
    // One JSON object per line.
    let json = run(Some("json"), &["migrate"]);
    let lines: Vec<String> = text(&json.stderr).lines().map(str::to_owned).collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
        assert!(
            value["level"].is_string() && value["fields"].is_object(),
            "{line}"
        );
    }
    // A failure: its message on one line, exit status 1, no stack trace.
    let failed = run(None, &["import", "missing.csv"]);
    assert_eq!(failed.status.code(), Some(1));
    let err = text(&failed.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("sqe-registry: "), "{err}");
    assert!(last.contains("missing.csv"), "{err}");
    assert_eq!(
        last.matches("os error 2").count(),
        1,
        "each cause once: {last}"
    );
    assert!(
        !err.contains("stack backtrace") && !err.contains("Caused by"),
        "{err}"
    );
}

both_backends!(a_new_registry_is_set_up_from_the_sample_files_alone, |db| {
    // The README's example on an empty database: reference data, then certificates.
    let dir = tempfile::tempdir().expect("temp dir");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let reference = samples.join("reference.json");
    let certificates = samples.join("certificates.csv");
    let path = |p: &Path| p.to_str().expect("utf-8").to_owned();
    let before = sqe(db.url(), dir.path(), &["import", &path(&certificates)]);
    assert!(!before.status.success(), "no body and no scheme yet");
    assert!(
        text(&before.stderr).contains("no certification body"),
        "{}",
        text(&before.stderr)
    );
    let out = sqe(
        db.url(),
        dir.path(),
        &["reference", "import", &path(&reference)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("bodies created: CQM; scheme versions created: 31526-2015, 31526-2025"),
        "{}",
        text(&out.stdout)
    );
    let out = sqe(db.url(), dir.path(), &["import", &path(&certificates)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Twice: nothing changes.
    let again = sqe(
        db.url(),
        dir.path(),
        &["reference", "import", &path(&reference)],
    );
    assert!(again.status.success());
    assert!(
        text(&again.stdout).contains("left as they were: CQM, 31526-2015, 31526-2025"),
        "{}",
        text(&again.stdout)
    );
    // The back office's checks, every problem at once, and nothing written.
    let bad = r#"{
      "bodies": [
        {"code": "new body", "name_zh": "某机构", "name_en": "A body", "approval_number": "X"},
        {"code": "OK2", "name_zh": "某机构", "name_en": "A body", "approval_number": "X", "website": "ftp://x"}
      ],
      "schemes": [
        {"slug": "31526-2030", "standard_code": "GB/T 31526-2030", "title_zh": "题", "title_en": "T",
         "effective_from": "2030-01-01",
         "indicators": [{"code": "1", "name_zh": "甲", "max_points": 10,
                         "children": [{"code": "1.1", "name_zh": "乙", "max_points": 4}]}]},
        {"slug": "x", "standard_code": "S", "title_zh": "题", "title_en": "T",
         "effective_from": "2030-13-01", "indicators": []}
      ]
    }"#;
    std::fs::write(dir.path().join("bad.json"), bad).expect("write");
    let out = sqe(db.url(), dir.path(), &["reference", "import", "bad.json"]);
    let err = text(&out.stderr);
    assert!(!out.status.success());
    for expected in [
        "bodies[0] (new body):",
        "bodies[1] (OK2):",
        "schemes[0] (31526-2030).indicators: indicator \"1\": its children's points add up to 4",
        "schemes[1] (x):",
        "4 problem(s) in bad.json: nothing was written",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
    assert!(
        !err.contains("panicked") && !err.contains("stack backtrace"),
        "{err}"
    );
    let bodies: i64 = with_conn(&db, |conn| {
        use diesel::prelude::*;
        sqe_registry::db::schema::certification_bodies::table
            .count()
            .get_result(conn)
            .expect("count")
    });
    assert_eq!(bodies, 1, "only CQM");
    let nonsense = sqe(
        db.url(),
        dir.path(),
        &["reference", "import", "missing.json"],
    );
    assert!(text(&nonsense.stderr).contains("cannot read missing.json"));
});
