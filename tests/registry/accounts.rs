//! Back-office accounts (first part of the back office): creation with its audit entry, on both
//! backends; the last enabled administrator kept; and `sqe-registry user add` and `user passwd`
//! reading the password from stdin, never from argv.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{beijing, cli_actor, with_conn};
use sqe_registry::app::accounts::{create, AccountRefusal, NewAccount};
use sqe_registry::db::accounts::{find_account, latest_audit};
use sqe_registry::domain::account::{verify_password, AccountError, Role};

both_backends!(accounts_are_created_once_with_an_audit_entry, |db| {
    let actor = cli_actor("ops", beijing(2026, 11, 28, 16, 0));
    let input = |role| NewAccount {
        username: "li.wei".to_owned(),
        role,
        password: "a long enough password".to_owned(),
    };
    with_conn(&db, |conn| {
        create(conn, &actor, &input(Role::Evaluator)).expect("create");
        assert!(matches!(
            create(conn, &actor, &input(Role::Admin)),
            Err(AccountRefusal::Exists)
        ));
        let short = NewAccount {
            username: "bob".to_owned(),
            role: Role::Viewer,
            password: "short".to_owned(),
        };
        assert!(matches!(
            create(conn, &actor, &short),
            Err(AccountRefusal::Invalid(AccountError::PasswordTooShort))
        ));
        let account = find_account(conn, "li.wei").expect("find").expect("exists");
        assert_eq!(account.role.as_str(), "evaluator");
        assert!(!account.disabled);
        assert!(verify_password(
            "a long enough password",
            &account.password_hash
        ));
        let audit = latest_audit(conn, 10).expect("audit");
        assert_eq!(audit.len(), 1, "the refused duplicate wrote nothing");
        assert_eq!(audit[0].action, "account.create");
        assert_eq!(audit[0].actor, "cli:ops");
        assert_eq!(
            audit[0].at,
            beijing(2026, 11, 28, 16, 0).naive_utc(),
            "stamped with the actor's time"
        );
        let after = audit[0].after_json.as_deref().expect("after");
        assert!(
            after.contains("\"li.wei\"") && after.contains("\"evaluator\""),
            "{after}"
        );
        assert!(
            !after.contains("argon2"),
            "the hash is never in the audit log"
        );
    });
});

/// Runs `sqe-registry user add` on a fresh SQLite file with `stdin` as its input.
fn user_add(dir: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    user(dir, "add", args, stdin)
}

/// Runs `sqe-registry user <command>` on the SQLite file in `dir` with `stdin` as its input.
fn user(dir: &std::path::Path, command: &str, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sqe-registry"))
        .args(["user", command])
        .args(args)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("r.db").display()),
        )
        .env("RUST_LOG", "debug")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the binary");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write");
    child.wait_with_output().expect("output")
}

#[test]
fn user_add_reads_the_password_from_stdin_and_never_prints_it() {
    let dir = tempfile::tempdir().expect("dir");
    let secret = "s3cret-Horse-Battery";
    let out = user_add(
        dir.path(),
        &["--username", "admin", "--role", "admin"],
        &format!("{secret}\n"),
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains("account admin created (admin)"),
        "{printed}"
    );
    assert!(
        !printed.contains(secret),
        "the password must never be printed or logged"
    );
    let again = user_add(
        dir.path(),
        &["--username", "admin", "--role", "viewer"],
        &format!("{secret}\n"),
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let short = user_add(
        dir.path(),
        &["--username", "bob", "--role", "viewer"],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let role = user_add(
        dir.path(),
        &["--username", "bob", "--role", "root"],
        &format!("{secret}\n"),
    );
    assert!(String::from_utf8_lossy(&role.stderr).contains("unknown role"));
    // There is no way to pass the password as an argument.
    let argv = user_add(
        dir.path(),
        &[
            "--username",
            "eve",
            "--role",
            "viewer",
            "--password",
            secret,
        ],
        "",
    );
    assert!(!argv.status.success());
}

#[test]
fn user_passwd_sets_a_new_password_and_ends_the_sessions() {
    let dir = tempfile::tempdir().expect("dir");
    let (old, new) = ("the first long password", "the second long password");
    let out = user_add(
        dir.path(),
        &["--username", "ops", "--role", "admin"],
        &format!("{old}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    let pool = sqe_registry::db::build_pool(&url, 1).expect("pool");
    let epoch = |pool: &sqe_registry::db::DbPool| {
        let mut conn = pool.get().expect("conn");
        find_account(&mut conn, "ops").expect("find").expect("ops")
    };
    let before = epoch(&pool);
    let out = user(
        dir.path(),
        "passwd",
        &["--username", "ops"],
        &format!("{new}\n"),
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    assert!(printed.contains("new password set for ops"), "{printed}");
    assert!(!printed.contains(new), "never printed");
    let after = epoch(&pool);
    assert!(verify_password(new, &after.password_hash));
    assert!(!verify_password(old, &after.password_hash));
    assert_eq!(
        after.session_epoch,
        before.session_epoch + 1,
        "sessions ended"
    );
    // The policy holds, and an unknown name is a clear error.
    let short = user(dir.path(), "passwd", &["--username", "ops"], "short\n");
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let nobody = user(
        dir.path(),
        "passwd",
        &["--username", "nobody"],
        &format!("{new}\n"),
    );
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("there is no account named nobody"));
}

both_backends!(the_last_enabled_administrator_is_kept, |db| {
    use sqe_registry::app::accounts::{update, AccountChange};
    let actor = cli_actor("ops", beijing(2026, 11, 28, 16, 0));
    with_conn(&db, |conn| {
        let account = |conn: &mut _, name: &str, role| {
            let input = NewAccount {
                username: name.to_owned(),
                role,
                password: "a long enough password".to_owned(),
            };
            create(conn, &actor, &input).expect("create")
        };
        let ada = account(conn, "ada", Role::Admin);
        let bob = account(conn, "bob", Role::Admin);
        let change = |id, role, disabled| AccountChange { id, role, disabled };
        // Two administrators: one may go.
        update(conn, &actor, change(bob, Role::Viewer, false)).expect("demote bob");
        // Now ada is the last: neither demoted nor disabled, even by the command line.
        for (role, disabled) in [(Role::Evaluator, false), (Role::Admin, true)] {
            assert!(matches!(
                update(conn, &actor, change(ada, role, disabled)),
                Err(AccountRefusal::LastAdmin)
            ));
        }
        let ada_now = sqe_registry::db::accounts::find_account_by_id(conn, ada)
            .expect("find")
            .expect("ada");
        assert_eq!((ada_now.role, ada_now.disabled), (Role::Admin, false));
        // A disabled administrator does not count.
        update(conn, &actor, change(bob, Role::Admin, true)).expect("bob disabled admin");
        assert!(matches!(
            update(conn, &actor, change(ada, Role::Viewer, false)),
            Err(AccountRefusal::LastAdmin)
        ));
        update(conn, &actor, change(bob, Role::Admin, false)).expect("bob enabled");
        update(conn, &actor, change(ada, Role::Viewer, false)).expect("now ada may go");
    });
});
