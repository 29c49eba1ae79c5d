//! API errors as JSON: `{"error": {"status": 404, "message": "…"}}`. Handlers return `AppError`
//! like the pages do; this scope's `ErrorHandlers` hook writes the body (in English, or in
//! Chinese with `?lang=zh-CN`), so actix's own errors are JSON too.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, UserMessage};
use crate::web::i18n::{self, Lang};

/// The methods every API resource answers.
pub const ALLOWED_METHODS: &str = "GET, HEAD, OPTIONS";

/// An error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status, repeated.
    pub status: u16,
    /// What went wrong; a bad parameter is named.
    pub message: String,
}

/// The language of error messages: English unless `?lang=` asks for Chinese.
fn message_lang(req: &HttpRequest) -> Lang {
    i18n::query_lang(req).unwrap_or(Lang::En)
}

fn message_for(req: &HttpRequest, status: StatusCode, detail: Option<&UserMessage>) -> String {
    let lang = message_lang(req);
    if let Some(m) = detail {
        // The pages' message points to the filter menus, which the API has not.
        let key = match m.key {
            "error-bad-parameter" => "api-error-bad-parameter",
            other => other,
        };
        return match &m.arg {
            Some(arg) => lang.t1(key, "value", arg),
            None => lang.t(key),
        };
    }
    let info = req.match_info();
    match status {
        StatusCode::NOT_FOUND => {
            if let Some(number) = info.get("number") {
                lang.t1("api-error-no-certificate", "number", number)
            } else if let Some(code) = info.get("credit_code") {
                lang.t1("api-error-no-company", "code", code)
            } else if let Some(slug) = info.get("slug") {
                lang.t1("api-error-no-scheme", "value", slug)
            } else {
                lang.t("api-error-no-path")
            }
        }
        StatusCode::METHOD_NOT_ALLOWED => lang.t("api-error-method"),
        StatusCode::SERVICE_UNAVAILABLE => lang.t("error-503-message"),
        s if s.is_client_error() => lang.t("error-400-message"),
        _ => lang.t("error-500-message"),
    }
}

/// The JSON body of an error.
pub fn error_json(req: &HttpRequest, status: StatusCode, detail: Option<&UserMessage>) -> String {
    let body = ErrorBody {
        error: ErrorDetail {
            status: status.as_u16(),
            message: message_for(req, status, detail),
        },
    };
    serde_json::to_string(&body).unwrap_or_else(|_| "{}".to_owned())
}

/// `ErrorHandlers` hook: every error response of the API scope becomes a JSON error.
pub fn render_json_error<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let status = res.status();
    let detail = match res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
    {
        Some(e @ AppError::TooManyRequests(_)) => e.user_message(false),
        Some(AppError::BadRequest(m) | AppError::Forbidden(m) | AppError::Conflict(m)) => {
            Some(m.clone())
        }
        _ => None,
    };
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status).body(error_json(&req, status, detail.as_ref()));
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    let headers = new.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(header::ALLOW, HeaderValue::from_static(ALLOWED_METHODS));
    }
    let res: ServiceResponse<EitherBody<B, BoxBody>> =
        ServiceResponse::new(req, new).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

/// A CORS preflight (`OPTIONS`): any origin may GET and HEAD, with any request header (the API
/// takes no credentials, so nothing is exposed by allowing them); browsers may remember this
/// for a day.
pub async fn preflight(req: HttpRequest) -> HttpResponse {
    let mut res = HttpResponse::NoContent();
    res.insert_header((header::ALLOW, ALLOWED_METHODS))
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"));
    let requested = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            v.len() <= 500
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_, ".contains(&b))
        });
    if let Some(headers) = requested {
        res.insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, headers.to_owned()));
    }
    res.finish()
}
