//! `/admin/reference`: certification bodies and scheme versions (with their indicator trees,
//! pasted as CSV or JSON). Everyone signed in reads them; administrators add and edit them.

mod create;
mod edit;
mod tree;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::auth::Staff;
use super::fields::VERSION_FIELD;
use super::{render, AdminLayout, State};
use crate::db::models::{CertificationBody, NewCertificationBody, NewSchemeVersion, SchemeVersion};
use crate::db::reference;
use crate::error::AppError;
use crate::web::i18n::Lang;

pub use create::{create_body, create_scheme};
pub use edit::{update_body, update_scheme};

/// A body with its edit form.
pub struct BodyRow {
    pub body: CertificationBody,
    pub form: BodyForm,
    /// Whether its edit form is shown open (it was refused).
    pub open: bool,
}

/// A body's edit form: the stored values, or what was typed when a save was refused.
pub struct BodyForm {
    pub name_zh: String,
    pub name_en: String,
    pub approval_number: String,
    pub website: String,
    /// The version of the body the form was first shown for.
    pub version: String,
}

/// A scheme version with its number of indicators and its edit form.
pub struct SchemeRow {
    pub scheme: SchemeVersion,
    pub indicators: i64,
    /// Whether evaluations use it (its tree can no longer be replaced).
    pub evaluated: bool,
    pub form: SchemeForm,
    pub open: bool,
}

/// A scheme version's edit form: the stored values, or what was typed.
pub struct SchemeForm {
    pub standard_code: String,
    pub title_zh: String,
    pub title_en: String,
    pub effective_from: String,
    pub format: String,
    /// A replacement tree (empty: keep the tree).
    pub tree: String,
    pub version: String,
}

#[derive(Template)]
#[template(path = "admin/reference.html")]
pub struct ReferencePage {
    pub layout: AdminLayout,
    pub bodies: Vec<BodyRow>,
    pub schemes: Vec<SchemeRow>,
    pub error: Option<String>,
    /// Whether the error belongs to a row's edit form (shown there, not above).
    pub error_in_row: bool,
    /// The creation form as entered, when it is shown again with an error.
    pub entered: Vec<(String, String)>,
}

impl ReferencePage {
    /// The value entered in a creation form's field (empty when none).
    pub fn field(&self, name: &str) -> &str {
        get(&self.entered, name)
    }
}

/// Which form is shown again with what was typed.
pub enum Typed {
    Nothing,
    /// A creation form.
    New(Vec<(String, String)>),
    /// The edit form of the body with this code.
    Body(String, Vec<(String, String)>),
    /// The edit form of the scheme version with this slug.
    Scheme(String, Vec<(String, String)>),
}

/// The page, with `typed` in its form; 404 when `typed` is the edit form of a body or scheme
/// version that does not exist.
async fn page(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    error: Option<String>,
    typed: Typed,
) -> Result<ReferencePage, AppError> {
    let (bodies, schemes) = state
        .db(|conn| {
            let bodies = reference::bodies(conn)?;
            let mut schemes = Vec::new();
            for (scheme, indicators) in reference::schemes(conn)? {
                let version = crate::app::reference::scheme_version_tag(conn, &scheme)?;
                let evaluated = reference::usage(conn, scheme.id)?.evaluated;
                schemes.push((scheme, indicators, evaluated, version));
            }
            Ok((bodies, schemes))
        })
        .await?;
    let found = match &typed {
        Typed::Body(code, _) => bodies.iter().any(|b| &b.code == code),
        Typed::Scheme(slug, _) => schemes.iter().any(|s| &s.0.slug == slug),
        Typed::Nothing | Typed::New(_) => true,
    };
    if !found {
        return Err(AppError::NotFound);
    }
    let bodies = bodies
        .into_iter()
        .map(|body| {
            let (form, open) = match &typed {
                Typed::Body(code, entered) if *code == body.code => {
                    (BodyForm::typed(entered), true)
                }
                _ => (BodyForm::stored(&body), false),
            };
            BodyRow { body, form, open }
        })
        .collect();
    let schemes = schemes
        .into_iter()
        .map(|(scheme, indicators, evaluated, version)| {
            let (form, open) = match &typed {
                Typed::Scheme(slug, entered) if *slug == scheme.slug => {
                    (SchemeForm::typed(entered), true)
                }
                _ => (SchemeForm::stored(&scheme, version), false),
            };
            SchemeRow {
                scheme,
                indicators,
                evaluated,
                form,
                open,
            }
        })
        .collect();
    let error_in_row = matches!(typed, Typed::Body(..) | Typed::Scheme(..));
    Ok(ReferencePage {
        layout: AdminLayout::new(req, lang, staff),
        bodies,
        schemes,
        error,
        error_in_row,
        entered: match typed {
            Typed::New(entered) => entered,
            _ => Vec::new(),
        },
    })
}

