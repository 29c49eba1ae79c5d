//! The response for a mark image: validators, cache and embedding headers, gzip.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::{Format, MarkImage, CACHE_FOUND, CACHE_UNKNOWN};
use crate::web::compression::accepts_gzip;

fn if_none_match(req: &HttpRequest, etag: &HeaderValue) -> bool {
    let Some(tag) = etag.to_str().ok() else {
        return false;
    };
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

pub(super) fn respond(req: &HttpRequest, image: &MarkImage, format: Format) -> HttpResponse {
    let found = image.binding.is_some();
    let (body, etag, gzipped) = match &image.gzip {
        Some(gz) if accepts_gzip(req) => (gz, &image.etag_gzip, true),
        _ => (&image.body, &image.etag, false),
    };
    let status = if if_none_match(req, etag) {
        StatusCode::NOT_MODIFIED
    } else if found {
        StatusCode::OK
    } else {
        // Still an image, so the page that embeds it shows the warning, not a broken image.
        StatusCode::NOT_FOUND
    };
    let mut res = HttpResponse::with_body(status, ());
    let headers = res.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if found { CACHE_FOUND } else { CACHE_UNKNOWN }),
    );
    headers.insert(header::ETAG, etag.clone());
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(match format {
            Format::Svg => "image/svg+xml",
            Format::Png { .. } => "image/png",
        }),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Any page may show the image, even in a frame; it runs nothing and loads nothing.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *",
        ),
    );
    if image.gzip.is_some() {
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    if status == StatusCode::NOT_MODIFIED {
        return res.set_body(actix_web::body::BoxBody::new(()));
    }
    if gzipped {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    res.set_body(actix_web::body::BoxBody::new(body.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn etags_match_in_lists_and_weakly() {
        let tag = HeaderValue::from_static("\"abc\"");
        let req = |v: &str| {
            TestRequest::default()
                .insert_header((header::IF_NONE_MATCH, v))
                .to_http_request()
        };
        assert!(if_none_match(&req("\"x\", \"abc\""), &tag));
        assert!(if_none_match(&req("W/\"abc\""), &tag));
        assert!(if_none_match(&req("*"), &tag));
        assert!(!if_none_match(&req("\"abcd\""), &tag));
    }
}
