//! SQLite backups while another thread writes, restores into a new path and over a database,
//! and the refusals (existing output, database in use, a damaged backup).

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use sqe_registry::db::schema::{certificate_events, certificates};
use sqe_registry::db::{self, stats, write, Backend, DbConnection};
use sqe_registry::transfer::backup::{backup_sqlite, check_file, restore_sqlite};

use common::fixtures::{credit_code, seed_reference, CertificateBuilder, Refs};
use common::{date, TestDb};

fn db_path(db: &TestDb) -> PathBuf {
    PathBuf::from(
        db.url()
            .strip_prefix("sqlite://")
            .expect("a SQLite test database"),
    )
}

/// Certificates, their events and the revision of the SQLite file at `path`.
fn state(path: &Path) -> (i64, i64, i64) {
    let mut conn = Backend::Sqlite(path.to_str().expect("utf-8").to_owned())
        .connect()
        .expect("open");
    state_of(&mut conn)
}

fn state_of(conn: &mut DbConnection) -> (i64, i64, i64) {
    let certs: i64 = certificates::table.count().get_result(conn).expect("count");
    let events: i64 = certificate_events::table
        .count()
        .get_result(conn)
        .expect("count");
    (certs, events, stats::revision(conn).expect("revision"))
}

/// Writes certificate `i` with its event and a revision bump, in one transaction (as the back
/// office will).
fn write_one(conn: &mut DbConnection, refs: &Refs, i: u32) {
    conn.transaction(|conn| {
        CertificateBuilder::new(&format!("W-{i}"))
            .company(
                &format!("写入{i}公司"),
                None,
                &credit_code(&format!("9144030000{i:07}")),
            )
            .domains(&[&format!("w{i}.example")])
            .event("issued", date(2025, 1, 10), (None, Some(3)), None)
            .insert(conn, refs);
        write::bump_revision(conn)
    })
    .expect("write");
}

#[test]
fn a_backup_taken_while_another_thread_writes_restores_consistently() {
    let db = TestDb::sqlite();
    let refs = seed_reference(&mut db.conn());
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let pool = db.pool();
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut conn = pool.get().expect("connection");
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                write_one(&mut conn, &refs, i);
                i += 1;
            }
            i
        })
    };
    // Let the writer get going, back up in the middle, let it go on, then stop it.
    while state_of(&mut db.conn()).0 < 20 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let backup = dir.path().join("backup.db");
    let contents = backup_sqlite(&db_path(&db), &backup).expect("backup");
    let at_backup = contents.certificates;
    while state_of(&mut db.conn()).0 < at_backup + 20 {
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    let written = i64::from(writer.join().expect("writer"));
    assert!(
        at_backup >= 20 && at_backup < written,
        "{at_backup} of {written}"
    );

    let restored = dir
        .path()
        .join("new-machine")
        .join("data")
        .join("registry.db");
    let (checked, kept) = restore_sqlite(&backup, &restored).expect("restore into a new path");
    assert_eq!(kept, None, "nothing was there before");
    assert_eq!(checked, contents);
    let (certs, events, revision) = state(&restored);
    assert_eq!(certs, at_backup);
    assert_eq!(
        events, certs,
        "every certificate with its event: no half transaction"
    );
    assert_eq!(
        revision, certs,
        "one bump per write: the revision matches the rows"
    );
    assert_eq!(checked.revision, revision.to_string());
    let mut conn = Backend::Sqlite(restored.to_str().expect("utf-8").to_owned())
        .connect()
        .expect("open");
    assert_eq!(
        db::run_migrations(&mut conn).expect("migrations"),
        0,
        "fully migrated"
    );
}

#[cfg(unix)]
#[test]
fn a_backup_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("b.db");
    backup_sqlite(&db_path(&db), &out).expect("backup");
    let mode = std::fs::metadata(&out)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "mode {:o}", mode & 0o777);
}

#[test]
fn backups_never_overwrite() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("b.db");
    std::fs::write(&out, b"precious").expect("write");
    let err = backup_sqlite(&db_path(&db), &out).expect_err("refused");
    assert!(err.to_string().contains("exists already"), "{err}");
    assert_eq!(std::fs::read(&out).expect("read"), b"precious");
    let err = backup_sqlite(&dir.path().join("none.db"), &dir.path().join("c.db"))
        .expect_err("no database");
    assert!(err.to_string().contains("there is no database"), "{err}");
    assert!(!dir.path().join("c.db").exists());
}

#[test]
fn restore_refuses_a_database_in_use_and_a_damaged_backup() {
    let db = TestDb::sqlite();
    let refs = seed_reference(&mut db.conn());
    write_one(&mut db.conn(), &refs, 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let backup = dir.path().join("backup.db");
    backup_sqlite(&db_path(&db), &backup).expect("backup");
    write_one(&mut db.conn(), &refs, 2);

    // The test database's pool keeps connections open, as a running server does.
    let _open = db.conn();
    let err = restore_sqlite(&backup, &db_path(&db)).expect_err("in use");
    assert!(err.to_string().contains("is in use"), "{err}");
    assert_eq!(state_of(&mut db.conn()).0, 2, "the database is untouched");

    let target = dir.path().join("live.db");
    let url = format!("sqlite://{}", target.display());
    {
        let pool = db::build_pool(&url, 2).expect("pool");
        let mut conn = pool.get().expect("connection");
        db::run_migrations(&mut conn).expect("migrations");
        let refs = seed_reference(&mut conn);
        for i in 10..13 {
            write_one(&mut conn, &refs, i);
        }
    }
    let damaged = dir.path().join("damaged.db");
    std::fs::write(&damaged, vec![7u8; 8192]).expect("write");
    let err = restore_sqlite(&damaged, &target).expect_err("damaged");
    assert!(
        format!("{err:#}").contains("not a readable SQLite database"),
        "{err:#}"
    );
    assert_eq!(state(&target).0, 3, "the target is untouched");
    assert!(!dir.path().join("live.db.restoring").exists());
    let err = check_file(&dir.path().join("absent.db")).expect_err("absent");
    assert!(err.to_string().contains("does not exist"), "{err}");

    let (contents, kept) = restore_sqlite(&backup, &target).expect("restore");
    assert_eq!(contents.certificates, 1);
    assert_eq!(state(&target), (1, 1, 1));
    let kept = kept.expect("the previous database is kept");
    assert_eq!(
        state(&kept).0,
        3,
        "the kept file holds the old registry, log included"
    );
}

#[test]
fn a_restore_brings_back_no_session() {
    use sqe_registry::db::schema::sessions;
    let db = TestDb::sqlite();
    let far = chrono::Utc::now().naive_utc() + chrono::Duration::days(1);
    let now = chrono::Utc::now().naive_utc();
    sqe_registry::db::sessions::insert(&mut db.conn(), "hash-of-a-live-session", "{}", far, now)
        .expect("session");
    let dir = tempfile::tempdir().expect("temp dir");
    let backup = dir.path().join("backup.db");
    backup_sqlite(&db_path(&db), &backup).expect("backup");
    let count = |path: &Path| -> i64 {
        let mut conn = Backend::Sqlite(path.to_str().expect("utf-8").to_owned())
            .connect()
            .expect("open");
        sessions::table
            .count()
            .get_result(&mut conn)
            .expect("count")
    };
    assert_eq!(count(&backup), 1, "the backup holds the session");
    let target = dir.path().join("restored.db");
    restore_sqlite(&backup, &target).expect("restore");
    assert_eq!(
        count(&target),
        0,
        "logged out, or disabled since: nobody comes back"
    );
    assert_eq!(count(&backup), 1, "the backup itself is not changed");
}
