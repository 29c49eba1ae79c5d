//! `/search`: one box for numbers, names, domains, URLs and credit codes, with filters.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::certificate::Miss;
use super::keyed::{self, DocumentKey, DocumentKind};
use super::{compressed_html, render_compressed};
use crate::db::search::{self, Matcher, SearchFilters, SearchRequest, SortOrder};
use crate::db::DbConnection;
use crate::domain::grade::Grade;
use crate::domain::hostname::{self, Hostname};
use crate::domain::platform_type::PlatformType;
use crate::domain::province::{find_province, PROVINCES};
use crate::domain::status::CertificateStatus;
use crate::error::AppError;
use crate::web::feeds::{self, FeedTarget};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::lookalikes::ResemblingView;
use crate::web::query::Query;
use crate::web::view::HitView;
use crate::web::AppState;

/// Longest accepted query, in characters: longer than any name, URL or number people paste.
pub const MAX_QUERY_CHARS: usize = 200;
/// Results per page.
pub const PER_PAGE: u32 = 20;
/// Deepest page served; beyond it, narrow the search.
pub const MAX_PAGE: u32 = 1000;

/// The search parameters as given in the URL, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchParams {
    pub q: String,
    pub filters: SearchFilters,
    pub sort: SortOrder,
    pub page: u32,
}

impl SearchParams {
    /// Parses a query string. Unknown parameters are ignored (links carry tracking tags);
    /// known ones with a bad value are a 400 that names the parameter.
    pub fn parse(query: &str) -> Result<SearchParams, AppError> {
        Self::from_query(&Query::parse(query))
    }

