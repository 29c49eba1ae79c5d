//! The part of every page that is the same: language, switch link, demo banner, search box.

use actix_web::HttpRequest;

use super::i18n::Lang;
use super::AppState;

/// Data the base template needs on every page.
#[derive(Debug, Clone)]
pub struct Layout {
    pub lang: Lang,
    /// Whether the demo registry is loaded.
    pub demo: bool,
    /// The same page in the other language.
    pub switch_href: String,
    /// The canonical absolute URL of this page (without `lang`).
    pub canonical: String,
    /// Text to pre-fill the header search box with.
    pub q: String,
}

impl Layout {
    pub async fn new(req: &HttpRequest, state: &AppState, lang: Lang) -> Layout {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
        let kept: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != "lang").collect();
        let path = req.path();
        let canonical = match serde_urlencoded::to_string(&kept) {
            Ok(q) if !q.is_empty() => format!("{}{path}?{q}", state.config.public_url),
            _ => format!("{}{path}", state.config.public_url),
        };
        let mut switch = kept.clone();
        switch.push(("lang".to_owned(), lang.other().tag().to_owned()));
        let switch_href = format!(
            "{path}?{}",
            serde_urlencoded::to_string(&switch).unwrap_or_default()
        );
        Layout {
            lang,
            demo: state.is_demo().await,
            switch_href,
            canonical,
            q: String::new(),
        }
    }
}
