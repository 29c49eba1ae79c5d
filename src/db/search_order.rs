//! The listing of a search: its first matches (up to `search::MAX_LISTED`) in the requested
//! order, at a bounded cost on both backends, however broad the words and filters. Left to
//! themselves the planners gather every row of a filter's index and sort them (SQLite 3.50:
//! 0.3–1.5 s for `type=cross-border` at 1,000,000), walk the sort order past rare matches to
//! the end, or scan the table to count a broad word with a rare filter; so the listing is
//! made one of two ways:
//! - the text or a filter leads an index to few rows (at most [`SORTED_BUDGET`]): up to 1,001
//!   matches are read with their sort keys and sorted here, and all of them when there are more;
//! - otherwise the first [`walk_budget`] certificates of the sort order are read (of one status,
//!   or one grade in the grade order, when the search asks for it: an index holds each in
//!   order) and the matches among them are listed. A search whose matches are rare in that
//!   order lists fewer than 1,000 of them and says that more may match, and how to narrow it.
//!
//! Measured in docs/PERFORMANCE.md, "Search listings at a bounded cost".

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::certificates;
use super::search::{
    matching, Boxed, Listing, Matcher, Plan, SearchFilters, SearchRequest, SortOrder, MAX_LISTED,
};
use super::status_sql::has_effective_status;
use super::DbConnection;
use crate::domain::best_match::RankInBand;
use crate::domain::status::CertificateStatus;

/// The most rows read in the sort order for one listing: about 10 ms of work at 1,000,000
/// (docs/PERFORMANCE.md). Each row is read from the table to check the text and filters,
/// which costs PostgreSQL about three times what it costs SQLite (its heap pages are fetched
/// through its own buffer cache).
pub fn walk_budget(conn: &DbConnection) -> i64 {
    match conn {
        DbConnection::Sqlite(_) => 4_000,
        DbConnection::Pg(_) => 2_000,
    }
}

/// The most rows gathered through a filter's index and sorted here for one listing.
pub const SORTED_BUDGET: i64 = 6_000;

type Ids<'a> = diesel::dsl::Select<Boxed<'a>, certificates::id>;

fn in_order(q: Ids<'_>, sort: SortOrder) -> Ids<'_> {
    let q = match sort {
        // The best-match order of what is not a name band walks the grade order and puts
        // those in force first among what it read.
        SortOrder::Grade | SortOrder::Best => q
            .order_by(certificates::grade.desc())
            .then_order_by(certificates::score.desc()),
        SortOrder::Name => q.order_by(certificates::sort_name.asc()),
        SortOrder::Newest => q.order_by(certificates::issued_on.desc()),
        SortOrder::Expiry => q.order_by(certificates::expires_on.asc()),
    };
    q.then_order_by(certificates::id.asc())
}

/// Lists a search, as `search::listing` describes.
pub(super) fn listing(conn: &mut DbConnection, req: &SearchRequest) -> QueryResult<Listing> {
    let max = usize::try_from(MAX_LISTED).unwrap_or(usize::MAX);
    if gathered_rows(conn, req)? <= SORTED_BUDGET {
        // An index reaches few rows: reading up to MAX_LISTED + 1 matches with their sort keys
        // is cheap, and so is sorting every match when there are more.
        let first = matching(req, Plan::Free).limit(MAX_LISTED + 1);
        let ids = sorted_here(conn, first, req)?;
        if ids.len() <= max {
            return Ok(Listing { ids, capped: false });
        }
        let mut ids = sorted_here(conn, matching(req, Plan::Free), req)?;
        ids.truncate(max);
        return Ok(Listing { ids, capped: true });
    }
    // The first `walk_budget` certificates of the walk, read from the index of the sort order
    // (of one status or grade) alone; the matches among them are then read by id and sorted
    // here. The filters of that query are written so that no index serves them: the ids are
    // the only way in. Past the budget, more may match: the listing says so.
    let budget = walk_budget(conn);
    let walked: Vec<i32> = in_order(walk_path(req), req.sort)
        .limit(budget)
        .load(conn)?;
    let more_walk = i64::try_from(walked.len()).unwrap_or(i64::MAX) >= budget;
    let mut ids = if walk_is_the_search(req) {
        walked
    } else {
        let q = matching(req, Plan::Walk).filter(certificates::id.eq_any(walked));
        sorted_here(conn, q, req)?
    };
    let capped = more_walk || ids.len() > max;
    ids.truncate(max);
    Ok(Listing { ids, capped })
}

/// The rows a walk in the sort order reads: the whole order, or the certificates of one stored
/// status, or of one grade in the grade order, which an index holds in that order.
fn walk_path(req: &SearchRequest) -> Ids<'_> {
    let mut q = certificates::table.into_boxed();
    match (walk_status(&req.filters), req.filters.stars) {
        (Some(status), _) => q = q.filter(certificates::status.eq(status)),
        (None, Some(grade)) if matches!(req.sort, SortOrder::Grade | SortOrder::Best) => {
            q = q.filter(certificates::grade.eq(i16::from(grade.stars())));
        }
        _ => {}
    }
    q.select(certificates::id)
}

/// Every certificate of the walk matches: no text, and no filter but the one the walk follows.
fn walk_is_the_search(req: &SearchRequest) -> bool {
    let f = &req.filters;
    let others = f.province_code.is_none() && f.platform_type.is_none() && f.scheme_slug.is_none();
    let followed = match (walk_status(f), f.stars) {
        (None, None) => f.status.is_none(),
        // A suspended certificate past its expiry date is expired.
        (Some(s), None) => s != CertificateStatus::Suspended,
        (None, Some(_)) => req.sort == SortOrder::Grade && f.status.is_none(),
        (Some(_), Some(_)) => false,
    };
    req.matcher == Matcher::All && others && followed
}

