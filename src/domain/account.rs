//! Back-office accounts: roles and what each may do, usernames, the password policy, and password
//! hashing with Argon2id (the `argon2` crate of RustCrypto: maintained, pure Rust, the algorithm
//! OWASP recommends; its default parameters are OWASP's: 19 MiB, 2 passes, 1 lane).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use thiserror::Error;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (hashing cost does not depend on it, but a bound keeps input sane).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// What an account may do. Every back-office route checks it on the server.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Role {
    /// Read-only.
    Viewer,
    /// Companies, platforms, evaluations and lifecycle actions.
    Evaluator,
    /// Everything, including accounts.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Evaluator, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Evaluator => "evaluator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may do what `needed` may (roles are ordered by power).
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

/// Why an account cannot be created as asked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccountError {
    #[error("the username must be 3–32 characters: lower-case letters, digits, '.', '-' or '_', starting with a letter")]
    BadUsername,
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("the password must have at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
    #[error("unknown role {0:?}: use admin, evaluator or viewer")]
    UnknownRole(String),
    #[error("the password could not be hashed")]
    Hashing,
}

/// Checks a username: 3–32 of `a-z 0-9 . - _`, starting with a letter.
pub fn validate_username(name: &str) -> Result<(), AccountError> {
    let ok = (3..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadUsername)
    }
}

/// Checks the password policy: length only (NIST SP 800-63B: no composition rules).
pub fn check_password(password: &str) -> Result<(), AccountError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Err(AccountError::PasswordTooShort)
    } else if n > MAX_PASSWORD_CHARS {
        Err(AccountError::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// Hashes a password with Argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AccountError::Hashing)
}

/// Whether `password` matches a stored PHC string (false for a malformed one).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Whether the account `acting` may give account `target` this role and disabled flag: an
/// administrator cannot demote or disable themself, so the last one cannot lock everybody out
/// by mistake.
pub fn may_change_account(acting: Option<i32>, target: i32, role: Role, disabled: bool) -> bool {
    acting != Some(target) || (role == Role::Admin && !disabled)
}

/// Its stored name, as [`Role::as_str`] gives it (in templates, messages and keys).
impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_administrator_cannot_demote_or_disable_themself() {
        assert!(may_change_account(Some(1), 1, Role::Admin, false));
        assert!(!may_change_account(Some(1), 1, Role::Evaluator, false));
        assert!(!may_change_account(Some(1), 1, Role::Admin, true));
        // Others may be changed in every way, by staff or by the command line.
        assert!(may_change_account(Some(1), 2, Role::Viewer, true));
        assert!(may_change_account(None, 1, Role::Viewer, true));
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Admin.allows(Role::Evaluator) && Role::Admin.allows(Role::Viewer));
        assert!(Role::Evaluator.allows(Role::Viewer) && !Role::Evaluator.allows(Role::Admin));
        assert!(!Role::Viewer.allows(Role::Evaluator));
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn usernames_are_plain() {
        for ok in ["admin", "li.wei", "zhang_san-2"] {
            assert_eq!(validate_username(ok), Ok(()), "{ok}");
        }
        for bad in ["ab", "Admin", "1admin", "li wei", "张三", &"a".repeat(33)] {
            assert_eq!(
                validate_username(bad),
                Err(AccountError::BadUsername),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_policy_counts_characters() {
        assert_eq!(check_password("short"), Err(AccountError::PasswordTooShort));
        assert_eq!(
            check_password("正确的马电池订书钉好"),
            Err(AccountError::PasswordTooShort)
        );
        assert_eq!(
            check_password("正确的马电池订书钉好记的"),
            Ok(()),
            "12 characters"
        );
        assert_eq!(
            check_password(&"x".repeat(257)),
            Err(AccountError::PasswordTooLong)
        );
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash_password("correct horse battery").expect("hash");
        let b = hash_password("correct horse battery").expect("hash");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse batterY", &a));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }
}
