//! The registry search: one query shape for browsing, look-ups by number, credit code or domain,
//! and name search through the token index, with filters, sorting and pagination.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{certificates, companies, platform_domains, platforms, search_tokens};
use super::{Db, DbConnection};
use crate::domain::credit_code::CreditCode;
use crate::domain::grade::Grade;
use crate::domain::hostname::{self, Hostname};
use crate::domain::platform_type::PlatformType;
use crate::domain::search_text::{self, QueryToken};
use crate::domain::status::CertificateStatus;

/// How many index tokens of a query are looked up; the rest is checked on the candidates'
/// normalised text, which is cheaper than intersecting long posting lists.
const MAX_INDEX_TOKENS: usize = 2;
/// Above this many postings a token is "broad": reading its whole posting list costs more than
/// checking the normalised text of the rows reached another way.
pub const BROAD_POSTINGS: usize = 5_000;
/// The deepest result listed, and where counting stops ("at least 1,000 results"): past it a
/// search is narrowed with a filter, and the whole registry is in the downloads. A search whose
/// matches are rare in its order is listed less deep (`search_order`). Bounding the depth
/// bounds the work of every result page (docs/PERFORMANCE.md, "Search at any depth").
pub const MAX_LISTED: i64 = 1_000;
pub use super::search_order::{walk_budget, SORTED_BUDGET};

/// What the search box text was understood as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// No text: browse the whole registry.
    All,
    /// An exact certificate number.
    Number(String),
    /// A unified social credit code (valid check character).
    CreditCode(String),
    /// A host or URL: the platforms bound to the host or one of its parent domains.
    Domain {
        host: String,
        candidates: Vec<String>,
    },
    /// Company, platform or app name, partial match.
    Name {
        /// Rarest first (measured on the index).
        tokens: Vec<QueryToken>,
        normalized: String,
        /// Even the rarest token is in more than [`BROAD_POSTINGS`] names (科技, 有限公司):
        /// only the normalised text is checked, on rows reached by the sort order or a filter.
        broad: bool,
    },
    /// Too short to search by name (one character).
    TooShort,
}

/// Filters of the search page; each narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    pub stars: Option<Grade>,
    /// The effective status on the request's date.
    pub status: Option<CertificateStatus>,
    /// Six-digit GB/T 2260 code.
    pub province_code: Option<String>,
    pub platform_type: Option<PlatformType>,
    pub scheme_slug: Option<String>,
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// For a name: the platforms and companies named exactly as asked, then those whose name
    /// starts with it, then every other match, each band in force first, then by grade
    /// (`domain::best_match`). For a number, credit code or host: in force first, then by
    /// grade; browsing without text: by grade.
    #[default]
    Best,
    /// Highest grade and score first.
    Grade,
    /// Holder name.
    Name,
    /// Most recently issued first.
    Newest,
    /// Soonest expiry first.
    Expiry,
}

impl SortOrder {
    pub const ALL: [SortOrder; 5] = [
        SortOrder::Best,
        SortOrder::Grade,
        SortOrder::Name,
        SortOrder::Newest,
        SortOrder::Expiry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Best => "best",
            SortOrder::Grade => "grade",
            SortOrder::Name => "name",
            SortOrder::Newest => "newest",
            SortOrder::Expiry => "expiry",
        }
    }

    pub fn parse(s: &str) -> Option<SortOrder> {
        SortOrder::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One search: what to match, filters, order, page, and the date statuses are judged on.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub matcher: Matcher,
    pub filters: SearchFilters,
    pub sort: SortOrder,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub today: NaiveDate,
}

/// One row of a result list.
#[derive(Debug, Clone, Queryable)]
pub struct SearchHit {
    pub number: String,
    pub grade: i16,
    pub score: f64,
    pub status: CertificateStatus,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub company_name_zh: String,
    pub company_name_en: Option<String>,
    pub credit_code: String,
    pub province_code: String,
    pub platform_name: String,
    pub platform_type: PlatformType,
}

/// A page of results and the total count.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// The number of matches, or when `capped` the number listed (at most [`MAX_LISTED`]).
    pub total: i64,
    /// There are, or may be, more than `total` matches; only the first `total` are listed.
    pub capped: bool,
}

