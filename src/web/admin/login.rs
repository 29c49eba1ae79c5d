//! `/admin/login` and `/admin/logout`. A failed login says only that the name or the password is
//! wrong; throttling counts failures per client network (for the name, and in all) whether or
//! not the account exists, a refused attempt is not even checked, and a name with many recent
//! failures waits a few seconds instead of being locked (`domain::throttle`). Failed and refused
//! attempts are logged with the name and network, never the password.
//!
//! The login form carries a signed double-submit token (OWASP): a random token in a signed,
//! `HttpOnly`, `SameSite=Strict` cookie limited to `/admin/login`, repeated in the form. The
//! page thus opens no session, and showing it writes nothing to the database.

use std::future::Future;
use std::pin::Pin;

use actix_session::Session;
use actix_web::cookie::{Cookie, CookieJar, SameSite};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::auth::{checked_form, AdminForm, Staff, ACCOUNT_ID, CSRF, EPOCH, SIGNED_IN};
use super::login_guard::{gated, RefusedLogins};
use super::session::random_token;
use super::{render, see_other, switch_href, write_as, AdminLayout, State};
use crate::app::sessions::{self, LoginAttempt, Verdict};
use crate::domain::throttle::LOGIN_THROTTLE;
use crate::error::AppError;
use crate::web::client::client_network;
use crate::web::i18n::Lang;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct LoginPage {
    pub layout: AdminLayout,
    pub username: String,
    pub next: String,
    /// The message above the form, if any.
    pub error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Where to go after logging in: a back-office path, never another site.
fn safe_next(next: &str) -> &str {
    let ok = next.starts_with("/admin")
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if ok {
        next
    } else {
        "/admin"
    }
}

/// The login form's token cookie.
pub const LOGIN_COOKIE: &str = "sqe_login";

/// A fresh login token, and the signed cookie that carries it.
fn login_token(state: &AppState) -> (String, Cookie<'static>) {
    let token = random_token();
    let cookie = Cookie::build(LOGIN_COOKIE, token.clone())
        .path("/admin/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.is_https())
        .finish();
    let mut jar = CookieJar::new();
    jar.signed_mut(&state.config.session_secret.key())
        .add(cookie);
    let signed = jar
        .get(LOGIN_COOKIE)
        .cloned()
        .unwrap_or_else(|| Cookie::new(LOGIN_COOKIE, ""));
    (token, signed)
}

/// The token of the request's login cookie, when its signature holds.
fn cookie_token(req: &HttpRequest, state: &AppState) -> String {
    let Some(cookie) = req.cookie(LOGIN_COOKIE) else {
        return String::new();
    };
    let mut jar = CookieJar::new();
    jar.add_original(cookie);
    jar.signed(&state.config.session_secret.key())
        .get(LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default()
}

/// The login page with a fresh token (in the form and in the cookie set with it).
fn respond(
    req: &HttpRequest,
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    username: String,
    next: &str,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (token, cookie) = login_token(state);
    let page = LoginPage {
        layout: AdminLayout {
            lang,
            staff: None,
            csrf: token,
            switch_href: switch_href(req, lang),
        },
        username,
        next: safe_next(next).to_owned(),
        error,
    };
    let mut res = render(status, &page)?;
    res.add_cookie(&cookie)
        .map_err(|e| AppError::Internal(format!("login cookie: {e}")))?;
    Ok(res)
}

pub async fn form(
    req: HttpRequest,
    state: State,
    lang: Lang,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    respond(
        &req,
        &state,
        lang,
        StatusCode::OK,
        String::new(),
        &query.next,
        None,
    )
}

/// The login form, when its token matches the signed cookie's; else a 403.
pub struct LoginSubmission(LoginForm);

impl FromRequest for LoginSubmission {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<LoginSubmission, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let expected = req
            .app_data::<web::Data<AppState>>()
            .map(|state| cookie_token(req, state))
            .unwrap_or_default();
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|_| AppError::bad_request("admin-bad-form"))?;
            Ok(LoginSubmission(checked_form(&body, &expected)?))
        })
    }
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: State,
    lang: Lang,
    form: LoginSubmission,
) -> Result<HttpResponse, AppError> {
    let LoginSubmission(form) = form;
    let username = form.username.trim().to_owned();
    let attempt = LoginAttempt {
        username: username.clone(),
        password: form.password,
        network: client_network(&req, state.config.trust_proxy),
        now: state.clock.now().naive_utc(),
    };
    let network = attempt.network.clone();
    // Logged bounded: a name is at most 32 characters, anything longer is not one.
    let shown: String = username.chars().take(64).collect();
    let verdict = check(&state, attempt).await?;
    let (status, message) = match verdict {
        Verdict::SignedIn {
            id,
            username,
            epoch,
        } => {
            // A new session key at login (no session fixation) and a new CSRF token.
            session.renew();
            let insert = session
                .insert(ACCOUNT_ID, id)
                .and_then(|()| session.insert(EPOCH, epoch))
                .and_then(|()| session.insert(SIGNED_IN, state.clock.now().timestamp()))
                .and_then(|()| session.insert(CSRF, random_token()));
            insert.map_err(|e| AppError::Internal(format!("session: {e}")))?;
            tracing::info!(user = %username, %network, "back-office login");
            let mut res = see_other(safe_next(&form.next));
            let mut gone = Cookie::build(LOGIN_COOKIE, "")
                .path("/admin/login")
                .finish();
            gone.make_removal();
            let _ = res.add_cookie(&gone);
            return Ok(res);
        }
        Verdict::Throttled { .. } => {
            tracing::warn!(user = %shown, %network, "back-office login refused: too many failures from this network");
            (
                StatusCode::TOO_MANY_REQUESTS,
                lang.t1(
                    "admin-login-throttled",
                    "value",
                    LOGIN_THROTTLE.window_minutes,
                ),
            )
        }
        Verdict::Wrong => {
            tracing::warn!(user = %shown, %network, "back-office login failed");
            (StatusCode::UNAUTHORIZED, lang.t("admin-login-wrong"))
        }
    };
    let mut res = respond(
        &req,
        &state,
        lang,
        status,
        username,
        &form.next,
        Some(message),
    )?;
    if status == StatusCode::TOO_MANY_REQUESTS {
        let wait = (LOGIN_THROTTLE.window_minutes * 60).to_string();
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&wait) {
            res.headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, value);
        }
    }
    Ok(res)
}

