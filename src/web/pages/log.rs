//! `/log/`: what the transparency log is and how to check it, in both languages, with the
//! current signed checkpoint and the verifier keys.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::db::log;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::pages::shared;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "log.html")]
pub struct LogPage {
    pub layout: Layout,
    /// The signed checkpoint, verbatim (empty before the log begins).
    pub checkpoint: String,
    pub size: i64,
    /// The verifier keys (C2SP signed-note), newest first.
    pub keys: Vec<String>,
    /// The key is the demo registry's published one.
    pub demo_key: bool,
    /// The public URL of the log (for the commands shown).
    pub base: String,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    shared::serve(&req, &state, "log", lang, || async {
        let head = state.db(|conn| Ok(log::head(conn)?)).await?;
        let signer = state.config.log_signer.as_deref();
        Ok(LogPage {
            layout: Layout::new(&req, &state, lang).await,
            size: head
                .as_ref()
                .map_or(0, |h| i64::try_from(h.size).unwrap_or(i64::MAX)),
            checkpoint: head.map(|h| h.checkpoint).unwrap_or_default(),
            keys: signer.map(|s| s.verifier().vkey()).into_iter().collect(),
            demo_key: signer.is_some_and(crate::config::log_key::is_demo_key),
            base: state.config.public_url.trim_end_matches('/').to_owned(),
        })
    })
    .await
}
