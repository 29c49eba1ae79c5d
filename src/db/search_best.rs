//! The best-match listing of a name search (`domain::best_match`): the certificates whose
//! platform or company is named exactly as asked, then those whose name starts with it; then
//! every other match as `search_order` lists them (in force first, then by grade, within what
//! its bounded walk reads).
//!
//! Both name bands are one range `[q, q + U+10FFFF]` of the narrow `name_keys` table (a row
//! per distinct name key of a certificate), read in key order, so the exact names (equal to
//! `q`, the start of the range) are always read; a range holding more than [`SORTED_BUDGET`]
//! keys is read that far and the listing says more may match. Then the certificates read are
//! filtered and ranked by their primary key. A query in Latin letters also lists, after every character match, the
//! certificates it spells in pinyin (`domain::pinyin`: `jingdong`, `jd` → 京东). Measured in
//! docs/PERFORMANCE.md, "Best match first".

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::schema::{certificates, name_keys, pinyin_keys};
use super::search::{filtered, Listing, Plan, SearchFilters, SearchRequest, MAX_LISTED};
use super::search_order::SORTED_BUDGET;
use super::DbConnection;
use crate::domain::best_match::{MatchBand, RankInBand};
use crate::domain::pinyin::may_be_pinyin;

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

/// The certificates of the exact and prefix bands, in listing order, and whether the range
/// held more keys than were read.
fn named_bands(
    conn: &mut DbConnection,
    req: &SearchRequest,
    normalized: &str,
) -> QueryResult<(Vec<i32>, bool)> {
    if normalized.is_empty() {
        return Ok((Vec::new(), false));
    }
    let upper = format!("{normalized}\u{10FFFF}");
    let filtering = req.filters != SearchFilters::default();
    let mut kept: Vec<(String, i32)> = Vec::new();
    let mut ranks: HashMap<i32, RankInBand> = HashMap::new();
    let mut after: Option<(String, i32)> = None;
    let mut read: i64 = 0;
    // Read in key order, so the exact names (the start of the range) are always read; with
    // filters, chunk after chunk until a budget's worth pass them (or [`FILTERED_KEYS`] were
    // read), so that a common prefix and a narrow filter still fill the band.
    let capped = loop {
        let mut q = name_keys::table
            .filter(name_keys::name_key.between(normalized, &upper))
            .select((name_keys::name_key, name_keys::certificate_id))
            .order_by((name_keys::name_key, name_keys::certificate_id))
            .limit(SORTED_BUDGET + 1)
            .into_boxed::<super::Db>();
        if let Some((key, id)) = after.take() {
            q = q.filter(
                name_keys::name_key.gt(key.clone()).or(name_keys::name_key
                    .eq(key)
                    .and(name_keys::certificate_id.gt(id))),
            );
        }
        let chunk: Vec<(String, i32)> = q.load(conn)?;
        read += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
        let more = i64::try_from(chunk.len()).unwrap_or(i64::MAX) > SORTED_BUDGET;
        after = chunk.last().cloned();
        // The certificates of this chunk that pass the filters, with what they are ranked by.
        ranks.extend(ranks_of(conn, req, &chunk)?);
        kept.extend(chunk.into_iter().filter(|(_, id)| ranks.contains_key(id)));
        let full = i64::try_from(ranks.len()).unwrap_or(i64::MAX) > SORTED_BUDGET;
        if !more || !filtering || full || read >= FILTERED_KEYS {
            break more;
        }
    };
    Ok((ordered_by_band(normalized, &kept, &ranks), capped))
}

/// The most name keys a filtered search reads for its bands: three chunks, each filtered and
/// ranked by a query of its own (at 1,000,000 on SQLite a city name with a province that holds none of
/// its companies, `北京` in 650000, costs about 100 ms on first request; docs/PERFORMANCE.md).
const FILTERED_KEYS: i64 = 3 * (SORTED_BUDGET + 1);

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
    let ranks = ranks_of(conn, req, &spelled)?;
    Ok((ordered_by_band(normalized, &spelled, &ranks), capped))
}

/// The certificates of `keyed` (a key each starts with the query, and its certificate) that
/// pass the search's filters, with what they are ranked by: one read of the certificates.
fn ranks_of(
    conn: &mut DbConnection,
    req: &SearchRequest,
    keyed: &[(String, i32)],
) -> QueryResult<HashMap<i32, RankInBand>> {
    let ids: HashSet<i32> = keyed.iter().map(|(_, id)| *id).collect();
    let q = filtered(certificates::table.into_boxed(), req, Plan::Walk)
        .filter(certificates::id.eq_any(ids.into_iter().collect::<Vec<_>>()));
    Ok(super::search_order::ranks(conn, q, req.today)?
        .into_iter()
        .map(|rank| (rank.id, rank))
        .collect())
}

/// The certificates of `keyed` that are in `ranks` (those passing the filters): those with a
/// key equal to the query first, then the others, each band in force first, then by grade
/// (`RankInBand`).
fn ordered_by_band(
    normalized: &str,
    keyed: &[(String, i32)],
    ranks: &HashMap<i32, RankInBand>,
) -> Vec<i32> {
    let mut bands: HashMap<i32, MatchBand> = HashMap::with_capacity(ranks.len());
    for (key, id) in keyed.iter().filter(|(_, id)| ranks.contains_key(id)) {
        let band = MatchBand::of_key(key, normalized);
        bands
            .entry(*id)
            .and_modify(|b| *b = (*b).min(band))
            .or_insert(band);
    }
    let mut ranked: Vec<(MatchBand, &RankInBand)> =
        bands.iter().map(|(id, band)| (*band, &ranks[id])).collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp_listed(b.1)));
    ranked.into_iter().map(|(_, r)| r.id).collect()
}
