//! Atom feeds (RFC 4287) of the public certificate events: the whole registry
//! (`/feeds/events.atom`), one company (`/companies/{credit_code}/events.atom`) and one
//! certificate (`/certificates/{number}/events.atom`). `?kind=suspended,revoked` keeps some
//! kinds; `?lang=en` chooses the language, which comes from the URL only (feed readers send no
//! cookies: one URL is one feed). Rendered feeds are cached until the registry changes, with
//! their entity tag and their gzip and brotli forms, so a hit costs no hashing or compressing.

mod atom;

use std::sync::Arc;

use actix_web::http::header::{CacheControl, CacheDirective, EntityTag};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;

use crate::db;
use crate::db::feeds::{FeedCompany, FeedEvent, FeedScope};
use crate::domain::credit_code::CreditCode;
use crate::domain::event::EventKind;
use crate::domain::numbering::MAX_NUMBER_CHARS;
use crate::error::AppError;
use crate::web::compression::{label_coding, Compressed};
use crate::web::conditional;
use crate::web::i18n::Lang;
use crate::web::paths;
use crate::web::query::Query;
use crate::web::render_cache::{RenderCache, Weighed, KEY_OVERHEAD};
use crate::web::seo::{self, FeedLink};
use crate::web::state::FeatureState;
use crate::web::AppState;

/// Entries in a feed: the newest events.
pub const MAX_ENTRIES: i64 = 100;
/// The feeds' media type.
pub const ATOM_CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";
/// How long a feed reader or a proxy may reuse a feed, in seconds.
const MAX_AGE: u32 = 300;

/// Rendered Atom feeds (up to about 60 KB each, 75 KB with their compressed forms; 24 MB at
/// most).
pub struct FeedCache(RenderCache<FeedKey, Arc<RenderedFeed>>);

impl Default for FeedCache {
    fn default() -> Self {
        FeedCache(RenderCache::new("feeds", 1_000, 24 << 20))
    }
}

/// A feed as kept: the document in each coding and its (weak) entity tag.
pub struct RenderedFeed {
    doc: Compressed,
    tag: EntityTag,
}

impl Weighed for Arc<RenderedFeed> {
    fn weight(&self) -> u64 {
        self.doc.len() as u64 + 128
    }
}

impl FeatureState for FeedCache {
    fn registry_changed(&self) {
        self.0.clear();
    }

    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        vec![self.0.stats()]
    }
}

/// Whose events a feed carries, as named in its URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeedTarget {
    Registry,
    /// A normalised credit code.
    Company(String),
    /// A certificate number.
    Certificate(String),
}

impl FeedTarget {
    /// The feed's local path.
    pub fn path(&self) -> String {
        match self {
            FeedTarget::Registry => paths::REGISTRY_FEED.to_owned(),
            FeedTarget::Company(code) => paths::company_feed(code),
            FeedTarget::Certificate(n) => paths::certificate_feed(n),
        }
    }

    /// The local path of the page the feed follows.
    fn page_path(&self) -> String {
        match self {
            FeedTarget::Registry => "/".to_owned(),
            FeedTarget::Company(code) => paths::company(code),
            FeedTarget::Certificate(n) => paths::certificate(n),
        }
    }
}

/// What a rendered feed depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedKey {
    pub target: FeedTarget,
    /// The kinds kept, in `EventKind::ALL` order; empty for all.
    pub kinds: Vec<EventKind>,
    pub lang: Lang,
    /// Events dated after today are not public yet.
    pub today: NaiveDate,
}

impl Weighed for FeedKey {
    fn weight(&self) -> u64 {
        let text = match &self.target {
            FeedTarget::Registry => 0,
            FeedTarget::Company(s) | FeedTarget::Certificate(s) => s.len(),
        };
        KEY_OVERHEAD + text as u64 + self.kinds.len() as u64
    }
}

impl FeedKey {
    /// The feed's local URL: its path, the kinds, and the language unless the default.
    fn local_url(&self, default: Lang) -> String {
        let path = self.target.path();
        let path = if self.kinds.is_empty() {
            path
        } else {
            let names: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
            format!("{path}?kind={}", names.join(","))
        };
        seo::with_lang(&path, self.lang, default)
    }
}

/// The feed link a page puts in its head and shows as "Subscribe".
pub fn link(state: &AppState, target: FeedTarget, lang: Lang) -> FeedLink {
    let title = match &target {
        FeedTarget::Registry => lang.t("feed-title-registry"),
        FeedTarget::Company(_) => lang.t("feed-title-company-link"),
        FeedTarget::Certificate(n) => lang.t1("feed-title-certificate", "number", n),
    };
    let key = FeedKey {
        target,
        kinds: Vec::new(),
        lang,
        today: NaiveDate::MIN,
    };
    FeedLink {
        href: seo::absolute(&state.config, &key.local_url(state.config.default_lang)),
        title,
    }
}

/// `/feeds/events.atom`.
pub async fn registry(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    serve(&req, &state, FeedTarget::Registry).await
}

/// `/companies/{credit_code}/events.atom`.
pub async fn company(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = CreditCode::parse(&path.into_inner()).map_err(|_| AppError::NotFound)?;
    serve(&req, &state, FeedTarget::Company(code.as_str().to_owned())).await
}

