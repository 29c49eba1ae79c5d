//! `POST /admin/reference/bodies/{code}` and `/admin/reference/schemes/{slug}`: corrections to
//! a body (its code stays) and to a scheme version (its slug stays; its indicator tree may be
//! replaced only while no evaluation uses it). Certificate pages show the change at once.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{body_from, body_problem, get, refuse, scheme_from, tree, Typed};
use crate::app::reference::{self as use_case, BodyChange, EditError, Saved, SchemeChange};
use crate::error::{AppError, UserMessage};
use crate::web::admin::auth::{AdminForm, Staff};
use crate::web::admin::fields::VERSION_FIELD;
use crate::web::admin::{see_other, write_as, State};
use crate::web::i18n::Lang;

pub async fn update_body(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<String>,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let AdminForm(entered) = form;
    let body = body_from(&code, &entered);
    if let Some(key) = body_problem(&body) {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let typed = Typed::Body(code, entered);
        return refuse(&req, &state, lang, &staff, status, lang.t(key), typed).await;
    }
    let change = BodyChange {
        name_zh: body.name_zh,
        name_en: body.name_en,
        approval_number: body.approval_number,
        website: body.website,
    };
    let (key, version) = (code.clone(), get(&entered, VERSION_FIELD).to_owned());
    let saved = write_as(&state, &staff, move |conn, actor| {
        use_case::update_body(conn, actor, &key, &version, &change)
    })
    .await?;
    tracing::info!(user = %staff.username, body = %code, ?saved, "body edited");
    answer(
        &req,
        &state,
        lang,
        &staff,
        saved,
        Typed::Body(code, entered),
    )
    .await
}

pub async fn update_scheme(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<String>,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let AdminForm(entered) = form;
    // An empty tree keeps the stored one.
    let replace = !get(&entered, "tree").is_empty();
    let checked = scheme_from(&slug, &entered)
        .map_err(|key| lang.t(key))
        .and_then(|version| {
            let tree = if replace {
                Some(tree::parse(&entered, lang)?)
            } else {
                None
            };
            Ok(SchemeChange {
                standard_code: version.standard_code,
                title_zh: version.title_zh,
                title_en: version.title_en,
                effective_from: version.effective_from,
                tree,
            })
        });
    let change = match checked {
        Ok(change) => change,
        Err(message) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let typed = Typed::Scheme(slug, entered);
            return refuse(&req, &state, lang, &staff, status, message, typed).await;
        }
    };
    let (key, version) = (slug.clone(), get(&entered, VERSION_FIELD).to_owned());
    let saved = write_as(&state, &staff, move |conn, actor| {
        use_case::update_scheme(conn, actor, &key, &version, &change)
    })
    .await?;
    tracing::info!(user = %staff.username, scheme = %slug, ?saved, "scheme version edited");
    answer(
        &req,
        &state,
        lang,
        &staff,
        saved,
        Typed::Scheme(slug, entered),
    )
    .await
}

/// After an edit: back to the list, or the form again with why it was refused.
async fn answer(
    req: &HttpRequest,
    state: &State,
    lang: Lang,
    staff: &Staff,
    saved: Result<Saved, EditError>,
    typed: Typed,
) -> Result<HttpResponse, AppError> {
    let (status, message) = match saved {
        Ok(Saved::Changed) => {
            // Drop this instance's cached renderings now; others follow the revision.
            state.revision.force_check();
            return Ok(see_other("/admin/reference"));
        }
        Ok(Saved::Unchanged) => return Ok(see_other("/admin/reference")),
        Err(EditError::NotFound) => return Err(AppError::NotFound),
        Err(EditError::Stale) => {
            return Err(AppError::Conflict(UserMessage::new("admin-edit-stale")))
        }
        Err(EditError::Db(e)) => return Err(e.into()),
        Err(EditError::InUse) => (StatusCode::CONFLICT, lang.t("admin-ref-scheme-in-use")),
        Err(EditError::AssessedBefore(date)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            lang.t1("admin-ref-scheme-too-late", "date", date),
        ),
    };
    refuse(req, state, lang, staff, status, message, typed).await
}
