//! Several instances on one PostgreSQL database: a revision bump committed anywhere reaches every
//! instance's caches at once through `LISTEN`/`NOTIFY` (`db::revision_listener`), only after it
//! commits, and again after the listening connection was cut.

use std::sync::mpsc;
use std::time::Duration;

use diesel::prelude::*;
use sqe_registry::db::revision_listener::{self, RevisionNews};

use crate::common;

use common::fixtures::{seed_reference, yunhe_bilingual};
use common::{beijing, get, set_status, state_with, with_conn, TestApp, TestDb};

/// Long enough for a notification on a loaded machine; the poll the app test sets is a minute.
const WAIT: Duration = Duration::from_secs(10);

fn revision(db: &TestDb) -> i64 {
    with_conn(db, |conn| {
        sqe_registry::db::stats::revision(conn).expect("revision")
    })
}

/// The next news other than `Listening`, if any comes within `wait`.
fn next_bump(news: &mpsc::Receiver<RevisionNews>, wait: Duration) -> Option<RevisionNews> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match news.recv_timeout(left) {
            Ok(RevisionNews::Listening) => continue,
            Ok(bump) => return Some(bump),
            Err(_) => return None,
        }
    }
}

/// Commits a revision bump; the next news must be that bump, with the new revision.
fn assert_committed_bump_is_heard(db: &TestDb, news: &mpsc::Receiver<RevisionNews>) {
    let before = revision(db);
    with_conn(db, |conn| {
        conn.transaction(sqe_registry::db::write::bump_revision)
            .expect("bump");
    });
    assert_eq!(
        next_bump(news, WAIT),
        Some(RevisionNews::Bumped(Some(before + 1)))
    );
}

fn listen(
    db: &TestDb,
) -> (
    revision_listener::RevisionListener,
    mpsc::Receiver<RevisionNews>,
) {
    let (sender, news) = mpsc::channel();
    let backend = sqe_registry::db::Backend::from_url(db.url());
    let listener = revision_listener::spawn(&backend, move |n| {
        let _ = sender.send(n);
    })
    .expect("thread")
    .expect("PostgreSQL listens");
    assert_eq!(
        news.recv_timeout(WAIT).expect("connected"),
        RevisionNews::Listening
    );
    (listener, news)
}

#[test]
fn sqlite_has_no_listener() {
    let db = TestDb::sqlite();
    let backend = sqe_registry::db::Backend::from_url(db.url());
    let listener = revision_listener::spawn(&backend, |_| {}).expect("spawn");
    assert!(
        listener.is_none(),
        "one instance per SQLite file: nothing to hear"
    );
}

#[test]
fn a_bump_is_announced_when_it_commits_and_not_when_rolled_back() {
    let Some(db) = TestDb::postgres() else { return };
    let (_listener, news) = listen(&db);
    let before = revision(&db);
    with_conn(&db, |conn| {
        let rolled_back: QueryResult<()> = conn.transaction(|conn| {
            sqe_registry::db::write::bump_revision(conn)?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(rolled_back.is_err());
    });
    assert_eq!(revision(&db), before);
    assert_eq!(
        next_bump(&news, Duration::from_secs(1)),
        None,
        "a rolled-back bump announces nothing"
    );
    // The first news is the committed one, with its number.
    assert_committed_bump_is_heard(&db, &news);
}

#[test]
fn the_listener_connects_again_after_its_connection_is_cut() {
    let Some(db) = TestDb::postgres() else { return };
    let (_listener, news) = listen(&db);
    let cut: usize = with_conn(&db, |conn| {
        diesel::sql_query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = 'sqe-revision-listener'",
        )
        .execute(conn)
        .expect("terminate")
    });
    assert_eq!(cut, 1, "the listener's own connection, named for operators");
    assert_eq!(
        news.recv_timeout(WAIT).expect("connected again"),
        RevisionNews::Listening
    );
    assert_committed_bump_is_heard(&db, &news);
}

#[actix_web::test]
async fn a_change_on_one_instance_shows_at_once_on_another() {
    let Some(db) = TestDb::postgres() else { return };
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        yunhe_bilingual("CL-1", "91330100MA2A00071")
            .domains(&["cl-1.yunhe.com"])
            .stars(4)
            .insert(conn, &refs);
    });
    let now = beijing(2026, 11, 28, 12, 0);
    // Instance B polls once a minute (the most allowed): only the notification can show the
    // change within the 10 s waited.
    let b_state = state_with(&db, now, |c| {
        c.operations.revision_poll = Duration::from_secs(60);
    });
    let _listener = sqe_registry::web::AppState::listen_for_changes(&b_state)
        .expect("thread")
        .expect("PostgreSQL listens");
    let b = TestApp::on_state(b_state).await;
    get(&b, "/certificates/CL-1")
        .await
        .assert_contains("verdict-valid");
    get(&b, "/badge/CL-1.svg")
        .await
        .assert_contains(">有效<")
        .assert_lacks("证书已暂停");
    // Instance A (here its transaction: the same bump every change makes) suspends it.
    set_status(&db, "CL-1", "suspended");
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let page = get(&b, "/certificates/CL-1").await;
        if page.body.contains("verdict-suspended") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "instance B still serves its cached page"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    get(&b, "/badge/CL-1.svg")
        .await
        .assert_contains("证书已暂停")
        .assert_lacks(">有效<");
}
