//! Documents about one thing — a certificate's embed kit, its printable copy and its API
//! document, a company's page — rendered once per registry revision, language and day, kept
//! with their compressed forms and served from memory, as the verification page is
//! (`pages::certificate`). Only the plain URL (with at most `lang`) is kept; a number or code
//! the registry does not hold is never kept (its render fails, and failures are not cached),
//! so made-up URLs cannot fill the cache.

use std::future::Future;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::certificate::{find_certificate, Miss, NotFoundPage};
use super::{compressed_html, render_compressed, render_with};
use crate::db::certificates::CertificateDetail;
use crate::error::AppError;
use crate::web::compression::Compressed;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::query::Query;
use crate::web::render_cache::{RenderCache, Weighed, KEY_OVERHEAD};
use crate::web::state::FeatureState;
use crate::web::AppState;

/// Which document about a thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// `/certificates/{number}/embed`.
    Embed,
    /// `/certificates/{number}/print`.
    Print,
    /// `/companies/{credit_code}`.
    Company,
    /// `/api/v1/certificates/{number}` (one language: the API carries both).
    ApiCertificate,
    /// `/search?…`: the id is the search's normalised URL (`SearchParams::href_for_page`).
    Search,
    /// `/api/v1/companies?…`: the id is the list's query as its links spell it.
    ApiCompanies,
}

/// What a kept document depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentKey {
    pub kind: DocumentKind,
    /// The certificate number or credit code, as found in the registry.
    pub id: String,
    pub lang: Lang,
    pub today: NaiveDate,
    pub demo: bool,
}

impl Weighed for DocumentKey {
    fn weight(&self) -> u64 {
        KEY_OVERHEAD + self.id.len() as u64
    }
}

/// The kept documents: an embed kit is ~40 KB with its compressed forms, the others less;
/// 96 MB at most, the least used dropped first.
pub struct Documents(RenderCache<DocumentKey, Arc<Compressed>, Miss>);

impl Default for Documents {
    fn default() -> Self {
        Documents(RenderCache::new("documents", 8_000, 96 << 20))
    }
}

impl FeatureState for Documents {
    fn registry_changed(&self) {
        self.0.clear();
    }

    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        vec![self.0.stats()]
    }
}

impl Documents {
    /// Documents held (for tests).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The document of `key`: from memory, or rendered by `render` (once, however many readers
/// ask meanwhile). `render(keep)` compresses what it renders when it is to be kept. `None`
/// when the registry holds no such thing.
pub async fn document<F, Fut>(
    req: &HttpRequest,
    state: &AppState,
    key: DocumentKey,
    render: F,
) -> Result<Option<Arc<Compressed>>, AppError>
where
    F: FnOnce(bool) -> Fut,
    Fut: Future<Output = Result<Compressed, Miss>>,
{
    document_if(state, key, Query::of(req).only_lang(), render).await
}

/// [`document`], kept only when `keep` (the caller judges the URL).
pub async fn document_if<F, Fut>(
    state: &AppState,
    key: DocumentKey,
    keep: bool,
    render: F,
) -> Result<Option<Arc<Compressed>>, AppError>
where
    F: FnOnce(bool) -> Fut,
    Fut: Future<Output = Result<Compressed, Miss>>,
{
    state.sync_revision().await;
    let rendered = if keep {
        let cache = state.feature::<Documents>();
        if let Some(kept) = cache.0.get(&state.revision, &key) {
            return Ok(Some(kept));
        }
        cache
            .0
            .get_or_render(&state.revision, &key, || async {
                render(true).await.map(Arc::new)
            })
            .await
    } else {
        render(false).await.map(Arc::new)
    };
    match rendered {
        Ok(doc) => Ok(Some(doc)),
        Err(Miss::NotFound) => Ok(None),
        Err(Miss::Failed(e)) => Err(e),
    }
}

/// Serves the page of `kind` about certificate `number`, built by `page` from the certificate
/// and the layout (the embed kit, the printable copy), or the not-found page.
pub async fn certificate_page<T, P>(
    req: &HttpRequest,
    state: &AppState,
    lang: Lang,
    kind: DocumentKind,
    number: String,
    page: P,
) -> Result<HttpResponse, AppError>
where
    T: Template + Send + 'static,
    P: FnOnce(&CertificateDetail, Layout) -> T,
{
    let key = DocumentKey {
        kind,
        id: number.clone(),
        lang,
        today: state.today(),
        demo: state.is_demo().await,
    };
    let found = &number;
    let render = |keep| async move {
        let layout = Layout::new(req, state, lang).await;
        let d = find_certificate(state, found)
            .await?
            .ok_or(Miss::NotFound)?;
        let page = page(&d, layout);
        Ok(state.cpu(move || render_compressed(&page, keep)).await?)
    };
    match document(req, state, key, render).await? {
        Some(doc) => Ok(compressed_html(req, &doc)),
        None => render_with(
            HttpResponse::build(StatusCode::NOT_FOUND),
            &NotFoundPage {
                layout: Layout::new(req, state, lang).await,
                number,
            },
        ),
    }
}
