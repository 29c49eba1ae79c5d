//! Back-office accounts and the append-only audit log. This module only ever inserts audit rows:
//! there is no function that updates or deletes them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{accounts, audit_log};
use super::DbConnection;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i32,
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
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

/// Appends an entry; call it in the transaction of the change it records.
pub fn append_audit(conn: &mut DbConnection, entry: &AuditEntry) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .execute(conn)
        .map(|_| ())
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

/// What creating an account did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Created(i32),
    /// The username is taken.
    Exists,
}

/// Creates an account and its audit entry in one transaction. The audit entry records the
/// username and role, never the hash.
pub fn create_account(
    conn: &mut DbConnection,
    username: &str,
    role: &str,
    password_hash: &str,
    actor: &str,
    at: NaiveDateTime,
) -> QueryResult<Created> {
    conn.transaction(|conn| {
        if find_account(conn, username)?.is_some() {
            return Ok(Created::Exists);
        }
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
        let id = find_account(conn, username)?
            .map(|a| a.id)
            .ok_or(diesel::result::Error::NotFound)?;
        append_audit(
            conn,
            &AuditEntry {
                at,
                actor: actor.to_owned(),
                action: "account.create".to_owned(),
                entity: "account".to_owned(),
                entity_id: id.to_string(),
                before_json: None,
                after_json: Some(
                    serde_json::json!({ "username": username, "role": role, "disabled": false })
                        .to_string(),
                ),
            },
        )?;
        Ok(Created::Created(id))
    })
}
