//! `/about`: the scheme, the standards, the bands, surveillance, and how to check a mark.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::shared;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "about.html")]
pub struct AboutPage {
    pub layout: Layout,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    // The same for everyone: rendered once per language and kept compressed.
    shared::serve(&req, &state, "about", lang, || async {
        Ok(AboutPage {
            layout: Layout::new(&req, &state, lang).await,
        })
    })
    .await
}
