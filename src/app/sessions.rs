//! Logging in and out of the back office. A login attempt is throttled per client network, for
//! its account name and in all, and delayed when its account name has many recent failures
//! from anywhere (`domain::throttle`), whether or not the account exists; a refused attempt is
//! not even checked, and an unknown account is checked against a decoy hash so that the answer
//! takes as long either way. A success and a logout are audited; failed and refused attempts
//! are kept a day for the dashboard.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::NaiveDateTime;

use super::{run, Actor, ActorKind};
use crate::db::accounts::find_account;
use crate::db::sessions::{clear_failures, failures_since, record_attempt, FAILED, THROTTLED};
use crate::db::DbConnection;
use crate::domain::account::{hash_password, verify_password};
use crate::domain::dates::beijing_today;
use crate::domain::throttle::{
    account_key, network_key, pair_key, LOGIN_RECORD_HOURS, LOGIN_THROTTLE,
};

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
    /// The client's network, as the throttle counts it (`web::client`).
    pub network: String,
    pub now: NaiveDateTime,
}

/// What a login attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Too many recent failures from this client network (for this name, or in all when
    /// `whole_network`): the password was not checked.
    Throttled { whole_network: bool },
    /// No such enabled account, or the wrong password (the answer does not say which).
    Wrong,
    /// Signed in as this account.
    SignedIn {
        id: i32,
        username: String,
        /// The account's session epoch, for the new session to carry.
        epoch: i32,
    },
}

/// `kind` acting at `now` (a login issues no certificate: no validity setting).
fn acting(kind: ActorKind, now: NaiveDateTime) -> Actor {
    Actor {
        kind,
        today: beijing_today(now.and_utc()),
        now,
        validity_years: 0,
        // Sessions publish nothing.
        log_signer: None,
    }
}

/// What a login attempt needs checked, read from the database: the stored hash to verify
/// the password against (a decoy when there is no such enabled account).
#[derive(Debug, Clone)]
pub struct Candidate {
    account: Option<(i32, String, i32)>,
    hash: String,
    /// How long to wait before verifying (the name has many recent failures).
    pub delay: std::time::Duration,
}

impl Candidate {
    /// Verifies the password: Argon2, tens of milliseconds of CPU. Run it holding no database
    /// connection (so a login flood cannot starve public pages of connections).
    pub fn verify(&self, password: &str) -> bool {
        verify_password(password, &self.hash)
    }
}

/// The throttle's keys of an attempt: its name from its network, its network, its name.
fn keys(attempt: &LoginAttempt) -> [String; 3] {
    [
        pair_key(&attempt.username, &attempt.network),
        network_key(&attempt.network),
        account_key(&attempt.username),
    ]
}

/// Attempts older than this are forgotten when a new one is recorded.
fn forget_before(now: NaiveDateTime) -> NaiveDateTime {
    now - chrono::Duration::hours(LOGIN_RECORD_HOURS)
}

/// First step: `Err(Verdict::Throttled)` after too many recent failures from this network
/// (the password is then not checked, and the refusal is recorded), else what to verify the
/// password against and how long to wait first.
pub fn prepare(
    conn: &mut DbConnection,
    attempt: &LoginAttempt,
) -> diesel::QueryResult<Result<Candidate, Verdict>> {
    let keys = keys(attempt);
    let keys = [keys[0].as_str(), keys[1].as_str(), keys[2].as_str()];
    let since = attempt.now - LOGIN_THROTTLE.window();
    let counts = failures_since(conn, &keys, since)?;
    if !LOGIN_THROTTLE.allows(counts[0], counts[1]) {
        let whole_network = !LOGIN_THROTTLE.allows(0, counts[1]);
        let nobody = acting(ActorKind::System { task: "login" }, attempt.now);
        run(conn, &nobody, |conn, _| {
            record_attempt(
                conn,
                &keys[1..2],
                THROTTLED,
                attempt.now,
                forget_before(attempt.now),
            )
        })?;
        return Ok(Err(Verdict::Throttled { whole_network }));
    }
    let delay = LOGIN_THROTTLE.delay(counts[2]);
    let account = find_account(conn, &attempt.username)?.filter(|a| !a.disabled);
    Ok(Ok(match account {
        Some(a) => Candidate {
            account: Some((a.id, a.username, a.session_epoch)),
            hash: a.password_hash,
            delay,
        },
        None => Candidate {
            account: None,
            hash: DECOY_HASH.clone(),
            delay,
        },
    }))
}

/// Last step, once the password was verified (`matches`): a success clears the failures of
/// its name from its network and is audited; a failure is counted under all three keys.
pub fn conclude(
    conn: &mut DbConnection,
    attempt: &LoginAttempt,
    candidate: Candidate,
    matches: bool,
) -> diesel::QueryResult<Verdict> {
    let keys = keys(attempt);
    let keys = [keys[0].as_str(), keys[1].as_str(), keys[2].as_str()];
    match candidate.account {
        Some((id, username, epoch)) if matches => {
            let staff = ActorKind::Staff {
                account_id: id,
                username: username.clone(),
            };
            let actor = acting(staff, attempt.now);
            run(conn, &actor, |conn, changes| {
                clear_failures(conn, keys[0])?;
                changes.audit("session.login", "account", id.to_string(), None, None);
                diesel::QueryResult::Ok(())
            })?;
            Ok(Verdict::SignedIn {
                id,
                username,
                epoch,
            })
        }
        _ => {
            let nobody = acting(ActorKind::System { task: "login" }, attempt.now);
            run(conn, &nobody, |conn, _| {
                record_attempt(conn, &keys, FAILED, attempt.now, forget_before(attempt.now))
            })?;
            Ok(Verdict::Wrong)
        }
    }
}

/// The three steps on one connection (for callers with nothing else to serve).
pub fn login(conn: &mut DbConnection, attempt: &LoginAttempt) -> diesel::QueryResult<Verdict> {
    match prepare(conn, attempt)? {
        Err(verdict) => Ok(verdict),
        Ok(candidate) => {
            let matches = candidate.verify(&attempt.password);
            conclude(conn, attempt, candidate, matches)
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
