//! `/admin/login` and `/admin/logout`. A failed login says only that the name or the password is
//! wrong; throttling counts failures per account name and per client address, whether or not
//! the account exists, and a refused attempt is not even checked.

use std::sync::LazyLock;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::auth::{client_address, csrf_token, AdminForm, Staff, ACCOUNT_ID, CSRF};
use super::session::random_token;
use super::{render, see_other, switch_href, AdminLayout, State};
use crate::db::accounts::{append_audit, find_account, AuditEntry};
use crate::db::sessions;
use crate::domain::account::{hash_password, verify_password};
use crate::domain::throttle::{account_key, address_key, LOGIN_THROTTLE};
use crate::error::AppError;
use crate::web::i18n::Lang;

/// The hash of a random password nobody has, verified when the account does not exist so that
/// the answer takes as long either way.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password(&random_token()).unwrap_or_default());

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

enum Verdict {
    Throttled,
    Wrong,
    Ok { id: i32, username: String },
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: State,
    lang: Lang,
    form: AdminForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(form) = form;
    let address = client_address(&req, state.config.trust_proxy);
    let now = state.clock.now().naive_utc();
    let username = form.username.trim().to_owned();
    let password = form.password;
    let name = username.clone();
    let verdict = state
        .db(move |conn| {
            let keys = [account_key(&name), address_key(&address)];
            let keys = [keys[0].as_str(), keys[1].as_str()];
            let since = now - LOGIN_THROTTLE.window();
            let counts = sessions::failures_since(conn, &keys, since)?;
            if !LOGIN_THROTTLE.allows(counts[0], counts[1]) {
                return Ok(Verdict::Throttled);
            }
            let account = find_account(conn, &name)?.filter(|a| !a.disabled);
            let hash = account
                .as_ref()
                .map_or(DECOY_HASH.as_str(), |a| a.password_hash.as_str());
            let matches = verify_password(&password, hash);
            match account {
                Some(account) if matches => {
                    sessions::clear_failures(conn, keys[0])?;
                    append_audit(
                        conn,
                        &AuditEntry {
                            at: now,
                            actor: account.username.clone(),
                            action: "session.login".to_owned(),
                            entity: "account".to_owned(),
                            entity_id: account.id.to_string(),
                            before_json: None,
                            after_json: None,
                        },
                    )?;
                    Ok(Verdict::Ok {
                        id: account.id,
                        username: account.username,
                    })
                }
                _ => {
                    sessions::record_failure(conn, &keys, now, since)?;
                    Ok(Verdict::Wrong)
                }
            }
        })
        .await?;
    let (status, message) = match verdict {
        Verdict::Ok { id, username } => {
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

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    staff: Staff,
    session: Session,
    _form: AdminForm<Empty>,
) -> Result<HttpResponse, AppError> {
    tracing::info!(user = %staff.username, "back-office logout");
    session.purge();
    Ok(see_other("/admin/login"))
}
