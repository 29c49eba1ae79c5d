//! Login throttling: how many failed logins a client network may have, for one account name and
//! in all, before its further attempts are refused unchecked; and how long every attempt on an
//! account name waits once that name has many recent failures from anywhere. Nobody can lock
//! staff out: a client without recent failures is never refused, only delayed (a few seconds
//! at most). The counts live in the database (every instance sees the same ones); this module
//! only decides. The same rule applies whether or not the account exists.

use chrono::Duration;

/// The policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Failed logins one client network may have for one account name within the window.
    pub per_pair: i64,
    /// Failed logins one client network may have within the window, whatever the name (several
    /// staff may share an office address, so it is looser).
    pub per_network: i64,
    /// The window, in minutes; it is also how long a refused client waits at most.
    pub window_minutes: i64,
    /// Failures of one account name (from anywhere) in the window after which every attempt
    /// on it waits: one second, doubling with each further failure, up to `max_delay_secs`.
    pub delay_after: i64,
    pub max_delay_secs: i64,
}

/// The registry's policy: 5 failures per name and network and 20 per network in 15 minutes;
/// after 5 failures of a name from anywhere, attempts on it wait 1, 2, 4, then 8 seconds.
pub const LOGIN_THROTTLE: LoginThrottle = LoginThrottle {
    per_pair: 5,
    per_network: 20,
    window_minutes: 15,
    delay_after: 5,
    max_delay_secs: 8,
};

/// How long login attempts are kept for the dashboard's counts (the throttle reads only its
/// window of them).
pub const LOGIN_RECORD_HOURS: i64 = 24;

impl LoginThrottle {
    pub fn window(&self) -> Duration {
        Duration::minutes(self.window_minutes)
    }

    /// Whether another attempt may be checked, given this network's failures in the window so
    /// far: for this account name, and in all.
    pub fn allows(&self, pair_failures: i64, network_failures: i64) -> bool {
        pair_failures < self.per_pair && network_failures < self.per_network
    }

    /// How long an attempt on an account name with `account_failures` recent failures (from
    /// anywhere) waits before its password is checked.
    pub fn delay(&self, account_failures: i64) -> std::time::Duration {
        let over = account_failures - self.delay_after;
        if over < 0 {
            return std::time::Duration::ZERO;
        }
        let secs = 1i64
            .checked_shl(u32::try_from(over).unwrap_or(u32::MAX).min(62))
            .unwrap_or(i64::MAX)
            .min(self.max_delay_secs);
        std::time::Duration::from_secs(u64::try_from(secs).unwrap_or(0))
    }
}

/// An account name as failures are counted under it: case-insensitive, trimmed, and bounded so
/// that a huge input cannot make a huge row.
fn name_part(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

/// The key failures of an account name are counted under, from anywhere.
pub fn account_key(username: &str) -> String {
    format!("account:{}", name_part(username))
}

/// The key failures of an account name from one client network are counted under.
pub fn pair_key(username: &str, network: &str) -> String {
    let network: String = network.chars().take(64).collect();
    format!("pair:{network}|{}", name_part(username))
}

/// The key failures from a client network are counted under.
pub fn network_key(network: &str) -> String {
    let network: String = network.chars().take(64).collect();
    format!("address:{network}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_is_refused_at_the_count_on_either_key() {
        let t = LOGIN_THROTTLE;
        assert!(t.allows(t.per_pair - 1, t.per_network - 1));
        assert!(!t.allows(t.per_pair, 0));
        assert!(!t.allows(0, t.per_network));
        assert!(t.per_network > t.per_pair);
    }

    #[test]
    fn an_account_under_attack_delays_growing_to_a_bound_never_refuses() {
        let t = LOGIN_THROTTLE;
        let secs = |n| t.delay(n).as_secs();
        assert_eq!((secs(0), secs(4)), (0, 0));
        assert_eq!((secs(5), secs(6), secs(7), secs(8)), (1, 2, 4, 8));
        assert_eq!((secs(9), secs(1_000), secs(i64::MAX)), (8, 8, 8));
    }

    #[test]
    fn keys_ignore_case_and_spaces_and_are_bounded() {
        assert_eq!(account_key(" Alice "), account_key("alice"));
        assert_eq!(
            pair_key(" Alice ", "10.0.0.1"),
            pair_key("alice", "10.0.0.1")
        );
        assert_ne!(pair_key("alice", "10.0.0.1"), pair_key("alice", "10.0.0.2"));
        assert_ne!(account_key("alice"), network_key("alice"));
        assert!(account_key(&"x".repeat(10_000)).len() < 80);
        assert!(pair_key(&"x".repeat(10_000), &"y".repeat(10_000)).len() < 150);
    }
}
