//! `/admin/reference`: certification bodies and scheme versions (with their indicator trees,
//! pasted as CSV or JSON). Everyone signed in reads them; administrators add them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::auth::{AdminForm, Staff};
use super::{render, see_other, write_as, AdminLayout, State};
use crate::db::models::{CertificationBody, NewCertificationBody, NewSchemeVersion, SchemeVersion};
use crate::db::reference::{self, Created};
use crate::domain::account::Role;
use crate::domain::indicator_tree::{self, TreeError};
use crate::domain::reference::{valid_body_code, valid_slug};
use crate::error::AppError;
use crate::web::i18n::Lang;

#[derive(Template)]
#[template(path = "admin/reference.html")]
pub struct ReferencePage {
    pub layout: AdminLayout,
    pub bodies: Vec<CertificationBody>,
    pub schemes: Vec<(SchemeVersion, i64)>,
    pub error: Option<String>,
    /// The form as entered, when it is shown again with an error.
    pub entered: Vec<(String, String)>,
}

impl ReferencePage {
    /// The value entered in a field (empty when none).
    pub fn field(&self, name: &str) -> &str {
        get(&self.entered, name)
    }
}

async fn page(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    error: Option<String>,
    entered: Vec<(String, String)>,
) -> Result<ReferencePage, AppError> {
    let (bodies, schemes) = state
        .db(|conn| Ok((reference::bodies(conn)?, reference::schemes(conn)?)))
        .await?;
    Ok(ReferencePage {
        layout: AdminLayout::new(req, lang, staff),
        bodies,
        schemes,
        error,
        entered,
    })
}

pub async fn show(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(Role::Viewer)?;
    let page = page(&req, &state, lang, &staff, None, Vec::new()).await?;
    render(StatusCode::OK, &page)
}

/// A form field's value, trimmed (empty when absent).
fn get<'a>(entered: &'a [(String, String)], name: &str) -> &'a str {
    entered
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// What a refused form shows.
async fn refuse(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    status: StatusCode,
    message: String,
    entered: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let page = page(req, state, lang, staff, Some(message), entered).await?;
    render(status, &page)
}

/// After a creation: back to the list, or the form again when the code is taken.
async fn answer(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    created: Created,
    entered: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    match created {
        Created::Created(_) => {
            state.revision.force_check();
            Ok(see_other("/admin/reference"))
        }
        Created::Exists => {
            let message = lang.t("admin-ref-exists");
            refuse(
                req,
                state,
                lang,
                staff,
                StatusCode::CONFLICT,
                message,
                entered,
            )
            .await
        }
    }
}

pub async fn create_body(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    staff.require(Role::Admin)?;
    let AdminForm(entered) = form;
    let body = NewCertificationBody {
        code: get(&entered, "code").to_owned(),
        name_zh: get(&entered, "name_zh").to_owned(),
        name_en: get(&entered, "name_en").to_owned(),
        approval_number: get(&entered, "approval_number").to_owned(),
        website: Some(get(&entered, "website").to_owned()).filter(|w| !w.is_empty()),
    };
    let website_ok = body
        .website
        .as_deref()
        .is_none_or(|w| url::Url::parse(w).is_ok_and(|u| matches!(u.scheme(), "http" | "https")));
    let problem = if !valid_body_code(&body.code) {
        Some("admin-ref-bad-code")
    } else if body.name_zh.is_empty() || body.name_en.is_empty() || body.approval_number.is_empty()
    {
        Some("admin-ref-required")
    } else if !website_ok {
        Some("admin-ref-bad-website")
    } else {
        None
    };
    if let Some(key) = problem {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return refuse(&req, &state, lang, &staff, status, lang.t(key), entered).await;
    }
    let created = write_as(&state, &staff, move |conn, actor| {
        reference::create_body(conn, &body, actor)
    })
    .await??;
    answer(&req, &state, lang, &staff, created, entered).await
}

