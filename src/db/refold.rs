//! Keeps the stored search text in step with how names are folded now (`domain::search_text`):
//! when the folding changes (traditional Chinese written as simplified, say), the certificates
//! whose text it changes are re-indexed once, at start-up, and the registry's metadata records
//! the folding they are indexed with.

use diesel::prelude::*;

use super::models::{Company, Platform};
use super::schema::{certificates, companies, platforms, registry_meta};
use super::write::{bump_revision, joined_text, reindex_certificates, set_meta, write_transaction};
use super::DbConnection;
use crate::domain::search_text;

/// The folding the index is built with; raise it with every change to `search_text`'s folding.
/// 1: NFKC and lower case; 2: and traditional Chinese as simplified.
pub const FOLDING: &str = "2";
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
        let rows: Vec<(i32, String, Company, Platform)> = certificates::table
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
        let changed: Vec<i32> = rows
            .iter()
            .filter(|(_, stored, company, platform)| {
                let text = joined_text(
                    &company.name_zh,
                    company.name_en.as_deref(),
                    &platform.name,
                    &platform.app_names,
                );
                search_text::normalize(&text) != *stored
            })
            .map(|(id, ..)| *id)
            .collect();
        if !changed.is_empty() {
            write_transaction(conn, |conn| {
                reindex_certificates(conn, &changed)?;
                bump_revision(conn)
            })?;
            changed_total += changed.len();
        }
    }
    mark_current(conn)?;
    Ok(changed_total)
}

/// Records that the index is built with the current folding (a registry just filled by it).
pub fn mark_current(conn: &mut DbConnection) -> QueryResult<()> {
    set_meta(conn, META_KEY, FOLDING)
}
