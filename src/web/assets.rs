//! `/static/…`: stylesheets, images and fonts, embedded in the binary (one file to deploy,
//! nothing fetched from elsewhere) and served with a content hash as ETag.

use actix_web::http::header::{CacheControl, CacheDirective, EntityTag};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

use crate::error::AppError;
use crate::web::conditional::{hex12, respond};

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

pub async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let file = Assets::get(&path).ok_or(AppError::NotFound)?;
    let tag = EntityTag::new_strong(hex12(&file.metadata.sha256_hash()));
    let cache = CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(86_400)]);
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    Ok(respond(
        &req,
        tag,
        cache,
        mime.as_ref(),
        file.data.into_owned(),
    ))
}

/// Whether a static file exists (tests check that every linked asset is served).
pub fn exists(path: &str) -> bool {
    Assets::get(path).is_some()
}
