//! `/badge/{number}.svg|png` and `/qr/{number}.svg|png`: the SQE mark as images any site may
//! embed. Bytes are rendered once per variant and kept until the registry changes; responses
//! carry a strong ETag, a short public max-age and never a cookie.

use std::sync::Arc;

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::ResponseError as _;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::db;
use crate::domain::mark::qr::{QrMatrix, QrSize};
use crate::domain::mark::raster;
use crate::domain::mark::{Badge, BadgeSize, BadgeState, MarkError, MarkLang, Theme};
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::render_cache::Weighed;
use crate::web::sightings::MarkBinding;
use crate::web::view::{certificate_href, status_on};
use crate::web::AppState;

/// How long browsers and proxies may reuse a mark image: the longest a revoked or suspended
/// mark may still show "valid" on a platform's page (see docs/ARCHITECTURE.md).
pub const MAX_AGE_SECS: u32 = 300;
/// `Cache-Control` of a certificate's image (`MAX_AGE_SECS`).
const CACHE_FOUND: &str = "public, max-age=300";
/// `Cache-Control` for a number not in the registry, which may be registered at any time.
const CACHE_UNKNOWN: &str = "public, max-age=60";

/// Which image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkVariant {
    Badge {
        size: BadgeSize,
        lang: MarkLang,
        theme: Theme,
    },
    Qr {
        size: QrSize,
    },
}

/// SVG, or PNG at 1× or 2×.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Svg,
    Png { scale: u8 },
}

/// What a cached image depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MarkKey {
    pub number: String,
    pub variant: MarkVariant,
    pub format: Format,
    /// The Beijing date: a certificate expires at midnight.
    pub today: NaiveDate,
}

/// A rendered image with its validators.
pub struct MarkImage {
    pub body: Bytes,
    /// The SVG pre-compressed, for clients that accept gzip.
    pub gzip: Option<Bytes>,
    pub etag: HeaderValue,
    pub etag_gzip: HeaderValue,
    /// `None` for a number the registry does not hold.
    pub binding: Option<Arc<MarkBinding>>,
}

impl Weighed for Arc<MarkImage> {
    fn weight(&self) -> u64 {
        (self.body.len() + self.gzip.as_ref().map_or(0, Bytes::len) + 256) as u64
    }
}

pub async fn badge_svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    serve(req, state, path.into_inner(), Kind::Badge, false).await
}

pub async fn badge_png(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    serve(req, state, path.into_inner(), Kind::Badge, true).await
}

pub async fn qr_svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    serve(req, state, path.into_inner(), Kind::Qr, false).await
}

pub async fn qr_png(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    serve(req, state, path.into_inner(), Kind::Qr, true).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Badge,
    Qr,
}

/// Reads `size`, `lang`, `theme` and `scale` in one pass. Unknown names (cache busters and the
/// like) are ignored; a known name with a value we do not offer is a 400.
fn variant(req: &HttpRequest, kind: Kind, png: bool) -> Result<(MarkVariant, Format), AppError> {
    let (mut size, mut lang, mut theme, mut scale) = (None, None, None, 1u8);
    let bad = |v: &str| AppError::bad_request_with("error-bad-mark-parameter", v);
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        match &*name {
            "size" => size = Some(value),
            "lang" if kind == Kind::Badge => {
                lang = Some(MarkLang::parse(&value).ok_or_else(|| bad(&value))?)
            }
            "theme" if kind == Kind::Badge => {
                theme = Some(Theme::parse(&value).ok_or_else(|| bad(&value))?)
            }
            "scale" => {
                scale = match &*value {
                    "1" => 1,
                    "2" => 2,
                    _ => return Err(bad(&value)),
                }
            }
            _ => {}
        }
    }
    let variant = match kind {
        Kind::Badge => MarkVariant::Badge {
            size: match size {
                None => BadgeSize::Medium,
                Some(v) => BadgeSize::parse(&v).ok_or_else(|| bad(&v))?,
            },
            lang: lang.unwrap_or(MarkLang::Zh),
            theme: theme.unwrap_or(Theme::Light),
        },
        Kind::Qr => MarkVariant::Qr {
            size: match size {
                None => QrSize::Medium,
                Some(v) => QrSize::parse(&v).ok_or_else(|| bad(&v))?,
            },
        },
    };
    let format = if png {
        Format::Png { scale }
    } else {
        Format::Svg
    };
    Ok((variant, format))
}

async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: String,
    kind: Kind,
    png: bool,
) -> HttpResponse {
    let (variant, format) = match variant(&req, kind, png) {
        Ok(v) => v,
        Err(e) => return plain_error(&e),
    };
    let key = MarkKey {
        number,
        variant,
        format,
        today: state.today(),
    };
    state.sync_revision().await;
    let image = match state.marks.get(&state.revision, &key) {
        Some(image) => image,
        None => match render_and_cache(&state, key).await {
            Ok(image) => image,
            Err(e) => return plain_error(&e),
        },
    };
    if let Some(binding) = &image.binding {
        if let Some(host) = binding.foreign_host(&req, &state.own_hosts) {
            state
                .sightings
                .record(binding.certificate_id, host, state.clock.now().naive_utc());
        }
    }
    respond(&req, &image, format)
}

