//! Conditional GET: a response carries an ETag, and a request that already holds it gets
//! 304 Not Modified without the body. Used by the API, the Atom feeds (which readers poll) and
//! the static files.

use actix_web::http::header::{self, CacheControl, ETag, EntityTag, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

/// A weak ETag from the SHA-256 of a body (the first 12 bytes, in hex).
pub fn weak_tag(body: &[u8]) -> EntityTag {
    EntityTag::new_weak(hex12(&Sha256::digest(body)))
}

/// The first 12 bytes of a digest in hex.
pub fn hex12(digest: &[u8]) -> String {
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// `body` with its ETag and caching headers, or 304 when `If-None-Match` names the tag.
/// A strong tag is compared strongly, a weak one weakly (RFC 9110, 13.1.2).
pub fn respond(
    req: &HttpRequest,
    tag: EntityTag,
    cache: CacheControl,
    content_type: &str,
    body: impl Into<actix_web::web::Bytes>,
) -> HttpResponse {
    if let Ok(IfNoneMatch::Items(tags)) = <IfNoneMatch as header::Header>::parse(req) {
        let held = |t: &EntityTag| {
            if tag.weak {
                t.weak_eq(&tag)
            } else {
                t.strong_eq(&tag)
            }
        };
        if tags.iter().any(held) {
            return HttpResponse::NotModified()
                .insert_header(ETag(tag))
                .insert_header(cache)
                .finish();
        }
    }
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ETag(tag))
        .insert_header(cache)
        .body(body.into())
}
