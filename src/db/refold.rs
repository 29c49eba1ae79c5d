//! Keeps the stored search text and name keys in step with how names are folded now
//! (`domain::search_text`, `domain::best_match`): when the folding changes (traditional Chinese
//! written as simplified, say, or a new key), the certificates whose text or keys it changes
//! are re-indexed once, at start-up, and the registry's metadata records the folding they are
//! indexed with.

use diesel::prelude::*;

use super::models::{Company, Platform};
use super::schema::{certificates, companies, platform_domains, platforms, registry_meta};
use super::write::{
    bump_revision, reindex_certificates, set_meta, stored_text, write_transaction, KeyRows,
};
use super::DbConnection;
use crate::domain::best_match::NameKeys;
use crate::domain::lookalike::site_key_of_host;
use crate::domain::search_text;

/// A certificate as stored: its id, search text, company and platform.
type Stored = (i32, String, Company, Platform);

/// The folding the index is built with; raise it with every change to `search_text`'s folding.
/// 1: NFKC and lower case; 2: and traditional Chinese as simplified; 3: and the name keys of
/// the best-match order; 4: and the site keys of bound domains (`domain::lookalike`); 5: and
/// the pinyin spellings (`domain::pinyin`); 6: the name keys as rows of `name_keys`.
pub const FOLDING: &str = "6";
const META_KEY: &str = "search_folding";
/// Certificates read per step.
const BATCH: i64 = 5_000;

/// Re-indexes the certificates whose search text the current folding changes, unless the
/// registry says it is already indexed with it; returns how many certificates' search text
/// changed (every certificate's name keys and spellings are written anew). Run by
/// every instance at start-up: a second run finds nothing to do.
pub fn refold_if_needed(conn: &mut DbConnection) -> QueryResult<usize> {
    let stored: Option<String> = registry_meta::table
        .filter(registry_meta::key.eq(META_KEY))
        .select(registry_meta::value)
        .first(conn)
        .optional()?;
    if stored.as_deref() == Some(FOLDING) {
        return Ok(0);
    }
    // Reading every certificate's names: 12 s at 1,000,000 on SQLite, 25 s on PostgreSQL.
    tracing::info!(
        folding = FOLDING,
        "checking the search index against the current folding"
    );
    let mut changed_total = 0;
    let mut after = 0;
    loop {
        let rows: Vec<Stored> = certificates::table
            .inner_join(companies::table)
            .inner_join(platforms::table)
            .filter(certificates::id.gt(after))
            .order_by(certificates::id)
            .limit(BATCH)
            .select((
                certificates::id,
                certificates::search_text,
                Company::as_select(),
                Platform::as_select(),
            ))
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        // A changed text needs new tokens (`reindex_certificates` also writes its keys).
        // The name keys and pinyin spellings of the others are written anew here.
        let mut retext: Vec<i32> = Vec::new();
        let mut rekeyed: Vec<i32> = Vec::new();
        let mut key_rows = KeyRows::default();
        for (id, stored, company, platform) in &rows {
            if search_text::normalize(&stored_text(company, platform)) != *stored {
                retext.push(*id);
                continue;
            }
            key_rows.add(&NameKeys::of(&platform.name, &company.name_zh), *id);
            rekeyed.push(*id);
        }
        write_transaction(conn, |conn| {
            if !retext.is_empty() {
                reindex_certificates(conn, &retext)?;
            }
            KeyRows::delete_of(conn, &rekeyed)?;
            key_rows.insert(conn)
        })?;
        changed_total += retext.len();
    }
    changed_total += rekey_domains(conn)?;
    write_transaction(conn, bump_revision)?;
    // The planners' statistics of the rewritten columns were taken before (a new key column
    // is all empty when its migration runs): left so, SQLite read every bound domain to find
    // one site key (2.5 s at 1,000,000).
    diesel::sql_query("ANALYZE certificates").execute(conn)?;
    diesel::sql_query("ANALYZE platform_domains").execute(conn)?;
    diesel::sql_query("ANALYZE name_keys").execute(conn)?;
    diesel::sql_query("ANALYZE pinyin_keys").execute(conn)?;
    mark_current(conn)?;
    Ok(changed_total)
}

/// Brings the site keys of the bound domains in step; returns how many changed.
fn rekey_domains(conn: &mut DbConnection) -> QueryResult<usize> {
    let mut changed_total = 0;
    let mut after = 0;
    loop {
        let rows: Vec<(i32, String, String)> = platform_domains::table
            .filter(platform_domains::id.gt(after))
            .order_by(platform_domains::id)
            .limit(BATCH)
            .select((
                platform_domains::id,
                platform_domains::domain,
                platform_domains::site_key,
            ))
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        let changed: Vec<(i32, String)> = rows
            .into_iter()
            .filter_map(|(id, domain, stored)| {
                let key = site_key_of_host(&domain);
                (key != stored).then_some((id, key))
            })
            .collect();
        if !changed.is_empty() {
            write_transaction(conn, |conn| {
                for (id, key) in &changed {
                    diesel::update(platform_domains::table.find(id))
                        .set(platform_domains::site_key.eq(key))
                        .execute(conn)?;
                }
                QueryResult::Ok(())
            })?;
            changed_total += changed.len();
        }
    }
    Ok(changed_total)
}

/// Records that the index is built with the current folding (a registry just filled by it).
pub fn mark_current(conn: &mut DbConnection) -> QueryResult<()> {
    set_meta(conn, META_KEY, FOLDING)
}
