//! `/admin/login` and `/admin/logout`. A failed login says only that the name or the password is
//! wrong; throttling counts failures per account name and per client address, whether or not
//! the account exists, and a refused attempt is not even checked.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::auth::{client_address, csrf_token, AdminForm, Staff, ACCOUNT_ID, CSRF};
use super::session::random_token;
use super::{render, see_other, switch_href, write_as, AdminLayout, State};
use crate::app::sessions::{self, LoginAttempt, Verdict};
use crate::domain::throttle::LOGIN_THROTTLE;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::state::FeatureState;

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

fn page(
    req: &HttpRequest,
    lang: Lang,
    session: &Session,
    username: String,
    next: &str,
    error: Option<String>,
) -> Result<LoginPage, AppError> {
    Ok(LoginPage {
        layout: AdminLayout {
            lang,
            staff: None,
            csrf: csrf_token(session)?,
            switch_href: switch_href(req, lang),
        },
        username,
        next: safe_next(next).to_owned(),
        error,
    })
}

pub async fn form(
    req: HttpRequest,
    session: Session,
    lang: Lang,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page(&req, lang, &session, String::new(), &query.next, None)?;
    render(StatusCode::OK, &page)
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: State,
    lang: Lang,
    form: AdminForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(form) = form;
    let username = form.username.trim().to_owned();
    let attempt = LoginAttempt {
        username: username.clone(),
        password: form.password,
        address: client_address(&req, state.config.trust_proxy),
        now: state.clock.now().naive_utc(),
    };
    let verdict = check(&state, attempt).await?;
    let (status, message) = match verdict {
        Verdict::SignedIn { id, username } => {
            // A new session key at login (no session fixation) and a new CSRF token.
            session.renew();
            let insert = session
                .insert(ACCOUNT_ID, id)
                .and_then(|()| session.insert(CSRF, random_token()));
            insert.map_err(|e| AppError::Internal(format!("session: {e}")))?;
            tracing::info!(user = %username, "back-office login");
            return Ok(see_other(safe_next(&form.next)));
        }
        Verdict::Throttled => (
            StatusCode::TOO_MANY_REQUESTS,
            lang.t1(
                "admin-login-throttled",
                "value",
                LOGIN_THROTTLE.window_minutes,
            ),
        ),
        Verdict::Wrong => (StatusCode::UNAUTHORIZED, lang.t("admin-login-wrong")),
    };
    let page = page(&req, lang, &session, username, &form.next, Some(message))?;
    render(status, &page)
}

/// Logins verifying a password at once: Argon2 is CPU work, so a flood of attempts waits here
/// instead of taking every core (and, as before, every pooled connection) from public pages.
pub struct LoginGate(tokio::sync::Semaphore);

impl Default for LoginGate {
    fn default() -> Self {
        LoginGate(tokio::sync::Semaphore::new(2))
    }
}

impl FeatureState for LoginGate {}

/// Reads what the attempt needs, releases the connection, verifies the password under the
/// gate, then records the outcome on a connection again.
async fn check(state: &State, attempt: LoginAttempt) -> Result<Verdict, AppError> {
    let read = attempt.clone();
    let candidate = match state
        .db(move |conn| Ok(sessions::prepare(conn, &read)?))
        .await?
    {
        Ok(candidate) => candidate,
        Err(verdict) => return Ok(verdict),
    };
    let gate = state.feature::<LoginGate>();
    let matches = {
        let _permit = gate
            .0
            .acquire()
            .await
            .map_err(|e| AppError::Internal(format!("login gate: {e}")))?;
        let (checked, password) = (candidate.clone(), attempt.password.clone());
        state.cpu(move || Ok(checked.verify(&password))).await?
    };
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
