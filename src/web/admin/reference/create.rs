//! `POST /admin/reference/bodies` and `/admin/reference/schemes`: a new body, a new scheme
//! version with its indicator tree.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::{body_from, body_problem, get, refuse, scheme_from, tree, Typed};
use crate::app::reference::{self as use_case, Created};
use crate::error::AppError;
use crate::web::admin::auth::{AdminForm, Staff};
use crate::web::admin::{see_other, write_as, State};
use crate::web::i18n::Lang;

/// After a creation: back to the list, or the form again when the code is taken.
async fn answer(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    created: Created,
    entered: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    match created {
        Created::Created(_) => {
            state.revision.force_check();
            Ok(see_other("/admin/reference"))
        }
        Created::Exists => {
            let message = lang.t("admin-ref-exists");
            let typed = Typed::New(entered);
            refuse(
                req,
                state,
                lang,
                staff,
                StatusCode::CONFLICT,
                message,
                typed,
            )
            .await
        }
    }
}

pub async fn create_body(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(entered) = form;
    let body = body_from(get(&entered, "code"), &entered);
    if let Some(key) = body_problem(&body) {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let typed = Typed::New(entered);
        return refuse(&req, &state, lang, &staff, status, lang.t(key), typed).await;
    }
    let created = write_as(&state, &staff, move |conn, actor| {
        use_case::create_body(conn, actor, &body)
    })
    .await??;
    answer(&req, &state, lang, &staff, created, entered).await
}

pub async fn create_scheme(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let AdminForm(entered) = form;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let checked = scheme_from(get(&entered, "slug"), &entered)
        .map_err(|key| lang.t(key))
        .and_then(|version| Ok((version, tree::parse(&entered, lang)?)));
    let (version, tree) = match checked {
        Ok(checked) => checked,
        Err(message) => {
            let typed = Typed::New(entered);
            return refuse(&req, &state, lang, &staff, unprocessable, message, typed).await;
        }
    };
    let created = write_as(&state, &staff, move |conn, actor| {
        use_case::create_scheme(conn, actor, &version, &tree)
    })
    .await??;
    answer(&req, &state, lang, &staff, created, entered).await
}
