//! The one commit path (`app::commit::run`) on both backends: a change that succeeds writes its
//! public events, audit entries and the registry revision with its rows; one that fails writes
//! none of them; and the command line's changes are audited as `cli:<os user>`.

use crate::common;

use diesel::prelude::*;
use serde_json::json;
use sqe_registry::app::{commit, PublicEvent};
use sqe_registry::db::models::CertificateEvent;
use sqe_registry::db::schema::{audit_log, certificate_events, certificates};
use sqe_registry::db::{accounts, lifecycle, stats, DbConnection};
use sqe_registry::domain::event::EventKind;

use common::fixtures::{seed_reference, CertificateBuilder};
use common::{beijing, cli_actor, with_conn, TestDb};

/// (events, audit entries, revision).
fn tallies(conn: &mut DbConnection) -> (i64, i64, i64) {
    let events = certificate_events::table
        .count()
        .get_result(conn)
        .expect("count");
    let audit = audit_log::table.count().get_result(conn).expect("count");
    (events, audit, stats::revision(conn).expect("revision"))
}

fn scope_of(conn: &mut DbConnection, number: &str) -> String {
    certificates::table
        .filter(certificates::number.eq(number))
        .select(certificates::scope_zh)
        .first(conn)
        .expect("scope")
}

/// One certificate in Zhejiang (province 330000); returns its id.
fn one_certificate(db: &TestDb) -> i32 {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("C-1")
            .province("330000")
            .insert(conn, &refs)
    })
}

