//! The part of every page that is the same: language, switch link, demo banner, search box.

use actix_web::HttpRequest;

use super::i18n::Lang;
use super::query::Query;
use super::seo::{self, Alternate, FeedLink};
use super::AppState;
use crate::config::Config;

/// Data the base template needs on every page.
#[derive(Debug, Clone)]
pub struct Layout {
    pub lang: Lang,
    /// Whether the demo registry is loaded.
    pub demo: bool,
    /// The same page in the other language.
    pub switch_href: String,
    /// The canonical absolute URL of this page in this language (see `web::seo`).
    pub canonical: String,
    /// The page in each language, and `x-default`.
    pub alternates: Vec<Alternate>,
    /// The Atom feed of what this page shows, if it has one.
    pub feed: Option<FeedLink>,
    /// Text to pre-fill the header search box with.
    pub q: String,
    /// The site's filing numbers and operator, for the footer.
    pub site: crate::config::SiteFiling,
}

impl Layout {
    pub async fn new(req: &HttpRequest, state: &AppState, lang: Lang) -> Layout {
        let path = req.path();
        let mut switch = Query::of(req).without_lang();
        switch.push(("lang".to_owned(), lang.other().tag().to_owned()));
        let switch_href = format!(
            "{path}?{}",
            serde_urlencoded::to_string(&switch).unwrap_or_default()
        );
        let mut layout = Layout {
            lang,
            demo: state.is_demo().await,
            switch_href,
            canonical: String::new(),
            alternates: Vec::new(),
            feed: None,
            q: String::new(),
            site: state.config.operations.site.clone(),
        };
        // The query of a page other than the search changes nothing on it (tracking tags).
        layout.set_canonical(&state.config, path);
        layout
    }

    /// Sets the canonical URL and the language alternates from the local URL of this page
    /// without `lang` (the search passes its normalised query).
    pub fn set_canonical(&mut self, config: &Config, path_and_query: &str) {
        self.canonical = seo::canonical(config, path_and_query, self.lang);
        self.alternates = seo::alternates(config, path_and_query);
    }
}