/// A status filter whose stored status leaves few certificates to walk: revoked, cancelled and
/// suspended certificates have an index of their own in every order (`certificates_status_*`;
/// a stored suspension past its expiry date is then checked row by row). Valid certificates are
/// most of the registry, and expired ones are also those stored valid past their date.
fn walk_status(filters: &SearchFilters) -> Option<CertificateStatus> {
    filters.status.filter(|s| {
        matches!(
            s,
            CertificateStatus::Revoked
                | CertificateStatus::Cancelled
                | CertificateStatus::Suspended
        )
    })
}

/// The fewest rows an index reaches for one of the search's filters or words, counted up to
/// just past [`SORTED_BUDGET`]: what gathering the matches through that index and sorting
/// them costs. A word's postings are such an index unless it is broad.
fn gathered_rows(conn: &mut DbConnection, req: &SearchRequest) -> QueryResult<i64> {
    let over = SORTED_BUDGET + 1;
    let mut fewest = match req.matcher {
        // A number, a credit code or a host names a few certificates at most.
        Matcher::Number(_)
        | Matcher::CreditCode(_)
        | Matcher::Domain { .. }
        | Matcher::TooShort => return Ok(0),
        // Its rarest token has at most BROAD_POSTINGS postings.
        Matcher::Name { broad: false, .. } => {
            i64::try_from(super::search::BROAD_POSTINGS).unwrap_or(i64::MAX)
        }
        Matcher::Name { broad: true, .. } | Matcher::All => i64::MAX,
    };
    let f = &req.filters;
    let today: NaiveDate = req.today;
    // Each count walks its index in order, which stops at the limit (a bitmap of every row of
    // the filter, PostgreSQL's choice otherwise, does not).
    // The grade is in each of those indexes: PostgreSQL reads the index alone (the id is not
    // in the province's, and fetching 3,691 rows for it cost 17 ms).
    let counted = |conn: &mut DbConnection, q: Boxed<'_>| -> QueryResult<i64> {
        let rows: Vec<i16> = q.select(certificates::grade).limit(over).load(conn)?;
        Ok(i64::try_from(rows.len()).unwrap_or(i64::MAX))
    };
    if let Some(grade) = f.stars {
        let q = certificates::table
            .into_boxed()
            .filter(certificates::grade.eq(i16::from(grade.stars())))
            .order_by(certificates::score.desc());
        fewest = fewest.min(counted(conn, q)?);
    }
    if let Some(status) = f.status {
        let q = certificates::table
            .into_boxed()
            .filter(has_effective_status(status, today))
            .order_by(certificates::expires_on.asc());
        fewest = fewest.min(counted(conn, q)?);
    }
    if let Some(code) = &f.province_code {
        let q = certificates::table
            .into_boxed()
            .filter(certificates::province_code.eq(code))
            .order_by(certificates::status.asc());
        fewest = fewest.min(counted(conn, q)?);
    }
    if let Some(slug) = &f.scheme_slug {
        let ids = super::schema::scheme_versions::table
            .select(super::schema::scheme_versions::id)
            .filter(super::schema::scheme_versions::slug.eq(slug));
        let rows: Vec<i32> = certificates::table
            .filter(certificates::scheme_version_id.eq_any(ids))
            .select(certificates::scheme_version_id)
            .limit(over)
            .load(conn)?;
        fewest = fewest.min(i64::try_from(rows.len()).unwrap_or(i64::MAX));
    }
    // The platform type has no index of its own: it narrows rows other indexes reach.
    Ok(fewest)
}

/// What orders each row of `q` within a best-match band, on `today`.
pub(super) fn ranks(
    conn: &mut DbConnection,
    q: Boxed<'_>,
    today: NaiveDate,
) -> QueryResult<Vec<RankInBand>> {
    Ok(q.select((
        certificates::id,
        certificates::status,
        certificates::expires_on,
        certificates::grade,
        certificates::score,
    ))
    .load::<(i32, CertificateStatus, NaiveDate, i16, f64)>(conn)?
    .into_iter()
    .map(|(id, status, expires_on, grade, score)| {
        RankInBand::of(id, status, expires_on, grade, score, today)
    })
    .collect())
}

/// The ids of every row of `q` with its sort key, sorted here as the SQL order would (text
/// byte-wise: SQLite's default and PostgreSQL's `COLLATE "C"` of `sort_name`).
fn sorted_here(
    conn: &mut DbConnection,
    q: Boxed<'_>,
    req: &SearchRequest,
) -> QueryResult<Vec<i32>> {
    Ok(match req.sort {
        SortOrder::Best => {
            let mut rows = ranks(conn, q, req.today)?;
            rows.sort_by(RankInBand::cmp_listed);
            rows.into_iter().map(|r| r.id).collect()
        }
        SortOrder::Grade => {
            let mut rows: Vec<(i32, i16, f64)> = q
                .select((certificates::id, certificates::grade, certificates::score))
                .load(conn)?;
            rows.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0)));
            rows.into_iter().map(|r| r.0).collect()
        }
        SortOrder::Name => {
            let mut rows: Vec<(i32, String)> = q
                .select((certificates::id, certificates::sort_name))
                .load(conn)?;
            rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            rows.into_iter().map(|r| r.0).collect()
        }
        SortOrder::Newest => {
            let mut rows: Vec<(i32, NaiveDate)> = q
                .select((certificates::id, certificates::issued_on))
                .load(conn)?;
            rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            rows.into_iter().map(|r| r.0).collect()
        }
        SortOrder::Expiry => {
            let mut rows: Vec<(i32, NaiveDate)> = q
                .select((certificates::id, certificates::expires_on))
                .load(conn)?;
            rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            rows.into_iter().map(|r| r.0).collect()
        }
    })
}
