//! `/privacy`: what the report form collects, why, who sees it, how long it is kept and how to
//! have it deleted, in the terms of the Personal Information Protection Law.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::pages::shared;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "privacy.html")]
pub struct PrivacyPage {
    pub layout: Layout,
    /// Days a closed case's contact is kept (`SQE_REPORT_CONTACT_DAYS`).
    pub contact_days: i64,
    /// Who to write to, from the footer's operator settings (may be empty).
    pub operator: String,
    pub contact: String,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    shared::serve(&req, &state, "privacy", lang, || async {
        let site = &state.config.operations.site;
        Ok(PrivacyPage {
            layout: Layout::new(&req, &state, lang).await,
            contact_days: state.config.operations.report_contact_days,
            operator: site.operator_name.clone().unwrap_or_default(),
            contact: site.operator_contact.clone().unwrap_or_default(),
        })
    })
    .await
}
