//! `/reports/new` and `POST /reports`: the public report form. Bad input brings the form back
//! (422) with every error beside its field and everything typed kept; a honeypot, a signed
//! token with a minimum fill time (`web::form_token`) and a per-network budget
//! (`SQE_RATE_LIMIT_REPORTS`, 429 with the form kept) turn abuse away without a captcha. A
//! stored report is answered with a redirect to its private follow-up page.

use actix_web::http::header::{CacheControl, CacheDirective, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use askama::Template;

use super::{kind_label, FORM_PURPOSE};
use crate::app::{reports, Actor, ActorKind};
use crate::domain::report::{self, Field, ReportForm, ReportKind, MAX_EVIDENCE, MAX_WHAT};
use crate::error::AppError;
use crate::web::form_token::{self, TokenCheck};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::limits::LimitKind;
use crate::web::pages::to_html;
use crate::web::{paths, AppState};

/// The largest form body accepted (2,000 Chinese characters percent-encoded are 18 KB).
pub const MAX_FORM_BYTES: usize = 64 * 1024;

pub struct KindOption {
    pub value: &'static str,
    pub label: String,
    pub hint: String,
    pub checked: bool,
}

/// Each field's error message, in the reader's language.
#[derive(Default)]
pub struct FieldErrors {
    pub kind: Option<String>,
    pub site: Option<String>,
    pub number: Option<String>,
    pub what: Option<String>,
    pub evidence: Option<String>,
    pub contact: Option<String>,
    pub consent: Option<String>,
}

#[derive(Template)]
#[template(path = "report_form.html")]
pub struct ReportFormPage {
    pub layout: Layout,
    pub form: ReportForm,
    pub kinds: Vec<KindOption>,
    pub errors: FieldErrors,
    /// A message about the whole form (the token, the honeypot, the budget).
    pub general: Option<String>,
    pub token: String,
    pub max_what: usize,
    pub max_evidence: usize,
}

impl ReportFormPage {
    pub fn has_errors(&self) -> bool {
        let e = &self.errors;
        self.general.is_some()
            || [
                &e.kind,
                &e.site,
                &e.number,
                &e.what,
                &e.evidence,
                &e.contact,
                &e.consent,
            ]
            .iter()
            .any(|m| m.is_some())
    }
}

/// What the form's link may prefill.
#[derive(serde::Deserialize)]
pub struct Prefill {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    site: String,
}

/// The form as posted: the report's fields, the token and the honeypot.
#[derive(serde::Deserialize)]
pub struct Posted {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    t: String,
    /// Hidden from people; a bot that fills every field fills it.
    #[serde(default)]
    homepage: String,
}

fn kinds(lang: Lang, chosen: &str) -> Vec<KindOption> {
    ReportKind::ALL
        .into_iter()
        .map(|k| KindOption {
            value: k.as_str(),
            label: kind_label(k, lang),
            hint: lang.t(&format!("report-kind-{}-hint", k.as_str())),
            checked: k.as_str() == chosen,
        })
        .collect()
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    lang: Lang,
    form: ReportForm,
    token: String,
) -> ReportFormPage {
    let mut layout = Layout::new(req, state, lang).await;
    layout.set_canonical(&state.config, "/reports/new");
    ReportFormPage {
        layout,
        kinds: kinds(lang, &form.kind),
        form,
        errors: FieldErrors::default(),
        general: None,
        token,
        max_what: MAX_WHAT,
        max_evidence: MAX_EVIDENCE,
    }
}

/// Never stored: the page holds a token issued for this visit.
fn respond(status: StatusCode, page: &ReportFormPage) -> Result<HttpResponse, AppError> {
    Ok(HttpResponseBuilder::new(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(crate::web::i18n::VARY)
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .body(to_html(page)?))
}

pub async fn new(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
    prefill: web::Query<Prefill>,
) -> Result<HttpResponse, AppError> {
    let prefill = prefill.into_inner();
    let clip = |s: &str, n: usize| s.trim().chars().take(n).collect::<String>();
    let form = ReportForm {
        kind: ReportKind::parse(prefill.kind.trim())
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
        number: clip(&prefill.number, 40),
        site: clip(&prefill.site, 253),
        ..ReportForm::default()
    };
    let token = form_token::issue(
        &state.config.session_secret,
        FORM_PURPOSE,
        state.clock.now(),
    );
    respond(StatusCode::OK, &page(&req, &state, lang, form, token).await)
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
    posted: web::Form<Posted>,
) -> Result<HttpResponse, AppError> {
    let posted = posted.into_inner();
    let form = ReportForm {
        kind: posted.kind,
        site: posted.site,
        number: posted.number,
        what: posted.what,
        evidence: posted.evidence,
        contact: posted.contact,
        consent: posted.consent.is_some_and(|c| !c.is_empty()),
    };
    let now = state.clock.now();
    let secret = &state.config.session_secret;
    let checked = form_token::check(secret, FORM_PURPOSE, &posted.t, now);
    // A good token is kept, so correcting a mistake does not restart the minimum fill time.
    let token = match checked {
        TokenCheck::Good => posted.t.clone(),
        _ => form_token::issue(secret, FORM_PURPOSE, now),
    };
    let mut page = page(&req, &state, lang, form, token).await;
    let general = if !posted.homepage.trim().is_empty() {
        Some("report-error-rejected")
    } else {
        match checked {
            TokenCheck::Good => None,
            TokenCheck::TooFast => Some("report-error-too-fast"),
            TokenCheck::Expired | TokenCheck::Forged => Some("report-error-token"),
        }
    };
    let checked_report = report::check(&page.form);
    if let Err(errors) = &checked_report {
        let e = &mut page.errors;
        for (field, key) in errors {
            let slot = match field {
                Field::Kind => &mut e.kind,
                Field::Site => &mut e.site,
                Field::Number => &mut e.number,
                Field::What => &mut e.what,
                Field::Evidence => &mut e.evidence,
                Field::Contact => &mut e.contact,
                Field::Consent => &mut e.consent,
            };
            *slot = Some(match *key {
                "report-error-what-long" => lang.t1(key, "max", MAX_WHAT),
                "report-error-evidence" => lang.t1(key, "max", MAX_EVIDENCE),
                _ => lang.t(key),
            });
        }
    }
    page.general = general.map(|key| lang.t(key));
    let report = match checked_report {
        Ok(report) if general.is_none() => report,
        _ => return respond(StatusCode::UNPROCESSABLE_ENTITY, &page),
    };
    let ip = crate::web::client::client_ip(&req, state.config.trust_proxy);
    if let Err(AppError::TooManyRequests(seconds)) = state.limits.check(LimitKind::Reports, ip) {
        page.general = Some(lang.t("report-error-budget"));
        let mut res = respond(StatusCode::TOO_MANY_REQUESTS, &page)?;
        if let Ok(value) = seconds.to_string().parse() {
            res.headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, value);
        }
        return Ok(res);
    }
    let network = format!("{:016x}", state.client_network_digest(&req));
    let actor = Actor {
        kind: ActorKind::Public,
        today: state.today(),
        now: now.naive_utc(),
        validity_years: state.config.cert_validity_years,
        log_signer: state.config.log_signer.clone(),
    };
    let submitted = state
        .db(move |conn| Ok(reports::submit(conn, &actor, &report, &network)?))
        .await?;
    tracing::info!(case = %submitted.case_number, folded = submitted.folded, "report received");
    let location = format!("{}?received=1", paths::report_follow(&submitted.token));
    Ok(HttpResponse::SeeOther()
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header((LOCATION, location))
        .finish())
}
