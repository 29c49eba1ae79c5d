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
    /// The database (or a pool) cannot serve now; nothing was changed.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A connection broke during the request: the database went away.
    #[error("database connection lost: {0}")]
    DatabaseLost(String),
    /// SQLite: another process held the write lock longer than the busy timeout.
    #[error("database busy: {0}")]
    Busy(String),
    /// This client network sent more requests of this kind than its rate limit allows; it may
    /// try again after this many seconds.
    #[error("too many requests (retry after {0} s)")]
    TooManyRequests(u32),
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

    /// Seconds a client should wait before trying again (`Retry-After` of a 503).
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            AppError::Busy(_) => Some(2),
            AppError::Unavailable(_) | AppError::DatabaseLost(_) => Some(5),
            AppError::TooManyRequests(seconds) => Some(*seconds),
            _ => None,
        }
    }

    /// The message for the reader of a 503 page, if this is one; `writing` when the request
    /// would have changed something (it says that nothing was saved).
    pub fn unavailable_message(&self, writing: bool) -> Option<UserMessage> {
        let key = match (self, writing) {
            (AppError::Busy(_), false) => "error-busy-message",
            (AppError::Busy(_), true) => "error-busy-not-saved",
            (AppError::Unavailable(_) | AppError::DatabaseLost(_), false) => "error-503-message",
            (AppError::Unavailable(_) | AppError::DatabaseLost(_), true) => "error-not-saved",
            _ => return None,
        };
        Some(UserMessage::new(key))
    }

    /// What the reader of an error page or JSON error is told beyond its status, if anything
    /// (the message of a refusal, of an outage, of a rate limit).
    pub fn user_message(&self, writing: bool) -> Option<UserMessage> {
        match self {
            AppError::BadRequest(m) | AppError::Forbidden(m) | AppError::Conflict(m) => {
                Some(m.clone())
            }
            AppError::TooManyRequests(seconds) => {
                Some(UserMessage::with("error-429-message", seconds))
            }
            e => e.unavailable_message(writing),
        }
    }

    pub fn bad_request_with(key: &'static str, arg: impl ToString) -> AppError {
        AppError::BadRequest(UserMessage::with(key, arg))
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> AppError {
        use diesel::result::DatabaseErrorKind as Kind;
        use diesel::result::Error;
        match e {
            Error::NotFound => AppError::NotFound,
            Error::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, info) => {
                AppError::DatabaseLost(info.message().to_owned())
            }
            Error::DatabaseError(_, info) if is_sqlite_busy(info.message()) => {
                AppError::Busy(info.message().to_owned())
            }
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

/// SQLite's messages for `SQLITE_BUSY` and `SQLITE_LOCKED` (diesel gives no kind for them).
fn is_sqlite_busy(message: &str) -> bool {
    message.starts_with("database is locked")
        || message.starts_with("database table is locked")
        || message.starts_with("database schema is locked")
}

impl From<crate::db::PoolError> for AppError {
    fn from(e: crate::db::PoolError) -> AppError {
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
            AppError::Unavailable(_) | AppError::DatabaseLost(_) | AppError::Busy(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A plain body; `web::errors` replaces it with the HTML page in the reader's language.
    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if self.retry_after().is_some() {
            // An outage is logged once, when it starts (`db::health`), not per request.
            tracing::debug!(error = %self, "request refused for now");
        } else if status.is_server_error() {
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
        if let Some(seconds) = self.retry_after() {
            res.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        res.content_type("text/plain; charset=utf-8")
            .body(status.canonical_reason().unwrap_or("error"))
    }
}
