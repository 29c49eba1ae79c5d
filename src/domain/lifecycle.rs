//! Lifecycle actions of the certification body on a certificate: suspend, restore, revoke,
//! cancel, renew. Each is checked against the certificate's status on the day (an expired
//! certificate can no longer be acted on), and gives the new status and the public event.

use chrono::NaiveDate;
use thiserror::Error;

use super::dates::{add_months, validity_end};
use super::event::EventKind;
use super::status::CertificateStatus;

/// Longest suspension the body may set at once (CNCA practice: at most six months).
pub const MAX_SUSPENSION_MONTHS: u32 = 6;
/// Longest public reason.
pub const MAX_REASON_CHARS: usize = 500;

/// What the body asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Suspend,
    Restore,
    Revoke,
    Cancel,
    Renew,
}

impl ActionKind {
    pub const ALL: [ActionKind; 5] = [
        ActionKind::Suspend,
        ActionKind::Restore,
        ActionKind::Revoke,
        ActionKind::Cancel,
        ActionKind::Renew,
    ];

    /// Stable name, used in URLs and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Suspend => "suspend",
            ActionKind::Restore => "restore",
            ActionKind::Revoke => "revoke",
            ActionKind::Cancel => "cancel",
            ActionKind::Renew => "renew",
        }
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The status the certificate has afterwards.
    pub fn target(self) -> CertificateStatus {
        match self {
            ActionKind::Suspend => CertificateStatus::Suspended,
            ActionKind::Restore | ActionKind::Renew => CertificateStatus::Valid,
            ActionKind::Revoke => CertificateStatus::Revoked,
            ActionKind::Cancel => CertificateStatus::Cancelled,
        }
    }

    /// The public event it writes.
    pub fn event(self) -> EventKind {
        match self {
            ActionKind::Suspend => EventKind::Suspended,
            ActionKind::Restore => EventKind::Restored,
            ActionKind::Revoke => EventKind::Revoked,
            ActionKind::Cancel => EventKind::Cancelled,
            ActionKind::Renew => EventKind::Renewed,
        }
    }

    /// Whether the public must be told why (a suspension or a revocation).
    pub fn needs_reason(self) -> bool {
        matches!(self, ActionKind::Suspend | ActionKind::Revoke)
    }

    /// Whether it applies to a certificate in `status` (the effective status on the day).
    pub fn applies_to(self, status: CertificateStatus) -> bool {
        match self {
            // Renewal is recertification of a certificate in force; a suspended one must be
            // restored first, an ended one needs a new initial evaluation.
            ActionKind::Renew => status == CertificateStatus::Valid,
            other => status.can_transition_to(other.target()),
        }
    }
}

/// What was asked, as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionInput {
    pub reason_zh: String,
    pub reason_en: String,
    /// For a suspension: the last day it lasts.
    pub until: Option<NaiveDate>,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ActionError {
    #[error("a certificate that is {} cannot be {}", .status.as_str(), .action.as_str())]
    NotAllowed {
        action: ActionKind,
        status: CertificateStatus,
    },
    #[error("a public reason is required, in Chinese (English optional)")]
    ReasonRequired,
    #[error("the reason is too long")]
    ReasonTooLong,
    #[error(
        "a suspension needs an end date after today and within {MAX_SUSPENSION_MONTHS} months"
    )]
    BadSuspensionEnd,
}

/// The change to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: CertificateStatus,
    pub event: EventKind,
    pub reason_zh: Option<String>,
    pub reason_en: Option<String>,
    /// The suspension end, kept only while suspended.
    pub suspended_until: Option<NaiveDate>,
    /// For a renewal: the new validity period (issue date, expiry date).
    pub new_validity: Option<(NaiveDate, NaiveDate)>,
}