async fn render_and_cache(state: &AppState, key: MarkKey) -> Result<Arc<MarkImage>, AppError> {
    let revision = state.revision.current();
    let public_url = state.config.public_url.clone();
    let k = key.clone();
    let image = Arc::new(
        state
            .db(move |conn| {
                let facts = if k.number.chars().count() > 60 {
                    None
                } else {
                    db::marks::find_mark_facts(conn, &k.number)?
                };
                render(&k, facts, &public_url)
            })
            .await?,
    );
    state
        .marks
        .put(&state.revision, revision, key, image.clone());
    Ok(image)
}

/// Errors of image URLs: a short plain-text message in both languages (these URLs are read by
/// developers and tools, not shown as pages).
fn plain_error(e: &AppError) -> HttpResponse {
    let status = e.status_code();
    if status.is_server_error() {
        tracing::error!(error = %e, "mark request failed");
    }
    let (zh, en) = match e {
        AppError::BadRequest(m) => match &m.arg {
            Some(arg) => (
                Lang::ZhCn.t1(m.key, "value", arg),
                Lang::En.t1(m.key, "value", arg),
            ),
            None => (Lang::ZhCn.t(m.key), Lang::En.t(m.key)),
        },
        AppError::NotFound => (Lang::ZhCn.t("mark-not-found"), Lang::En.t("mark-not-found")),
        _ => (
            Lang::ZhCn.t("error-500-message"),
            Lang::En.t("error-500-message"),
        ),
    };
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .content_type("text/plain; charset=utf-8")
        .body(format!("{zh}\n{en}\n"))
}

/// Draws the image for `key` from the certificate's facts (`None`: not in the registry).
fn render(
    key: &MarkKey,
    facts: Option<db::marks::MarkFacts>,
    public_url: &str,
) -> Result<MarkImage, AppError> {
    let binding = facts
        .as_ref()
        .map(|f| Arc::new(MarkBinding::new(f.id, &f.domains)));
    match key.variant {
        MarkVariant::Badge { size, lang, theme } => {
            let state = match &facts {
                None => BadgeState::Unknown,
                Some(f) => match status_on(&f.status, f.expires_on, key.today) {
                    s if s.allows_mark_use() => BadgeState::Valid {
                        stars: u8::try_from(f.grade).unwrap_or(0),
                    },
                    s => BadgeState::NotValid(s),
                },
            };
            let badge = Badge {
                state,
                number: facts.as_ref().map_or("", |f| f.number.as_str()),
                size,
                lang,
                theme,
            };
            match key.format {
                Format::Svg => Ok(svg_image(badge.svg(), binding)),
                Format::Png { scale } => {
                    let png = raster::badge_png(&badge, scale).map_err(internal)?;
                    Ok(image(Bytes::from(png), None, binding))
                }
            }
        }
        MarkVariant::Qr { size } => {
            let Some(f) = &facts else {
                return Err(AppError::NotFound);
            };
            let url = format!("{public_url}{}", certificate_href(&f.number));
            let matrix = QrMatrix::encode(&url).map_err(internal)?;
            match key.format {
                Format::Svg => Ok(svg_image(matrix.svg(size.pixels(), &url), binding)),
                Format::Png { scale } => {
                    let png = matrix
                        .png(size.pixels() * u32::from(scale))
                        .map_err(internal)?;
                    Ok(image(Bytes::from(png), None, binding))
                }
            }
        }
    }
}

fn svg_image(svg: String, binding: Option<Arc<MarkBinding>>) -> MarkImage {
    let gzip = gzip(svg.as_bytes());
    image(Bytes::from(svg), Some(gzip), binding)
}

fn internal(e: MarkError) -> AppError {
    AppError::Internal(e.to_string())
}

fn image(body: Bytes, gzip: Option<Bytes>, binding: Option<Arc<MarkBinding>>) -> MarkImage {
    let digest = Sha256::digest(&body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let etag = |suffix: &str| {
        HeaderValue::from_str(&format!("\"{hex}{suffix}\""))
            .unwrap_or(HeaderValue::from_static("\"0\""))
    };
    MarkImage {
        body,
        gzip,
        etag: etag(""),
        etag_gzip: etag("-gz"),
        binding,
    }
}

fn gzip(bytes: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    Bytes::from(enc.finish().unwrap_or_default())
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let zero_q = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q == 0.0))
            });
            name.eq_ignore_ascii_case("gzip") && !zero_q
        })
}

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

fn respond(req: &HttpRequest, image: &MarkImage, format: Format) -> HttpResponse {
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
    fn gzip_is_accepted_unless_refused() {
        let req = |v: &str| {
            TestRequest::default()
                .insert_header((header::ACCEPT_ENCODING, v))
                .to_http_request()
        };
        assert!(accepts_gzip(&req("gzip, deflate, br")));
        assert!(accepts_gzip(&req("br;q=1.0, GZIP;q=0.5")));
        assert!(!accepts_gzip(&req("gzip;q=0")));
        assert!(!accepts_gzip(&req("br")));
        assert!(!accepts_gzip(&TestRequest::default().to_http_request()));
    }

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
