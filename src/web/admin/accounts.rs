//! `/admin/accounts` (administrators only): the staff accounts, creating one, changing a role
//! or disabling an account (its sessions then end). An administrator cannot demote or disable
//! themself, and nobody the last enabled administrator, so nobody locks everybody out by
//! mistake. New passwords: `password`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::auth::{AdminForm, Staff};
use super::{render, see_other, write_as, AdminLayout, State};
use crate::app::accounts::{self as use_case, AccountChange, AccountRefusal, NewAccount};
use crate::db::accounts::{self, Account};
use crate::domain::account::{check_password, validate_username, AccountError, Role};
use crate::error::AppError;
use crate::web::i18n::Lang;

#[derive(Template)]
#[template(path = "admin/accounts.html")]
pub struct AccountsPage {
    pub layout: AdminLayout,
    pub accounts: Vec<Account>,
    pub roles: [Role; 3],
    pub error: Option<String>,
    pub username: String,
}

async fn page(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    error: Option<String>,
    username: String,
) -> Result<AccountsPage, AppError> {
    let accounts = state.db(|conn| Ok(accounts::list_accounts(conn)?)).await?;
    Ok(AccountsPage {
        layout: AdminLayout::new(req, lang, staff),
        accounts,
        roles: Role::ALL,
        error,
        username,
    })
}

/// The accounts page with a refusal above it.
pub async fn refused(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    status: StatusCode,
    message: String,
) -> Result<HttpResponse, AppError> {
    let page = page(req, state, lang, staff, Some(message), String::new()).await?;
    render(status, &page)
}

pub async fn list(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    let page = page(&req, &state, lang, &staff, None, String::new()).await?;
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct NewAccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

fn account_message(e: &AccountError, lang: Lang) -> String {
    match e {
        AccountError::BadUsername => lang.t("admin-accounts-bad-username"),
        AccountError::PasswordTooShort | AccountError::PasswordTooLong => {
            lang.t("admin-accounts-bad-password")
        }
        AccountError::UnknownRole(_) => lang.t("admin-accounts-bad-role"),
        AccountError::Hashing => lang.t("error-500-message"),
    }
}

pub async fn create(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    form: AdminForm<NewAccountForm>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(form) = form;
    let username = form.username.trim().to_owned();
    let refuse = |status: StatusCode, message: String| {
        let (req, state, staff, username) = (&req, &state, &staff, username.clone());
        async move {
            let page = page(req, state, lang, staff, Some(message), username).await?;
            render(status, &page)
        }
    };
    let checked = validate_username(&username)
        .and_then(|()| Role::parse(&form.role).ok_or(AccountError::UnknownRole(form.role.clone())))
        .and_then(|role| check_password(&form.password).map(|()| role));
    let role = match checked {
        Ok(role) => role,
        Err(e) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, account_message(&e, lang)).await,
    };
    if form.password != form.password_again {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang.t("admin-accounts-mismatch"),
        )
        .await;
    }
    let input = NewAccount {
        username: username.clone(),
        role,
        password: form.password,
    };
    let created = write_as(&state, &staff, move |conn, actor| {
        use_case::create(conn, actor, &input)
    })
    .await?;
    match created {
        Ok(_) => {
            tracing::info!(user = %staff.username, created = %username, role = role.as_str(), "account created");
            Ok(see_other("/admin/accounts"))
        }
        Err(AccountRefusal::Exists) => {
            refuse(StatusCode::CONFLICT, lang.t("admin-accounts-exists")).await
        }
        Err(AccountRefusal::Invalid(e)) => {
            refuse(StatusCode::UNPROCESSABLE_ENTITY, account_message(&e, lang)).await
        }
        Err(AccountRefusal::Db(e)) => Err(e.into()),
        Err(
            e
            @ (AccountRefusal::NotFound | AccountRefusal::NotYourself | AccountRefusal::LastAdmin),
        ) => Err(AppError::Internal(format!("creating an account: {e}"))),
    }
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    role: String,
    /// Present (any value) when the box is ticked.
    disabled: Option<String>,
}

pub async fn update(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<i32>,
    form: AdminForm<UpdateForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let AdminForm(form) = form;
    let Some(role) = Role::parse(&form.role) else {
        let page = page(
            &req,
            &state,
            lang,
            &staff,
            Some(lang.t("admin-accounts-bad-role")),
            String::new(),
        )
        .await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let disabled = form.disabled.is_some();
    let change = AccountChange { id, role, disabled };
    let updated = write_as(&state, &staff, move |conn, actor| {
        use_case::update(conn, actor, change)
    })
    .await?;
    match updated {
        Ok(()) => {
            tracing::info!(user = %staff.username, account = id, role = role.as_str(), disabled, "account changed");
            Ok(see_other("/admin/accounts"))
        }
        Err(AccountRefusal::NotFound) => Err(AppError::NotFound),
        Err(AccountRefusal::NotYourself) => {
            let message = lang.t("admin-accounts-not-yourself");
            refused(&req, &state, lang, &staff, StatusCode::CONFLICT, message).await
        }
        Err(AccountRefusal::LastAdmin) => {
            let message = lang.t("admin-accounts-last-admin");
            refused(&req, &state, lang, &staff, StatusCode::CONFLICT, message).await
        }
        Err(AccountRefusal::Db(e)) => Err(e.into()),
        Err(e @ (AccountRefusal::Invalid(_) | AccountRefusal::Exists)) => {
            Err(AppError::Internal(format!("changing an account: {e}")))
        }
    }
}