/// Checks an action against the certificate's effective status on `today` and the input.
pub fn decide(
    action: ActionKind,
    status: CertificateStatus,
    input: &ActionInput,
    today: NaiveDate,
    validity_years: u32,
) -> Result<Outcome, ActionError> {
    if !action.applies_to(status) {
        return Err(ActionError::NotAllowed { action, status });
    }
    let reason_zh = input.reason_zh.trim();
    let reason_en = input.reason_en.trim();
    if reason_zh.chars().count() > MAX_REASON_CHARS || reason_en.chars().count() > MAX_REASON_CHARS
    {
        return Err(ActionError::ReasonTooLong);
    }
    if action.needs_reason() && reason_zh.is_empty() {
        return Err(ActionError::ReasonRequired);
    }
    let suspended_until = match action {
        ActionKind::Suspend => match input.until {
            Some(until) if until > today && until <= add_months(today, MAX_SUSPENSION_MONTHS) => {
                Some(until)
            }
            _ => return Err(ActionError::BadSuspensionEnd),
        },
        _ => None,
    };
    let new_validity =
        (action == ActionKind::Renew).then(|| (today, validity_end(today, validity_years)));
    let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Ok(Outcome {
        status: action.target(),
        event: action.event(),
        reason_zh: optional(reason_zh),
        reason_en: optional(reason_en),
        suspended_until,
        new_validity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use CertificateStatus::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn reason() -> ActionInput {
        ActionInput {
            reason_zh: "监督发现问题".into(),
            reason_en: String::new(),
            until: Some(day(2026, 12, 31)),
        }
    }

    #[test]
    fn each_action_applies_only_where_the_lifecycle_allows() {
        let today = day(2026, 11, 29);
        for action in ActionKind::ALL {
            for status in CertificateStatus::ALL {
                let allowed = match action {
                    ActionKind::Suspend => status == Valid,
                    ActionKind::Restore => status == Suspended,
                    ActionKind::Revoke | ActionKind::Cancel => matches!(status, Valid | Suspended),
                    ActionKind::Renew => status == Valid,
                };
                let result = decide(action, status, &reason(), today, 3);
                assert_eq!(result.is_ok(), allowed, "{action:?} on {status:?}");
                if !allowed {
                    assert_eq!(result, Err(ActionError::NotAllowed { action, status }));
                }
            }
        }
    }

    #[test]
    fn suspension_needs_a_reason_and_an_end_within_six_months() {
        let today = day(2026, 11, 29);
        let mut input = reason();
        input.reason_zh = "  ".into();
        assert_eq!(
            decide(ActionKind::Suspend, Valid, &input, today, 3),
            Err(ActionError::ReasonRequired)
        );
        for until in [None, Some(today), Some(day(2027, 5, 30))] {
            let input = ActionInput { until, ..reason() };
            assert_eq!(
                decide(ActionKind::Suspend, Valid, &input, today, 3),
                Err(ActionError::BadSuspensionEnd),
                "{until:?}"
            );
        }
        for until in [day(2026, 11, 30), day(2027, 5, 29)] {
            let input = ActionInput {
                until: Some(until),
                ..reason()
            };
            let out = decide(ActionKind::Suspend, Valid, &input, today, 3).expect("ok");
            assert_eq!(out.suspended_until, Some(until));
            assert_eq!(out.event, EventKind::Suspended);
        }
    }

    #[test]
    fn restore_needs_no_reason_and_clears_the_end_date() {
        let out = decide(
            ActionKind::Restore,
            Suspended,
            &ActionInput::default(),
            day(2026, 11, 29),
            3,
        )
        .expect("ok");
        assert_eq!(out.status, Valid);
        assert_eq!(out.suspended_until, None);
        assert_eq!(out.reason_zh, None);
    }

    #[test]
    fn renewal_starts_a_new_validity_period_today() {
        let out = decide(
            ActionKind::Renew,
            Valid,
            &ActionInput::default(),
            day(2026, 11, 29),
            3,
        )
        .expect("ok");
        assert_eq!(
            out.new_validity,
            Some((day(2026, 11, 29), day(2029, 11, 28)))
        );
        assert_eq!(out.event, EventKind::Renewed);
    }

    #[test]
    fn overlong_reasons_are_refused() {
        let input = ActionInput {
            reason_zh: "很".repeat(MAX_REASON_CHARS + 1),
            ..reason()
        };
        assert_eq!(
            decide(ActionKind::Revoke, Valid, &input, day(2026, 11, 29), 3),
            Err(ActionError::ReasonTooLong)
        );
    }
}

/// Most domains one platform may be bound to.
pub const MAX_BOUND_DOMAINS: usize = 20;

/// Why a list of bound domains is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainListError {
    #[error("{0:?} is not a host name")]
    NotAHost(String),
    #[error("at least one domain is required")]
    Empty,
    #[error("at most {MAX_BOUND_DOMAINS} domains")]
    TooMany,
}

/// The domains a platform is bound to, from text (one per line, or separated by spaces, commas
/// or semicolons; URLs accepted): normalised as the mark's binding check compares them, without
/// duplicates, sorted.
pub fn parse_domains(text: &str) -> Result<Vec<String>, DomainListError> {
    let mut domains = Vec::new();
    for part in text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '，' | '；'))
        .filter(|p| !p.is_empty())
    {
        let host = super::hostname::Hostname::parse(part)
            .map_err(|_| DomainListError::NotAHost(part.chars().take(100).collect()))?;
        domains.push(host.as_str().to_owned());
    }
    domains.sort();
    domains.dedup();
    match domains.len() {
        0 => Err(DomainListError::Empty),
        n if n > MAX_BOUND_DOMAINS => Err(DomainListError::TooMany),
        _ => Ok(domains),
    }
}

#[cfg(test)]
mod domain_list_tests {
    use super::*;

    #[test]
    fn domains_are_normalised_deduplicated_and_checked() {
        assert_eq!(
            parse_domains("https://www.Yunhe.com/shop\nyunhe.com, m.yunhe.cn；例子.中国"),
            Ok(vec![
                "m.yunhe.cn".to_owned(),
                "xn--fsqu00a.xn--fiqs8s".to_owned(),
                "yunhe.com".to_owned()
            ])
        );
        assert_eq!(parse_domains(" \n "), Err(DomainListError::Empty));
        assert!(matches!(
            parse_domains("yunhe.com not_a_host!"),
            Err(DomainListError::NotAHost(_))
        ));
        let many: Vec<String> = (0..=MAX_BOUND_DOMAINS)
            .map(|i| format!("d{i}.cn"))
            .collect();
        assert_eq!(
            parse_domains(&many.join(" ")),
            Err(DomainListError::TooMany)
        );
    }
}
