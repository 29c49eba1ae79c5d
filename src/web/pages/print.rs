//! `/certificates/{number}/print`: a printable certificate (A4) with the QR code that leads
//! back to the live verification page.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::keyed::{self, DocumentKind};
use crate::db::certificates::CertificateDetail;
use crate::domain::status::effective_status;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::view::{display_domains, localized, star_string, StatusView};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "print.html")]
pub struct PrintPage {
    pub layout: Layout,
    pub today: NaiveDate,
    pub number: String,
    /// Links to the verification page and the QR code.
    pub back_href: String,
    pub qr_src: String,
    pub verify_url: String,
    pub verdict: StatusView,
    pub stars: u8,
    pub star_string: String,
    pub grade_name: String,
    pub score: String,
    pub company_zh: String,
    pub company_en: Option<String>,
    pub credit_code: String,
    pub platform: String,
    pub domains: Vec<String>,
    pub apps: Vec<String>,
    pub first_issued_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_assessed_on: NaiveDate,
    pub body: String,
    pub body_approval: String,
    pub standard: String,
    pub scheme_title: String,
    pub scope: String,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    keyed::certificate_page(
        &req,
        &state,
        lang,
        DocumentKind::Print,
        path.into_inner(),
        |d, layout| page(d, layout, &state, lang, today),
    )
    .await
}

/// The printable copy of certificate `d` as of `today`.
fn page(
    d: &CertificateDetail,
    layout: Layout,
    state: &AppState,
    lang: Lang,
    today: NaiveDate,
) -> PrintPage {
    let c = &d.certificate;
    let status = effective_status(c.status, c.expires_on, today);
    let stars = u8::try_from(c.grade).unwrap_or(0);
    PrintPage {
        today,
        number: c.number.clone(),
        verify_url: format!(
            "{}{}",
            state.config.public_url,
            paths::certificate(&c.number)
        ),
        back_href: paths::certificate(&c.number),
        qr_src: paths::qr(&c.number, "svg", "?size=m"),
        verdict: StatusView::new(status, lang),
        stars,
        star_string: star_string(stars),
        grade_name: lang.t(&format!("grade-{stars}")),
        score: format!("{:.2}", c.score),
        company_zh: d.company.name_zh.clone(),
        company_en: d.company.name_en.clone(),
        credit_code: d.company.credit_code.clone(),
        platform: d.platform.name.clone(),
        domains: display_domains(&d.domains),
        apps: d.platform.apps().into_iter().map(str::to_owned).collect(),
        first_issued_on: c.first_issued_on,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
        last_assessed_on: c.last_assessed_on,
        body: localized(&d.body.name_zh, Some(&d.body.name_en), lang).to_owned(),
        body_approval: d.body.approval_number.clone(),
        standard: d.scheme.standard_code.clone(),
        scheme_title: localized(&d.scheme.title_zh, Some(&d.scheme.title_en), lang).to_owned(),
        scope: localized(&c.scope_zh, Some(&c.scope_en), lang).to_owned(),
        layout,
    }
}