/// Understands the search box text. Precise identifiers win over names: an exact certificate
/// number, then a credit code, then a host bound to a platform; anything else is a name.
pub fn resolve(conn: &mut DbConnection, q: &str) -> QueryResult<Matcher> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Matcher::All);
    }
    let upper = q.to_uppercase();
    let number = certificates::table
        .select(certificates::number)
        .filter(
            certificates::number
                .eq(q)
                .or(certificates::number.eq(&upper)),
        )
        .first::<String>(conn)
        .optional()?;
    if let Some(number) = number {
        return Ok(Matcher::Number(number));
    }
    if let Ok(code) = CreditCode::parse(q) {
        return Ok(Matcher::CreditCode(code.as_str().to_owned()));
    }
    if hostname::looks_like_host(q) {
        if let Ok(host) = Hostname::parse(q) {
            let candidates = host.lookup_candidates();
            let bound: i64 = platform_domains::table
                .filter(platform_domains::domain.eq_any(&candidates))
                .count()
                .get_result(conn)?;
            // A pasted URL is always a site question; a bare "jd.com" may also be a name.
            if bound > 0 || q.contains('/') {
                return Ok(Matcher::Domain {
                    host: host.as_str().to_owned(),
                    candidates,
                });
            }
        }
    }
    if !search_text::query_is_searchable(q) {
        return Ok(Matcher::TooShort);
    }
    // Measure each token's posting list (up to the broad limit) and use the rarest first.
    let mut sized: Vec<(usize, QueryToken)> = Vec::new();
    for token in search_text::query_tokens(q).into_iter().take(4) {
        let postings = search_tokens::table.select(search_tokens::certificate_id);
        let limit = i64::try_from(BROAD_POSTINGS).unwrap_or(i64::MAX) + 1;
        let found: Vec<i32> = if token.prefix {
            let upper = prefix_upper(&token.text);
            postings
                .filter(search_tokens::token.between(token.text.clone(), upper))
                .limit(limit)
                .load(conn)?
        } else {
            postings
                .filter(search_tokens::token.eq(token.text.clone()))
                .limit(limit)
                .load(conn)?
        };
        sized.push((found.len(), token));
    }
    sized.sort_by_key(|(n, _)| *n);
    Ok(Matcher::Name {
        broad: sized.first().is_some_and(|(n, _)| *n > BROAD_POSTINGS),
        tokens: sized.into_iter().map(|(_, t)| t).collect(),
        normalized: search_text::normalize(q),
    })
}

/// The matching certificates, as a query on the certificates table alone: related tables are
/// reached through `IN (subquery)`, so counting and ordering can use the certificates' indexes.
pub(super) type Boxed<'a> = diesel::dsl::IntoBoxed<'a, certificates::table, Db>;

/// How the planner may reach the matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
    /// Through any index: to find matches in no particular order.
    Free,
    /// The filters on the certificate's own columns are written so that no index serves them:
    /// the rows are reached another way (a list of ids) and checked one by one.
    Walk,
}

pub(super) fn matching<'a>(req: &'a SearchRequest, plan: Plan) -> Boxed<'a> {
    let mut q: Boxed<'a> = certificates::table.into_boxed();
    match &req.matcher {
        Matcher::All => {}
        Matcher::TooShort => q = q.filter(certificates::id.lt(0)),
        Matcher::Number(n) => q = q.filter(certificates::number.eq(n)),
        Matcher::CreditCode(c) => {
            let holder = companies::table
                .select(companies::id)
                .filter(companies::credit_code.eq(c));
            q = q.filter(certificates::company_id.eq_any(holder));
        }
        Matcher::Domain { candidates, .. } => {
            let bound = platform_domains::table
                .select(platform_domains::platform_id)
                .filter(platform_domains::domain.eq_any(candidates));
            q = q.filter(certificates::platform_id.eq_any(bound));
        }
        Matcher::Name {
            tokens,
            normalized,
            broad,
        } => {
            // A broad word's posting list narrows nothing: the normalised text, on the row
            // already read, is checked instead of probing the index for each row (a B-tree
            // descent costs several times the comparison).
            let tokens = if *broad { &[][..] } else { &tokens[..] };
            for token in tokens.iter().take(MAX_INDEX_TOKENS) {
                // An exact token is compared with `=`, which the planners estimate well from
                // their statistics; a prefix is the range [t, t + U+10FFFF].
                let postings = search_tokens::table.select(search_tokens::certificate_id);
                let text = token.text.clone();
                q = if token.prefix {
                    let upper = prefix_upper(&token.text);
                    q.filter(
                        certificates::id
                            .eq_any(postings.filter(search_tokens::token.between(text, upper))),
                    )
                } else {
                    q.filter(
                        certificates::id.eq_any(postings.filter(search_tokens::token.eq(text))),
                    )
                };
            }
            q = q.filter(
                certificates::search_text
                    .like(format!("%{}%", escape_like(normalized)))
                    .escape('\\'),
            );
        }
    }
    filtered(q, req, plan)
}

