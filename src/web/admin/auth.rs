//! Who is asking, and may they: the signed-in staff member (`Staff`), role checks, and forms
//! that carry a valid CSRF token (`AdminForm`).
//!
//! CSRF uses the synchronizer-token pattern (OWASP): a random token kept in the server-side
//! session, put in every form, compared in constant time on every POST. The session cookie is
//! also `SameSite=Strict`. No maintained actix CSRF crate works with server-side sessions, and
//! the pattern is a few lines over actix-session. The login form, shown before there is a
//! session, uses a signed double-submit cookie instead (`login`), so that a visit to it writes
//! nothing to the database.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::session::random_token;
use crate::db::accounts;
use crate::domain::account::Role;
use crate::error::{AppError, UserMessage};
use crate::web::AppState;

/// Session keys.
pub const ACCOUNT_ID: &str = "account_id";
/// The account's session epoch at login: once the account's moves on (disabled, demoted, a new
/// password) the session has ended.
pub const EPOCH: &str = "epoch";
/// When the session was opened (Unix seconds): it ends `SQE_SESSION_MAX_HOURS` later.
pub const SIGNED_IN: &str = "signed_in";
pub const CSRF: &str = "csrf";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// The signed-in staff member, checked against the database on every request: a disabled
/// account or a changed role takes effect at once. Once extracted it is also kept in the
/// request's extensions, where the error page finds it.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: i32,
    pub username: String,
    pub role: Role,
    pub csrf: String,
}

impl Staff {
    /// Refuses with 403 unless the role allows `needed`.
    pub fn require(&self, needed: Role) -> Result<&Staff, AppError> {
        if self.role.allows(needed) {
            Ok(self)
        } else {
            Err(AppError::Forbidden(UserMessage::with(
                "admin-forbidden",
                needed.as_str(),
            )))
        }
    }

    /// This staff member acting now, as the use cases (`app`) take it.
    pub fn actor(&self, state: &AppState) -> crate::app::Actor {
        crate::app::Actor {
            kind: crate::app::ActorKind::Staff {
                account_id: self.id,
                username: self.username.clone(),
            },
            today: state.today(),
            now: state.clock.now().naive_utc(),
            validity_years: state.config.cert_validity_years,
            log_signer: state.config.log_signer.clone(),
        }
    }
}

/// The session's CSRF token, created when missing.
pub fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Ok(Some(token)) = session.get::<String>(CSRF) {
        return Ok(token);
    }
    let token = random_token();
    session
        .insert(CSRF, &token)
        .map_err(|e| AppError::Internal(format!("session: {e}")))?;
    Ok(token)
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Staff, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Already read for this request (by the route's role check): not read again.
        if let Some(staff) = req.extensions().get::<Staff>().cloned() {
            return Box::pin(async move { Ok(staff) });
        }
        let session = req.get_session();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let next = req.uri().path().to_owned();
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("no app state".into()))?;
            let login = || AppError::LoginRequired { next: next.clone() };
            let id = match session.get::<i32>(ACCOUNT_ID) {
                Ok(Some(id)) => id,
                _ => return Err(login()),
            };
            let epoch = session.get::<i32>(EPOCH).ok().flatten();
            let signed_in = session.get::<i64>(SIGNED_IN).ok().flatten();
            let account = state
                .db(move |conn| Ok(accounts::find_account_by_id(conn, id)?))
                .await?;
            let now = state.clock.now().timestamp();
            let max_age = i64::from(state.config.session_max_hours) * 3600;
            let live = |a: &accounts::Account| {
                !a.disabled
                    && Some(a.session_epoch) == epoch
                    && signed_in.is_some_and(|t| t <= now && now - t < max_age)
            };
            let Some(account) = account.filter(live) else {
                session.purge();
                return Err(login());
            };
            let role = account.role;
            let staff = Staff {
                id: account.id,
                username: account.username,
                role,
                csrf: csrf_token(&session)?,
            };
            // For the error page, which then shows the back office's navigation.
            req.extensions_mut().insert(staff.clone());
            Ok(staff)
        })
    }
}

/// An urlencoded form whose `csrf` field matches the session's token; anything else is a 403
/// and the handler never runs. The form type does not declare the token field.
pub struct AdminForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for AdminForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<AdminForm<T>, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|_| AppError::bad_request("admin-bad-form"))?;
            let expected = session
                .get::<String>(CSRF)
                .ok()
                .flatten()
                .unwrap_or_default();
            let form = checked_form(&body, &expected)?;
            Ok(AdminForm(form))
        })
    }
}

/// An urlencoded body whose `csrf` field matches `expected` (compared in constant time; an
/// empty `expected` matches nothing), parsed as `T`; else a 403, or a 400 for a malformed body.
pub fn checked_form<T: DeserializeOwned>(body: &[u8], expected: &str) -> Result<T, AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| AppError::bad_request("admin-bad-form"))?;
    let sent = pairs
        .iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let matches = !expected.is_empty() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()));
    if !matches {
        return Err(AppError::Forbidden(UserMessage::new("admin-csrf")));
    }
    serde_urlencoded::from_bytes(body).map_err(|_| AppError::bad_request("admin-bad-form"))
}
