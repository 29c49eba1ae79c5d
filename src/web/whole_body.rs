//! Compression of the responses not compressed when cached (an API search, an error page): the
//! whole body is gzipped before a byte is sent, so every response leaves in one write. Behind a
//! load balancer that matters: an instance killed mid-response (`kill -9`, an out-of-memory
//! kill) has either sent nothing, and nginx retries the request on the next instance, or all of
//! it; actix's streaming `Compress` wrote a body in several chunks, and a kill between two left
//! the client a cut response (bench/cluster.sh). Streamed bodies (downloads, files) pass as
//! they are.

use actix_web::body::{self, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::Error;

use super::compression::accepts_gzip;

/// Smaller bodies are sent as they are: gzip would save little and cost a header.
const MIN_LENGTH: u64 = 1024;
/// Larger ones are streamed as they are (nothing we render is this big).
const MAX_LENGTH: u64 = 8 << 20;

fn compressible(res: &ServiceResponse<impl MessageBody>) -> bool {
    if res.headers().contains_key(header::CONTENT_ENCODING) {
        return false;
    }
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let textual = kind.starts_with("text/")
        || kind.starts_with("application/json")
        || kind.starts_with("application/xml")
        || kind.starts_with("application/atom+xml")
        || kind.starts_with("image/svg+xml");
    textual
        && matches!(res.response().body().size(), BodySize::Sized(n) if (MIN_LENGTH..=MAX_LENGTH).contains(&n))
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::fast(),
    );
    gz.write_all(bytes)?;
    gz.finish()
}

/// The middleware of the page and API scopes (in place of actix's `Compress`).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let wants_gzip = accepts_gzip(req.request());
    let res = next.call(req).await?;
    if !compressible(&res) {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
    head.headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if !wants_gzip {
        return Ok(ServiceResponse::new(
            req,
            head.set_body(bytes).map_into_boxed_body(),
        ));
    }
    let zipped = gzip(&bytes).map_err(actix_web::error::ErrorInternalServerError)?;
    head.headers_mut()
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    Ok(ServiceResponse::new(
        req,
        head.set_body(zipped).map_into_boxed_body(),
    ))
}
