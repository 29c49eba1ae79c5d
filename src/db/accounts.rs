//! Back-office accounts and the append-only audit log. This module only ever inserts audit rows
//! (for the commit path): there is no function that updates or deletes them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{accounts, audit_log};
use super::DbConnection;
use crate::domain::account::Role;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i32,
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    /// Bumped when the account is disabled, demoted or given a new password: a session opened
    /// under an older value has ended.
    pub session_epoch: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = accounts)]
struct NewAccount<'a> {
    username: &'a str,
    password_hash: &'a str,
    role: &'a str,
    disabled: bool,
    created_at: NaiveDateTime,
}

/// One audit entry: who did what to which record, with the record before and after (JSON).
#[derive(Debug, Clone, PartialEq, Insertable, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// Audit rows per insert statement (seven bound values each, far below SQLite's limit).
const AUDIT_ROWS_PER_INSERT: usize = 1_000;

/// Appends entries in order; only the commit path (`app::commit`) calls it, in the transaction
/// of the change they record.
pub fn append_audit_entries(conn: &mut DbConnection, entries: &[AuditEntry]) -> QueryResult<()> {
    for chunk in entries.chunks(AUDIT_ROWS_PER_INSERT) {
        super::write::insert_batch!(conn, audit_log::table, chunk)?;
    }
    Ok(())
}

/// The latest audit entries, newest first.
pub fn latest_audit(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .order_by(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)
}

/// The account with this username, if any.
pub fn find_account(conn: &mut DbConnection, username: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::username.eq(username))
        .select(Account::as_select())
        .first(conn)
        .optional()
}

/// The account with this id, if any.
pub fn find_account_by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Account>> {
    accounts::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .optional()
}

/// Inserts an account; returns its id.
pub fn insert_account(
    conn: &mut DbConnection,
    username: &str,
    role: &str,
    password_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<i32> {
    let row = NewAccount {
        username,
        password_hash,
        role,
        disabled: false,
        created_at: at,
    };
    diesel::insert_into(accounts::table)
        .values(&row)
        .execute(conn)?;
    find_account(conn, username)?
        .map(|a| a.id)
        .ok_or(diesel::result::Error::NotFound)
}

/// An audit entry as stored, with its id (its place in the log).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i32,
    #[diesel(embed)]
    pub entry: AuditEntry,
}

/// Which audit entries to show; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: String,
    /// An action (`certificate.suspend`) or a prefix ending in a dot (`certificate.`).
    pub action: String,
    pub entity_id: String,
    /// Only entries at or after this instant (UTC).
    pub from: Option<NaiveDateTime>,
    /// Only entries before this instant (UTC).
    pub to: Option<NaiveDateTime>,
}

/// The entries matching `filter` with an id below `before` (all when `None`), newest first.
pub fn audit_page(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    before: Option<i32>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table.into_boxed::<super::Db>();
    if !filter.actor.is_empty() {
        query = query.filter(audit_log::actor.eq(filter.actor.clone()));
    }
    if let Some(prefix) = filter.action.strip_suffix('.') {
        let from = format!("{prefix}.");
        let to = format!("{prefix}/");
        query = query.filter(audit_log::action.ge(from).and(audit_log::action.lt(to)));
    } else if !filter.action.is_empty() {
        query = query.filter(audit_log::action.eq(filter.action.clone()));
    }
    if !filter.entity_id.is_empty() {
        query = query.filter(audit_log::entity_id.eq(filter.entity_id.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::at.lt(to));
    }
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    query
        .order_by(audit_log::id.desc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
}

/// The latest entries about one record, newest first.
pub fn audit_of(
    conn: &mut DbConnection,
    entity: &str,
    entity_id: &str,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .order_by(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)
}

/// Every account, by username.
pub fn list_accounts(conn: &mut DbConnection) -> QueryResult<Vec<Account>> {
    accounts::table
        .order_by(accounts::username.asc())
        .select(Account::as_select())
        .load(conn)
}

/// Sets an account's role and whether it is disabled; `end_sessions` also ends every session
/// it has open (a demotion, a disabling).
pub fn update_account_row(
    conn: &mut DbConnection,
    id: i32,
    role: &str,
    disabled: bool,
    end_sessions: bool,
) -> QueryResult<()> {
    let bump = i32::from(end_sessions);
    diesel::update(accounts::table.find(id))
        .set((
            accounts::role.eq(role),
            accounts::disabled.eq(disabled),
            accounts::session_epoch.eq(accounts::session_epoch + bump),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives an account a new password hash and ends every session it has open.
pub fn set_password_hash(
    conn: &mut DbConnection,
    id: i32,
    password_hash: &str,
) -> QueryResult<bool> {
    let n = diesel::update(accounts::table.find(id))
        .set((
            accounts::password_hash.eq(password_hash),
            accounts::session_epoch.eq(accounts::session_epoch + 1),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Enabled administrators other than `id`.
pub fn other_enabled_admins(conn: &mut DbConnection, id: i32) -> QueryResult<i64> {
    accounts::table
        .filter(accounts::role.eq(Role::Admin.as_str()))
        .filter(accounts::disabled.eq(false))
        .filter(accounts::id.ne(id))
        .count()
        .get_result(conn)
}