/// The tree's problem in the reader's language; `csv` says whether positions are CSV lines
/// (header = 1) or indicators counted in JSON order.
fn tree_message(e: &TreeError, csv: bool, lang: Lang) -> String {
    let at = |line: &usize| {
        let key = if csv {
            "admin-tree-line"
        } else {
            "admin-tree-item"
        };
        lang.tv(key, &[("line", line.to_string())])
    };
    let code = |code: &String| vec![("code", code.clone())];
    // Chinese punctuation carries its own spacing.
    let sep = if lang.is_zh() { "" } else { " " };
    let detail = match e {
        TreeError::Syntax(detail) => lang.tv("admin-tree-syntax", &[("value", detail.clone())]),
        TreeError::Empty => lang.t("admin-tree-empty"),
        TreeError::TooMany => lang.tv(
            "admin-tree-too-many",
            &[("n", indicator_tree::MAX_INDICATORS.to_string())],
        ),
        TreeError::BadCode { line } => {
            format!("{}{sep}{}", at(line), lang.t("admin-tree-bad-code"))
        }
        TreeError::DuplicateCode { line, code: c } => {
            format!(
                "{}{sep}{}",
                at(line),
                lang.tv("admin-tree-duplicate", &code(c))
            )
        }
        TreeError::NameMissing { line } => {
            format!("{}{sep}{}", at(line), lang.t("admin-tree-name"))
        }
        TreeError::BadPoints { line } => {
            format!("{}{sep}{}", at(line), lang.t("admin-tree-points"))
        }
        TreeError::UnknownParent { line, parent } => {
            format!(
                "{} {}",
                at(line),
                lang.tv("admin-tree-parent", &code(parent))
            )
        }
        TreeError::PointsMismatch {
            code,
            sum,
            max_points,
        } => lang.tv(
            "admin-tree-sum",
            &[
                ("code", code.clone()),
                ("sum", sum.to_string()),
                ("max", max_points.to_string()),
            ],
        ),
    };
    format!("{}{sep}{detail}", lang.t("admin-ref-bad-tree"))
}

pub async fn create_scheme(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    staff.require(Role::Admin)?;
    let AdminForm(entered) = form;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let effective_from = NaiveDate::parse_from_str(get(&entered, "effective_from"), "%Y-%m-%d");
    let version = match effective_from {
        Ok(effective_from) => NewSchemeVersion {
            slug: get(&entered, "slug").to_owned(),
            standard_code: get(&entered, "standard_code").to_owned(),
            title_zh: get(&entered, "title_zh").to_owned(),
            title_en: get(&entered, "title_en").to_owned(),
            effective_from,
            illustrative: false,
        },
        Err(_) => {
            let message = lang.t("admin-bad-date");
            return refuse(&req, &state, lang, &staff, unprocessable, message, entered).await;
        }
    };
    let problem = if !valid_slug(&version.slug) {
        Some("admin-ref-bad-slug")
    } else if version.standard_code.is_empty()
        || version.title_zh.is_empty()
        || version.title_en.is_empty()
    {
        Some("admin-ref-required")
    } else {
        None
    };
    if let Some(key) = problem {
        return refuse(
            &req,
            &state,
            lang,
            &staff,
            unprocessable,
            lang.t(key),
            entered,
        )
        .await;
    }
    let text = get(&entered, "tree");
    let csv = get(&entered, "format") != "json";
    let tree = if csv {
        indicator_tree::from_csv(text)
    } else {
        indicator_tree::from_json(text)
    };
    let tree = match tree {
        Ok(tree) => tree,
        Err(e) => {
            let message = tree_message(&e, csv, lang);
            return refuse(&req, &state, lang, &staff, unprocessable, message, entered).await;
        }
    };
    let created = write_as(&state, &staff, move |conn, actor| {
        reference::create_scheme(conn, &version, &tree, actor)
    })
    .await??;
    answer(&req, &state, lang, &staff, created, entered).await
}

/// The sample tree shown in the form.
pub const SAMPLE_CSV: &str = "code,parent_code,name_zh,name_en,max_points
1,,商品质量,Product quality,10
1.1,1,商品信息,Product information,6
1.2,1,质量抽检,Quality checks,4
2,,售后服务,After-sales service,5";
