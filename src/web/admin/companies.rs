//! `/admin/companies/{credit code}`: a certificate holder as the body sees it, with its
//! certificates and a form to correct it (names, location, even the credit code). A saved
//! correction re-indexes the company's certificates, so the public search finds them by the new
//! name at once.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::auth::{AdminForm, Staff};
use super::fields::{self, VERSION_FIELD};
use super::{render, see_other, write_as, AdminLayout, State};
use crate::app::holders::{self as use_case, EditError, Saved};
use crate::db::accounts::{self, AuditEntry};
use crate::db::holders;
use crate::db::models::Company;
use crate::domain::credit_code::CreditCode;
use crate::domain::province::PROVINCES;
use crate::domain::record::{
    validate_company, Column, MAX_ADDRESS_CHARS, MAX_CITY_CHARS, MAX_NAME_CHARS,
};
use crate::domain::status::effective_status;
use crate::error::{AppError, UserMessage};
use crate::web::i18n::Lang;
use crate::web::paths;
use crate::web::view::{province_label, StatusView};

/// A certificate of the company.
pub struct HeldRow {
    pub number: String,
    pub href: String,
    pub platform: String,
    pub status: StatusView,
    pub expires_on: NaiveDate,
}

/// The edit form's values: the stored ones, or what was typed when a save was refused.
pub struct CompanyForm {
    pub credit_code: String,
    pub name_zh: String,
    pub name_en: String,
    pub province_code: String,
    pub city: String,
    pub address: String,
    /// The version of the company the form was first shown for.
    pub version: String,
}

impl CompanyForm {
    fn stored(c: &Company) -> CompanyForm {
        CompanyForm {
            credit_code: c.credit_code.clone(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone().unwrap_or_default(),
            province_code: c.province_code.clone(),
            city: c.city.clone(),
            address: c.address.clone(),
            version: use_case::version(&use_case::company_snapshot(c)),
        }
    }

    fn typed(entered: &[(String, String)]) -> CompanyForm {
        let v = |column: Column| fields::value(entered, column.name()).to_owned();
        CompanyForm {
            credit_code: v(Column::CreditCode),
            name_zh: v(Column::CompanyNameZh),
            name_en: v(Column::CompanyNameEn),
            province_code: v(Column::ProvinceCode),
            city: v(Column::City),
            address: v(Column::Address),
            version: fields::value(entered, VERSION_FIELD).to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/company.html")]
pub struct AdminCompanyPage {
    pub layout: AdminLayout,
    pub company: Company,
    /// This page (its form posts here) and the company's public page.
    pub self_href: String,
    pub public_href: String,
    pub location: String,
    pub certificates: Vec<HeldRow>,
    pub audit: Vec<AuditEntry>,
    pub form: CompanyForm,
    /// Every province: (code, name in the reader's language).
    pub provinces: Vec<(&'static str, String)>,
    pub errors: Vec<String>,
    pub max_name: usize,
    pub max_city: usize,
    pub max_address: usize,
}

/// The page of the company `credit_code` (404 when there is none), with the form as `typed`
/// when given.
async fn page(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    credit_code: &str,
    typed: Option<CompanyForm>,
    errors: Vec<String>,
) -> Result<AdminCompanyPage, AppError> {
    let code = CreditCode::parse(credit_code).map_err(|_| AppError::NotFound)?;
    let key = code.as_str().to_owned();
    let (company, held, audit) = state
        .db(move |conn| {
            let (company, held) =
                holders::company_with_certificates(conn, &key)?.ok_or(AppError::NotFound)?;
            let audit = accounts::audit_of(conn, "company", &key, 20)?;
            Ok((company, held, audit))
        })
        .await?;
    let today = state.today();
    let certificates = held
        .into_iter()
        .map(|h| HeldRow {
            href: paths::admin_certificate(&h.number),
            status: StatusView::new(effective_status(h.status, h.expires_on, today), lang),
            number: h.number,
            platform: h.platform,
            expires_on: h.expires_on,
        })
        .collect();
    Ok(AdminCompanyPage {
        layout: AdminLayout::new(req, lang, staff),
        self_href: paths::admin_company(&company.credit_code),
        public_href: paths::company(&company.credit_code),
        location: format!(
            "{} {}",
            province_label(&company.province_code, lang),
            company.city
        ),
        form: typed.unwrap_or_else(|| CompanyForm::stored(&company)),
        company,
        certificates,
        audit,
        provinces: PROVINCES
            .iter()
            .map(|p| (p.code, province_label(p.code, lang)))
            .collect(),
        errors,
        max_name: MAX_NAME_CHARS,
        max_city: MAX_CITY_CHARS,
        max_address: MAX_ADDRESS_CHARS,
    })
}

pub async fn show(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = page(&req, &state, lang, &staff, &path, None, Vec::new()).await?;
    render(StatusCode::OK, &page)
}

/// Saves a correction: 303 to the company's page (at its new credit code), or the form again
/// with what was typed and why it was refused.
pub async fn update(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<String>,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let credit_code = CreditCode::parse(&path)
        .map_err(|_| AppError::NotFound)?
        .as_str()
        .to_owned();
    let AdminForm(entered) = form;
    let refuse = |status: StatusCode, errors: Vec<String>| {
        let (req, state, staff, code) = (&req, &state, &staff, credit_code.clone());
        let typed = CompanyForm::typed(&entered);
        async move {
            let page = page(req, state, lang, staff, &code, Some(typed), errors).await?;
            render(status, &page)
        }
    };
    let wanted = match validate_company(&fields::raw_record(&entered)) {
        Ok(wanted) => wanted,
        Err(errors) => {
            let messages = fields::messages(lang, &errors);
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, messages).await;
        }
    };
    let (key, version) = (
        credit_code.clone(),
        fields::value(&entered, VERSION_FIELD).to_owned(),
    );
    let saved = write_as(&state, &staff, move |conn, actor| {
        use_case::update_company(conn, actor, &key, &version, &wanted)
    })
    .await?;
    match saved {
        Ok(Saved::Changed(code)) => {
            tracing::info!(user = %staff.username, from = %credit_code, to = %code, "company corrected");
            // Drop this instance's cached renderings now; others follow the revision.
            state.revision.force_check();
            Ok(see_other(&paths::admin_company(&code)))
        }
        Ok(Saved::Unchanged(code)) => Ok(see_other(&paths::admin_company(&code))),
        Err(EditError::CreditCodeTaken {
            credit_code: code,
            name_zh,
        }) => {
            let args = [("code", code), ("value", name_zh)];
            let message = lang.tv("admin-company-code-taken", &args);
            refuse(StatusCode::CONFLICT, vec![message]).await
        }
        Err(EditError::NotFound) => Err(AppError::NotFound),
        Err(EditError::Stale) => Err(AppError::Conflict(UserMessage::new("admin-edit-stale"))),
        Err(EditError::NoDomainOrApp) => Err(AppError::Internal(
            "a company correction cannot empty a platform".into(),
        )),
        Err(EditError::Db(e)) => Err(e.into()),
    }
}
