//! The access log's span of each request (tracing-actix-web's `RootSpanBuilder`): its default
//! takes the client address from `Forwarded`/`X-Forwarded-For` whoever sent them; ours logs the
//! address `web::client` finds, the same one the rate limits count (the peer, unless proxies
//! are trusted with `SQE_TRUST_PROXY`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{web, Error, HttpMessage};
use tracing::field::Empty;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

use crate::web::client::service_client_ip;
use crate::web::AppState;

/// The root span builder of both scopes' `TracingLogger`.
pub struct AccessLog;

impl RootSpanBuilder for AccessLog {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let proxies = request
            .app_data::<web::Data<AppState>>()
            .map_or(0, |s| s.config.trust_proxy);
        let client =
            service_client_ip(request, proxies).map_or_else(String::new, |ip| ip.to_string());
        let header = |name| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let id = request
            .extensions()
            .get::<crate::web::request_meta::RequestTag>()
            .map_or_else(String::new, |tag| tag.0.clone());
        tracing::info_span!(
            "HTTP request",
            request_id = %id,
            http.method = %request.method(),
            http.route = %request.match_pattern().unwrap_or_default(),
            http.target = %loggable(request.uri().path_and_query().map_or("", |p| p.as_str())),
            http.host = %header("host"),
            http.client_ip = %client,
            http.user_agent = %header("user-agent"),
            http.status_code = Empty,
            otel.status_code = Empty,
            exception.message = Empty,
            exception.details = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The request target as logs may show it: a reporter's follow-up link is a secret (whoever
/// holds it reads the case), so its token is left out.
pub fn loggable(target: &str) -> std::borrow::Cow<'_, str> {
    const FOLLOW: &str = "/reports/follow/";
    match target.strip_prefix(FOLLOW) {
        Some(rest) => {
            let query = rest.find('?').map_or("", |i| &rest[i..]);
            format!("{FOLLOW}…{query}").into()
        }
        None => target.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::loggable;

    #[test]
    fn follow_up_tokens_stay_out_of_the_logs() {
        let token = "ab".repeat(32);
        assert_eq!(
            loggable(&format!("/reports/follow/{token}?received=1")),
            "/reports/follow/…?received=1"
        );
        assert_eq!(
            loggable(&format!("/reports/follow/{token}")),
            "/reports/follow/…"
        );
        assert_eq!(loggable("/search?q=x"), "/search?q=x");
        assert_eq!(
            loggable("/reports/new?kind=fake_mark"),
            "/reports/new?kind=fake_mark"
        );
    }
}
