//! Kinds of published certificate events, and which event a new grade after surveillance gives.

use super::grade::Grade;

/// A change in a certificate's life, published for public supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum EventKind {
    /// The certificate was issued.
    Issued,
    /// A surveillance confirmed the grade.
    SurveillancePassed,
    /// The grade went up (晋级).
    Upgraded,
    /// The grade went down (降级).
    Downgraded,
    /// The certificate was suspended.
    Suspended,
    /// A suspension was lifted.
    Restored,
    /// The CB revoked the certificate.
    Revoked,
    /// The holder gave the certificate up.
    Cancelled,
    /// The validity period ended without renewal.
    Expired,
    /// The certificate was renewed after recertification.
    Renewed,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 10] = [
        EventKind::Issued,
        EventKind::SurveillancePassed,
        EventKind::Upgraded,
        EventKind::Downgraded,
        EventKind::Suspended,
        EventKind::Restored,
        EventKind::Revoked,
        EventKind::Cancelled,
        EventKind::Expired,
        EventKind::Renewed,
    ];

    /// Stable snake_case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Issued => "issued",
            EventKind::SurveillancePassed => "surveillance_passed",
            EventKind::Upgraded => "upgraded",
            EventKind::Downgraded => "downgraded",
            EventKind::Suspended => "suspended",
            EventKind::Restored => "restored",
            EventKind::Revoked => "revoked",
            EventKind::Cancelled => "cancelled",
            EventKind::Expired => "expired",
            EventKind::Renewed => "renewed",
        }
    }

    /// The kind named by [`as_str`](Self::as_str) (exact), if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the event is bad news for consumers (downgrade, suspension, revocation,
    /// expiry, cancellation).
    pub fn is_adverse(self) -> bool {
        matches!(
            self,
            EventKind::Downgraded
                | EventKind::Suspended
                | EventKind::Revoked
                | EventKind::Expired
                | EventKind::Cancelled
        )
    }
}

/// The event that a surveillance result gives: `after` is the grade the new score earns
/// (`None` for a score under 70, which leads to suspension).
pub fn grade_change_event(before: Grade, after: Option<Grade>) -> EventKind {
    match after {
        None => EventKind::Suspended,
        Some(g) if g > before => EventKind::Upgraded,
        Some(g) if g < before => EventKind::Downgraded,
        Some(_) => EventKind::SurveillancePassed,
    }
}

/// Its stored name, as [`EventKind::as_str`] gives it (in templates, messages and keys).
impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            EventKind::SurveillancePassed.as_str(),
            "surveillance_passed"
        );
        assert_eq!(EventKind::parse("SurveillancePassed"), None);
        assert_eq!(EventKind::parse("surveillance-passed"), None);
    }

    #[test]
    fn adverse_events() {
        let adverse: Vec<_> = EventKind::ALL
            .into_iter()
            .filter(|k| k.is_adverse())
            .collect();
        assert_eq!(
            adverse,
            [
                EventKind::Downgraded,
                EventKind::Suspended,
                EventKind::Revoked,
                EventKind::Cancelled,
                EventKind::Expired
            ]
        );
    }

    #[test]
    fn grade_changes() {
        assert_eq!(grade_change_event(Grade::Three, None), EventKind::Suspended);
        assert_eq!(grade_change_event(Grade::Two, None), EventKind::Suspended);
        assert_eq!(
            grade_change_event(Grade::Three, Some(Grade::Four)),
            EventKind::Upgraded
        );
        assert_eq!(
            grade_change_event(Grade::Two, Some(Grade::Five)),
            EventKind::Upgraded
        );
        assert_eq!(
            grade_change_event(Grade::Five, Some(Grade::Four)),
            EventKind::Downgraded
        );
        assert_eq!(
            grade_change_event(Grade::Three, Some(Grade::Two)),
            EventKind::Downgraded
        );
        for g in Grade::ALL {
            assert_eq!(
                grade_change_event(g, Some(g)),
                EventKind::SurveillancePassed
            );
        }
    }
}
