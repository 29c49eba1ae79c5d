//! Search results kept until the registry changes: the same query (the search page's and the
//! API's alike) on the same day is answered from memory. People search for the same few
//! platforms; a search at 1,000,000 certificates costs 1–25 ms of database work, a hit a
//! microsecond. Bounded by weight like every cache (distinct queries evict each other, least
//! recently used first).

use std::sync::Arc;

use chrono::NaiveDate;

use super::search::{run, SearchParams};
use crate::db::search::{Matcher, SearchPage};
use crate::error::AppError;
use crate::web::render_cache::{RenderCache, Weighed, KEY_OVERHEAD};
use crate::web::state::FeatureState;
use crate::web::AppState;

/// One search as asked: its normalised parameters, page size and day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SearchKey {
    /// `SearchParams::href_for_page` of the page asked for: one spelling per search.
    query: String,
    per_page: u32,
    today: NaiveDate,
}

impl Weighed for SearchKey {
    fn weight(&self) -> u64 {
        KEY_OVERHEAD + self.query.len() as u64
    }
}

/// What a search found.
#[derive(Debug)]
pub struct Found {
    pub matcher: Matcher,
    pub page: SearchPage,
}

impl Weighed for Arc<Found> {
    fn weight(&self) -> u64 {
        // A hit's strings (names, number, codes) are under 400 bytes.
        256 + 400 * self.page.hits.len() as u64
    }
}

/// The kept results (up to 10,000 pages, 32 MB).
pub struct SearchCache(RenderCache<SearchKey, Arc<Found>>);

impl Default for SearchCache {
    fn default() -> Self {
        SearchCache(RenderCache::new(10_000, 32 << 20))
    }
}

impl FeatureState for SearchCache {
    fn registry_changed(&self) {
        self.0.clear();
    }
}

/// The results of `params` (page size `per_page`, statuses on `today`): from memory, or
/// searched once however many readers ask meanwhile.
pub async fn find(
    state: &AppState,
    params: &SearchParams,
    per_page: u32,
    today: NaiveDate,
) -> Result<Arc<Found>, AppError> {
    state.sync_revision().await;
    let key = SearchKey {
        query: params.href_for_page(params.page),
        per_page,
        today,
    };
    let params = params.clone();
    state
        .feature::<SearchCache>()
        .0
        .get_or_render(&state.revision, &key, || async move {
            let (matcher, page) = state
                .db(move |conn| run(conn, &params, per_page, today))
                .await?;
            Ok(Arc::new(Found { matcher, page }))
        })
        .await
}
