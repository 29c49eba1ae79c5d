//! `/badge/{number}.svg|png` and `/qr/{number}.svg|png`: the SQE mark as images any site may
//! embed. Bytes are rendered once per variant and kept until the registry changes; responses
//! carry a strong ETag, a short public max-age and never a cookie.

use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{self, Bytes};
use actix_web::ResponseError as _;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;

use crate::db;
use crate::db::health::Freshness;
use crate::domain::mark::qr::QrSize;
use crate::domain::mark::{BadgeSize, MarkLang, Theme};
use crate::domain::numbering::MAX_NUMBER_CHARS;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::limits::LimitKind;
use crate::web::render_cache::{RenderCache, Weighed, KEY_OVERHEAD};
use crate::web::sightings::MarkBinding;
use crate::web::state::FeatureState;
use crate::web::AppState;

mod render;
mod respond;

use render::{render, render_unverifiable};
use respond::respond;

/// `Cache-Control` of a certificate's image, for browsers (`max-age`) and for a CDN or caching
/// proxy in front (`s-maxage`), each allowed to serve it `stale-while-revalidate` longer while
/// they fetch it again. Added up, as if a proxy that does not send `Age` handed a browser an
/// image it had kept to the end: 180 + 30 + 60 + 30 = 300 s, the longest a revoked or
/// suspended mark may still show "valid" anywhere (docs/DEPLOYMENT.md, "A CDN in front").
const CACHE_FOUND: &str = "public, max-age=60, s-maxage=180, stale-while-revalidate=30";
/// `Cache-Control` for a number not in the registry, which may be registered at any time.
const CACHE_UNKNOWN: &str = "public, max-age=60, s-maxage=60";

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
            + self.binding.as_ref().map_or(0, |b| b.weight())
    }
}

impl Weighed for MarkKey {
    fn weight(&self) -> u64 {
        KEY_OVERHEAD + self.number.len() as u64
    }
}

/// Rendered badges and QR codes (2–20 KB each; 64 MB at most).
pub struct MarkCache(RenderCache<MarkKey, Arc<MarkImage>>);

impl Default for MarkCache {
    fn default() -> Self {
        MarkCache(RenderCache::new("badges", 20_000, 64 << 20))
    }
}

impl MarkCache {
    /// Images held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FeatureState for MarkCache {
    fn registry_changed(&self) {
        self.0.clear();
    }

    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        vec![self.0.stats()]
    }
}

/// The neutral "cannot be checked now" badges, drawn once per variant and never dropped.
pub struct UnverifiableBadges(RenderCache<(MarkVariant, Format), Arc<MarkImage>>);

impl Default for UnverifiableBadges {
    fn default() -> Self {
        UnverifiableBadges(RenderCache::new("unverifiable_badges", 64, 4 << 20))
    }
}

impl FeatureState for UnverifiableBadges {
    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        vec![self.0.stats()]
    }
}

