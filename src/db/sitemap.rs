//! What the sitemaps list: certificates and companies in ranges of ids, so a registry of a
//! million certificates is read one file (one range) at a time through the primary key.
//!
//! Sitemap file `n` (from 1) of a table holds the rows whose id is in `((n-1)·size, n·size]`:
//! never more than `size` URLs, and a file keeps its URLs as rows are added after it.

use chrono::NaiveDateTime;
use diesel::dsl::{max, min};
use diesel::prelude::*;

use super::schema::*;
use super::DbConnection;

/// A non-empty sitemap file: its number and, for certificates, the latest change in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapRange {
    pub n: i64,
    pub lastmod: Option<NaiveDateTime>,
}

/// The bounds `(lo, hi]` of range `n`.
fn bounds(n: i64, size: i64) -> (i64, i64) {
    ((n - 1) * size, n * size)
}

/// The range holding `id`.
fn range_of(id: i64, size: i64) -> i64 {
    (id - 1).div_euclid(size) + 1
}

fn id_bounds(n: i64, size: i64) -> (i32, i32) {
    let (lo, hi) = bounds(n, size);
    let clamp = |v: i64| i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX });
    (clamp(lo), clamp(hi))
}

/// The non-empty certificate ranges, with the latest `updated_at` of each. Jumps from one
/// non-empty range to the next with the primary key, so gaps in ids cost nothing.
pub fn certificate_ranges(conn: &mut DbConnection, size: i64) -> QueryResult<Vec<SitemapRange>> {
    let mut ranges = Vec::new();
    let mut next: Option<i32> = certificates::table
        .select(min(certificates::id))
        .first(conn)?;
    while let Some(id) = next {
        let n = range_of(i64::from(id), size);
        let (lo, hi) = id_bounds(n, size);
        let lastmod: Option<NaiveDateTime> = certificates::table
            .filter(certificates::id.gt(lo).and(certificates::id.le(hi)))
            .select(max(certificates::updated_at))
            .first(conn)?;
        ranges.push(SitemapRange { n, lastmod });
        next = certificates::table
            .filter(certificates::id.gt(hi))
            .select(min(certificates::id))
            .first(conn)?;
    }
    Ok(ranges)
}

/// The non-empty company ranges (companies keep no change date).
pub fn company_ranges(conn: &mut DbConnection, size: i64) -> QueryResult<Vec<SitemapRange>> {
    let mut ranges = Vec::new();
    let mut next: Option<i32> = companies::table.select(min(companies::id)).first(conn)?;
    while let Some(id) = next {
        let n = range_of(i64::from(id), size);
        let (_, hi) = id_bounds(n, size);
        ranges.push(SitemapRange { n, lastmod: None });
        next = companies::table
            .filter(companies::id.gt(hi))
            .select(min(companies::id))
            .first(conn)?;
    }
    Ok(ranges)
}

/// The certificates of range `n`: number and last change, by id.
pub fn certificates_in(
    conn: &mut DbConnection,
    n: i64,
    size: i64,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    let (lo, hi) = id_bounds(n, size);
    certificates::table
        .filter(certificates::id.gt(lo).and(certificates::id.le(hi)))
        .order_by(certificates::id.asc())
        .select((certificates::number, certificates::updated_at))
        .load(conn)
}

/// The credit codes of the companies of range `n`, by id.
pub fn companies_in(conn: &mut DbConnection, n: i64, size: i64) -> QueryResult<Vec<String>> {
    let (lo, hi) = id_bounds(n, size);
    companies::table
        .filter(companies::id.gt(lo).and(companies::id.le(hi)))
        .order_by(companies::id.asc())
        .select(companies::credit_code)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_ids_once() {
        assert_eq!(bounds(1, 10), (0, 10));
        assert_eq!(range_of(1, 10), 1);
        assert_eq!(range_of(10, 10), 1);
        assert_eq!(range_of(11, 10), 2);
        for id in 1..100 {
            let (lo, hi) = bounds(range_of(id, 7), 7);
            assert!(lo < id && id <= hi);
        }
    }
}
