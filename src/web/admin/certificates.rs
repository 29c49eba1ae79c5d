//! `/admin/certificates/{number}`: a certificate as the body sees it, with the lifecycle actions
//! its status allows; `POST …/{action}` applies one (event + audit + revision in one
//! transaction, so the public page and the badge change at once).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::auth::{AdminForm, Staff};
use super::platforms::PlatformForm;
use super::{render, see_other, write_as, AdminLayout, State};
use crate::app::certificates::{self as use_case, BindingChange, BindingError, LifecycleError};
use crate::db::accounts::{self, AuditEntry};
use crate::db::holders;
use crate::db::lifecycle;
use crate::db::models::{Certificate, CertificateEvent, Company, Platform};
use crate::domain::dates::add_months;
use crate::domain::lifecycle::{
    parse_domains, ActionError, ActionInput, ActionKind, DomainListError, MAX_BOUND_DOMAINS,
    MAX_SUSPENSION_MONTHS,
};
use crate::domain::platform_type::PlatformType;
use crate::domain::scope::ScopeError;
use crate::domain::status::{effective_status, CertificateStatus};
use crate::error::{AppError, UserMessage};
use crate::web::i18n::Lang;
use crate::web::paths;
use crate::web::view::{platform_type_label, star_string, StatusView};

pub struct EventRow {
    pub date: NaiveDate,
    pub kind: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "admin/certificate.html")]
pub struct AdminCertificatePage {
    pub layout: AdminLayout,
    pub today: NaiveDate,
    pub certificate: Certificate,
    /// This page, which its forms post to (`…/suspend`, `…/binding`, `…/platform`).
    pub self_href: String,
    pub evaluate_href: String,
    pub public_href: String,
    pub status: StatusView,
    pub stars: String,
    pub suspended_until: Option<NaiveDate>,
    /// The actions the effective status allows.
    pub actions: Vec<ActionKind>,
    /// Whether an evaluation can be entered (the certificate is valid or suspended).
    pub can_evaluate: bool,
    pub suspend_max: NaiveDate,
    pub events: Vec<EventRow>,
    pub audit: Vec<AuditEntry>,
    /// The platform's bound domains, one per line, for the binding form.
    pub domains: String,
    /// The holder, linked to its back-office page.
    pub company: Company,
    pub company_href: String,
    /// The platform form's values (see `platforms`).
    pub platform_form: PlatformForm,
    /// Every platform type: (stored name, label in the reader's language).
    pub platform_types: Vec<(&'static str, String)>,
    pub validity_years: u32,
    /// A refused action's message, shown above the forms.
    pub error: Option<String>,
    /// Report cases tied to the certificate or about one of its websites.
    pub cases: Vec<super::cases::CaseRow>,
}

type Loaded = Option<(
    (Certificate, Option<NaiveDate>),
    Vec<CertificateEvent>,
    Vec<AuditEntry>,
    Vec<String>,
    (Company, Platform),
    Vec<crate::db::reports::Case>,
)>;

/// The page of the certificate `number` (404 when there is none), with `error` above its forms.
pub(super) async fn page(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    number: String,
    error: Option<String>,
) -> Result<AdminCertificatePage, AppError> {
    let key = number.clone();
    let loaded: Loaded = state
        .db(move |conn| {
            let Some(found) = lifecycle::find(conn, &key)? else {
                return Ok(None);
            };
            let events = crate::db::certificates::events_of(conn, found.0.id)?;
            let audit = accounts::audit_of(conn, "certificate", &key, 20)?;
            let domains = crate::db::certificates::domains_of(conn, found.0.platform_id)?;
            let holder = holders::holder_and_platform(conn, &found.0)?;
            let sites: Vec<String> = domains
                .iter()
                .map(|d| crate::domain::report::fold_site(d))
                .collect();
            let cases = crate::db::report_triage::cases_about(conn, Some(found.0.id), &sites)?;
            Ok(Some((found, events, audit, domains, holder, cases)))
        })
        .await?;
    let ((certificate, suspended_until), events, audit, domains, (company, platform), cases) =
        loaded.ok_or(AppError::NotFound)?;
    let now = state.clock.now().naive_utc();
    let handling_days = state.config.operations.report_handling_days;
    let cases = cases
        .iter()
        .map(|c| super::cases::CaseRow::new(c, now, handling_days, lang))
        .collect();
    let today = state.today();
    let effective = effective_status(certificate.status, certificate.expires_on, today);
    let actions = ActionKind::ALL
        .into_iter()
        .filter(|a| a.applies_to(effective))
        .collect();
    let events = events
        .into_iter()
        .rev()
        .map(|e| EventRow {
            date: e.occurred_on,
            kind: lang.t(&format!("event-{}", e.kind)),
            reason: [e.reason_zh, e.reason_en]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" / "),
        })
        .collect();
    Ok(AdminCertificatePage {
        layout: AdminLayout::new(req, lang, staff),
        today,
        self_href: paths::admin_certificate(&certificate.number),
        evaluate_href: paths::admin_evaluate(&certificate.number),
        public_href: paths::certificate(&certificate.number),
        status: StatusView::new(effective, lang),
        stars: star_string(u8::try_from(certificate.grade).unwrap_or(0)),
        certificate,
        suspended_until,
        actions,
        can_evaluate: matches!(
            effective,
            CertificateStatus::Valid | CertificateStatus::Suspended
        ),
        suspend_max: add_months(today, MAX_SUSPENSION_MONTHS),
        events,
        audit,
        domains: crate::web::view::display_domains(&domains).join("\n"),
        company_href: paths::admin_company(&company.credit_code),
        company,
        platform_form: PlatformForm::stored(&platform),
        platform_types: PlatformType::ALL
            .into_iter()
            .map(|t| (t.as_str(), platform_type_label(t.as_str(), lang)))
            .collect(),
        validity_years: state.config.cert_validity_years,
        error,
        cases,
    })
}

