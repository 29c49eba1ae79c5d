//! The best-match listing of a name search (`domain::best_match`): the certificates whose
//! platform or company is named exactly as asked, then those whose name starts with it, each
//! read through the index of its name key; then every other match as `search_order` lists
//! them (in force first, then by grade, within what its bounded walk reads).
//!
//! Every name band is a range `[q, q + U+10FFFF]` of one of three indexed keys, read in key
//! order, so the exact names (equal to `q`, the start of the range) always come first; a
//! range holding more than [`SORTED_BUDGET`] certificates is read that far and the listing
//! says more may match. A query in Latin letters also lists, after every character match, the
//! certificates it spells in pinyin (`domain::pinyin`: `jingdong`, `jd` → 京东). Measured in
//! docs/PERFORMANCE.md, "Best match first".

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{certificates, pinyin_keys};
use super::search::{filtered, Listing, Plan, SearchRequest, MAX_LISTED};
use super::search_order::SORTED_BUDGET;
use super::DbConnection;
use crate::domain::best_match::{MatchBand, NameKeys, RankInBand};
use crate::domain::pinyin::may_be_pinyin;
use crate::domain::status::CertificateStatus;

/// A row of a name band with what it is ordered by.
type BandRow = (
    i32,
    String,
    String,
    String,
    CertificateStatus,
    NaiveDate,
    i16,
    f64,
);

/// Lists a name search in the best-match order; `normalized` is the query as the search folds
/// it.
pub(super) fn listing(
    conn: &mut DbConnection,
    req: &SearchRequest,
    normalized: &str,
) -> QueryResult<Listing> {
    let (named, named_capped) = named_bands(conn, req, normalized)?;
    let others = super::search_order::listing(conn, req)?;
    let (spelled, spelled_capped) = if may_be_pinyin(normalized) {
        pinyin_band(conn, req, normalized)?
    } else {
        (Vec::new(), false)
    };
    let mut listed: HashSet<i32> = HashSet::new();
    let mut ids = Vec::new();
    for id in named.into_iter().chain(others.ids).chain(spelled) {
        if listed.insert(id) {
            ids.push(id);
        }
    }
    let max = usize::try_from(MAX_LISTED).unwrap_or(usize::MAX);
    let capped = named_capped || others.capped || spelled_capped || ids.len() > max;
    ids.truncate(max);
    Ok(Listing { ids, capped })
}

/// The certificates of the exact and prefix bands, in listing order, and whether a band had
/// more rows than were read.
fn named_bands(
    conn: &mut DbConnection,
    req: &SearchRequest,
    normalized: &str,
) -> QueryResult<(Vec<i32>, bool)> {
    if normalized.is_empty() {
        return Ok((Vec::new(), false));
    }
    let upper = format!("{normalized}\u{10FFFF}");
    let mut seen: HashSet<i32> = HashSet::new();
    let mut ranked: Vec<(MatchBand, RankInBand)> = Vec::new();
    let mut capped = false;
    for key in NameKey::ALL {
        let rows = key.range(conn, req, normalized, &upper)?;
        capped |= i64::try_from(rows.len()).unwrap_or(i64::MAX) > SORTED_BUDGET;
        for (id, platform, company, company_brand, status, expires_on, grade, score) in rows {
            if !seen.insert(id) {
                continue;
            }
            let keys = NameKeys {
                platform,
                company,
                company_brand,
            };
            let band = keys.band(normalized);
            if band != MatchBand::Other {
                let rank = RankInBand::of(id, status, expires_on, grade, score, req.today);
                ranked.push((band, rank));
            }
        }
    }
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp_listed(&b.1)));
    Ok((ranked.into_iter().map(|(_, r)| r.id).collect(), capped))
}

/// The certificates a query in Latin letters spells in pinyin (`domain::pinyin`), after every
/// character match: those spelled exactly so first, then those whose spelling starts with
/// it, each in force first, then by grade; and whether more were spelled than read.
fn pinyin_band(
    conn: &mut DbConnection,
    req: &SearchRequest,
    normalized: &str,
) -> QueryResult<(Vec<i32>, bool)> {
    let upper = format!("{normalized}\u{10FFFF}");
    // Each spelled certificate is then read to check the filters and rank it: as many as a
    // walk of the sort order reads (PostgreSQL's heap reads cost about three times SQLite's;
    // with 6,000 the pinyin queries' p95 was 25 ms there at 1,000,000).
    let budget = super::search_order::walk_budget(conn);
    let spelled: Vec<(String, i32)> = pinyin_keys::table
        .filter(pinyin_keys::spelling.between(normalized, upper))
        .select((pinyin_keys::spelling, pinyin_keys::certificate_id))
        .order_by(pinyin_keys::spelling)
        .limit(budget + 1)
        .load(conn)?;
    let capped = i64::try_from(spelled.len()).unwrap_or(i64::MAX) > budget;
    let exact: HashSet<i32> = spelled
        .iter()
        .filter(|(s, _)| s == normalized)
        .map(|(_, id)| *id)
        .collect();
    let ids: Vec<i32> = spelled.iter().map(|(_, id)| *id).collect();
    let q = filtered(certificates::table.into_boxed(), req, Plan::Walk)
        .filter(certificates::id.eq_any(ids));
    let mut ranked: Vec<(bool, RankInBand)> = super::search_order::ranks(conn, q, req.today)?
        .into_iter()
        .map(|rank| (!exact.contains(&rank.id), rank))
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp_listed(&b.1)));
    Ok((ranked.into_iter().map(|(_, r)| r.id).collect(), capped))
}

/// One of the indexed name keys of a certificate.
#[derive(Debug, Clone, Copy)]
enum NameKey {
    Platform,
    Company,
    CompanyBrand,
}

impl NameKey {
    const ALL: [NameKey; 3] = [NameKey::Platform, NameKey::Company, NameKey::CompanyBrand];

    /// The certificates whose key is in `[from, to]` and that pass the search's filters, in key
    /// order, up to one past [`SORTED_BUDGET`]. The filters are written so that no index
    /// serves them: the key's index is the way in.
    fn range(
        self,
        conn: &mut DbConnection,
        req: &SearchRequest,
        from: &str,
        to: &str,
    ) -> QueryResult<Vec<BandRow>> {
        let q = filtered(certificates::table.into_boxed(), req, Plan::Walk);
        let (from, to) = (from.to_owned(), to.to_owned());
        let q = match self {
            NameKey::Platform => q
                .filter(certificates::platform_name_key.between(from, to))
                .order_by(certificates::platform_name_key),
            NameKey::Company => q
                .filter(certificates::company_name_key.between(from, to))
                .order_by(certificates::company_name_key),
            NameKey::CompanyBrand => q
                .filter(certificates::company_brand_key.between(from, to))
                .order_by(certificates::company_brand_key),
        };
        q.select((
            certificates::id,
            certificates::platform_name_key,
            certificates::company_name_key,
            certificates::company_brand_key,
            certificates::status,
            certificates::expires_on,
            certificates::grade,
            certificates::score,
        ))
        .limit(SORTED_BUDGET + 1)
        .load(conn)
    }
}
