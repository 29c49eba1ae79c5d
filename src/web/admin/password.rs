//! Passwords from the back office: `/admin/password`, where anyone signed in changes their own
//! (with the present one), and `/admin/accounts/{id}/password`, where an administrator sets a
//! new one for another account. A new password ends every session of the account; the session
//! that changed its own stays open.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::auth::{AdminForm, Staff, EPOCH};
use super::login_guard::gated;
use super::{render, see_other, write_as, AdminLayout, State};
use crate::app::accounts::{self as use_case, AccountRefusal, NewPassword};
use crate::db::accounts;
use crate::domain::account::{verify_password, AccountError};
use crate::error::AppError;
use crate::web::i18n::Lang;

#[derive(Template)]
#[template(path = "admin/password.html")]
pub struct PasswordPage {
    pub layout: AdminLayout,
    pub error: Option<String>,
    pub done: bool,
}

fn page(
    req: &HttpRequest,
    lang: Lang,
    staff: &Staff,
    status: StatusCode,
    error: Option<String>,
    done: bool,
) -> Result<HttpResponse, AppError> {
    let page = PasswordPage {
        layout: AdminLayout::new(req, lang, staff),
        error,
        done,
    };
    render(status, &page)
}

pub async fn form(req: HttpRequest, lang: Lang, staff: Staff) -> Result<HttpResponse, AppError> {
    page(&req, lang, &staff, StatusCode::OK, None, false)
}

#[derive(Deserialize)]
pub struct OwnPasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

/// The message for a new password the policy refuses.
fn policy_message(e: &AccountError, lang: Lang) -> String {
    match e {
        AccountError::PasswordTooShort | AccountError::PasswordTooLong => {
            lang.t("admin-accounts-bad-password")
        }
        _ => lang.t("error-500-message"),
    }
}

/// Checks and hashes a new password typed twice: the refusal's message, or the hash.
async fn new_password(
    state: &State,
    lang: Lang,
    password: String,
    again: &str,
) -> Result<Result<NewPassword, String>, AppError> {
    if password != again {
        return Ok(Err(lang.t("admin-accounts-mismatch")));
    }
    let hashed = gated(state, move || NewPassword::hash(&password)).await?;
    Ok(hashed.map_err(|e| policy_message(&e, lang)))
}

/// Keeps this session open across its own account's new epoch.
async fn keep_session(state: &State, session: &Session, id: i32) -> Result<(), AppError> {
    let epoch = state
        .db(move |conn| Ok(use_case::session_epoch(conn, id)?))
        .await?;
    if let Some(epoch) = epoch {
        session
            .insert(EPOCH, epoch)
            .map_err(|e| AppError::Internal(format!("session: {e}")))?;
    }
    Ok(())
}

pub async fn change_own(
    req: HttpRequest,
    session: Session,
    state: State,
    lang: Lang,
    staff: Staff,
    form: AdminForm<OwnPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(form) = form;
    let id = staff.id;
    let stored = state
        .db(move |conn| Ok(accounts::find_account_by_id(conn, id)?))
        .await?
        .map(|a| a.password_hash)
        .unwrap_or_default();
    let refuse = |message: String| {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        page(&req, lang, &staff, status, Some(message), false)
    };
    let current = form.current;
    let matches = gated(&state, move || verify_password(&current, &stored)).await?;
    if !matches {
        tracing::warn!(user = %staff.username, "password change refused: the present password is wrong");
        return refuse(lang.t("admin-password-wrong-current"));
    }
    let hash = match new_password(&state, lang, form.password, &form.password_again).await? {
        Ok(hash) => hash,
        Err(message) => return refuse(message),
    };
    write_as(&state, &staff, move |conn, actor| {
        use_case::set_password(conn, actor, id, &hash)
    })
    .await?
    .map_err(refusal)?;
    keep_session(&state, &session, id).await?;
    tracing::info!(user = %staff.username, "password changed; the account's other sessions ended");
    page(&req, lang, &staff, StatusCode::OK, None, true)
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

pub async fn reset(
    req: HttpRequest,
    session: Session,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<i32>,
    form: AdminForm<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let AdminForm(form) = form;
    let hash = match new_password(&state, lang, form.password, &form.password_again).await? {
        Ok(hash) => hash,
        Err(message) => {
            return super::accounts::refused(
                &req,
                &state,
                lang,
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
            )
            .await
        }
    };
    write_as(&state, &staff, move |conn, actor| {
        use_case::set_password(conn, actor, id, &hash)
    })
    .await?
    .map_err(refusal)?;
    if id == staff.id {
        keep_session(&state, &session, id).await?;
    }
    tracing::info!(user = %staff.username, account = id, "password reset; the account's sessions ended");
    Ok(see_other("/admin/accounts"))
}

fn refusal(e: AccountRefusal) -> AppError {
    match e {
        AccountRefusal::NotFound => AppError::NotFound,
        AccountRefusal::Db(e) => e.into(),
        e => AppError::Internal(format!("setting a password: {e}")),
    }
}
