//! `/admin/webhooks`: the webhook endpoints staff register for a certificate or a company (a
//! list filtered by `?for=`, with the form to add one), and one endpoint's page — its secret and
//! the registry's `v1a` public key for the receiver, its delivery log, and buttons to send a
//! test event, disable or enable it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::auth::{AdminForm, Staff};
use super::{render, see_other, write_as, AdminLayout, State};
use crate::app::webhooks::{self as use_case, WebhookError};
use crate::db::webhooks::{self, Delivery, Endpoint};
use crate::domain::webhook::{event_type, UrlRefusal};
use crate::domain::webhook_signature::public_key_text;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::paths;

/// Endpoints listed at most.
const LISTED: i64 = 200;
/// Deliveries shown in an endpoint's log.
const LOGGED: i64 = 100;

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
pub struct WebhooksPage {
    pub layout: AdminLayout,
    pub endpoints: Vec<EndpointRow>,
    /// The certificate number or credit code the list is filtered by (and the form is for).
    pub target: String,
    pub url: String,
    pub errors: Vec<String>,
}

/// An endpoint in the list.
pub struct EndpointRow {
    pub href: String,
    pub url: String,
    pub target: String,
    pub target_href: String,
    pub enabled: bool,
}

impl EndpointRow {
    fn of(e: &Endpoint) -> EndpointRow {
        let (target, target_href) = match &e.certificate_number {
            Some(n) => (n.clone(), paths::admin_certificate(n)),
            None => (e.credit_code.clone(), paths::admin_company(&e.credit_code)),
        };
        EndpointRow {
            href: paths::admin_webhook(e.id),
            url: e.url.clone(),
            target,
            target_href,
            enabled: e.enabled,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/webhook.html")]
pub struct WebhookPage {
    pub layout: AdminLayout,
    pub endpoint: Endpoint,
    pub row: EndpointRow,
    /// `whpk_…`: the registry's key for `v1a` signatures, when it signs with one.
    pub public_key: Option<String>,
    pub deliveries: Vec<DeliveryRow>,
    pub self_href: String,
}

/// A delivery in the endpoint's log.
pub struct DeliveryRow {
    pub message_id: String,
    pub event_type: String,
    pub certificate: String,
    pub created_at: NaiveDateTime,
    pub state: String,
    pub attempts: i32,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub next_attempt_at: Option<NaiveDateTime>,
    /// The HTTP status, or why there was none.
    pub answer: String,
    pub response: String,
}

impl DeliveryRow {
    fn of(d: Delivery) -> DeliveryRow {
        DeliveryRow {
            event_type: event_type(&d.kind),
            certificate: d.certificate_number.unwrap_or_default(),
            created_at: d.created_at,
            attempts: d.attempts,
            last_attempt_at: d.last_attempt_at,
            next_attempt_at: d.next_attempt_at.filter(|_| d.state == webhooks::PENDING),
            answer: match (d.last_status, d.last_error) {
                (Some(status), _) => status.to_string(),
                (None, Some(error)) => error,
                (None, None) => String::new(),
            },
            response: d.last_response.unwrap_or_default(),
            state: d.state,
            message_id: d.message_id,
        }
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default, rename = "for")]
    pub target: String,
}

async fn list_page(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    target: String,
    url: String,
    errors: Vec<String>,
) -> Result<WebhooksPage, AppError> {
    let filter = target.trim().to_owned();
    let endpoints = state
        .db(move |conn| {
            let found = if filter.is_empty() {
                None
            } else {
                Some(webhooks::find_target(conn, &filter)?.ok_or(AppError::NotFound)?)
            };
            Ok(webhooks::list_endpoints(conn, found, LISTED)?)
        })
        .await?;
    Ok(WebhooksPage {
        layout: AdminLayout::new(req, lang, staff),
        endpoints: endpoints.iter().map(EndpointRow::of).collect(),
        target,
        url,
        errors,
    })
}

/// `GET /admin/webhooks[?for=NUMBER|CREDIT-CODE]`.
pub async fn list(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let target = query.into_inner().target;
    let page = list_page(
        &req,
        &state,
        lang,
        &staff,
        target,
        String::new(),
        Vec::new(),
    )
    .await?;
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default, rename = "for")]
    pub target: String,
    #[serde(default)]
    pub url: String,
}

/// `POST /admin/webhooks`: registers an endpoint, then shows its page (with its secret).
pub async fn register(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    form: AdminForm<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(form) = form;
    let (target, url) = (form.target.clone(), form.url.clone());
    let allow_loopback = state.config.webhook_allow_loopback;
    let registered = write_as(&state, &staff, move |conn, actor| {
        use_case::register(conn, actor, &target, &url, allow_loopback)
    })
    .await?;
    let key = match registered {
        Ok(id) => return Ok(see_other(&paths::admin_webhook(id))),
        Err(WebhookError::UnknownTarget(_)) => "webhook-unknown-target",
        Err(WebhookError::Url(UrlRefusal::NotHttps)) => "webhook-url-https",
        Err(WebhookError::Url(UrlRefusal::NotPublic)) => "webhook-url-not-public",
        Err(WebhookError::Url(UrlRefusal::Credentials)) => "webhook-url-credentials",
        Err(WebhookError::Url(UrlRefusal::TooLong | UrlRefusal::NotUrl)) => "webhook-url-invalid",
        Err(WebhookError::NotFound) => return Err(AppError::NotFound),
        Err(WebhookError::Db(e)) => return Err(e.into()),
    };
    // The list unfiltered when the target was not found (a filter would be a 404).
    let shown = if key == "webhook-unknown-target" {
        String::new()
    } else {
        form.target.clone()
    };
    let mut page = list_page(
        &req,
        &state,
        lang,
        &staff,
        shown,
        form.url,
        vec![lang.t(key)],
    )
    .await?;
    page.target = form.target;
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `GET /admin/webhooks/{id}`.
pub async fn show(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (endpoint, deliveries) = state
        .db(move |conn| {
            let endpoint = webhooks::endpoint(conn, id)?.ok_or(AppError::NotFound)?;
            let deliveries = webhooks::deliveries_of(conn, id, LOGGED)?;
            Ok((endpoint, deliveries))
        })
        .await?;
    let page = WebhookPage {
        layout: AdminLayout::new(&req, lang, &staff),
        row: EndpointRow::of(&endpoint),
        endpoint,
        public_key: state
            .config
            .log_signer
            .as_deref()
            .map(|s| public_key_text(&s.signing_key().verifying_key())),
        deliveries: deliveries.into_iter().map(DeliveryRow::of).collect(),
        self_href: paths::admin_webhook(id),
    };
    render(StatusCode::OK, &page)
}

/// `POST /admin/webhooks/{id}/{test|disable|enable}`.
pub async fn act(
    state: State,
    staff: Staff,
    path: web::Path<(i32, String)>,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(_) = form;
    let (id, action) = path.into_inner();
    let done = match action.as_str() {
        "test" => {
            write_as(&state, &staff, move |conn, actor| {
                use_case::send_test(conn, actor, id).map(drop)
            })
            .await?
        }
        "disable" | "enable" => {
            let enabled = action == "enable";
            write_as(&state, &staff, move |conn, actor| {
                use_case::set_enabled(conn, actor, id, enabled)
            })
            .await?
        }
        _ => return Err(AppError::NotFound),
    };
    match done {
        Ok(()) => Ok(see_other(&paths::admin_webhook(id))),
        Err(WebhookError::NotFound) => Err(AppError::NotFound),
        Err(WebhookError::Db(e)) => Err(e.into()),
        Err(other) => Err(AppError::Internal(other.to_string())),
    }
}
