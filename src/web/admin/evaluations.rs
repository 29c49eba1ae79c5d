//! `/admin/certificates/{number}/evaluate`: enter a surveillance or special evaluation, scored per
//! indicator of the first or second level (or "not applicable"), special deductions; preview the
//! total, grade and public consequence; then save.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::auth::{AdminForm, Staff};
use super::score_form::{self, field, Fields, ScoreRow};
use super::{render, see_other, write_as, AdminLayout, State};
use crate::app::evaluations::{self as use_case, EvaluationFailure, EvaluationInput};
use crate::db::evaluations;
use crate::db::models::{Certificate, Indicator};
use crate::domain::evaluation::{EvaluationError, EvaluationOutcome};
use crate::domain::surveillance::AssessmentKind;
use crate::error::{AppError, UserMessage};
use crate::web::i18n::Lang;
use crate::web::paths;
use crate::web::view::star_string;

#[derive(Template)]
#[template(path = "admin/evaluate.html")]
pub struct EvaluatePage {
    pub layout: AdminLayout,
    pub number: String,
    /// The certificate's back-office page, and this form's own path.
    pub back_href: String,
    pub self_href: String,
    pub grade_stars: String,
    pub rows: Vec<ScoreRow>,
    pub kind: String,
    pub assessed_on: String,
    pub deduction: String,
    pub today: NaiveDate,
    pub preview: Option<PreviewView>,
    pub error: Option<String>,
}

/// What saving would do.
pub struct PreviewView {
    pub total: String,
    pub stars: String,
    pub event: String,
    pub status: String,
    pub fails: bool,
}

async fn load(state: &State, number: String) -> Result<(Certificate, Vec<Indicator>), AppError> {
    state
        .db(move |conn| Ok(evaluations::find_for_evaluation(conn, &number)?))
        .await?
        .ok_or(AppError::NotFound)
}

#[allow(clippy::too_many_arguments)]
fn page(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    certificate: &Certificate,
    indicators: &[Indicator],
    entered: &Fields,
    preview: Option<PreviewView>,
    error: Option<String>,
) -> EvaluatePage {
    let value = |name: &str, default: String| field(entered, name).map_or(default, str::to_owned);
    let today = state.today();
    EvaluatePage {
        layout: AdminLayout::new(req, lang, staff),
        number: certificate.number.clone(),
        back_href: paths::admin_certificate(&certificate.number),
        self_href: paths::admin_evaluate(&certificate.number),
        grade_stars: star_string(u8::try_from(certificate.grade).unwrap_or(0)),
        rows: score_form::rows_of(indicators, lang, entered),
        kind: value("kind", "surveillance".to_owned()),
        assessed_on: value("assessed_on", today.to_string()),
        deduction: value("deduction", "0".to_owned()),
        today,
        preview,
        error,
    }
}

pub async fn form(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (certificate, indicators) = load(&state, path.into_inner()).await?;
    let page = page(
        &req,
        &state,
        lang,
        &staff,
        &certificate,
        &indicators,
        &[],
        None,
        None,
    );
    render(StatusCode::OK, &page)
}

/// Reads the form into an input, or the message for the first field that is wrong.
fn parse(
    indicators: &[Indicator],
    entered: &Fields,
    lang: Lang,
) -> Result<EvaluationInput, String> {
    let kind = match field(entered, "kind") {
        Some("surveillance") => AssessmentKind::Surveillance,
        Some("special") => AssessmentKind::Special,
        _ => return Err(lang.t("admin-eval-bad-kind")),
    };
    let assessed_on = field(entered, "assessed_on")
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .ok_or_else(|| lang.t("admin-bad-date"))?;
    Ok(EvaluationInput {
        kind,
        assessed_on,
        entries: score_form::entries(indicators, entered, lang)?,
        deduction: score_form::deduction(entered, lang)?,
    })
}

fn failure_message(e: &EvaluationFailure, lang: Lang) -> String {
    match e {
        EvaluationFailure::Refused(EvaluationError::NotInForce(status)) => lang.t1(
            "admin-eval-not-in-force",
            "status",
            lang.tp("status-", status.as_str()),
        ),
        EvaluationFailure::Refused(EvaluationError::BadDate) => lang.t("admin-eval-bad-date"),
        EvaluationFailure::Refused(EvaluationError::WrongKind) => lang.t("admin-eval-bad-kind"),
        EvaluationFailure::Refused(EvaluationError::Scoring(s)) => {
            score_form::scoring_message(s, lang)
        }
        EvaluationFailure::Sheet(s) => score_form::sheet_message(s, lang),
        EvaluationFailure::Concurrent => lang.t("admin-concurrent"),
        EvaluationFailure::NotFound | EvaluationFailure::Db(_) => lang.t("error-500-message"),
    }
}

fn preview_view(outcome: &EvaluationOutcome, lang: Lang) -> PreviewView {
    PreviewView {
        total: format!("{:.2}", outcome.total),
        stars: outcome
            .grade
            .map(|g| star_string(g.stars()))
            .unwrap_or_default(),
        event: lang.tp("event-", outcome.event.as_str()),
        status: lang.tp("status-", outcome.status.as_str()),
        fails: outcome.grade.is_none(),
    }
}

pub async fn submit(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<String>,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(entered) = form;
    let (certificate, indicators) = load(&state, path.into_inner()).await?;
    let show = |status: StatusCode, preview, error| {
        let page = page(
            &req,
            &state,
            lang,
            &staff,
            &certificate,
            &indicators,
            &entered,
            preview,
            error,
        );
        render(status, &page)
    };
    let input = match parse(&indicators, &entered, lang) {
        Ok(input) => input,
        Err(message) => return show(StatusCode::UNPROCESSABLE_ENTITY, None, Some(message)),
    };
    let save = entered.iter().any(|(k, v)| k == "intent" && v == "save");
    if !save {
        return match use_case::decide(&certificate, &indicators, &input, state.today()) {
            Ok((outcome, _)) => show(StatusCode::OK, Some(preview_view(&outcome, lang)), None),
            Err(e) => show(
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(failure_message(&e, lang)),
            ),
        };
    }
    let number = certificate.number.clone();
    let recorded = write_as(&state, &staff, move |conn, actor| {
        use_case::record(conn, actor, &number, &input)
    })
    .await?;
    match recorded {
        Ok(outcome) => {
            tracing::info!(user = %staff.username, number = %certificate.number, total = outcome.total, event = outcome.event.as_str(), "evaluation recorded");
            state.revision.force_check();
            Ok(see_other(&paths::admin_certificate(&certificate.number)))
        }
        Err(EvaluationFailure::NotFound) => Err(AppError::NotFound),
        Err(EvaluationFailure::Concurrent) => {
            Err(AppError::Conflict(UserMessage::new("admin-concurrent")))
        }
        Err(EvaluationFailure::Db(e)) => Err(e.into()),
        Err(e) => show(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(failure_message(&e, lang)),
        ),
    }
}
