//! Who changes the registry, and the clock and settings the change is decided under.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::tlog::note::NoteSigner;

/// Who acts: the audit log records it as [`Actor::name`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKind {
    /// A signed-in back-office account.
    Staff { account_id: i32, username: String },
    /// The command line, run by this operating-system user.
    Cli { os_user: String },
    /// The registry itself (a scheduled task, a start-up step).
    System { task: &'static str },
    /// Anyone, through a public form (a report).
    Public,
}

/// The acting party with the time of the change: today in Beijing, now in UTC, and the validity
/// of a new certificate in years.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
    pub validity_years: u32,
    /// Signs the transparency log's new checkpoint when the change appends to it; a change
    /// that would append without one is refused.
    pub log_signer: Option<Arc<NoteSigner>>,
}

impl Actor {
    /// The command line's actor, run by the operating-system user `os_user`.
    pub fn cli(
        os_user: &str,
        today: NaiveDate,
        now: NaiveDateTime,
        validity_years: u32,
        log_signer: Option<Arc<NoteSigner>>,
    ) -> Actor {
        Actor {
            kind: ActorKind::Cli {
                os_user: os_user.to_owned(),
            },
            today,
            now,
            validity_years,
            log_signer,
        }
    }

    /// The name the audit log records: the username, `cli:<os user>`, `system:<task>` or
    /// `public`.
    pub fn name(&self) -> String {
        match &self.kind {
            ActorKind::Staff { username, .. } => username.clone(),
            ActorKind::Cli { os_user } => format!("cli:{os_user}"),
            ActorKind::System { task } => format!("system:{task}"),
            ActorKind::Public => "public".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(kind: ActorKind) -> Actor {
        Actor {
            kind,
            today: NaiveDate::from_ymd_opt(2026, 12, 2).expect("date"),
            now: NaiveDate::from_ymd_opt(2026, 12, 2)
                .and_then(|d| d.and_hms_opt(1, 2, 3))
                .expect("time"),
            validity_years: 3,
            log_signer: None,
        }
    }

    #[test]
    fn each_kind_has_its_audit_name() {
        let staff = ActorKind::Staff {
            account_id: 7,
            username: "li.wei".to_owned(),
        };
        assert_eq!(at(staff).name(), "li.wei");
        let cli = ActorKind::Cli {
            os_user: "deploy".to_owned(),
        };
        assert_eq!(at(cli).name(), "cli:deploy");
        assert_eq!(
            at(ActorKind::System { task: "expiry" }).name(),
            "system:expiry"
        );
    }
}
