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
                .count()
                .get_result(conn)
        })
        .collect()
}

/// Records one failed login under each key, and forgets failures older than `forget_before`;
/// call it in a write transaction (`app::sessions::login` does).
pub fn record_failure(
    conn: &mut DbConnection,
    keys: &[&str],
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
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets the failures under a key (a successful login clears its account's count).
pub fn clear_failures(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::throttle_key.eq(key)))
        .execute(conn)?;
    Ok(())
}