impl BodyForm {
    fn stored(b: &CertificationBody) -> BodyForm {
        BodyForm {
            name_zh: b.name_zh.clone(),
            name_en: b.name_en.clone(),
            approval_number: b.approval_number.clone(),
            website: b.website.clone().unwrap_or_default(),
            version: crate::app::reference::body_version(b),
        }
    }

    fn typed(entered: &[(String, String)]) -> BodyForm {
        let v = |name: &str| get(entered, name).to_owned();
        BodyForm {
            name_zh: v("name_zh"),
            name_en: v("name_en"),
            approval_number: v("approval_number"),
            website: v("website"),
            version: v(VERSION_FIELD),
        }
    }
}

impl SchemeForm {
    fn stored(s: &SchemeVersion, version: String) -> SchemeForm {
        SchemeForm {
            standard_code: s.standard_code.clone(),
            title_zh: s.title_zh.clone(),
            title_en: s.title_en.clone(),
            effective_from: s.effective_from.to_string(),
            format: "csv".to_owned(),
            tree: String::new(),
            version,
        }
    }

    fn typed(entered: &[(String, String)]) -> SchemeForm {
        let v = |name: &str| get(entered, name).to_owned();
        SchemeForm {
            standard_code: v("standard_code"),
            title_zh: v("title_zh"),
            title_en: v("title_en"),
            effective_from: v("effective_from"),
            format: v("format"),
            tree: v("tree"),
            version: v(VERSION_FIELD),
        }
    }
}

pub async fn show(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    let page = page(&req, &state, lang, &staff, None, Typed::Nothing).await?;
    render(StatusCode::OK, &page)
}

/// A form field's value, trimmed (empty when absent).
fn get<'a>(entered: &'a [(String, String)], name: &str) -> &'a str {
    entered
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// What a refused form shows: the page with `message`, and `typed` in its form.
async fn refuse(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    status: StatusCode,
    message: String,
    typed: Typed,
) -> Result<HttpResponse, AppError> {
    let page = page(req, state, lang, staff, Some(message), typed).await?;
    render(status, &page)
}

/// A body as a form gives it, under `code`.
fn body_from(code: &str, entered: &[(String, String)]) -> NewCertificationBody {
    NewCertificationBody {
        code: code.to_owned(),
        name_zh: get(entered, "name_zh").to_owned(),
        name_en: get(entered, "name_en").to_owned(),
        approval_number: get(entered, "approval_number").to_owned(),
        website: Some(get(entered, "website").to_owned()).filter(|w| !w.is_empty()),
    }
}

/// What is wrong with a body (the message key), if anything: the checks of
/// `app::reference::check_body`, which the command line's file import applies too.
fn body_problem(body: &NewCertificationBody) -> Option<&'static str> {
    crate::app::reference::check_body(body).err()
}

/// A scheme version as a form gives it, under `slug`; or what is wrong (the message key).
fn scheme_from(slug: &str, entered: &[(String, String)]) -> Result<NewSchemeVersion, &'static str> {
    let effective_from = NaiveDate::parse_from_str(get(entered, "effective_from"), "%Y-%m-%d")
        .map_err(|_| "admin-bad-date")?;
    let version = NewSchemeVersion {
        slug: slug.to_owned(),
        standard_code: get(entered, "standard_code").to_owned(),
        title_zh: get(entered, "title_zh").to_owned(),
        title_en: get(entered, "title_en").to_owned(),
        effective_from,
        illustrative: false,
    };
    crate::app::reference::check_scheme(&version).map(|()| version)
}

/// The sample tree shown in the form.
pub const SAMPLE_CSV: &str = "code,parent_code,name_zh,name_en,max_points
1,,商品质量,Product quality,10
1.1,1,商品信息,Product information,6
1.2,1,质量抽检,Quality checks,4
2,,售后服务,After-sales service,5";
