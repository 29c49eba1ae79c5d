//! Rate-limit policy: the kinds of request that have a budget per client network, what a budget
//! is (`N` requests per period, all of which may come at once) and the defaults. The limiters
//! themselves are `web::limits`; the configuration reads `SQE_RATE_LIMIT_<KIND>`.

use std::time::Duration;

/// The kinds of request with a budget of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// `/search`.
    Search,
    /// `/api/…`.
    Api,
    /// `/statistics` with filters, and its CSV files.
    Statistics,
    /// Atom feeds.
    Feeds,
    /// `/downloads/…` files.
    Downloads,
    /// Login attempts (`POST /admin/login`).
    Login,
    /// Badges and QR codes of numbers we do not know.
    UnknownMark,
    /// Reports sent with the public report form.
    Reports,
}

impl LimitKind {
    pub const ALL: [LimitKind; 8] = [
        LimitKind::Search,
        LimitKind::Api,
        LimitKind::Statistics,
        LimitKind::Feeds,
        LimitKind::Downloads,
        LimitKind::Login,
        LimitKind::UnknownMark,
        LimitKind::Reports,
    ];

    /// Its name in `SQE_RATE_LIMIT_<NAME>`.
    pub fn env_name(self) -> &'static str {
        match self {
            LimitKind::Search => "SEARCH",
            LimitKind::Api => "API",
            LimitKind::Statistics => "STATISTICS",
            LimitKind::Feeds => "FEEDS",
            LimitKind::Downloads => "DOWNLOADS",
            LimitKind::Login => "LOGIN",
            LimitKind::UnknownMark => "UNKNOWN_MARKS",
            LimitKind::Reports => "REPORTS",
        }
    }

    /// The default budget: requests per minute per network; reports, 30 an hour (a person
    /// sends one or two; a carrier's NAT may carry a few dozen people reporting one scam).
    pub fn default_budget(self) -> Budget {
        if self == LimitKind::Reports {
            return Budget {
                requests: 30,
                per: Duration::from_secs(3600),
            };
        }
        let per_minute = match self {
            LimitKind::Search => 600,
            LimitKind::Api => 1_200,
            LimitKind::Statistics => 300,
            LimitKind::Feeds => 600,
            LimitKind::Downloads => 60,
            LimitKind::Login => 20,
            LimitKind::UnknownMark => 600,
            LimitKind::Reports => 30,
        };
        Budget {
            requests: per_minute,
            per: Duration::from_secs(60),
        }
    }

    pub fn index(self) -> usize {
        LimitKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// `requests` per `per`, all of which may come at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub requests: u32,
    pub per: Duration,
}

impl Budget {
    /// Parses `N/s`, `N/min`, `N/h` (also `N/second`, `N/minute`, `N/hour`).
    pub fn parse(text: &str) -> Option<Budget> {
        let (n, unit) = text.trim().split_once('/')?;
        let requests: u32 = n.trim().parse().ok().filter(|n| *n > 0)?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return None,
        };
        Some(Budget { requests, per })
    }
}

/// Every kind's budget (`None`: not limited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitSettings(pub [Option<Budget>; 8]);

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings(LimitKind::ALL.map(|k| Some(k.default_budget())))
    }
}

impl LimitSettings {
    /// The same budget for every kind (tests make them small).
    pub fn all(budget: Option<Budget>) -> LimitSettings {
        LimitSettings([budget; 8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse_and_refuse_nonsense() {
        assert_eq!(
            Budget::parse("600/min"),
            Some(Budget {
                requests: 600,
                per: Duration::from_secs(60)
            })
        );
        assert_eq!(Budget::parse(" 20 / s ").map(|b| b.requests), Some(20));
        assert_eq!(
            Budget::parse("5000/h").map(|b| b.per),
            Some(Duration::from_secs(3600))
        );
        for bad in ["", "600", "0/min", "-1/min", "10/day", "x/min"] {
            assert_eq!(Budget::parse(bad), None, "{bad}");
        }
    }
}
