//! Rate limits per client network (`web::client`), with governor (the maintained GCRA limiter
//! of the Rust ecosystem, keyed, lock-free; what actix-governor wraps — used directly because
//! one of our limits is decided inside a handler: only unknown badge numbers are limited).
//!
//! Each kind of request has its own budget, `N` requests per period per network, all of which
//! may come at once; defaults are generous because thousands of phones can share one address
//! behind a carrier's NAT. Set one with `SQE_RATE_LIMIT_<KIND>=N/PERIOD` (`600/min`, `20/s`,
//! `5000/h`) or `off`. Over its budget a network gets `429` with `Retry-After`: the page in the
//! reader's language, JSON under `/api/`, plain text for an image. Badges and QR codes of known
//! certificates are never limited (they are on our customers' pages).

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

pub use crate::domain::rate_limit::{Budget, LimitKind, LimitSettings};
use crate::error::AppError;
use crate::web::client::{network_of, service_client_ip};
use crate::web::AppState;

/// The kind a request is limited as by its method and path (badges are decided in their
/// handler); `None` for everything else.
pub fn kind_of(method: &Method, path: &str, query: &str) -> Option<LimitKind> {
    if path == "/admin/login" {
        return (method == Method::POST).then_some(LimitKind::Login);
    }
    if path == "/search" {
        Some(LimitKind::Search)
    } else if path.starts_with("/api/") {
        Some(LimitKind::Api)
    } else if path == "/statistics" && !query.is_empty() || path.starts_with("/statistics/") {
        Some(LimitKind::Statistics)
    } else if path.ends_with(".atom") {
        Some(LimitKind::Feeds)
    } else if path.starts_with("/downloads/") {
        Some(LimitKind::Downloads)
    } else {
        None
    }
}

/// The quota of a budget.
fn quota(budget: Budget) -> Option<Quota> {
    let burst = NonZeroU32::new(budget.requests)?;
    Quota::with_period(budget.per / budget.requests).map(|q| q.allow_burst(burst))
}

type Limiter = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

/// The limiters of one instance (each instance counts on its own: behind a load balancer a
/// network's budget is per instance).
pub struct RateLimits {
    limiters: Vec<Option<Limiter>>,
    clock: DefaultClock,
}

impl RateLimits {
    pub fn new(settings: &LimitSettings) -> RateLimits {
        RateLimits {
            limiters: settings
                .0
                .iter()
                .map(|b| b.and_then(quota).map(RateLimiter::keyed))
                .collect(),
            clock: DefaultClock::default(),
        }
    }

    /// Counts a request of `kind` from `ip`'s network: `Err` with the seconds to wait when the
    /// network is over its budget.
    pub fn check(&self, kind: LimitKind, ip: Option<IpAddr>) -> Result<(), AppError> {
        let (Some(limiter), Some(ip)) = (&self.limiters[kind.index()], ip) else {
            return Ok(());
        };
        limiter.check_key(&network_of(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            let seconds = u32::try_from(wait.as_secs())
                .unwrap_or(u32::MAX)
                .saturating_add(1);
            AppError::TooManyRequests(seconds)
        })
    }

    /// Forgets networks whose budget is full again (the server calls it every minute), so a
    /// flood from many addresses leaves nothing behind.
    pub fn sweep(&self) {
        for limiter in self.limiters.iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Networks remembered in all (for tests and metrics).
    pub fn remembered(&self) -> usize {
        self.limiters.iter().flatten().map(Limiter::len).sum()
    }
}

/// The middleware of the public and API scopes: refuses a request over its network's budget
/// before any work is done for it.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let kind = kind_of(req.method(), req.path(), req.query_string());
    if let (Some(kind), Some(state)) = (kind, req.app_data::<web::Data<AppState>>()) {
        let ip = service_client_ip(&req, state.config.trust_proxy);
        if let Err(e) = state.limits.check(kind, ip) {
            let network = ip
                .map(network_of)
                .map_or_else(String::new, |n| n.to_string());
            tracing::info!(?kind, %network, "rate limited");
            return Ok(req.error_response(e).map_into_boxed_body());
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_classified_by_path() {
        let get = Method::GET;
        assert_eq!(kind_of(&get, "/search", "q=x"), Some(LimitKind::Search));
        assert_eq!(
            kind_of(&get, "/api/v1/certificates", ""),
            Some(LimitKind::Api)
        );
        assert_eq!(
            kind_of(&get, "/statistics", ""),
            None,
            "the plain page is cached"
        );
        assert_eq!(
            kind_of(&get, "/statistics", "province=浙江"),
            Some(LimitKind::Statistics)
        );
        assert_eq!(
            kind_of(&get, "/feeds/events.atom", ""),
            Some(LimitKind::Feeds)
        );
        assert_eq!(
            kind_of(&get, "/downloads/sqe-registry.csv", ""),
            Some(LimitKind::Downloads)
        );
        assert_eq!(
            kind_of(&Method::POST, "/admin/login", ""),
            Some(LimitKind::Login)
        );
        assert_eq!(kind_of(&get, "/admin/login", ""), None);
        for free in [
            "/",
            "/about",
            "/badge/SQE-1.svg",
            "/qr/SQE-1.png",
            "/certificates/SQE-1",
        ] {
            assert_eq!(kind_of(&get, free, ""), None, "{free}");
        }
    }

    #[test]
    fn a_network_over_its_budget_waits_and_others_do_not() {
        let limits = RateLimits::new(&LimitSettings::all(Budget::parse("3/min")));
        let a: IpAddr = "203.0.113.9".parse().expect("ip");
        let b: IpAddr = "203.0.113.10".parse().expect("ip");
        for _ in 0..3 {
            assert!(limits.check(LimitKind::Search, Some(a)).is_ok());
        }
        match limits.check(LimitKind::Search, Some(a)) {
            Err(AppError::TooManyRequests(s)) => assert!((1..=21).contains(&s), "{s}"),
            other => panic!("not limited: {other:?}"),
        }
        assert!(
            limits.check(LimitKind::Search, Some(b)).is_ok(),
            "another network"
        );
        assert!(
            limits.check(LimitKind::Api, Some(a)).is_ok(),
            "another kind"
        );
        // An IPv6 client cannot dodge by changing the lower 64 bits.
        let v6 = |s: &str| Some(s.parse::<IpAddr>().expect("ip"));
        for i in 0..3 {
            assert!(limits
                .check(LimitKind::Feeds, v6(&format!("2001:db8::{i}")))
                .is_ok());
        }
        assert!(limits
            .check(LimitKind::Feeds, v6("2001:db8::ffff"))
            .is_err());
        let off = RateLimits::new(&LimitSettings::all(None));
        for _ in 0..100 {
            assert!(off.check(LimitKind::Search, Some(a)).is_ok());
        }
    }
}
