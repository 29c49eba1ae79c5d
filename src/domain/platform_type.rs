//! Business models of e-commerce platforms (B2C, B2B, C2C, cross-border, O2O, other).

/// Type of an e-commerce platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum PlatformType {
    /// Business to consumer.
    B2c,
    /// Business to business.
    B2b,
    /// Consumer to consumer.
    C2c,
    /// Cross-border e-commerce (跨境电商).
    CrossBorder,
    /// Online to offline (local services).
    O2o,
    /// Any other model.
    Other,
}

impl PlatformType {
    /// Every type.
    pub const ALL: [PlatformType; 6] = [
        PlatformType::B2c,
        PlatformType::B2b,
        PlatformType::C2c,
        PlatformType::CrossBorder,
        PlatformType::O2o,
        PlatformType::Other,
    ];

    /// Stable lowercase name, as stored and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformType::B2c => "b2c",
            PlatformType::B2b => "b2b",
            PlatformType::C2c => "c2c",
            PlatformType::CrossBorder => "cross-border",
            PlatformType::O2o => "o2o",
            PlatformType::Other => "other",
        }
    }

    /// The type named by `s`, ignoring case and surrounding whitespace; "cross_border" is
    /// accepted as well as "cross-border".
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Its stored name, as [`PlatformType::as_str`] gives it (in templates, messages and keys).
impl std::fmt::Display for PlatformType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in PlatformType::ALL {
            assert_eq!(PlatformType::parse(t.as_str()), Some(t));
            assert_eq!(PlatformType::parse(&t.as_str().to_uppercase()), Some(t));
        }
    }

    #[test]
    fn parse_variants() {
        assert_eq!(PlatformType::parse("B2C"), Some(PlatformType::B2c));
        assert_eq!(PlatformType::parse(" b2B "), Some(PlatformType::B2b));
        assert_eq!(
            PlatformType::parse("cross_border"),
            Some(PlatformType::CrossBorder)
        );
        assert_eq!(
            PlatformType::parse("Cross-Border"),
            Some(PlatformType::CrossBorder)
        );
        assert_eq!(PlatformType::parse("crossborder"), None);
        assert_eq!(PlatformType::parse("b2b2c"), None);
        assert_eq!(PlatformType::parse(""), None);
    }
}