pub(super) fn filtered<'a>(mut q: Boxed<'a>, req: &'a SearchRequest, plan: Plan) -> Boxed<'a> {
    let (f, today) = (&req.filters, req.today);
    use super::status_sql::{has_effective_status, has_effective_status_unindexed};
    let walk = plan == Plan::Walk;
    if let Some(grade) = f.stars {
        let stars = i16::from(grade.stars());
        q = if walk {
            q.filter((certificates::grade + 0).eq(stars))
        } else {
            q.filter(certificates::grade.eq(stars))
        };
    }
    if let Some(s) = f.status {
        q = q.filter(if walk {
            has_effective_status_unindexed(s, today)
        } else {
            has_effective_status(s, today)
        });
    }
    // The holder's province and the platform's type are copied onto the certificate row (kept
    // in step by `db::write`), so these filters read the certificates' own indexes; `x || ''`
    // is the same value, which no index serves.
    if let Some(code) = &f.province_code {
        q = if walk {
            q.filter(certificates::province_code.concat("").eq(code))
        } else {
            q.filter(certificates::province_code.eq(code))
        };
    }
    if let Some(t) = f.platform_type {
        q = if walk {
            q.filter(certificates::platform_type.concat("").eq(t.as_str()))
        } else {
            q.filter(certificates::platform_type.eq(t.as_str()))
        };
    }
    if let Some(slug) = &f.scheme_slug {
        let ids = super::schema::scheme_versions::table
            .select(super::schema::scheme_versions::id)
            .filter(super::schema::scheme_versions::slug.eq(slug));
        q = if walk {
            q.filter((certificates::scheme_version_id + 0).eq_any(ids))
        } else {
            q.filter(certificates::scheme_version_id.eq_any(ids))
        };
    }
    q
}

/// The upper end of the token range `[t, t + U+10FFFF]` that holds every token starting with `t`
/// (tokens compare byte-wise: SQLite's default and PostgreSQL's `COLLATE "C"`).
fn prefix_upper(text: &str) -> String {
    format!("{text}\u{10FFFF}")
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The matches of a search in order, as deep as they are listed: up to [`MAX_LISTED`], or
/// fewer for a broad search whose matches are rare in its order (`search_order`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Certificate ids in the requested order.
    pub ids: Vec<i32>,
    /// More certificates match, or may match, than are listed.
    pub capped: bool,
}

/// Lists a search (its page and page size aside), at a bounded cost however broad it is:
/// see `search_order`, and `search_best` for the best-match order of a name.
pub fn listing(conn: &mut DbConnection, req: &SearchRequest) -> QueryResult<Listing> {
    match (&req.matcher, req.sort) {
        (Matcher::Name { normalized, .. }, SortOrder::Best) => {
            super::search_best::listing(conn, req, normalized)
        }
        // Browsing has no name to match: the best first are the highest graded.
        (Matcher::All, SortOrder::Best) => {
            let by_grade = SearchRequest {
                sort: SortOrder::Grade,
                ..req.clone()
            };
            super::search_order::listing(conn, &by_grade)
        }
        _ => super::search_order::listing(conn, req),
    }
}

/// One page of a listing: the count (as deep as listed) and the hits of that page.
pub fn page_of(
    conn: &mut DbConnection,
    listing: &Listing,
    page: u32,
    per_page: u32,
) -> QueryResult<SearchPage> {
    let total = i64::try_from(listing.ids.len()).unwrap_or(i64::MAX);
    let skip = usize::try_from(page.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .saturating_mul(usize::try_from(per_page).unwrap_or(usize::MAX));
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let ids: Vec<i32> = listing.ids.iter().skip(skip).take(take).copied().collect();
    Ok(SearchPage {
        hits: hits(conn, &ids)?,
        total,
        capped: listing.capped,
    })
}

/// Runs a search: [`listing`], then the page the request asks for.
pub fn search(conn: &mut DbConnection, req: &SearchRequest) -> QueryResult<SearchPage> {
    let listed = listing(conn, req)?;
    page_of(conn, &listed, req.page, req.per_page)
}

/// What the result list shows of these certificates, in this order.
fn hits(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<SearchHit>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<(i32, SearchHit)> = certificates::table
        .inner_join(companies::table)
        .inner_join(platforms::table)
        .filter(certificates::id.eq_any(ids))
        .select((
            certificates::id,
            (
                certificates::number,
                certificates::grade,
                certificates::score,
                certificates::status,
                certificates::issued_on,
                certificates::expires_on,
                companies::name_zh,
                companies::name_en,
                companies::credit_code,
                companies::province_code,
                platforms::name,
                platforms::platform_type,
            ),
        ))
        .load(conn)?;
    rows.sort_by_key(|(id, _)| ids.iter().position(|x| x == id));
    Ok(rows.into_iter().map(|(_, hit)| hit).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }

    #[test]
    fn sort_orders_round_trip() {
        for o in SortOrder::ALL {
            assert_eq!(SortOrder::parse(o.as_str()), Some(o));
        }
        assert_eq!(SortOrder::parse("bogus"), None);
    }
}
