//! The registry's credential documents (issue 17): `/.well-known/did.json`, the `did:web`
//! document of the issuer's keys — the transparency log's published keys, retired ones kept
//! (`domain::credentials::did`).

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{web, HttpResponse};

use crate::domain::credentials::did;
use crate::error::AppError;
use crate::web::AppState;

/// `/.well-known/did.json`; 404 when the public URL gives no did:web (it has no host).
pub async fn did_document(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let id = did::did_web(&state.config.public_url).ok_or(AppError::NotFound)?;
    let body = did::document(&id, &state.config.published_keys());
    Ok(HttpResponse::Ok()
        .content_type("application/did+json")
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(300),
        ]))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(body))
}