    /// The same, from a request's parsed query.
    pub fn from_query(query: &Query) -> Result<SearchParams, AppError> {
        let pairs = query.pairs()?;
        let mut p = SearchParams {
            page: 1,
            ..SearchParams::default()
        };
        for (key, value) in pairs {
            let v = value.trim();
            let bad = || AppError::bad_request_with("error-bad-parameter", key);
            match key.as_str() {
                "q" => {
                    if v.chars().count() > MAX_QUERY_CHARS {
                        return Err(AppError::bad_request_with(
                            "error-query-too-long",
                            MAX_QUERY_CHARS,
                        ));
                    }
                    p.q = v.to_owned();
                }
                _ if v.is_empty() => {}
                "stars" => {
                    let n: i64 = v.parse().map_err(|_| bad())?;
                    p.filters.stars = Some(Grade::from_stars(n).ok_or_else(bad)?);
                }
                "status" => p.filters.status = Some(CertificateStatus::parse(v).ok_or_else(bad)?),
                "province" => {
                    p.filters.province_code =
                        Some(find_province(v).ok_or_else(bad)?.code.to_owned())
                }
                "type" => p.filters.platform_type = Some(PlatformType::parse(v).ok_or_else(bad)?),
                "scheme" => {
                    if v.len() > 40 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        return Err(bad());
                    }
                    p.filters.scheme_slug = Some(v.to_owned());
                }
                "sort" => p.sort = SortOrder::parse(v).ok_or_else(bad)?,
                "page" => {
                    let n: u32 = v
                        .parse()
                        .map_err(|_| AppError::bad_request_with("error-bad-page", MAX_PAGE))?;
                    if n == 0 || n > MAX_PAGE {
                        return Err(AppError::bad_request_with("error-bad-page", MAX_PAGE));
                    }
                    p.page = n;
                }
                _ => {}
            }
        }
        Ok(p)
    }

    /// The query string of these parameters on another page (for pagination links).
    pub fn href_for_page(&self, page: u32) -> String {
        crate::web::paths::search(
            &serde_urlencoded::to_string(self.pairs_for_page(page)).unwrap_or_default(),
        )
    }

    /// These parameters on another page, as query pairs (defaults left out); the API's links
    /// are built from them too.
    pub fn pairs_for_page(&self, page: u32) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if let Some(g) = self.filters.stars {
            pairs.push(("stars", g.stars().to_string()));
        }
        if let Some(s) = self.filters.status {
            pairs.push(("status", s.as_str().to_owned()));
        }
        if let Some(p) = &self.filters.province_code {
            pairs.push(("province", p.clone()));
        }
        if let Some(t) = self.filters.platform_type {
            pairs.push(("type", t.as_str().to_owned()));
        }
        if let Some(s) = &self.filters.scheme_slug {
            pairs.push(("scheme", s.clone()));
        }
        if self.sort != SortOrder::default() {
            pairs.push(("sort", self.sort.as_str().to_owned()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        pairs
    }
}

/// One option of a filter `<select>`.
pub struct FilterOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn options<T: Copy>(
    all: impl IntoIterator<Item = T>,
    value: impl Fn(T) -> String,
    label: impl Fn(T) -> String,
    current: Option<String>,
) -> Vec<FilterOption> {
    all.into_iter()
        .map(|t| {
            let v = value(t);
            FilterOption {
                selected: current.as_deref() == Some(v.as_str()),
                label: label(t),
                value: v,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub layout: Layout,
    pub params: SearchParams,
    pub hits: Vec<HitView>,
    pub total: i64,
    /// More than `total` results exist.
    pub capped: bool,
    pub page: u32,
    pub pages: u32,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    /// What the text was understood as: `all`, `number`, `credit-code`, `domain`, `name`, `too-short`.
    pub matched: &'static str,
    /// The host looked up, for a domain search.
    pub host: String,
    pub stars_options: Vec<FilterOption>,
    pub status_options: Vec<FilterOption>,
    pub province_options: Vec<FilterOption>,
    pub type_options: Vec<FilterOption>,
    pub scheme_options: Vec<FilterOption>,
    pub sort_options: Vec<FilterOption>,
    /// For an address with no certificate: the certified sites it looks like.
    pub resembling: Vec<ResemblingView>,
    /// That address, for display.
    pub resembling_host: String,
}

/// Understands the text and lists the search with these parameters (its page aside): the
/// search page and the API's certificate list are one search.
pub fn run(
    conn: &mut DbConnection,
    params: &SearchParams,
    today: NaiveDate,
) -> Result<(Matcher, search::Listing), AppError> {
    let matcher = search::resolve(conn, &params.q)?;
    let request = SearchRequest {
        matcher: matcher.clone(),
        filters: params.filters.clone(),
        sort: params.sort,
        page: 1,
        per_page: PER_PAGE,
        today,
    };
    let listing = search::listing(conn, &request)?;
    Ok((matcher, listing))
}

/// A page past the last one: past the listed depth of a search with more matches (`listed`
/// results), the message says how to narrow it; otherwise it names the number of pages.
pub fn check_depth(page: u32, pages: u32, capped: bool, listed: i64) -> Result<(), AppError> {
    if page <= pages.max(1) {
        Ok(())
    } else if capped {
        Err(AppError::bad_request_with("error-page-too-deep", listed))
    } else {
        Err(AppError::bad_request_with(
            "error-page-beyond",
            pages.max(1),
        ))
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    let params = SearchParams::from_query(&query)?;
    // Kept only when the URL is the search's own spelling (with at most `lang`): the page's
    // language switch repeats the query as given, and made-up tags must not fill the cache.
    let keep = query.spelled_as(&params.pairs_for_page(params.page));
    let key = DocumentKey {
        kind: DocumentKind::Search,
        id: params.href_for_page(params.page),
        lang,
        today: state.today(),
        demo: state.is_demo().await,
    };
    let (req_ref, state_ref, params_ref) = (&req, &state, &params);
    let render = |keep| async move {
        let page = build(req_ref, state_ref, lang, params_ref)
            .await
            .map_err(Miss::Failed)?;
        Ok(state_ref
            .cpu(move || render_compressed(&page, keep))
            .await?)
    };
    match keyed::document_if(&state, key, keep, render).await? {
        Some(doc) => Ok(compressed_html(&req, &doc)),
        None => Err(AppError::Internal("a search page was not found".into())),
    }
}

/// The search page of `params`, from the kept results.
async fn build(
    req: &HttpRequest,
    state: &AppState,
    lang: Lang,
    params: &SearchParams,
) -> Result<SearchPage, AppError> {
    let params = params.clone();
    let today = state.today();
    let page = params.page;
    let found = super::search_cache::find(state, &params, PER_PAGE, today).await?;
    let (matcher, result) = (&found.matcher, &found.page);
    let schemes = state
        .db(|conn| Ok(crate::db::stats::scheme_slugs(conn)?))
        .await?;
    let pages = u32::try_from((result.total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE))
        .unwrap_or(u32::MAX);
    check_depth(page, pages, result.capped, result.total)?;
    let (matched, host) = match &matcher {
        Matcher::All => ("all", String::new()),
        Matcher::Number(_) => ("number", String::new()),
        Matcher::CreditCode(_) => ("credit-code", String::new()),
        Matcher::Domain { host, .. } => ("domain", host.clone()),
        Matcher::Name { .. } => ("name", String::new()),
        Matcher::TooShort => ("too-short", String::new()),
    };
    // An address with no certificate: does it look like a certified site?
    let looked_up = match &matcher {
        Matcher::Domain { host, .. } => Hostname::parse(host).ok(),
        Matcher::Name { .. } if hostname::looks_like_host(&params.q) => {
            Hostname::parse(&params.q).ok()
        }
        _ => None,
    };
    let (resembling, resembling_host) = match looked_up {
        Some(h) if result.hits.is_empty() && !result.capped => {
            let found = crate::web::lookalikes::resembling(state, &h).await?;
            let views = found.iter().map(|r| ResemblingView::new(r, lang)).collect();
            (views, h.to_unicode())
        }
        _ => (Vec::new(), String::new()),
    };
    let mut layout = Layout::new(req, state, lang).await;
    layout.q = params.q.clone();
    // The canonical search keeps the parameters that change the results, in one order.
    let normalised = params.href_for_page(page);
    layout.set_canonical(&state.config, normalised.trim_end_matches('?'));
    layout.feed = Some(feeds::link(state, FeedTarget::Registry, lang));
    let f = &params.filters;
    let page_view = SearchPage {
        hits: result
            .hits
            .iter()
            .map(|h| HitView::new(h, today, lang))
            .collect(),
        total: result.total,
        capped: result.capped,
        page,
        pages,
        prev_href: (page > 1).then(|| params.href_for_page(page - 1)),
        next_href: (page < pages).then(|| params.href_for_page(page + 1)),
        matched,
        host: Hostname::parse(&host)
            .map(|h| h.to_unicode())
            .unwrap_or(host),
        resembling,
        resembling_host,
        stars_options: options(
            Grade::ALL,
            |g| g.stars().to_string(),
            |g| lang.t(&format!("grade-{}", g.stars())),
            f.stars.map(|g| g.stars().to_string()),
        ),
        status_options: options(
            CertificateStatus::ALL,
            |s| s.as_str().to_owned(),
            |s| lang.t(&format!("status-{}", s.as_str())),
            f.status.map(|s| s.as_str().to_owned()),
        ),
        province_options: options(
            PROVINCES.iter(),
            |p| p.code.to_owned(),
            |p| {
                if lang.is_zh() {
                    p.name_zh.to_owned()
                } else {
                    p.name_en.to_owned()
                }
            },
            f.province_code.clone(),
        ),
        type_options: options(
            PlatformType::ALL,
            |t| t.as_str().to_owned(),
            |t| lang.t(&format!("type-{}", t.as_str())),
            f.platform_type.map(|t| t.as_str().to_owned()),
        ),
        scheme_options: schemes
            .into_iter()
            .map(|(slug, code)| FilterOption {
                selected: f.scheme_slug.as_deref() == Some(slug.as_str()),
                value: slug,
                label: code,
            })
            .collect(),
        sort_options: options(
            SortOrder::ALL,
            |s| s.as_str().to_owned(),
            |s| lang.t(&format!("sort-{}", s.as_str())),
            Some(params.sort.as_str().to_owned()),
        ),
        layout,
        params,
    };
    Ok(page_view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_validated() {
        let p = SearchParams::parse("q=%E4%BA%AC%E4%B8%9C&stars=4&status=valid&province=44&type=cross-border&sort=newest&page=2&utm_source=x")
            .expect("valid");
        assert_eq!(p.q, "京东");
        assert_eq!(p.filters.stars, Some(Grade::Four));
        assert_eq!(p.filters.province_code.as_deref(), Some("440000"));
        assert_eq!(p.filters.platform_type, Some(PlatformType::CrossBorder));
        assert_eq!(p.sort, SortOrder::Newest);
        assert_eq!(p.page, 2);
        for bad in [
            "stars=6",
            "stars=x",
            "status=fake",
            "page=0",
            "page=-1",
            "page=99999999999",
            "province=atlantis",
            "sort=up",
            "type=p2p",
        ] {
            assert!(SearchParams::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(SearchParams::parse(&format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1))).is_err());
        assert_eq!(
            SearchParams::parse("stars=&status=")
                .expect("empty ok")
                .filters,
            SearchFilters::default()
        );
    }

    #[test]
    fn page_links_keep_the_filters() {
        let p = SearchParams::parse("q=jd&stars=5&sort=name").expect("valid");
        assert_eq!(p.href_for_page(3), "/search?q=jd&stars=5&sort=name&page=3");
        assert_eq!(p.href_for_page(1), "/search?q=jd&stars=5&sort=name");
    }
}
