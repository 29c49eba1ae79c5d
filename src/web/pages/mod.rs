//! Page handlers, one file per resource. Each reads: extract → call → render.

pub mod about;
pub mod api;
pub mod certificate;
pub mod company;
pub mod downloads;
pub mod embed;
pub mod home;
pub mod keyed;
pub mod log;
pub mod meta;
pub mod misuse;
pub mod print;
pub mod search;
pub mod search_cache;
pub mod shared;
pub mod statistics;

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, Responder};
use askama::Template;

use crate::error::AppError;
use crate::web::compression::Compressed;
use crate::web::i18n::VARY;

/// Renders a page as a 200 HTML response.
pub fn render(page: &impl Template) -> Result<HttpResponse, AppError> {
    render_with(HttpResponse::Ok(), page)
}

/// Renders a page with the given response builder (for a 404 page, say).
pub fn render_with(
    builder: actix_web::HttpResponseBuilder,
    page: &impl Template,
) -> Result<HttpResponse, AppError> {
    Ok(html_response(builder, Bytes::from(to_html(page)?)))
}

/// Renders a template to a string.
pub fn to_html(page: &impl Template) -> Result<String, AppError> {
    page.render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))
}

/// An HTML response: localised (varies on language), revalidated by browsers on every visit
/// (a status can change at any time).
pub fn html_response(mut builder: actix_web::HttpResponseBuilder, html: Bytes) -> HttpResponse {
    builder
        .content_type("text/html; charset=utf-8")
        .insert_header(VARY)
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .body(html)
}

/// A cached page in the best coding the client accepts (see `web::compression`); a page not
/// kept compressed goes out plain for the compression middleware.
pub fn compressed_html(req: &actix_web::HttpRequest, page: &Compressed) -> HttpResponse {
    // Served from memory during an outage: plain, for `web::outage` to add its note.
    if !page.is_encoded() || crate::web::outage::is_stale(req) {
        return html_response(HttpResponse::Ok(), page.identity.clone());
    }
    let (body, coding) = page.for_request(req);
    let mut res = html_response(HttpResponse::Ok(), body);
    // The same URL is sent in several codings: caches must tell them apart.
    crate::web::compression::label_coding(
        &mut res,
        "Accept-Language, Cookie, Accept-Encoding",
        coding,
    );
    res
}

/// Renders a page, compressed both ways if it is to be kept (`keep`), else plain for the
/// compression middleware (CPU work: run it with `AppState::cpu`).
pub fn render_compressed(page: &impl Template, keep: bool) -> Result<Compressed, AppError> {
    Compressed::if_kept(Bytes::from(to_html(page)?), keep)
        .map_err(|e| AppError::Internal(format!("compressing a page: {e}")))
}

/// Liveness for load balancers: answers without touching the database.
pub async fn health() -> impl Responder {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}
