//! Certificate statuses, the transitions allowed between them, and the status a consumer sees on a given day.

use chrono::NaiveDate;
use thiserror::Error;

/// Status of a certificate as published to consumers. Stored as its [`as_str`](Self::as_str)
/// text (`db::text_enums` reads and writes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum CertificateStatus {
    /// 有效: in force; the only status that allows using the mark.
    Valid,
    /// 暂停: suspended by the CB; may be restored.
    Suspended,
    /// 撤销: revoked (withdrawn) by the CB; final.
    Revoked,
    /// 注销: cancelled at the holder's request; final.
    Cancelled,
    /// 过期: validity ended without renewal; final.
    Expired,
}

/// A status change that the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a certificate cannot go from {} to {}", from.as_str(), to.as_str())]
pub struct TransitionError {
    /// Status before the refused change.
    pub from: CertificateStatus,
    /// Status that was asked for.
    pub to: CertificateStatus,
}

impl CertificateStatus {
    /// Every status.
    pub const ALL: [CertificateStatus; 5] = [
        CertificateStatus::Valid,
        CertificateStatus::Suspended,
        CertificateStatus::Revoked,
        CertificateStatus::Cancelled,
        CertificateStatus::Expired,
    ];

    /// Stable lowercase name, as stored and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::Valid => "valid",
            CertificateStatus::Suspended => "suspended",
            CertificateStatus::Revoked => "revoked",
            CertificateStatus::Cancelled => "cancelled",
            CertificateStatus::Expired => "expired",
        }
    }

    /// The status named by [`as_str`](Self::as_str) (exact, lowercase), if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether nothing can follow this status (revoked, cancelled, expired).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CertificateStatus::Revoked | CertificateStatus::Cancelled | CertificateStatus::Expired
        )
    }

    /// Whether the holder may show the SQE mark (only when valid).
    pub fn allows_mark_use(self) -> bool {
        self == CertificateStatus::Valid
    }

    /// Whether the lifecycle allows going from `self` to `to`.
    ///
    /// Valid ↔ Suspended; Valid or Suspended → Revoked, Cancelled or Expired. Nothing leaves a final
    /// status and a change to the same status is refused.
    pub fn can_transition_to(self, to: CertificateStatus) -> bool {
        use CertificateStatus::*;
        matches!(
            (self, to),
            (Valid, Suspended)
                | (Suspended, Valid)
                | (Valid | Suspended, Revoked | Cancelled | Expired)
        )
    }

    /// `to` when the change is allowed, else a [`TransitionError`].
    pub fn transition(self, to: CertificateStatus) -> Result<Self, TransitionError> {
        if self.can_transition_to(to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

/// The status to show on `today` (a Beijing calendar date): a valid or suspended certificate whose
/// expiry date is before `today` is expired (the expiry date itself is still valid all day); the
/// final statuses stay as stored, since they say more than "expired".
pub fn effective_status(
    stored: CertificateStatus,
    expires_on: NaiveDate,
    today: NaiveDate,
) -> CertificateStatus {
    match stored {
        CertificateStatus::Valid | CertificateStatus::Suspended if expires_on < today => {
            CertificateStatus::Expired
        }
        other => other,
    }
}

/// Its stored name, as [`CertificateStatus::as_str`] gives it (in templates, messages and keys).
impl std::fmt::Display for CertificateStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::CertificateStatus::*;
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn names_round_trip() {
        for s in CertificateStatus::ALL {
            assert_eq!(CertificateStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CertificateStatus::parse("Valid"), None);
        assert_eq!(CertificateStatus::parse(""), None);
        assert_eq!(CertificateStatus::parse("withdrawn"), None);
    }

    #[test]
    fn only_valid_allows_the_mark() {
        let allowed: Vec<_> = CertificateStatus::ALL
            .into_iter()
            .filter(|s| s.allows_mark_use())
            .collect();
        assert_eq!(allowed, vec![Valid]);
    }

    #[test]
    fn final_statuses() {
        assert!(!Valid.is_final());
        assert!(!Suspended.is_final());
        assert!(Revoked.is_final() && Cancelled.is_final() && Expired.is_final());
    }

    #[test]
    fn transition_table() {
        let allowed = [
            (Valid, Suspended),
            (Suspended, Valid),
            (Valid, Revoked),
            (Valid, Cancelled),
            (Valid, Expired),
            (Suspended, Revoked),
            (Suspended, Cancelled),
            (Suspended, Expired),
        ];
        for from in CertificateStatus::ALL {
            for to in CertificateStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.can_transition_to(to), expected, "{from:?} -> {to:?}");
                assert_eq!(from.transition(to).is_ok(), expected);
            }
        }
    }

    #[test]
    fn refused_transition_names_both_ends() {
        let err = Revoked.transition(Valid).expect_err("revoked is final");
        assert_eq!(
            err,
            TransitionError {
                from: Revoked,
                to: Valid
            }
        );
        assert_eq!(
            err.to_string(),
            "a certificate cannot go from revoked to valid"
        );
        assert!(Valid.transition(Valid).is_err());
        assert_eq!(Suspended.transition(Valid), Ok(Valid));
    }

    #[test]
    fn expiry_follows_the_date() {
        let exp = d(2026, 6, 30);
        assert_eq!(effective_status(Valid, exp, d(2026, 6, 29)), Valid);
        assert_eq!(effective_status(Valid, exp, d(2026, 6, 30)), Valid);
        assert_eq!(effective_status(Valid, exp, d(2026, 7, 1)), Expired);
        assert_eq!(effective_status(Suspended, exp, d(2026, 6, 30)), Suspended);
        assert_eq!(effective_status(Suspended, exp, d(2026, 7, 1)), Expired);
        assert_eq!(effective_status(Revoked, exp, d(2030, 1, 1)), Revoked);
        assert_eq!(effective_status(Cancelled, exp, d(2030, 1, 1)), Cancelled);
        assert_eq!(effective_status(Expired, exp, d(2020, 1, 1)), Expired);
    }

    #[test]
    fn effective_status_never_shows_mark_after_expiry() {
        let exp = d(2026, 1, 31);
        for s in CertificateStatus::ALL {
            assert!(!effective_status(s, exp, d(2026, 2, 1)).allows_mark_use());
        }
    }
}
