//! Back-office accounts: creating one (from the back office or the CLI), changing its role or
//! disabling it, and giving it a new password. Disabling, demoting and a new password end the
//! account's sessions everywhere. The audit entry records the username and role, never the
//! password or hash.

use serde_json::json;

use super::{run, Actor, ActorKind};
use crate::db::accounts::{
    find_account, find_account_by_id, insert_account, other_enabled_admins, set_password_hash,
    update_account_row,
};
use crate::db::DbConnection;
use crate::domain::account::{
    check_password, hash_password, may_change_account, validate_username, AccountError, Role,
};

/// A new account as entered: the password in clear, checked and hashed here.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub role: Role,
    pub password: String,
}

/// Why an account was not created or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountRefusal {
    #[error(transparent)]
    Invalid(#[from] AccountError),
    /// The username is taken.
    #[error("an account with this username exists")]
    Exists,
    #[error("no such account")]
    NotFound,
    /// An administrator demoting or disabling themself.
    #[error("an administrator cannot demote or disable themself")]
    NotYourself,
    /// The change would leave no enabled administrator.
    #[error("this is the last enabled administrator")]
    LastAdmin,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Creates an account; returns its id. The password is checked against the policy and hashed
/// (Argon2id) before the transaction starts.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &NewAccount,
) -> Result<i32, AccountRefusal> {
    validate_username(&input.username)?;
    check_password(&input.password)?;
    let hash = hash_password(&input.password)?;
    let (username, role) = (input.username.as_str(), input.role.as_str());
    run(conn, actor, |conn, changes| {
        if find_account(conn, username)?.is_some() {
            return Err(AccountRefusal::Exists);
        }
        let id = insert_account(conn, username, role, &hash, actor.now)?;
        let after = json!({ "username": username, "role": role, "disabled": false });
        changes.audit(
            "account.create",
            "account",
            id.to_string(),
            None,
            Some(&after),
        );
        Ok(id)
    })
}

/// A change of an account's role and disabled flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountChange {
    pub id: i32,
    pub role: Role,
    pub disabled: bool,
}

/// Sets an account's role and whether it is disabled; takes effect on its next request.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    change: AccountChange,
) -> Result<(), AccountRefusal> {
    let acting = match &actor.kind {
        ActorKind::Staff { account_id, .. } => Some(*account_id),
        _ => None,
    };
    if !may_change_account(acting, change.id, change.role, change.disabled) {
        return Err(AccountRefusal::NotYourself);
    }
    run(conn, actor, |conn, changes| {
        let before = find_account_by_id(conn, change.id)?.ok_or(AccountRefusal::NotFound)?;
        let was_admin = before.role == Role::Admin && !before.disabled;
        let stays_admin = change.role == Role::Admin && !change.disabled;
        // Checked in the transaction (writers queue on the revision row first, see
        // `db::write::write_transaction`), so two demotions at once cannot both pass.
        if was_admin && !stays_admin && other_enabled_admins(conn, change.id)? == 0 {
            return Err(AccountRefusal::LastAdmin);
        }
        let ends_sessions = change.role < before.role || (change.disabled && !before.disabled);
        update_account_row(
            conn,
            change.id,
            change.role.as_str(),
            change.disabled,
            ends_sessions,
        )?;
        let view = |role: &str, disabled: bool| json!({ "username": before.username, "role": role, "disabled": disabled });
        changes.audit(
            "account.update",
            "account",
            change.id.to_string(),
            Some(&view(before.role.as_str(), before.disabled)),
            Some(&view(change.role.as_str(), change.disabled)),
        );
        Ok(())
    })
}

/// A new password, checked against the policy and hashed (Argon2id) before any transaction
/// starts: hashing is CPU work no database connection should wait on.
#[derive(Clone)]
pub struct NewPassword {
    hash: String,
}

impl NewPassword {
    pub fn hash(password: &str) -> Result<NewPassword, AccountError> {
        check_password(password)?;
        Ok(NewPassword {
            hash: hash_password(password)?,
        })
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// Gives account `id` a new password (its own, from the back office or an administrator's
/// reset, or `sqe-registry user passwd`); every session the account has open ends. Audited
/// without the password or its hash.
pub fn set_password(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i32,
    password: &NewPassword,
) -> Result<(), AccountRefusal> {
    run(conn, actor, |conn, changes| {
        let account = find_account_by_id(conn, id)?.ok_or(AccountRefusal::NotFound)?;
        set_password_hash(conn, id, &password.hash)?;
        changes.audit(
            "account.password",
            "account",
            id.to_string(),
            None,
            Some(&json!({ "username": account.username })),
        );
        Ok(())
    })
}

/// The session epoch of account `id` (what a session opened now carries), if it exists.
pub fn session_epoch(conn: &mut DbConnection, id: i32) -> diesel::QueryResult<Option<i32>> {
    Ok(find_account_by_id(conn, id)?.map(|a| a.session_epoch))
}
