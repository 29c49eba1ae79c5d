//! Back-office accounts: creating one (from the back office or the CLI) and changing its role
//! or disabling it. The audit entry records the username and role, never the password or hash.

use serde_json::json;

use super::{run, Actor, ActorKind};
use crate::db::accounts::{find_account, find_account_by_id, insert_account, update_account_row};
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
        update_account_row(conn, change.id, change.role.as_str(), change.disabled)?;
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