impl Weighed for (MarkVariant, Format) {
    fn weight(&self) -> u64 {
        KEY_OVERHEAD
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
    state.sync_revision().await;
    if kind == Kind::Badge && state.freshness() == Freshness::Expired {
        return unverifiable(&req, &state, variant, format).await;
    }
    let key = MarkKey {
        number,
        variant,
        format,
        today: state.today(),
    };
    let image = match cached_image(&state, key).await {
        Ok(image) => image,
        Err(e) => return plain_error(&e),
    };
    if image.binding.is_none() {
        // A number we do not hold: limited per network (known ones never are).
        let ip = crate::web::client::client_ip(&req, state.config.trust_proxy);
        if let Err(e) = state.limits.check(LimitKind::UnknownMark, ip) {
            return plain_error(&e);
        }
    }
    if let Some(binding) = &image.binding {
        if let Some(host) = binding.foreign_host(&req, &state.own_hosts) {
            state.sightings.record(
                binding.certificate_id,
                host,
                state.client_network_digest(&req),
                state.clock.now().naive_utc(),
            );
        }
    }
    respond(&req, &image, format)
}

/// The image of `key`: kept, or drawn once for every reader that asks meanwhile.
async fn cached_image(state: &AppState, key: MarkKey) -> Result<Arc<MarkImage>, AppError> {
    let cache = state.feature::<MarkCache>();
    if let Some(image) = cache.0.get(&state.revision, &key) {
        return Ok(image);
    }
    cache
        .0
        .get_or_render_if(
            &state.revision,
            &key,
            // A number the registry does not hold gets the shared image, not an entry.
            |image| image.binding.is_some(),
            || render_image(state, &cache, key.clone()),
        )
        .await
}

/// The print-ready PNG badge of a certificate (large, 2×) in the `lang` and `theme` the request
/// asks for (the badge URLs' parameters and errors), from the same cache as the served badges,
/// with the language and theme; None for a number the registry does not hold.
pub async fn print_badge(
    req: &HttpRequest,
    state: &AppState,
    number: String,
) -> Result<Option<(Bytes, MarkLang, Theme)>, AppError> {
    let (lang, theme) = match variant(req, Kind::Badge, true)?.0 {
        MarkVariant::Badge { lang, theme, .. } => (lang, theme),
        MarkVariant::Qr { .. } => (MarkLang::Zh, Theme::Light),
    };
    state.sync_revision().await;
    let key = MarkKey {
        number,
        variant: MarkVariant::Badge {
            size: BadgeSize::Large,
            lang,
            theme,
        },
        format: Format::Png { scale: 2 },
        today: state.today(),
    };
    let image = cached_image(state, key).await?;
    Ok(image
        .binding
        .is_some()
        .then(|| (image.body.clone(), lang, theme)))
}

/// The database has not answered for longer than cached answers may be served: no badge may
/// say "valid" (nor anything else about a certificate), so every number gets the neutral one,
/// as a 503 that nobody keeps.
async fn unverifiable(
    req: &HttpRequest,
    state: &AppState,
    variant: MarkVariant,
    format: Format,
) -> HttpResponse {
    let badges = state.feature::<UnverifiableBadges>();
    let drawn = badges
        .0
        .get_or_render(&state.revision, &(variant, format), || async move {
            let image = state
                .cpu(move || render_unverifiable(variant, format))
                .await?;
            image.map(Arc::new).ok_or(AppError::NotFound)
        })
        .await;
    let image = match drawn {
        Ok(image) => image,
        Err(e) => return plain_error(&e),
    };
    let mut res = respond(req, &image, format);
    if res.status() != actix_web::http::StatusCode::NOT_MODIFIED {
        *res.status_mut() = actix_web::http::StatusCode::SERVICE_UNAVAILABLE;
    }
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    res
}

/// Reads what the image shows, releases the connection, then draws it (off the async
/// workers). A number the registry does not hold (or longer than any it could) gets the one
/// image of unknown numbers of that variant, drawn once and kept under the empty number.
async fn render_image(
    state: &AppState,
    cache: &MarkCache,
    key: MarkKey,
) -> Result<Arc<MarkImage>, AppError> {
    let number = key.number.clone();
    let facts = if number.is_empty() || number.chars().count() > MAX_NUMBER_CHARS {
        None
    } else {
        state
            .db(move |conn| Ok(db::marks::find_mark_facts(conn, &number)?))
            .await?
    };
    let public_url = state.config.public_url.clone();
    if facts.is_some() {
        let image = state.cpu(move || render(&key, facts, &public_url)).await?;
        return Ok(Arc::new(image));
    }
    let unknown = MarkKey {
        number: String::new(),
        ..key
    };
    let draw = unknown.clone();
    cache
        .0
        .get_or_render(&state.revision, &unknown, || async move {
            let image = state.cpu(move || render(&draw, None, &public_url)).await?;
            Ok(Arc::new(image))
        })
        .await
}

/// Errors of image URLs: a short plain-text message in both languages (these URLs are read by
/// developers and tools, not shown as pages).
fn plain_error(e: &AppError) -> HttpResponse {
    let status = e.status_code();
    if status.is_server_error() && e.retry_after().is_none() {
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
        AppError::TooManyRequests(seconds) => (
            Lang::ZhCn.t1("error-429-message", "value", seconds),
            Lang::En.t1("error-429-message", "value", seconds),
        ),
        e => {
            let key = e
                .unavailable_message(false)
                .map_or("error-500-message", |m| m.key);
            (Lang::ZhCn.t(key), Lang::En.t(key))
        }
    };
    let mut res = HttpResponse::build(status);
    if let Some(seconds) = e.retry_after() {
        res.insert_header((header::RETRY_AFTER, seconds.to_string()));
    }
    res.insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .content_type("text/plain; charset=utf-8")
        .body(format!("{zh}\n{en}\n"))
}
