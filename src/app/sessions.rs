//! Logging in and out of the back office. A login attempt is throttled per account name and per
//! client address (`domain::throttle`), whether or not the account exists; a refused attempt
//! is not even checked, and an unknown account is checked against a decoy hash so that the
//! answer takes as long either way. A success and a logout are audited.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::NaiveDateTime;

use super::{run, Actor, ActorKind};
use crate::db::accounts::find_account;
use crate::db::sessions::{clear_failures, failures_since, record_failure};
use crate::db::DbConnection;
use crate::domain::account::{hash_password, verify_password};
use crate::domain::dates::beijing_today;
use crate::domain::throttle::{account_key, address_key, LOGIN_THROTTLE};

/// The hash of a random password nobody has, verified when the account does not exist.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    hash_password(&secret).unwrap_or_default()
});

/// A login attempt as submitted.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    pub username: String,
    pub password: String,
    /// The client's address, as the throttle counts it.
    pub address: String,
    pub now: NaiveDateTime,
}

/// What a login attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Too many recent failures for this name or address: the password was not checked.
    Throttled,
    /// No such enabled account, or the wrong password (the answer does not say which).
    Wrong,
    /// Signed in as this account.
    SignedIn { id: i32, username: String },
}

/// `kind` acting at `now` (a login issues no certificate: no validity setting).
fn acting(kind: ActorKind, now: NaiveDateTime) -> Actor {
    Actor {
        kind,
        today: beijing_today(now.and_utc()),
        now,
        validity_years: 0,
    }
}

/// Checks a login attempt: a success clears the account's failures and is audited, a failure is
/// counted under the name and the address.
pub fn login(conn: &mut DbConnection, attempt: &LoginAttempt) -> diesel::QueryResult<Verdict> {
    let keys = [
        account_key(&attempt.username),
        address_key(&attempt.address),
    ];
    let keys = [keys[0].as_str(), keys[1].as_str()];
    let since = attempt.now - LOGIN_THROTTLE.window();
    let counts = failures_since(conn, &keys, since)?;
    if !LOGIN_THROTTLE.allows(counts[0], counts[1]) {
        return Ok(Verdict::Throttled);
    }
    let account = find_account(conn, &attempt.username)?.filter(|a| !a.disabled);
    let hash = account
        .as_ref()
        .map_or(DECOY_HASH.as_str(), |a| a.password_hash.as_str());
    let matches = verify_password(&attempt.password, hash);
    match account {
        Some(account) if matches => {
            let staff = ActorKind::Staff {
                account_id: account.id,
                username: account.username.clone(),
            };
            let actor = acting(staff, attempt.now);
            run(conn, &actor, |conn, changes| {
                clear_failures(conn, keys[0])?;
                changes.audit(
                    "session.login",
                    "account",
                    account.id.to_string(),
                    None,
                    None,
                );
                diesel::QueryResult::Ok(())
            })?;
            Ok(Verdict::SignedIn {
                id: account.id,
                username: account.username,
            })
        }
        _ => {
            let nobody = acting(ActorKind::System { task: "login" }, attempt.now);
            run(conn, &nobody, |conn, _| {
                record_failure(conn, &keys, attempt.now, since)
            })?;
            Ok(Verdict::Wrong)
        }
    }
}

/// Audits a logout of the signed-in `actor` (the session itself is dropped by the caller).
pub fn logout(conn: &mut DbConnection, actor: &Actor) -> diesel::QueryResult<()> {
    let id = match &actor.kind {
        ActorKind::Staff { account_id, .. } => account_id.to_string(),
        _ => String::new(),
    };
    run(conn, actor, |_, changes| {
        changes.audit("session.logout", "account", id, None, None);
        Ok(())
    })
}
