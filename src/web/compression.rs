//! Bodies compressed once, when they are cached: a cache hit sends the stored bytes in the best
//! coding the client accepts (brotli, then gzip, then none) and the compression middleware,
//! which skips a response that already has a `Content-Encoding`, does no work.
//!
//! Brotli comes from the `brotli` crate (Dropbox's pure-Rust port, the one actix-web itself
//! uses for `compress-brotli`); gzip from `flate2`.

use std::io::Write;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

/// Brotli quality for a cached page: 13 KB of HTML in well under a millisecond, about a fifth
/// smaller than gzip (see docs/PERFORMANCE.md). 11, the maximum, takes ten times longer.
const BROTLI_QUALITY: u32 = 6;
/// Brotli window (log2 of bytes): more than any page.
const BROTLI_WINDOW: u32 = 20;

/// A content coding we send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Brotli,
}

impl Coding {
    /// The `Content-Encoding` value, `None` for identity.
    pub fn header(self) -> Option<HeaderValue> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some(HeaderValue::from_static("gzip")),
            Coding::Brotli => Some(HeaderValue::from_static("br")),
        }
    }
}

/// A body with its gzip and brotli forms (or only the body, left to the middleware).
#[derive(Clone)]
pub struct Compressed {
    pub identity: Bytes,
    /// Empty when not compressed ([`Compressed::plain`]).
    pub gzip: Bytes,
    pub brotli: Bytes,
}

impl Compressed {
    /// Compresses `body` both ways (CPU work: call it off the async workers).
    pub fn new(body: Bytes) -> std::io::Result<Compressed> {
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(body.len() / 3),
            flate2::Compression::default(),
        );
        gz.write_all(&body)?;
        let gzip = Bytes::from(gz.finish()?);
        let mut br = Vec::with_capacity(body.len() / 4);
        {
            let mut writer =
                brotli::CompressorWriter::new(&mut br, 4096, BROTLI_QUALITY, BROTLI_WINDOW);
            writer.write_all(&body)?;
            writer.flush()?;
        }
        Ok(Compressed {
            identity: body,
            gzip,
            brotli: Bytes::from(br),
        })
    }

    /// A body sent once, not kept: the compression middleware compresses it on the way out.
    pub fn plain(body: Bytes) -> Compressed {
        Compressed {
            identity: body,
            gzip: Bytes::new(),
            brotli: Bytes::new(),
        }
    }

    /// Compressed both ways when it is to be kept (`keep`), else plain.
    pub fn if_kept(body: Bytes, keep: bool) -> std::io::Result<Compressed> {
        if keep {
            Compressed::new(body)
        } else {
            Ok(Compressed::plain(body))
        }
    }

    /// Whether the gzip and brotli forms were made.
    pub fn is_encoded(&self) -> bool {
        !self.gzip.is_empty()
    }

    /// Bytes held in memory.
    pub fn len(&self) -> usize {
        self.identity.len() + self.gzip.len() + self.brotli.len()
    }

    pub fn is_empty(&self) -> bool {
        self.identity.is_empty()
    }

    /// The form to send to this request, and its coding.
    pub fn for_request(&self, req: &HttpRequest) -> (Bytes, Coding) {
        if !self.is_encoded() {
            return (self.identity.clone(), Coding::Identity);
        }
        match best_coding(req) {
            Coding::Brotli => (self.brotli.clone(), Coding::Brotli),
            Coding::Gzip => (self.gzip.clone(), Coding::Gzip),
            Coding::Identity => (self.identity.clone(), Coding::Identity),
        }
    }
}

/// Labels a response whose body is in `coding`: `Vary` names what the choice of body depended
/// on (`Accept-Encoding` and, for a page, its language), and a body (not a 304) carries its
/// `Content-Encoding`, so the middleware leaves it alone.
pub fn label_coding(res: &mut HttpResponse, vary: &'static str, coding: Coding) {
    let has_body = res.status() == actix_web::http::StatusCode::OK;
    let headers = res.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static(vary));
    if let (true, Some(value)) = (has_body, coding.header()) {
        headers.insert(header::CONTENT_ENCODING, value);
    }
}

