//! Search results kept until the registry changes: the same query (the search page's and the
//! API's alike) on the same day is answered from memory, and another page of it is cut from
//! the same listing. People search for the same few
//! platforms; a search at 1,000,000 certificates costs 1–25 ms of database work, a hit a
//! microsecond. Bounded by weight like every cache (distinct queries evict each other, least
//! recently used first).

use std::sync::Arc;

use chrono::NaiveDate;

use super::search::{run, SearchParams};
use crate::db::search::{self, Listing, Matcher, SearchPage};
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

/// A search's listing (every page of it): what the text was understood as and the ids.
#[derive(Debug)]
struct Listed {
    matcher: Matcher,
    listing: Listing,
}

impl Weighed for Arc<Listed> {
    fn weight(&self) -> u64 {
        256 + 4 * self.listing.ids.len() as u64
    }
}

/// The kept results: pages (up to 10,000, 32 MB), and the listings they are cut from (up to
/// 10,000, 16 MB), so that the next page of a search costs one read of 20 rows.
pub struct SearchCache {
    pages: RenderCache<SearchKey, Arc<Found>>,
    listings: RenderCache<SearchKey, Arc<Listed>>,
}

impl Default for SearchCache {
    fn default() -> Self {
        SearchCache {
            pages: RenderCache::new("search_pages", 10_000, 32 << 20),
            listings: RenderCache::new("search_listings", 10_000, 16 << 20),
        }
    }
}

impl FeatureState for SearchCache {
    fn registry_changed(&self) {
        self.pages.clear();
        self.listings.clear();
    }

    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        vec![self.pages.stats(), self.listings.stats()]
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
    let kept = state.feature::<SearchCache>();
    let cache: &SearchCache = &kept;
    let key = SearchKey {
        query: params.href_for_page(params.page),
        per_page,
        today,
    };
    let (page, params) = (params.page, params.clone());
    cache
        .pages
        .get_or_render(&state.revision, &key, || async move {
            let listed = listed(state, cache, &params, today).await?;
            let matcher = listed.matcher.clone();
            let page = state
                .db(move |conn| Ok(search::page_of(conn, &listed.listing, page, per_page)?))
                .await?;
            Ok(Arc::new(Found { matcher, page }))
        })
        .await
}

/// The listing of `params` whatever its page: kept, or listed once.
async fn listed(
    state: &AppState,
    cache: &SearchCache,
    params: &SearchParams,
    today: NaiveDate,
) -> Result<Arc<Listed>, AppError> {
    let key = SearchKey {
        query: params.href_for_page(1),
        per_page: 0,
        today,
    };
    let params = params.clone();
    cache
        .listings
        .get_or_render(&state.revision, &key, || async move {
            let (matcher, listing) = state.db(move |conn| run(conn, &params, today)).await?;
            Ok(Arc::new(Listed { matcher, listing }))
        })
        .await
}
