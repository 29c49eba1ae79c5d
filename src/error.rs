//! One error type for the whole app. Each variant means something to a user and maps to a status;
//! `web::errors` renders it as a localised HTML page. 5xx are logged with their cause, 4xx are not.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// A message for the user: a Fluent key and an optional argument, localised when rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMessage {
    pub key: &'static str,
    pub arg: Option<String>,
}

impl UserMessage {
    pub fn new(key: &'static str) -> UserMessage {
        UserMessage { key, arg: None }
    }

    pub fn with(key: &'static str, arg: impl ToString) -> UserMessage {
        UserMessage {
            key,
            arg: Some(arg.to_string()),
        }
    }
}

/// Cloned when one failed render answers every reader that waited for it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("bad request: {0:?}")]
    BadRequest(UserMessage),
    /// Not signed in to the back office: a redirect to the login form, which returns here.
    #[error("login required")]
    LoginRequired { next: String },
    /// Signed in, but the role does not allow it; or a form without a valid CSRF token.
    #[error("forbidden: {0:?}")]
    Forbidden(UserMessage),
    /// The rules forbid this change in the record's present state (a transition, a duplicate).
    #[error("conflict: {0:?}")]
    Conflict(UserMessage),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_request(key: &'static str) -> AppError {
        AppError::BadRequest(UserMessage::new(key))
    }

    pub fn conflict(key: &'static str) -> AppError {
        AppError::Conflict(UserMessage::new(key))
    }

    pub fn bad_request_with(key: &'static str, arg: impl ToString) -> AppError {
        AppError::BadRequest(UserMessage::with(key, arg))
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> AppError {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> AppError {
        AppError::Unavailable(format!("database pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> AppError {
        AppError::Unavailable(format!("blocking pool: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A plain body; `web::errors` replaces it with the HTML page in the reader's language.
    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut res = HttpResponse::build(status);
        if let AppError::LoginRequired { next } = self {
            let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            return res
                .insert_header((
                    actix_web::http::header::LOCATION,
                    format!("/admin/login?{query}"),
                ))
                .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
                .finish();
        }
        if let AppError::MethodNotAllowed = self {
            res.insert_header((actix_web::http::header::ALLOW, "GET, HEAD"));
        }
        res.content_type("text/plain; charset=utf-8")
            .body(status.canonical_reason().unwrap_or("error"))
    }
}
