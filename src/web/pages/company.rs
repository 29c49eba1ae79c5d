//! `/companies/{credit code}`: a company, its platforms and its certificates.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use chrono::NaiveDate;

use super::certificate::Miss;
use super::keyed::{self, DocumentKey, DocumentKind};
use super::{compressed_html, render_compressed};
use crate::db;
use crate::db::companies::CompanyDetail;
use crate::db::search::SearchPage;
use crate::domain::credit_code::CreditCode;
use crate::domain::hostname::Hostname;
use crate::error::AppError;
use crate::web::feeds::{self, FeedTarget};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::pages::meta::CompanyFacts;
use crate::web::view::{localized, platform_type_label, province_label, HitView};
use crate::web::AppState;

pub struct PlatformView {
    pub name: String,
    pub platform_type: String,
    pub domains: Vec<String>,
    pub apps: Vec<String>,
}

#[derive(Template)]
#[template(path = "company.html")]
pub struct CompanyPage {
    pub layout: Layout,
    pub name: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub credit_code: String,
    pub location: String,
    pub address: String,
    pub platforms: Vec<PlatformView>,
    pub certificates: Vec<HitView>,
    /// schema.org JSON-LD, escaped for its script element.
    pub json_ld: String,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = CreditCode::parse(&path.into_inner()).map_err(|_| AppError::NotFound)?;
    let today = state.today();
    let key = DocumentKey {
        kind: DocumentKind::Company,
        id: code.as_str().to_owned(),
        lang,
        today,
        demo: state.is_demo().await,
    };
    let (r, s) = (&req, &state);
    let render = |keep| async move {
        let code_str = code.as_str().to_owned();
        let found = s
            .db(move |conn| Ok(db::companies::with_certificates(conn, &code_str, today)?))
            .await?;
        let (detail, certs) = found.ok_or(Miss::NotFound)?;
        let layout = Layout::new(r, s, lang).await;
        let page = page(&detail, &certs, layout, s, lang, today);
        Ok(s.cpu(move || render_compressed(&page, keep)).await?)
    };
    match keyed::document(&req, &state, key, render).await? {
        Some(doc) => Ok(compressed_html(&req, &doc)),
        None => Err(AppError::NotFound),
    }
}

/// The page of company `detail` with its certificates.
fn page(
    detail: &CompanyDetail,
    certs: &SearchPage,
    mut layout: Layout,
    state: &AppState,
    lang: Lang,
    today: NaiveDate,
) -> CompanyPage {
    let c = &detail.company;
    layout.feed = Some(feeds::link(
        state,
        FeedTarget::Company(c.credit_code.clone()),
        lang,
    ));
    let certificates: Vec<HitView> = certs
        .hits
        .iter()
        .map(|h| HitView::new(h, today, lang))
        .collect();
    let json_ld = CompanyFacts {
        name_zh: &c.name_zh,
        name_en: c.name_en.as_deref(),
        credit_code: &c.credit_code,
        province: &province_label(&c.province_code, lang),
        city: &c.city,
        address: &c.address,
        canonical: &layout.canonical,
        certificates: &certificates,
    }
    .json_ld(&state.config);
    CompanyPage {
        layout,
        json_ld,
        name: localized(&c.name_zh, c.name_en.as_deref(), lang).to_owned(),
        name_zh: c.name_zh.clone(),
        name_en: c.name_en.clone(),
        credit_code: c.credit_code.clone(),
        location: format!("{} {}", province_label(&c.province_code, lang), c.city),
        address: c.address.clone(),
        platforms: detail
            .platforms
            .iter()
            .map(|(p, domains)| PlatformView {
                name: p.name.clone(),
                platform_type: platform_type_label(p.platform_type.as_str(), lang),
                domains: domains
                    .iter()
                    .map(|d| {
                        Hostname::parse(d)
                            .map(|h| h.to_unicode())
                            .unwrap_or_else(|_| d.clone())
                    })
                    .collect(),
                apps: p.apps().into_iter().map(str::to_owned).collect(),
            })
            .collect(),
        certificates,
    }
}