/// The coding the request prefers among brotli, gzip and none: the highest weight wins,
/// brotli on a tie (it is smaller); none when neither is acceptable.
pub fn best_coding(req: &HttpRequest) -> Coding {
    let (br, gzip) = weights(req);
    if br > 0.0 && br >= gzip {
        Coding::Brotli
    } else if gzip > 0.0 {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// Whether the request accepts gzip.
pub fn accepts_gzip(req: &HttpRequest) -> bool {
    weights(req).1 > 0.0
}

/// The weights (`q`, 0 to 1) `Accept-Encoding` gives brotli and gzip: named, else `*`, else 0
/// (RFC 9110, 12.5.3; `q` is case-insensitive, a bad weight counts as 0).
fn weights(req: &HttpRequest) -> (f32, f32) {
    let (mut br, mut gzip, mut any) = (None, None, None);
    for value in req
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
    {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let weight = parts
                .find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| v.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0))
                })
                .unwrap_or(1.0);
            let slot = if name.eq_ignore_ascii_case("br") {
                &mut br
            } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                &mut gzip
            } else if name == "*" {
                &mut any
            } else {
                continue;
            };
            *slot = Some(weight);
        }
    }
    let weight = |named: Option<f32>| named.or(any).unwrap_or(0.0);
    (weight(br), weight(gzip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use std::io::Read;

    fn req(accept: &str) -> HttpRequest {
        TestRequest::default()
            .insert_header((header::ACCEPT_ENCODING, accept))
            .to_http_request()
    }

    #[test]
    fn the_best_accepted_coding_is_chosen() {
        assert_eq!(best_coding(&req("gzip, deflate, br")), Coding::Brotli);
        assert_eq!(best_coding(&req("gzip, deflate")), Coding::Gzip);
        assert_eq!(best_coding(&req("br;q=0, GZIP;q=0.5")), Coding::Gzip);
        assert_eq!(best_coding(&req("gzip;q=0")), Coding::Identity);
        assert_eq!(best_coding(&req("identity")), Coding::Identity);
        assert_eq!(best_coding(&req("*")), Coding::Brotli);
        assert_eq!(best_coding(&req("*, br;q=0")), Coding::Gzip);
        assert_eq!(best_coding(&req("deflate")), Coding::Identity);
        // The client's ranking decides; brotli only on a tie.
        assert_eq!(best_coding(&req("gzip;q=1, br;q=0.1")), Coding::Gzip);
        assert_eq!(best_coding(&req("gzip;q=0.8, br;q=0.8")), Coding::Brotli);
        assert_eq!(best_coding(&req("br;Q=0, gzip")), Coding::Gzip);
        assert_eq!(best_coding(&req("br;q=abc, gzip;q=0.2")), Coding::Gzip);
        assert_eq!(
            best_coding(&TestRequest::default().to_http_request()),
            Coding::Identity
        );
    }

    #[test]
    fn gzip_is_accepted_unless_refused() {
        assert!(accepts_gzip(&req("gzip, deflate, br")));
        assert!(accepts_gzip(&req("br;q=1.0, GZIP;q=0.5")));
        assert!(!accepts_gzip(&req("gzip;q=0")));
        assert!(!accepts_gzip(&req("br")));
        assert!(!accepts_gzip(&TestRequest::default().to_http_request()));
    }

    #[test]
    fn both_forms_decompress_to_the_body() {
        let body = Bytes::from("<p>有效 valid</p>".repeat(200));
        let c = Compressed::new(body.clone()).expect("compressed");
        let mut gunzipped = Vec::new();
        flate2::read::GzDecoder::new(&c.gzip[..])
            .read_to_end(&mut gunzipped)
            .expect("decompressed");
        assert_eq!(gunzipped, body);
        let mut unbrotli = Vec::new();
        brotli::Decompressor::new(&c.brotli[..], 4096)
            .read_to_end(&mut unbrotli)
            .expect("decompressed");
        assert_eq!(unbrotli, body);
        assert!(c.brotli.len() < c.gzip.len() && c.gzip.len() < body.len() / 10);
    }
}
