//! A page of a search in the requested order, at a bounded cost at any listed depth (up to
//! `search::MAX_LISTED`), on both backends. Left to themselves the planners gather every row of
//! a filter's index and sort them (SQLite 3.50: 0.3–1.5 s for `type=cross-border` at 1,000,000)
//! or walk the sort order past a rare match; so the page is put in order one of three ways,
//! chosen by how many certificates match:
//! - at most `MAX_LISTED`: their ids are already known, and only they are sorted;
//! - more, and many of them (judged on a window of the newest certificates): walk the index of
//!   the sort order and check each row until the page is full — for a broad word at least
//!   [`WALK_DENSITY`] of the rows walked match, so at most `MAX_LISTED / WALK_DENSITY` rows;
//! - more, but not so many: read every match's id and sort key (at most [`SORTED_HERE_MAX`])
//!   through the narrowest index and sort them here.
//!
//! What stays slow is a broad word together with a filter that is common on its own but rare
//! with the word (优选 on cross-border platforms): every row of one of them is checked.
//!
//! Measured in docs/PERFORMANCE.md, "Search at any depth".

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::certificates;
use super::search::{matching, Boxed, Matcher, Plan, SearchRequest, SortOrder};
use super::DbConnection;

/// How many of the newest certificates are checked to tell common matches from rare ones.
const SAMPLE_WINDOW: i32 = 2_000;
/// Matches at least this common are found by walking the sort order: the deepest listed page
/// then reads at most `MAX_LISTED / WALK_DENSITY` (about 33,000) index entries. Rarer ones are
/// at most about 30,000 rows at 1,000,000 certificates, read and sorted here.
const WALK_DENSITY: f64 = 0.03;
/// The most matches read and sorted here; past it (the window misjudged them) the sort order
/// is walked after all.
const SORTED_HERE_MAX: i64 = 100_000;

type Ids<'a> = diesel::dsl::Select<Boxed<'a>, certificates::id>;

fn in_order(q: Ids<'_>, sort: SortOrder) -> Ids<'_> {
    let q = match sort {
        SortOrder::Grade => q
            .order_by(certificates::grade.desc())
            .then_order_by(certificates::score.desc()),
        SortOrder::Name => q.order_by(certificates::sort_name.asc()),
        SortOrder::Newest => q.order_by(certificates::issued_on.desc()),
        SortOrder::Expiry => q.order_by(certificates::expires_on.asc()),
    };
    q.then_order_by(certificates::id.asc())
}

/// The page of these (at most `MAX_LISTED`) certificates, in order.
pub(super) fn page_of(
    conn: &mut DbConnection,
    found: Vec<i32>,
    sort: SortOrder,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<i32>> {
    let q = certificates::table
        .into_boxed()
        .filter(certificates::id.eq_any(found))
        .select(certificates::id);
    in_order(q, sort).limit(limit).offset(offset).load(conn)
}

/// The page of a search with more than `MAX_LISTED` matches.
pub(super) fn deep_page(
    conn: &mut DbConnection,
    req: &SearchRequest,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<i32>> {
    let sample = sample(conn, req)?;
    let broad = matches!(req.matcher, Matcher::Name { broad: true, .. });
    // A broad word is checked row by row (an index probe each) however the rows are reached:
    // walking is cheapest unless the matches are rare where the walk goes. Anything else is
    // read through its own index at a fraction of that cost per row, so it is read whole
    // unless there are many matches.
    let walk = if broad {
        sample.share_where_walked >= WALK_DENSITY
    } else {
        sample.estimated_matches > SORTED_HERE_MAX as f64
    };
    if !walk {
        if let Some(ids) = sorted_here(conn, req, offset, limit)? {
            return Ok(ids);
        }
    }
    in_order(matching(req, Plan::Walk).select(certificates::id), req.sort)
        .limit(limit)
        .offset(offset)
        .load(conn)
}

/// What a window of the newest [`SAMPLE_WINDOW`] certificates says about the matches.
struct Sample {
    /// The share of the window that matches, times the size of the registry.
    estimated_matches: f64,
    /// The share of the rows a walk in the sort order reads that match: in the grade order, a
    /// grade filter confines the walk to that grade.
    share_where_walked: f64,
}

/// Counts the matches in the window, reading it by id range only.
fn sample(conn: &mut DbConnection, req: &SearchRequest) -> QueryResult<Sample> {
    let newest: Option<i32> = certificates::table
        .select(diesel::dsl::max(certificates::id))
        .first(conn)?;
    let Some(newest) = newest else {
        return Ok(Sample {
            estimated_matches: 0.0,
            share_where_walked: 0.0,
        });
    };
    let floor = newest.saturating_sub(SAMPLE_WINDOW);
    let in_window = || certificates::table.filter(certificates::id.gt(floor));
    let window: i64 = in_window().count().get_result(conn)?;
    let walked: i64 = match req.filters.stars {
        Some(grade) if req.sort == SortOrder::Grade => in_window()
            .filter((certificates::grade + 0).eq(i16::from(grade.stars())))
            .count()
            .get_result(conn)?,
        _ => window,
    };
    let matches: i64 = matching(req, Plan::Walk)
        .filter(certificates::id.gt(floor))
        .count()
        .get_result(conn)?;
    let share = matches as f64 / window.max(1) as f64;
    // Ids are handed out in turn and certificates are not deleted: the newest id is about the
    // size of the registry, without counting it.
    Ok(Sample {
        estimated_matches: share * f64::from(newest),
        share_where_walked: matches as f64 / walked.max(1) as f64,
    })
}

/// Every match's id and sort key, sorted here as the SQL order would (text byte-wise: SQLite's
/// default and PostgreSQL's `COLLATE "C"` of `sort_name`); `None` past [`SORTED_HERE_MAX`].
fn sorted_here(
    conn: &mut DbConnection,
    req: &SearchRequest,
    offset: i64,
    limit: i64,
) -> QueryResult<Option<Vec<i32>>> {
    let q = || matching(req, Plan::Free).limit(SORTED_HERE_MAX + 1);
    let too_many = |n: usize| i64::try_from(n).unwrap_or(i64::MAX) > SORTED_HERE_MAX;
    let ids: Vec<i32> = match req.sort {
        SortOrder::Grade => {
            let mut rows: Vec<(i32, i16, f64)> = q()
                .select((certificates::id, certificates::grade, certificates::score))
                .load(conn)?;
            if too_many(rows.len()) {
                return Ok(None);
            }
            rows.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0)));
            rows.into_iter().map(|r| r.0).collect()
        }
        SortOrder::Name => {
            let mut rows: Vec<(i32, String)> = q()
                .select((certificates::id, certificates::sort_name))
                .load(conn)?;
            if too_many(rows.len()) {
                return Ok(None);
            }
            rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            rows.into_iter().map(|r| r.0).collect()
        }
        SortOrder::Newest | SortOrder::Expiry => {
            let newest = req.sort == SortOrder::Newest;
            let mut rows: Vec<(i32, NaiveDate)> = if newest {
                q().select((certificates::id, certificates::issued_on))
                    .load(conn)?
            } else {
                q().select((certificates::id, certificates::expires_on))
                    .load(conn)?
            };
            if too_many(rows.len()) {
                return Ok(None);
            }
            if newest {
                rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            } else {
                rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            }
            rows.into_iter().map(|r| r.0).collect()
        }
    };
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(0);
    Ok(Some(ids.into_iter().skip(skip).take(take).collect()))
}
