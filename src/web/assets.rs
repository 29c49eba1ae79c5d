//! `/static/…`: stylesheets, images and fonts, embedded in the binary (one file to deploy,
//! nothing fetched from elsewhere) and served with a content hash as ETag.

use actix_web::http::header::{self, CacheControl, CacheDirective, ETag, EntityTag, IfNoneMatch};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

pub async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let file = Assets::get(&path).ok_or(AppError::NotFound)?;
    let hash: String = file.metadata.sha256_hash()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let tag = EntityTag::new_strong(hash);
    let cache = CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(86_400)]);
    if let Ok(IfNoneMatch::Items(tags)) = <IfNoneMatch as header::Header>::parse(&req) {
        if tags.iter().any(|t| t.strong_eq(&tag)) {
            return Ok(HttpResponse::NotModified()
                .insert_header(ETag(tag))
                .insert_header(cache)
                .finish());
        }
    }
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    Ok(HttpResponse::Ok()
        .content_type(mime.as_ref())
        .insert_header(ETag(tag))
        .insert_header(cache)
        .body(file.data.into_owned()))
}

/// Whether a static file exists (tests check that every linked asset is served).
pub fn exists(path: &str) -> bool {
    Assets::get(path).is_some()
}
