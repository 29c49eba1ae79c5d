//! Around every request, badges included: a request id (returned in `X-Request-Id`, carried by
//! every log line of the request through the access log's span), the request's count and
//! latency for `/metrics`, and a warning line when it took longer than `SQE_SLOW_REQUEST_MS`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

use crate::web::AppState;

/// The header that carries the request id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of a request, in its extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTag(pub String);

/// A new id: a random prefix of this process and a counter, unique across instances without a
/// random draw per request.
fn new_id() -> String {
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = PREFIX.get_or_init(rand::random::<u64>);
    format!("{prefix:016x}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// An id a trusted proxy sent (nginx's `$request_id`), so both logs name the request alike:
/// only letters, digits and `-`, at most 64.
fn forwarded_id(req: &ServiceRequest, trust_proxy: u8) -> Option<String> {
    if trust_proxy == 0 {
        return None;
    }
    let value = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let fits = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    fits.then(|| value.to_owned())
}

/// The route group a request is counted under in `/metrics`, from the first segment of its
/// path (a bounded set: the route table's first segments), `home`, or `unmatched` for a path
/// no route starts with. Read off the path, not the matched route: asking actix for the
/// pattern matches the route table again, which cost a badge about a quarter of its speed.
pub fn route_group(path: &str) -> &'static str {
    let first = path
        .trim_start_matches('/')
        .split(['/', '.', '?'])
        .next()
        .unwrap_or("");
    match first {
        "" => "home",
        "badge" => "badge",
        "qr" => "qr",
        "api" => "api",
        "search" => "search",
        "certificates" => "certificates",
        "companies" => "companies",
        "feeds" => "feeds",
        "statistics" => "statistics",
        "downloads" => "downloads",
        "static" => "static",
        "admin" => "admin",
        "sitemap" | "sitemaps" | "robots" => "sitemaps",
        "healthz" | "readyz" => "health",
        "about" | "misuse" | "privacy" => "pages",
        "reports" => "reports",
        "log" => "log",
        _ => "unmatched",
    }
}

/// The middleware (outermost: it wraps the mark images too).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let trust_proxy = state.as_ref().map_or(0, |s| s.config.trust_proxy);
    let id = forwarded_id(&req, trust_proxy).unwrap_or_else(new_id);
    req.extensions_mut().insert(RequestTag(id.clone()));
    let group = route_group(req.path());
    let mut res = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    let elapsed = started.elapsed();
    if let Some(state) = state {
        state
            .metrics
            .request_done(group, res.status().as_u16(), elapsed);
        if elapsed >= state.config.operations.slow_request {
            tracing::warn!(
                request_id = %id,
                http.method = %res.request().method(),
                http.path = %crate::web::access_log::loggable(res.request().path()),
                http.status_code = res.status().as_u16(),
                elapsed_ms = elapsed.as_millis(),
                "slow request"
            );
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_a_bounded_set_named_after_the_route() {
        assert_eq!(route_group("/"), "home");
        assert_eq!(route_group("/badge/CQM-SQE-2025-000001.svg"), "badge");
        assert_eq!(
            route_group("/certificates/CQM-SQE-2025-000001/embed"),
            "certificates"
        );
        assert_eq!(route_group("/api/v1/lookup"), "api");
        assert_eq!(route_group("/sitemaps/certificates-1.xml"), "sitemaps");
        assert_eq!(route_group("/robots.txt"), "sitemaps");
        assert_eq!(route_group("/about"), "pages");
        assert_eq!(route_group("/reports/follow/ab"), "reports");
        assert_eq!(route_group("/no/such/page"), "unmatched");
        assert_eq!(route_group("/metrics"), "unmatched");
        assert_eq!(route_group("/sitemap.xml"), "sitemaps");
    }

    #[test]
    fn ids_differ() {
        assert_ne!(new_id(), new_id());
        assert_eq!(new_id().split('-').next().map(str::len), Some(16));
    }
}
