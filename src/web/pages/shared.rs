//! Pages everyone sees alike until the registry changes (the home page, the downloads page):
//! rendered once per registry revision, language and day, kept with their compressed forms,
//! and served from memory. Only the plain URL (with at most `lang`) is kept.

use std::future::Future;
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::{compressed_html, render_compressed};
use crate::error::AppError;
use crate::web::compression::Compressed;
use crate::web::i18n::Lang;
use crate::web::query::Query;
use crate::web::render_cache::{RenderCache, Weighed, KEY_OVERHEAD};
use crate::web::state::FeatureState;
use crate::web::AppState;

/// What a shared page depends on besides the revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SharedKey {
    /// Which page (`"home"`, `"downloads"`).
    pub page: &'static str,
    pub lang: Lang,
    pub today: NaiveDate,
    pub demo: bool,
}

impl Weighed for SharedKey {
    fn weight(&self) -> u64 {
        KEY_OVERHEAD
    }
}

impl Weighed for Arc<Compressed> {
    fn weight(&self) -> u64 {
        self.len() as u64 + 64
    }
}

/// The rendered shared pages (a few dozen, 30 KB each with their compressed forms).
pub struct SharedPages(RenderCache<SharedKey, Arc<Compressed>>);

impl Default for SharedPages {
    fn default() -> Self {
        SharedPages(RenderCache::new("shared_pages", 64, 4 << 20))
    }
}

impl FeatureState for SharedPages {
    fn registry_changed(&self) {
        self.0.clear();
    }

    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        vec![self.0.stats()]
    }
}

/// Serves the shared page `page` from memory, or renders it with `render` (once, however many
/// readers ask meanwhile). `render` reads what the page shows and returns the template.
pub async fn serve<T, F, Fut>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    page: &'static str,
    lang: Lang,
    render: F,
) -> Result<HttpResponse, AppError>
where
    T: Template + Send + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let key = SharedKey {
        page,
        lang,
        today: state.today(),
        demo: state.is_demo().await,
    };
    state.sync_revision().await;
    let render = |keep| async move {
        let template = render().await?;
        let html = state
            .cpu(move || render_compressed(&template, keep))
            .await?;
        Ok::<_, AppError>(Arc::new(html))
    };
    if !Query::of(req).only_lang() {
        // Other parameters (tracking tags) change the page's links: rendered, not kept.
        let page = render(false).await?;
        return Ok(compressed_html(req, &page));
    }
    let cache = state.feature::<SharedPages>();
    let html = match cache.0.get(&state.revision, &key) {
        Some(html) => html,
        None => {
            cache
                .0
                .get_or_render(&state.revision, &key, || render(true))
                .await?
        }
    };
    Ok(compressed_html(req, &html))
}
