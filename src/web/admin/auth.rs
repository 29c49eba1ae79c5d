//! Who is asking, and may they: the signed-in staff member (`Staff`), role checks, and forms
//! that carry a valid CSRF token (`AdminForm`).
//!
//! CSRF uses the synchronizer-token pattern (OWASP): a random token kept in the server-side
//! session, put in every form, compared in constant time on every POST. The session cookie is
//! also `SameSite=Strict`. No maintained actix CSRF crate works with server-side sessions, and
//! the pattern is a few lines over actix-session.

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
            let account = state
                .db(move |conn| Ok(accounts::find_account_by_id(conn, id)?))
                .await?;
            let Some(account) = account.filter(|a| !a.disabled) else {
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
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|_| AppError::bad_request("admin-bad-form"))?;
            let sent = pairs
                .iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            let expected = session
                .get::<String>(CSRF)
                .ok()
                .flatten()
                .unwrap_or_default();
            let matches =
                !expected.is_empty() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()));
            if !matches {
                return Err(AppError::Forbidden(UserMessage::new("admin-csrf")));
            }
            let form = serde_urlencoded::from_bytes(&body)
                .map_err(|_| AppError::bad_request("admin-bad-form"))?;
            Ok(AdminForm(form))
        })
    }
}

/// The client address login throttling counts by: the peer, or the first `X-Forwarded-For`
/// address when the proxy is trusted.
pub fn client_address(req: &HttpRequest, trust_proxy: bool) -> String {
    let info = req.connection_info();
    let address = if trust_proxy {
        info.realip_remote_addr()
    } else {
        info.peer_addr()
    };
    let address = address.unwrap_or("unknown");
    // Without the port: a client gets a new one for each connection.
    match address.parse::<std::net::SocketAddr>() {
        Ok(socket) => socket.ip().to_string(),
        Err(_) => address.to_owned(),
    }
}
