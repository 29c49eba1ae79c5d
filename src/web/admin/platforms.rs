//! `POST /admin/certificates/{number}/platform`: corrects the certified platform's name, type and
//! app names from the certificate's back-office page (its bound domains have the binding form).
//! The platform's certificates are re-indexed, so the search finds them by the new names at once.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::auth::{AdminForm, Staff};
use super::certificates::page;
use super::fields::{self, VERSION_FIELD};
use super::{render, see_other, write_as, State};
use crate::app::holders::{self as use_case, EditError, Saved};
use crate::db::models::Platform;
use crate::domain::record::{validate_platform, Column, MAX_NAME_CHARS};
use crate::error::{AppError, UserMessage};
use crate::web::i18n::Lang;
use crate::web::paths;

/// The platform form's values: the stored ones, or what was typed when a save was refused.
pub struct PlatformForm {
    pub name: String,
    /// The stored name of the type (`b2c`, …).
    pub platform_type: String,
    /// One per line.
    pub app_names: String,
    /// The version of the platform the form was first shown for.
    pub version: String,
    pub max_name: usize,
}

impl PlatformForm {
    pub fn stored(p: &Platform) -> PlatformForm {
        PlatformForm {
            name: p.name.clone(),
            platform_type: p.platform_type.as_str().to_owned(),
            app_names: p.apps().join("\n"),
            version: use_case::version(&use_case::platform_snapshot(p)),
            max_name: MAX_NAME_CHARS,
        }
    }

    fn typed(entered: &[(String, String)]) -> PlatformForm {
        let v = |column: Column| fields::value(entered, column.name()).to_owned();
        PlatformForm {
            name: v(Column::PlatformName),
            platform_type: v(Column::PlatformType),
            app_names: v(Column::AppNames),
            version: fields::value(entered, VERSION_FIELD).to_owned(),
            max_name: MAX_NAME_CHARS,
        }
    }
}

pub async fn update(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<String>,
    form: AdminForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let AdminForm(entered) = form;
    let refuse = |status: StatusCode, errors: Vec<String>| {
        let (req, state, staff, number) = (&req, &state, &staff, number.clone());
        let typed = PlatformForm::typed(&entered);
        async move {
            let mut page = page(req, state, lang, staff, number, Some(errors.join(" "))).await?;
            page.platform_form = typed;
            render(status, &page)
        }
    };
    let wanted = match validate_platform(&fields::raw_record(&entered)) {
        Ok(wanted) => wanted,
        Err(errors) => {
            let messages = fields::messages(lang, &errors);
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, messages).await;
        }
    };
    let (key, version) = (
        number.clone(),
        fields::value(&entered, VERSION_FIELD).to_owned(),
    );
    let saved = write_as(&state, &staff, move |conn, actor| {
        use_case::update_platform(conn, actor, &key, &version, &wanted)
    })
    .await?;
    let back = || see_other(&paths::admin_certificate(&number));
    match saved {
        Ok(Saved::Changed(_)) => {
            tracing::info!(user = %staff.username, number = %number, "platform corrected");
            state.revision.force_check();
            Ok(back())
        }
        Ok(Saved::Unchanged(_)) => Ok(back()),
        Err(EditError::NoDomainOrApp) => {
            let message = lang.t("admin-platform-no-domain-or-app");
            refuse(StatusCode::UNPROCESSABLE_ENTITY, vec![message]).await
        }
        Err(EditError::NotFound) => Err(AppError::NotFound),
        Err(EditError::Stale) => Err(AppError::Conflict(UserMessage::new("admin-edit-stale"))),
        Err(EditError::CreditCodeTaken { .. }) => Err(AppError::Internal(
            "a platform correction cannot change a credit code".into(),
        )),
        Err(EditError::Db(e)) => Err(e.into()),
    }
}
