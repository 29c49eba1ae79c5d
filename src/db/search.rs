//! The registry search: one query shape for browsing, look-ups by number, credit code or domain,
//! and name search through the token index, with filters, sorting and pagination.

use chrono::NaiveDate;
use diesel::dsl::exists;
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
/// probing the index row by row in the requested order.
pub const BROAD_POSTINGS: usize = 5_000;
/// Broad searches count their matches up to this number ("more than 10,000 results").
pub const COUNT_CAP: i64 = 10_000;

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
        /// walk the sort order and probe the index per row, and cap the count.
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
    /// Highest grade and score first.
    #[default]
    Grade,
    /// Holder name.
    Name,
    /// Most recently issued first.
    Newest,
    /// Soonest expiry first.
    Expiry,
}

impl SortOrder {
    pub const ALL: [SortOrder; 4] = [
        SortOrder::Grade,
        SortOrder::Name,
        SortOrder::Newest,
        SortOrder::Expiry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
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
    /// The number of matches, or [`COUNT_CAP`] when `capped`.
    pub total: i64,
    /// There are more than `total` matches (a broad name search).
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
type Boxed<'a> = diesel::dsl::IntoBoxed<'a, certificates::table, Db>;

fn matching<'a>(req: &'a SearchRequest) -> Boxed<'a> {
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
            for token in tokens.iter().take(MAX_INDEX_TOKENS) {
                // An exact token is compared with `=`, which the planners estimate well from
                // their statistics; a prefix is the range [t, t + U+10FFFF].
                let upper = prefix_upper(&token.text);
                let text = token.text.clone();
                let postings = search_tokens::table.select(search_tokens::certificate_id);
                let probe = search_tokens::table
                    .select(search_tokens::certificate_id)
                    .filter(search_tokens::certificate_id.eq(certificates::id));
                q = match (*broad, token.prefix) {
                    (false, false) => q.filter(
                        certificates::id.eq_any(postings.filter(search_tokens::token.eq(text))),
                    ),
                    (false, true) => q.filter(
                        certificates::id
                            .eq_any(postings.filter(search_tokens::token.between(text, upper))),
                    ),
                    (true, false) => q.filter(exists(probe.filter(search_tokens::token.eq(text)))),
                    (true, true) => q.filter(exists(
                        probe.filter(search_tokens::token.between(text, upper)),
                    )),
                };
            }
            q = q.filter(
                certificates::search_text
                    .like(format!("%{}%", escape_like(normalized)))
                    .escape('\\'),
            );
        }
    }
    filtered(q, &req.filters, req.today)
}

fn filtered<'a>(mut q: Boxed<'a>, f: &'a SearchFilters, today: NaiveDate) -> Boxed<'a> {
    if let Some(grade) = f.stars {
        q = q.filter(certificates::grade.eq(i16::from(grade.stars())));
    }
    if let Some(s) = f.status {
        q = q.filter(super::status_sql::has_effective_status(s, today));
    }
    if let Some(code) = &f.province_code {
        let in_province = companies::table
            .select(companies::id)
            .filter(companies::province_code.eq(code));
        q = q.filter(certificates::company_id.eq_any(in_province));
    }
    if let Some(t) = f.platform_type {
        let of_type = platforms::table
            .select(platforms::id)
            .filter(platforms::platform_type.eq(t.as_str()));
        q = q.filter(certificates::platform_id.eq_any(of_type));
    }
    if let Some(slug) = &f.scheme_slug {
        let ids = super::schema::scheme_versions::table
            .select(super::schema::scheme_versions::id)
            .filter(super::schema::scheme_versions::slug.eq(slug));
        q = q.filter(certificates::scheme_version_id.eq_any(ids));
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

/// Runs a search: the total count and one page of hits in a stable order.
pub fn search(conn: &mut DbConnection, req: &SearchRequest) -> QueryResult<SearchPage> {
    let broad = matches!(req.matcher, Matcher::Name { broad: true, .. });
    let (total, capped) = if broad {
        let ids: Vec<i32> = matching(req)
            .select(certificates::id)
            .limit(COUNT_CAP + 1)
            .load(conn)?;
        let n = i64::try_from(ids.len()).unwrap_or(i64::MAX);
        (n.min(COUNT_CAP), n > COUNT_CAP)
    } else {
        (matching(req).count().get_result(conn)?, false)
    };
    let offset = i64::from(req.page.saturating_sub(1)) * i64::from(req.per_page);
    if total == 0 || offset >= total {
        return Ok(SearchPage {
            hits: Vec::new(),
            total,
            capped,
        });
    }
    // First the ids of the page, in order, from the certificates table alone...
    let mut q = matching(req).select(certificates::id);
    q = match req.sort {
        SortOrder::Grade => q
            .order_by(certificates::grade.desc())
            .then_order_by(certificates::score.desc()),
        SortOrder::Name => q.order_by(certificates::sort_name.asc()),
        SortOrder::Newest => q.order_by(certificates::issued_on.desc()),
        SortOrder::Expiry => q.order_by(certificates::expires_on.asc()),
    };
    let ids: Vec<i32> = q
        .then_order_by(certificates::id.asc())
        .limit(i64::from(req.per_page))
        .offset(offset)
        .load(conn)?;
    // ...then what the list shows, for those ids only.
    let mut rows: Vec<(i32, SearchHit)> = certificates::table
        .inner_join(companies::table)
        .inner_join(platforms::table)
        .filter(certificates::id.eq_any(&ids))
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
    let hits = rows.into_iter().map(|(_, hit)| hit).collect();
    Ok(SearchPage {
        hits,
        total,
        capped,
    })
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
