//! `/admin/issue`: an initial evaluation that issues a certificate. The scheme version is chosen
//! first (its indicators make the score sheet); then the company (a stored credit code is
//! reused), the platform, the body, the scope and the scores. A preview shows the total, the
//! grade and the dates; saving at 70 or more issues the certificate with the next number of
//! `SQE_NUMBER_PATTERN`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::auth::{AdminForm, Staff};
use super::fields::{self, FORM_COLUMNS};
use super::score_form::{self, field, Fields, ScoreRow};
use super::{render, see_other, write_as, AdminLayout, State};
use crate::app::issuing::{self as use_case, Draft, IssueFailure, Plan};
use crate::db::issuing;
use crate::db::models::{CertificationBody, Indicator, SchemeVersion};
use crate::db::reference;
use crate::domain::evaluation::EvaluationError;
use crate::domain::platform_type::PlatformType;
use crate::domain::province::{Province, PROVINCES};
use crate::domain::record::{Column, RawRecord};
use crate::domain::surveillance::{next_surveillance_due, AssessmentKind};
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::paths;
use crate::web::view::star_string;

#[derive(Template)]
#[template(path = "admin/issue.html")]
pub struct IssuePage {
    pub layout: AdminLayout,
    pub schemes: Vec<SchemeVersion>,
    pub scheme: Option<SchemeVersion>,
    pub bodies: Vec<CertificationBody>,
    pub provinces: &'static [Province],
    pub types: [PlatformType; 6],
    pub rows: Vec<ScoreRow>,
    pub entered: Vec<(String, String)>,
    pub today: NaiveDate,
    pub validity_years: u32,
    pub preview: Option<IssuePreview>,
    pub errors: Vec<String>,
}

impl IssuePage {
    /// What was entered in a field (empty when nothing).
    pub fn field(&self, name: &str) -> &str {
        field(&self.entered, name).unwrap_or("")
    }
}

/// What saving would do.
pub struct IssuePreview {
    pub total: String,
    pub stars: String,
    pub fails: bool,
    /// The stored company that will hold the certificate, when the credit code is known.
    pub company: Option<String>,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub first_surveillance: NaiveDate,
}

#[derive(Deserialize)]
pub struct SchemeQuery {
    scheme: Option<String>,
}

/// The reference data the form offers, and the chosen scheme with its indicators.
struct Choices {
    schemes: Vec<SchemeVersion>,
    bodies: Vec<CertificationBody>,
    chosen: Option<(SchemeVersion, Vec<Indicator>)>,
}

/// Loads the choices; `slug` picks the scheme (the newest one when `None`). An unknown slug is
/// a 404.
async fn choices(state: &State, slug: Option<String>) -> Result<Choices, AppError> {
    state
        .db(move |conn| {
            let schemes: Vec<SchemeVersion> = reference::schemes(conn)?
                .into_iter()
                .filter(|(_, indicators)| *indicators > 0)
                .map(|(s, _)| s)
                .collect();
            let chosen = match slug.or_else(|| schemes.first().map(|s| s.slug.clone())) {
                Some(slug) => {
                    Some(issuing::scheme_with_indicators(conn, &slug)?.ok_or(AppError::NotFound)?)
                }
                None => None,
            };
            Ok(Choices {
                bodies: reference::bodies(conn)?,
                schemes,
                chosen,
            })
        })
        .await
}

fn page(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    choices: Choices,
    entered: Vec<(String, String)>,
) -> IssuePage {
    let (scheme, rows) = match choices.chosen {
        Some((scheme, indicators)) => (
            Some(scheme),
            score_form::rows_of(&indicators, lang, &entered),
        ),
        None => (None, Vec::new()),
    };
    IssuePage {
        layout: AdminLayout::new(req, lang, staff),
        schemes: choices.schemes,
        scheme,
        bodies: choices.bodies,
        provinces: &PROVINCES,
        types: PlatformType::ALL,
        rows,
        entered,
        today: state.today(),
        validity_years: state.config.cert_validity_years,
        preview: None,
        errors: Vec::new(),
    }
}

pub async fn form(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    query: web::Query<SchemeQuery>,
) -> Result<HttpResponse, AppError> {
    let choices = choices(&state, query.into_inner().scheme).await?;
    let mut entered = Vec::new();
    if let Some((scheme, _)) = &choices.chosen {
        entered.push((Column::SchemeSlug.name().to_owned(), scheme.slug.clone()));
    }
    if let [body] = choices.bodies.as_slice() {
        entered.push((Column::BodyCode.name().to_owned(), body.code.clone()));
    }
    entered.push(("assessed_on".to_owned(), state.today().to_string()));
    let page = page(&req, &state, lang, &staff, choices, entered);
    render(StatusCode::OK, &page)
}