pub async fn show(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = page(&req, &state, lang, &staff, path.into_inner(), None).await?;
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    number: String,
}

/// `/admin/find?number=…`: the dashboard's box, straight to the certificate's page.
pub async fn find(query: web::Query<FindQuery>) -> Result<HttpResponse, AppError> {
    let number = query.number.trim();
    if number.is_empty() {
        return Ok(see_other("/admin"));
    }
    Ok(see_other(&paths::admin_certificate(number)))
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    reason_zh: String,
    #[serde(default)]
    reason_en: String,
    /// `YYYY-MM-DD`, for a suspension.
    #[serde(default)]
    until: String,
}

fn refusal_message(e: &ActionError, lang: Lang) -> String {
    match e {
        ActionError::NotAllowed { action, status } => lang.t1(
            &format!("admin-refused-{}", action.as_str()),
            "status",
            lang.t(&format!("status-{}", status.as_str())),
        ),
        ActionError::ReasonRequired => lang.t("admin-reason-required"),
        ActionError::ReasonTooLong => lang.t("admin-reason-too-long"),
        ActionError::BadSuspensionEnd => {
            lang.t1("admin-bad-suspension-end", "n", MAX_SUSPENSION_MONTHS)
        }
    }
}

pub async fn act(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<(String, String)>,
    form: AdminForm<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (number, action) = path.into_inner();
    let action = ActionKind::parse(&action).ok_or(AppError::NotFound)?;
    let AdminForm(form) = form;
    let until = match form.until.trim() {
        "" => None,
        s => Some(
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| AppError::bad_request("admin-bad-date"))?,
        ),
    };
    let input = ActionInput {
        reason_zh: form.reason_zh,
        reason_en: form.reason_en,
        until,
    };
    let key = number.clone();
    let result = write_as(&state, &staff, move |conn, actor| {
        use_case::apply(conn, actor, &key, action, &input)
    })
    .await?;
    match result {
        Ok(status) => {
            tracing::info!(user = %staff.username, number = %number, action = action.as_str(), status = status.as_str(), "lifecycle action");
            // Drop this instance's cached renderings now; others follow the revision.
            state.revision.force_check();
            Ok(see_other(&paths::admin_certificate(&number)))
        }
        Err(LifecycleError::NotFound) => Err(AppError::NotFound),
        Err(LifecycleError::Refused(e)) => {
            let status = match e {
                ActionError::NotAllowed { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let message = refusal_message(&e, lang);
            let page = page(&req, &state, lang, &staff, number, Some(message)).await?;
            render(status, &page)
        }
        Err(LifecycleError::Concurrent) => {
            Err(AppError::Conflict(UserMessage::new("admin-concurrent")))
        }
        Err(LifecycleError::Db(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct BindingForm {
    #[serde(default)]
    domains: String,
    #[serde(default)]
    scope_zh: String,
    #[serde(default)]
    scope_en: String,
}

/// Changes the bound domains and the scope of a certificate in force.
pub async fn binding(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<String>,
    form: AdminForm<BindingForm>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let AdminForm(form) = form;
    let refuse = |status: StatusCode, message: String| {
        let (req, state, staff, number) = (&req, &state, &staff, number.clone());
        async move {
            let page = page(req, state, lang, staff, number, Some(message)).await?;
            render(status, &page)
        }
    };
    let domains = match parse_domains(&form.domains) {
        Ok(d) => d,
        Err(DomainListError::NotAHost(h)) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang.t1("admin-binding-not-host", "value", h),
            )
            .await
        }
        Err(DomainListError::Empty) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang.t("admin-binding-empty"),
            )
            .await
        }
        Err(DomainListError::TooMany) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang.t1("admin-binding-too-many", "value", MAX_BOUND_DOMAINS),
            )
            .await
        }
    };
    let key = number.clone();
    let change = BindingChange {
        domains,
        scope_zh: form.scope_zh,
        scope_en: form.scope_en,
    };
    let result = write_as(&state, &staff, move |conn, actor| {
        use_case::change_binding(conn, actor, &key, &change)
    })
    .await?;
    match result {
        Ok(()) => {
            state.revision.force_check();
            Ok(see_other(&paths::admin_certificate(&number)))
        }
        Err(BindingError::NotFound) => Err(AppError::NotFound),
        Err(BindingError::Ended(status)) => {
            refuse(
                StatusCode::CONFLICT,
                lang.t1(
                    "admin-binding-ended",
                    "status",
                    lang.tp("status-", status.as_str()),
                ),
            )
            .await
        }
        Err(BindingError::Taken(taken)) => {
            refuse(
                StatusCode::CONFLICT,
                lang.t1("admin-binding-taken", "value", taken.join(", ")),
            )
            .await
        }
        Err(BindingError::Scope(ScopeError::Required)) => {
            refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang.t("admin-binding-scope"),
            )
            .await
        }
        Err(BindingError::Scope(ScopeError::TooLong)) => {
            refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang.t("admin-reason-too-long"),
            )
            .await
        }
        Err(BindingError::Db(e)) => Err(e.into()),
    }
}