/// Reads what the attempt needs, releases the connection, verifies the password under the
/// gate, then records the outcome on a connection again.
async fn check(state: &State, attempt: LoginAttempt) -> Result<Verdict, AppError> {
    let refused = state.feature::<RefusedLogins>();
    if refused.refuses(&attempt) {
        return Ok(Verdict::Throttled {
            whole_network: false,
        });
    }
    let read = attempt.clone();
    let candidate = match state
        .db(move |conn| Ok(sessions::prepare(conn, &read)?))
        .await?
    {
        Ok(candidate) => candidate,
        Err(verdict) => {
            if let Verdict::Throttled { whole_network } = verdict {
                refused.remember(&attempt, whole_network);
            }
            return Ok(verdict);
        }
    };
    if !candidate.delay.is_zero() {
        // Many recent failures of this name from anywhere: every attempt on it waits (holding
        // no connection), instead of the account being locked.
        actix_web::rt::time::sleep(candidate.delay).await;
    }
    let (checked, password) = (candidate.clone(), attempt.password.clone());
    let matches = gated(state, move || checked.verify(&password)).await?;
    state
        .db(move |conn| Ok(sessions::conclude(conn, &attempt, candidate, matches)?))
        .await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    state: State,
    staff: Staff,
    session: Session,
    _form: AdminForm<Empty>,
) -> Result<HttpResponse, AppError> {
    write_as(&state, &staff, sessions::logout).await??;
    tracing::info!(user = %staff.username, "back-office logout");
    session.purge();
    Ok(see_other("/admin/login"))
}
