//! Error pages: every 4xx/5xx that a handler or actix itself raised becomes an HTML page in the
//! reader's language, with the right status and a way back to the search (or, under `/admin`,
//! to the back office's dashboard, in its layout: `admin::error_page`).

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::admin::error_page as admin_error;
use super::i18n::{self, Lang};
use super::layout::Layout;
use super::AppState;
use crate::error::{AppError, UserMessage};

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub title: String,
    pub message: String,
}

/// Whether a request of this method would change something (its 503 says nothing was saved).
pub fn is_write(method: &actix_web::http::Method) -> bool {
    !matches!(
        *method,
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    )
}

/// Any method but GET or HEAD on a known path.
pub async fn method_not_allowed() -> Result<HttpResponse, AppError> {
    Err(AppError::MethodNotAllowed)
}

/// The fallback for unknown paths.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

fn message_for(lang: Lang, status: StatusCode, detail: Option<&UserMessage>) -> (String, String) {
    let title = match status {
        StatusCode::NOT_FOUND => lang.t("error-404-title"),
        StatusCode::FORBIDDEN => lang.t("error-403-title"),
        StatusCode::CONFLICT => lang.t("error-409-title"),
        StatusCode::TOO_MANY_REQUESTS => lang.t("error-429-title"),
        s if s.is_client_error() => lang.t("error-400-title"),
        StatusCode::SERVICE_UNAVAILABLE => lang.t("error-503-title"),
        _ => lang.t("error-500-title"),
    };
    let message = match (detail, status) {
        (Some(m), _) => match &m.arg {
            Some(arg) => lang.t1(m.key, "value", arg),
            None => lang.t(m.key),
        },
        (None, StatusCode::NOT_FOUND) => lang.t("error-404-message"),
        (None, StatusCode::METHOD_NOT_ALLOWED) => lang.t("error-405-message"),
        (None, s) if s.is_client_error() => lang.t("error-400-message"),
        (None, StatusCode::SERVICE_UNAVAILABLE) => lang.t("error-503-message"),
        (None, _) => lang.t("error-500-message"),
    };
    (title, message)
}

/// Builds the error page for a request (also used by the tests of messages): in the back
/// office's layout under `/admin`, else in the public one.
pub fn error_page_html(
    req: &HttpRequest,
    status: StatusCode,
    detail: Option<&UserMessage>,
) -> Option<String> {
    let lang = i18n::negotiate(req);
    let state = req.app_data::<web::Data<AppState>>()?;
    let (title, message) = message_for(lang, status, detail);
    if admin_error::applies_to(req.path()) {
        return admin_error::render(req, lang, status.as_u16(), title, message);
    }
    let layout = Layout {
        lang,
        // Never touch the database while reporting an error: the banner uses the cached flag.
        demo: state.demo.get_if(|_| true).unwrap_or(false),
        switch_href: format!("/?lang={}", lang.other().tag()),
        canonical: state.config.public_url.clone(),
        alternates: Vec::new(),
        feed: None,
        q: String::new(),
        site: state.config.operations.site.clone(),
    };
    ErrorPage {
        layout,
        status: status.as_u16(),
        title,
        message,
    }
    .render()
    .ok()
}

/// `ErrorHandlers` hook: replaces the plain body of an error response with the HTML page.
/// Responses that handlers rendered themselves (the certificate 404 page) carry no error and
/// are left alone.
pub fn render_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let status = res.status();
    let Some(error) = res.response().error() else {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    };
    let writing = is_write(res.request().method());
    let detail = error
        .as_error::<AppError>()
        .and_then(|e| e.user_message(writing));
    let (req, old) = res.into_parts();
    let Some(html) = error_page_html(&req, status, detail.as_ref()) else {
        return Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, old).map_into_left_body(),
        ));
    };
    let mut new = HttpResponse::build(status).body(html);
    // Keep what the inner layers set (`Allow`, the back office's `X-Robots-Tag`, a session
    // cookie), but not the plain body's type and length.
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    new.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    new.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let res: ServiceResponse<EitherBody<B, BoxBody>> =
        ServiceResponse::new(req, new).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}
