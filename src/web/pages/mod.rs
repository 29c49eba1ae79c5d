//! Page handlers, one file per resource. Each reads: extract → call → render.

pub mod about;
pub mod certificate;
pub mod company;
pub mod home;
pub mod search;

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpResponse, Responder};
use askama::Template;

use crate::error::AppError;
use crate::web::i18n::VARY;

/// Renders a page as a 200 HTML response.
pub fn render(page: &impl Template) -> Result<HttpResponse, AppError> {
    render_with(HttpResponse::Ok(), page)
}

/// Renders a page with the given response builder (for a 404 page, say).
pub fn render_with(
    mut builder: actix_web::HttpResponseBuilder,
    page: &impl Template,
) -> Result<HttpResponse, AppError> {
    let html = page
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    Ok(builder
        .content_type("text/html; charset=utf-8")
        .insert_header(VARY)
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .body(html))
}

/// Liveness for load balancers: answers without touching the database.
pub async fn health() -> impl Responder {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}
