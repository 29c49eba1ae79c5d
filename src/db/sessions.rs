//! Back-office sessions and failed-login counts, shared by every instance through the database.
//! Sessions are found by the SHA-256 of their key (the caller hashes); expired rows are invisible
//! and swept on each new session.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{login_failures, sessions};
use super::DbConnection;

/// The state of a live session (JSON), or `None` when unknown or expired.
pub fn load(
    conn: &mut DbConnection,
    key_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    sessions::table
        .filter(sessions::key_hash.eq(key_hash))
        .filter(sessions::expires_at.gt(now))
        .select(sessions::state)
        .first(conn)
        .optional()
}

/// Stores a new session, and sweeps the expired ones.
pub fn insert(
    conn: &mut DbConnection,
    key_hash: &str,
    state: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::key_hash.eq(key_hash),
            sessions::state.eq(state),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces a session's state and expiry; false when it no longer exists.
pub fn update(
    conn: &mut DbConnection,
    key_hash: &str,
    state: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(sessions::table.filter(sessions::key_hash.eq(key_hash)))
        .set((
            sessions::state.eq(state),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Moves a session's expiry (activity keeps it alive).
pub fn touch(
    conn: &mut DbConnection,
    key_hash: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(sessions::table.filter(sessions::key_hash.eq(key_hash)))
        .set(sessions::expires_at.eq(expires_at))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, key_hash: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::key_hash.eq(key_hash))).execute(conn)?;
    Ok(())
}

/// Failed logins under each key since `since`, in the order of `keys`.
pub fn failures_since(
    conn: &mut DbConnection,
    keys: &[&str],
    since: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    keys.iter()
        .map(|key| {
            login_failures::table
                .filter(login_failures::throttle_key.eq(*key))
                .filter(login_failures::at.gt(since))
                .filter(login_failures::outcome.eq(FAILED))
                .count()
                .get_result(conn)
        })
        .collect()
}

/// The outcome of a login attempt the throttle counts.
pub const FAILED: &str = "failed";
/// The outcome of a login attempt refused unchecked (counted on the dashboard only).
pub const THROTTLED: &str = "throttled";

/// Records one login attempt with `outcome` under each key, and forgets attempts older than
/// `forget_before`; call it in a write transaction (`app::sessions` does).
pub fn record_attempt(
    conn: &mut DbConnection,
    keys: &[&str],
    outcome: &str,
    at: NaiveDateTime,
    forget_before: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::at.lt(forget_before)))
        .execute(conn)?;
    for key in keys {
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::throttle_key.eq(*key),
                login_failures::at.eq(at),
                login_failures::outcome.eq(outcome),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Records `attempts` logins refused unchecked by this instance since it last did, as one row
/// (a flood of refusals is one write every few seconds, not one per attempt).
pub fn record_refused(
    conn: &mut DbConnection,
    attempts: i32,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::throttle_key.eq("address:*"),
            login_failures::at.eq(at),
            login_failures::outcome.eq(THROTTLED),
            login_failures::attempts.eq(attempts),
        ))
        .execute(conn)?;
    Ok(())
}

/// Failed and throttled login attempts since `since` (each attempt is counted once: by its
/// client-network key).
pub fn attempts_since(conn: &mut DbConnection, since: NaiveDateTime) -> QueryResult<(i64, i64)> {
    let count = |conn: &mut DbConnection, outcome: &str| -> QueryResult<i64> {
        let sum: Option<i64> = login_failures::table
            .filter(login_failures::at.gt(since))
            .filter(login_failures::outcome.eq(outcome))
            .filter(login_failures::throttle_key.like("address:%"))
            .select(diesel::dsl::sum(login_failures::attempts))
            .first(conn)?;
        Ok(sum.unwrap_or(0))
    };
    Ok((count(conn, FAILED)?, count(conn, THROTTLED)?))
}

/// Forgets every session (a restored database must not revive the sessions of its backup).
pub fn delete_all(conn: &mut DbConnection) -> QueryResult<usize> {
    diesel::delete(sessions::table).execute(conn)
}

/// Forgets the attempts under a key (a successful login clears its name-and-network count).
pub fn clear_failures(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::throttle_key.eq(key)))
        .execute(conn)?;
    Ok(())
}