/// `/certificates/{number}/events.atom`.
pub async fn certificate(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    if number.chars().count() > MAX_NUMBER_CHARS {
        return Err(AppError::NotFound);
    }
    serve(&req, &state, FeedTarget::Certificate(number)).await
}

/// Reads `kind` (comma-separated, or repeated) and `lang`; other parameters are ignored.
fn parse_kinds(query: &Query) -> Result<Vec<EventKind>, AppError> {
    let pairs = query.pairs()?;
    let mut kinds = Vec::new();
    for (_, value) in pairs.iter().filter(|(k, _)| k == "kind") {
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let kind = EventKind::parse(name).ok_or_else(|| {
                AppError::bad_request_with(
                    "feed-error-kind",
                    name.chars().take(40).collect::<String>(),
                )
            })?;
            kinds.push(kind);
        }
    }
    Ok(EventKind::ALL
        .into_iter()
        .filter(|k| kinds.contains(k))
        .collect())
}

async fn serve(
    req: &HttpRequest,
    state: &AppState,
    target: FeedTarget,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(req);
    let key = FeedKey {
        target,
        kinds: parse_kinds(&query)?,
        lang: query.lang().unwrap_or(state.config.default_lang),
        today: state.today(),
    };
    state.sync_revision().await;
    let feed = state
        .feature::<FeedCache>()
        .0
        .get_or_render(&state.revision, &key, || async {
            let body = render(state, &key).await?;
            let tag = conditional::weak_tag(&body);
            let doc = state
                .cpu(move || {
                    Compressed::new(body)
                        .map_err(|e| AppError::Internal(format!("compressing a feed: {e}")))
                })
                .await?;
            Ok(Arc::new(RenderedFeed { doc, tag }))
        })
        .await?;
    Ok(atom_response(req, &feed))
}

/// Reads a feed's events, then writes it (after the connection is released).
async fn render(state: &AppState, key: &FeedKey) -> Result<Bytes, AppError> {
    let (about, events) = load(state, key).await?;
    let feed = atom::Feed {
        key,
        config: &state.config,
        about: about.as_ref(),
        events: &events,
        self_url: key.local_url(state.config.default_lang),
        page_url: seo::with_lang(&key.target.page_path(), key.lang, state.config.default_lang),
    };
    Ok(Bytes::from(feed.render()?))
}

/// The company or certificate a feed is about (404 when the registry has none), and its events.
async fn load(
    state: &AppState,
    key: &FeedKey,
) -> Result<(Option<FeedCompany>, Vec<FeedEvent>), AppError> {
    let target = key.target.clone();
    let kinds: Vec<&'static str> = key.kinds.iter().map(|k| k.as_str()).collect();
    let today = key.today;
    state
        .db(move |conn| {
            let (scope, about) = match &target {
                FeedTarget::Registry => (FeedScope::Registry, None),
                FeedTarget::Company(code) => {
                    let c = db::feeds::company(conn, code)?.ok_or(AppError::NotFound)?;
                    (FeedScope::Company(c.id), Some(c))
                }
                FeedTarget::Certificate(number) => {
                    let c = db::feeds::certificate(conn, number)?.ok_or(AppError::NotFound)?;
                    (FeedScope::Certificate(c.id), Some(c))
                }
            };
            let events = db::feeds::public_events(conn, scope, &kinds, today, MAX_ENTRIES)?;
            Ok((about, events))
        })
        .await
}

/// The feed with an ETag: a reader that polls gets 304 while nothing changed.
/// The feed in the coding the reader prefers (one weak tag for every coding), or 304.
fn atom_response(req: &HttpRequest, feed: &RenderedFeed) -> HttpResponse {
    let cache = CacheControl(vec![
        CacheDirective::Public,
        CacheDirective::MaxAge(MAX_AGE),
    ]);
    let (body, coding) = feed.doc.for_request(req);
    let mut res = conditional::respond(req, feed.tag.clone(), cache, ATOM_CONTENT_TYPE, body);
    label_coding(&mut res, "Accept-Encoding", coding);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_normalised_and_checked() {
        assert_eq!(parse_kinds(&Query::parse("")).ok(), Some(vec![]));
        assert_eq!(
            parse_kinds(&Query::parse(
                "kind=revoked,suspended&kind=revoked&utm_source=x"
            ))
            .ok(),
            Some(vec![EventKind::Suspended, EventKind::Revoked])
        );
        assert_eq!(parse_kinds(&Query::parse("kind=")).ok(), Some(vec![]));
        assert!(parse_kinds(&Query::parse("kind=suspended,bogus")).is_err());
    }

    #[test]
    fn feed_urls_name_kinds_and_a_language_other_than_the_default() {
        let key = FeedKey {
            target: FeedTarget::Certificate("A B".into()),
            kinds: vec![EventKind::Suspended],
            lang: Lang::En,
            today: NaiveDate::MIN,
        };
        assert_eq!(
            key.local_url(Lang::ZhCn),
            "/certificates/A%20B/events.atom?kind=suspended&lang=en"
        );
        assert_eq!(
            FeedKey {
                lang: Lang::ZhCn,
                kinds: vec![],
                ..key
            }
            .local_url(Lang::ZhCn),
            "/certificates/A%20B/events.atom"
        );
    }
}