both_backends!(
    a_change_writes_its_events_audit_and_revision_together,
    |db| {
        let id = one_certificate(&db);
        let actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
        with_conn(&db, |conn| {
            let (events, audit, revision) = tallies(conn);
            let value = commit::run(conn, &actor, |conn, changes| {
                lifecycle::update_scope(conn, id, "新的范围", "", actor.now)?;
                changes.publish(PublicEvent {
                    certificate_id: id,
                    kind: EventKind::Suspended,
                    occurred_on: actor.today,
                    grade_before: None,
                    grade_after: None,
                    reason_zh: Some("测试".to_owned()),
                    reason_en: None,
                });
                changes.audit(
                    "test.change",
                    "certificate",
                    "C-1",
                    None,
                    Some(&json!({"n": 1})),
                );
                diesel::QueryResult::Ok(42)
            })
            .expect("committed");
            assert_eq!(value, 42, "the work's value comes back");
            assert_eq!(tallies(conn), (events + 1, audit + 1, revision + 1));
            assert_eq!(scope_of(conn, "C-1"), "新的范围");
            let event: CertificateEvent = certificate_events::table
                .order_by(certificate_events::id.desc())
                .select(CertificateEvent::as_select())
                .first(conn)
                .expect("event");
            assert_eq!(event.kind.as_str(), "suspended");
            assert_eq!(event.occurred_on, common::date(2026, 12, 2));
            assert_eq!(event.created_at, beijing(2026, 12, 2, 10, 30).naive_utc());
            let province: String = certificate_events::table
                .order_by(certificate_events::id.desc())
                .select(certificate_events::province_code)
                .first(conn)
                .expect("province");
            assert_eq!(province, "330000", "copied from the certificate");
            let entry = &accounts::latest_audit(conn, 1).expect("audit")[0];
            assert_eq!(entry.actor, "cli:ops");
            assert_eq!(entry.action, "test.change");
            assert_eq!(entry.after_json.as_deref(), Some(r#"{"n":1}"#));
        });
    }
);

/// A use case's refusal, as the tests' use cases return it.
#[derive(Debug, PartialEq)]
enum Refusal {
    Refused,
    Db(String),
}

impl From<diesel::result::Error> for Refusal {
    fn from(e: diesel::result::Error) -> Refusal {
        Refusal::Db(e.to_string())
    }
}

both_backends!(a_refused_change_writes_nothing_at_all, |db| {
    let id = one_certificate(&db);
    let actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
    with_conn(&db, |conn| {
        let before = tallies(conn);
        let scope = scope_of(conn, "C-1");
        let refused: Result<(), Refusal> = commit::run(conn, &actor, |conn, changes| {
            lifecycle::update_scope(conn, id, "不应保存", "", actor.now)?;
            changes.publish(PublicEvent {
                certificate_id: id,
                kind: EventKind::Revoked,
                occurred_on: actor.today,
                grade_before: None,
                grade_after: None,
                reason_zh: None,
                reason_en: None,
            });
            changes.audit("test.change", "certificate", "C-1", None, None);
            changes.shown_publicly();
            Err(Refusal::Refused)
        });
        assert_eq!(refused, Err(Refusal::Refused));
        assert_eq!(
            tallies(conn),
            before,
            "no event, no audit entry, no revision"
        );
        assert_eq!(
            scope_of(conn, "C-1"),
            scope,
            "the row written first is rolled back"
        );
    });
});

both_backends!(a_change_no_public_page_shows_keeps_the_revision, |db| {
    one_certificate(&db);
    let actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
    with_conn(&db, |conn| {
        let (events, audit, revision) = tallies(conn);
        commit::run(conn, &actor, |_, changes| {
            changes.audit("account.update", "account", "7", None, None);
            diesel::QueryResult::Ok(())
        })
        .expect("committed");
        assert_eq!(tallies(conn), (events, audit + 1, revision));
        commit::run(conn, &actor, |_, changes| {
            changes.shown_publicly();
            diesel::QueryResult::Ok(())
        })
        .expect("committed");
        assert_eq!(tallies(conn), (events, audit + 1, revision + 1));
    });
});

/// The binary's `sightings confirm`, as the operating-system user `auditor`.
#[test]
fn a_sighting_confirmed_on_the_command_line_is_audited() {
    use sqe_registry::db::marks::{record_sightings, NewSighting};
    let db = TestDb::sqlite();
    let id = one_certificate(&db);
    let seen = beijing(2026, 12, 1, 9, 0).naive_utc();
    with_conn(&db, |conn| {
        let sighting = NewSighting {
            certificate_id: id,
            host: "fake-shop.com".to_owned(),
            first_seen: seen,
            last_seen: seen,
            hits: 3,
            networks: vec![],
        };
        record_sightings(conn, &[sighting]).expect("sighting");
    });
    let confirm = |host: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sqe-registry"))
            .args([
                "sightings",
                "confirm",
                "--certificate",
                "C-1",
                "--host",
                host,
            ])
            .args(["--note", "  复制了徽章  "])
            .env("DATABASE_URL", db.url())
            .env("SQE_SIGNING_KEY_FILE", common::signing_key_file())
            .env("USER", "auditor")
            .output()
            .expect("run the binary")
    };
    let out = confirm("Fake-Shop.com");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.contains("confirmed: fake-shop.com"), "{printed}");
    let missing = confirm("other.example");
    assert!(!missing.status.success(), "an unknown sighting is an error");
    with_conn(&db, |conn| {
        let audit = accounts::latest_audit(conn, 10).expect("audit");
        assert_eq!(audit.len(), 1, "one confirmation, one entry: {audit:?}");
        let entry = &audit[0];
        assert_eq!(entry.action, "sighting.confirm");
        assert_eq!(entry.actor, "cli:auditor");
        assert_eq!(entry.entity, "sighting");
        let after = entry.after_json.as_deref().expect("after");
        assert!(
            after.contains("\"fake-shop.com\"") && after.contains("\"复制了徽章\""),
            "{after}"
        );
    });
}

/// Without `USER` or `LOGNAME` (cron, a service unit), the CLI is audited under the name of its
/// user id, as `id -un` gives it.
#[test]
fn the_cli_names_its_user_without_a_login_environment() {
    let db = TestDb::sqlite();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqe-registry"))
        .args(["user", "add", "--username", "cron.job", "--role", "viewer"])
        .env("DATABASE_URL", db.url())
        .env("SQE_SIGNING_KEY_FILE", common::signing_key_file())
        .env_remove("USER")
        .env_remove("LOGNAME")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"a long enough password\n")?;
            child.wait_with_output()
        })
        .expect("run the binary");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = std::process::Command::new("id")
        .arg("-un")
        .output()
        .expect("id -un");
    let expected = format!("cli:{}", String::from_utf8_lossy(&id.stdout).trim());
    with_conn(&db, |conn| {
        let audit = accounts::latest_audit(conn, 1).expect("audit");
        assert_eq!(audit[0].actor, expected);
    });
}