/// Reads the form into a draft, or the message for the first field that is wrong.
fn parse(indicators: &[Indicator], entered: &Fields, lang: Lang) -> Result<Draft, String> {
    let mut raw = RawRecord::default();
    for column in FORM_COLUMNS {
        raw.set(column, field(entered, column.name()).unwrap_or(""));
    }
    let assessed_on = field(entered, "assessed_on")
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .ok_or_else(|| lang.t("admin-bad-date"))?;
    Ok(Draft {
        raw,
        assessed_on,
        entries: score_form::entries(indicators, entered, lang)?,
        deduction: score_form::deduction(entered, lang)?,
    })
}

/// The messages for a draft that issues nothing.
fn failure_messages(e: &IssueFailure, lang: Lang) -> Vec<String> {
    let one = match e {
        IssueFailure::Fields(errors) => return fields::messages(lang, errors),
        IssueFailure::UnknownBody => lang.t("admin-issue-unknown-body"),
        IssueFailure::UnknownScheme => lang.t("admin-eval-bad-scheme"),
        IssueFailure::SchemeNotYet(from) => lang.t1("admin-issue-scheme-not-yet", "date", from),
        IssueFailure::DomainTaken { domain, number } => lang.tv(
            "admin-issue-domain-taken",
            &[("host", domain.clone()), ("number", number.clone())],
        ),
        IssueFailure::Sheet(s) => score_form::sheet_message(s, lang),
        IssueFailure::Refused(EvaluationError::Scoring(s)) => score_form::scoring_message(s, lang),
        IssueFailure::Refused(_) => lang.t("admin-issue-bad-date"),
        IssueFailure::Fails(total) => lang.t1("admin-issue-fails", "value", format!("{total:.2}")),
        IssueFailure::Numbering(e) => lang.t1("admin-issue-numbering", "value", e),
        IssueFailure::Db(_) => lang.t("error-500-message"),
    };
    vec![one]
}

fn preview_of(plan: &Plan, draft: &Draft) -> IssuePreview {
    IssuePreview {
        total: format!("{:.2}", plan.outcome.total),
        stars: plan
            .outcome
            .grade
            .map(|g| star_string(g.stars()))
            .unwrap_or_default(),
        fails: plan.outcome.grade.is_none(),
        company: plan.company.as_ref().map(|c| c.name_zh.clone()),
        issued_on: plan.outcome.issued_on,
        expires_on: plan.outcome.expires_on,
        first_surveillance: next_surveillance_due(AssessmentKind::Initial, draft.assessed_on),
    }
}

pub async fn submit(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(entered) = form;
    let slug = field(&entered, Column::SchemeSlug.name())
        .unwrap_or("")
        .to_owned();
    let choices = choices(&state, Some(slug)).await?;
    let indicators = choices
        .chosen
        .as_ref()
        .map(|(_, i)| i.clone())
        .unwrap_or_default();
    let save = field(&entered, "intent") == Some("save");
    let mut page = page(&req, &state, lang, &staff, choices, entered);
    let draft = match parse(&indicators, &page.entered, lang) {
        Ok(draft) => draft,
        Err(message) => {
            page.errors.push(message);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let today = state.today();
    let years = state.config.cert_validity_years;
    if !save {
        let checked = draft.clone();
        let planned = state
            .db(move |conn| Ok(use_case::plan(conn, &checked, today, years)))
            .await?;
        return match planned {
            Ok(plan) => {
                page.preview = Some(preview_of(&plan, &draft));
                render(StatusCode::OK, &page)
            }
            Err(IssueFailure::Db(e)) => Err(e.into()),
            Err(e) => {
                page.errors = failure_messages(&e, lang);
                render(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
        };
    }
    let pattern = state.config.number_pattern.clone();
    let issued = write_as(&state, &staff, move |conn, actor| {
        use_case::issue(conn, actor, &draft, &pattern)
    })
    .await?;
    match issued {
        Ok((number, plan)) => {
            tracing::info!(user = %staff.username, %number, total = plan.outcome.total, "certificate issued");
            state.revision.force_check();
            Ok(see_other(&paths::admin_certificate(&number)))
        }
        Err(IssueFailure::Db(e)) => Err(e.into()),
        Err(e) => {
            page.errors = failure_messages(&e, lang);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
