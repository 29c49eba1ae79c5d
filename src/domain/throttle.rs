//! Login throttling: how many failed logins an account name or a client address may have in a
//! window before further attempts are refused. The counts live in the database (every instance
//! sees the same ones); this module only decides. The same rule applies whether or not the
//! account exists, so the answer reveals nothing about it.

use chrono::Duration;

/// The policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Failed logins allowed for one account name within the window.
    pub per_account: i64,
    /// Failed logins allowed from one client address within the window (several staff may share
    /// an office address, so it is looser).
    pub per_address: i64,
    /// The window, in minutes; it is also how long a throttled client waits at most.
    pub window_minutes: i64,
}

/// The registry's policy: 5 failures per account, 20 per address, in 15 minutes.
pub const LOGIN_THROTTLE: LoginThrottle = LoginThrottle {
    per_account: 5,
    per_address: 20,
    window_minutes: 15,
};

impl LoginThrottle {
    pub fn window(&self) -> Duration {
        Duration::minutes(self.window_minutes)
    }

    /// Whether another attempt may be checked, given the failures in the window so far.
    pub fn allows(&self, account_failures: i64, address_failures: i64) -> bool {
        account_failures < self.per_account && address_failures < self.per_address
    }
}

/// The key failures of an account name are counted under (case-insensitive, trimmed, and bounded
/// so that a huge input cannot make a huge row).
pub fn account_key(username: &str) -> String {
    let name: String = username.trim().to_lowercase().chars().take(64).collect();
    format!("account:{name}")
}

/// The key failures from a client address are counted under.
pub fn address_key(address: &str) -> String {
    let address: String = address.chars().take(64).collect();
    format!("address:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_reached_at_the_count_on_either_key() {
        let t = LOGIN_THROTTLE;
        assert!(t.allows(t.per_account - 1, t.per_address - 1));
        assert!(!t.allows(t.per_account, 0));
        assert!(!t.allows(0, t.per_address));
        assert!(t.per_address > t.per_account);
    }

    #[test]
    fn account_keys_ignore_case_and_spaces_and_are_bounded() {
        assert_eq!(account_key(" Alice "), account_key("alice"));
        assert_ne!(account_key("alice"), address_key("alice"));
        assert!(account_key(&"x".repeat(10_000)).len() < 80);
    }
}
