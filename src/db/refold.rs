//! Keeps the stored search text and name keys in step with how names are folded now
//! (`domain::search_text`, `domain::best_match`): when the folding changes (traditional Chinese
//! written as simplified, say, or a new key), the certificates whose text or keys it changes
//! are re-indexed once, at start-up, and the registry's metadata records the folding they are
//! indexed with.

use diesel::prelude::*;

use super::models::NewPinyinKey;
use super::models::{Company, Platform};
use super::schema::{
    certificates, companies, pinyin_keys, platform_domains, platforms, registry_meta,
};
use super::write::{
    bump_revision, insert_batch, name_keys_set, pinyin_rows, reindex_certificates, set_meta,
    stored_text, write_transaction,
};
use super::DbConnection;
use crate::domain::best_match::NameKeys;
use crate::domain::lookalike::site_key_of_host;
use crate::domain::search_text;

/// A certificate as stored: its id, search text and name keys, company and platform.
type Stored = (i32, String, (String, String, String), Company, Platform);

/// The folding the index is built with; raise it with every change to `search_text`'s folding.
/// 1: NFKC and lower case; 2: and traditional Chinese as simplified; 3: and the name keys of
/// the best-match order; 4: and the site keys of bound domains (`domain::lookalike`); 5: and
/// the pinyin spellings (`domain::pinyin`).
pub const FOLDING: &str = "5";
/// Pinyin rows per insert statement (two bound values each).
const SPELLINGS_PER_INSERT: usize = 2_000;
const META_KEY: &str = "search_folding";
/// Certificates read per step.
const BATCH: i64 = 5_000;

/// Re-indexes the certificates whose search text the current folding changes, unless the
/// registry says it is already indexed with it; returns how many were re-indexed. Run by
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
                (
                    certificates::platform_name_key,
                    certificates::company_name_key,
                    certificates::company_brand_key,
                ),
                Company::as_select(),
                Platform::as_select(),
            ))
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        // A changed text needs new tokens; changed keys alone are one update of the row.
        // Pinyin spellings follow the name keys: written anew for every certificate here
        // (those re-indexed get theirs from `reindex_certificates`).
        let mut retext: Vec<i32> = Vec::new();
        let mut rekey: Vec<(i32, NameKeys)> = Vec::new();
        let mut spellings: Vec<NewPinyinKey> = Vec::new();
        let mut respelled: Vec<i32> = Vec::new();
        for (id, stored, (platform_key, company_key, brand_key), company, platform) in &rows {
            if search_text::normalize(&stored_text(company, platform)) != *stored {
                retext.push(*id);
                continue;
            }
            let keys = NameKeys::of(&platform.name, &company.name_zh);
            spellings.extend(pinyin_rows(&keys, *id));
            respelled.push(*id);
            if (&keys.platform, &keys.company, &keys.company_brand)
                != (platform_key, company_key, brand_key)
            {
                rekey.push((*id, keys));
            }
        }
        write_transaction(conn, |conn| {
            if !retext.is_empty() {
                reindex_certificates(conn, &retext)?;
            }
            for (id, keys) in &rekey {
                diesel::update(certificates::table.find(id))
                    .set(name_keys_set(keys))
                    .execute(conn)?;
            }
            diesel::delete(
                pinyin_keys::table.filter(pinyin_keys::certificate_id.eq_any(&respelled)),
            )
            .execute(conn)?;
            for chunk in spellings.chunks(SPELLINGS_PER_INSERT) {
                insert_batch!(conn, pinyin_keys::table, chunk)?;
            }
            QueryResult::Ok(())
        })?;
        changed_total += retext.len() + rekey.len();
    }
    changed_total += rekey_domains(conn)?;
    write_transaction(conn, bump_revision)?;
    // The planners' statistics of the rewritten columns were taken before (a new key column
    // is all empty when its migration runs): left so, SQLite read every bound domain to find
    // one site key (2.5 s at 1,000,000).
    diesel::sql_query("ANALYZE certificates").execute(conn)?;
    diesel::sql_query("ANALYZE platform_domains").execute(conn)?;
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
