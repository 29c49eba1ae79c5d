//! What readers see while the database does not answer. Within the stale-if-error window,
//! pages kept in memory are still served, each with a note saying the status is as of the
//! last contact; past it every page but the liveness and readiness checks answers 503. Pages
//! that need the database fail at once either way (`db::pool`), as does `/readyz`.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpResponse, Responder};
use chrono::{DateTime, Utc};

use super::errors::{error_page_html, is_write};
use super::i18n::{self, Lang};
use super::AppState;
use crate::db::health::Freshness;
use crate::domain::dates::beijing_offset;
use crate::error::AppError;

/// In a request's extensions while its answer comes from memory that may be out of date:
/// pages then send their plain form, so the note can be added.
#[derive(Debug, Clone, Copy)]
struct ServedStale;

/// Whether `req` is being answered from memory during an outage.
pub fn is_stale(req: &actix_web::HttpRequest) -> bool {
    req.extensions().get::<ServedStale>().is_some()
}

/// URLs that answer whatever the database does.
fn always_served(path: &str) -> bool {
    path == "/healthz" || path == "/readyz" || path.starts_with("/static/")
}

/// The pages' middleware (inside the error pages, so a 503 gets the localised page).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let freshness = req
        .app_data::<web::Data<AppState>>()
        .map_or(Freshness::Live, |state| state.freshness());
    match freshness {
        Freshness::Live => Ok(next.call(req).await?.map_into_boxed_body()),
        Freshness::Expired if !always_served(req.path()) => Ok(req
            .error_response(AppError::Unavailable(
                "the database has not answered for too long".into(),
            ))
            .map_into_boxed_body()),
        Freshness::Expired => Ok(next.call(req).await?.map_into_boxed_body()),
        Freshness::Stale { as_of } => {
            req.extensions_mut().insert(ServedStale);
            let res = next.call(req).await?;
            with_note(res, as_of).await
        }
    }
}

/// The back office's gate: while the database is known not to answer, a request is refused
/// at once, before its session is looked up (which needs the database); and one whose
/// session lookup failed because the database went away meanwhile is a 503, not a 500.
pub async fn back_office(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let reachable = || {
        state
            .as_ref()
            .is_none_or(|state| state.pool.health().is_reachable())
    };
    let away = || AppError::Unavailable("the database does not answer".into());
    if !reachable() {
        return Ok(req.error_response(away()).map_into_boxed_body());
    }
    // Only the session layer fails as an error rather than a response (a handler's error is
    // a response by now), and only when the database does not let it read or write the
    // session; such an error carries no request to render a page for, so the page is made
    // beforehand (the back office is not busy enough for this to cost anything).
    let writing = is_write(req.method());
    let busy = AppError::Busy("session store".into());
    let detail = busy.unavailable_message(writing);
    let busy_page = error_page_html(
        req.request(),
        StatusCode::SERVICE_UNAVAILABLE,
        detail.as_ref(),
    );
    match next.call(req).await {
        Ok(res) if res.status() == StatusCode::INTERNAL_SERVER_ERROR && !reachable() => {
            Ok(ServiceResponse::from_err(away(), res.into_parts().0))
        }
        Err(e) if e.as_response_error().status_code() == StatusCode::INTERNAL_SERVER_ERROR => {
            tracing::debug!(error = %e, "the session could not be read or written");
            let mut page = HttpResponse::ServiceUnavailable();
            let retry = busy.retry_after().unwrap_or(2).to_string();
            page.insert_header((header::RETRY_AFTER, retry))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .content_type("text/html; charset=utf-8");
            let page = page.body(busy_page.unwrap_or_default());
            Err(actix_web::error::InternalError::from_response(busy, page).into())
        }
        done => done.map(ServiceResponse::map_into_boxed_body),
    }
}

/// Adds the note to an HTML page answered from memory; anything else passes unchanged.
async fn with_note<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    as_of: DateTime<Utc>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_plain_html = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::CONTENT_ENCODING)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !is_plain_html {
        return Ok(res.map_into_boxed_body());
    }
    let lang = i18n::negotiate(res.request());
    let (req, res) = res.into_parts();
    let (mut res, page) = res.into_parts();
    let page = body::to_bytes(page)
        .await
        .map_err(|_| AppError::Internal("reading a page to add the outage note".into()))?;
    let headers = res.headers_mut();
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::ETAG);
    headers.remove(header::LAST_MODIFIED);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let res = res.set_body(BoxBody::new(insert_note(&page, &note(lang, as_of))));
    Ok(ServiceResponse::new(req, res))
}

/// The note, as HTML, in the reader's language.
fn note(lang: Lang, as_of: DateTime<Utc>) -> String {
    let time = as_of
        .with_timezone(&beijing_offset())
        .format("%H:%M")
        .to_string();
    let text = lang
        .t1("outage-note", "time", &time)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(r#"<div class="outage-banner" role="alert">{text}</div>"#)
}

/// `page` with `note` just after its `<body …>` tag (at the start if it has none).
fn insert_note(page: &[u8], note: &str) -> Bytes {
    let at = find(page, b"<body")
        .and_then(|start| {
            page[start..]
                .iter()
                .position(|&b| b == b'>')
                .map(|p| start + p + 1)
        })
        .unwrap_or(0);
    let mut out = Vec::with_capacity(page.len() + note.len() + 1);
    out.extend_from_slice(&page[..at]);
    out.push(b'\n');
    out.extend_from_slice(note.as_bytes());
    out.extend_from_slice(&page[at..]);
    Bytes::from(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `/readyz`, for load balancers: 200 while the database answers and every migration this
/// binary carries is applied; 503 otherwise (at once: it reads what the probe found).
pub async fn readiness(state: web::Data<AppState>) -> impl Responder {
    let health = state.pool.health();
    let (status, body) = if !health.is_reachable() {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    } else if !health.is_ready() {
        (StatusCode::SERVICE_UNAVAILABLE, "migrations pending")
    } else {
        (StatusCode::OK, "ready")
    };
    let mut res = HttpResponse::build(status);
    if status != StatusCode::OK {
        res.insert_header((header::RETRY_AFTER, "5"));
    }
    res.insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/plain; charset=utf-8")
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_goes_right_after_the_body_tag() {
        let page = b"<html><head></head><body class=\"admin\"><main>x</main></body></html>";
        let out = insert_note(page, "<div>N</div>");
        assert_eq!(
            std::str::from_utf8(&out).expect("utf-8"),
            "<html><head></head><body class=\"admin\">\n<div>N</div><main>x</main></body></html>"
        );
    }

    #[test]
    fn a_page_without_a_body_tag_gets_the_note_first() {
        let out = insert_note(b"<p>x</p>", "<div>N</div>");
        assert_eq!(&out[..], b"\n<div>N</div><p>x</p>");
    }

    #[test]
    fn the_note_tells_beijing_time() {
        let as_of: DateTime<Utc> = "2026-12-02T17:05:00Z".parse().expect("a time");
        let html = note(Lang::En, as_of);
        assert!(html.contains("01:05"), "{html}");
        assert!(html.starts_with(r#"<div class="outage-banner" role="alert">"#));
    }
}
