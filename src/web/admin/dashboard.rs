//! `/admin`: what needs the body's attention today: surveillance due within 30 days or overdue,
//! suspensions past their end date, sightings of marks on unbound hosts; and the counts.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::auth::{AdminForm, Staff};
use super::login::Empty;
use super::{render, see_other, write_as, AdminLayout, State};
use crate::app::sightings::{self, Confirmation, SightingRef};
use crate::db::dashboard::{self, DashboardCertificate, Listed, OpenSighting};
use crate::db::stats::{self, RegistryCounts};
use crate::domain::surveillance::surveillance_state;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::paths;
use crate::web::view::StatusView;

/// Days ahead the "surveillance due" list looks.
pub const DUE_WITHIN_DAYS: i64 = 30;

pub struct DueRow {
    pub number: String,
    pub href: String,
    pub holder: String,
    pub platform: String,
    pub status: StatusView,
    pub due_on: NaiveDate,
    pub days_left: i64,
    /// Days past due (0 when not overdue).
    pub overdue_days: i64,
    pub overdue: bool,
}

pub struct SuspensionRow {
    pub number: String,
    pub href: String,
    pub holder: String,
    pub platform: String,
    pub until: String,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub layout: AdminLayout,
    pub today: NaiveDate,
    pub counts: RegistryCounts,
    pub due: Vec<DueRow>,
    pub due_total: i64,
    /// Due certificates beyond the list.
    pub due_more: i64,
    pub overdue_total: usize,
    pub suspensions: Vec<SuspensionRow>,
    pub suspensions_total: i64,
    pub sightings: Vec<OpenSighting>,
    pub sightings_total: i64,
    /// Failed and refused (throttled) logins in the last 24 hours.
    pub failed_logins: i64,
    pub throttled_logins: i64,
    /// Report cases open, and those past the handling time.
    pub cases_open: i64,
    pub cases_overdue: i64,
    /// The queue's filter of the overdue cases.
    pub overdue_query: String,
}

type Lists = (
    RegistryCounts,
    Listed<DashboardCertificate>,
    Listed<DashboardCertificate>,
    Listed<OpenSighting>,
    (i64, i64),
    (i64, i64),
);

pub async fn show(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let day_ago = state.clock.now().naive_utc() - chrono::Duration::hours(24);
    let handling_days = state.config.operations.report_handling_days;
    let overdue_before = state.clock.now().naive_utc() - chrono::Duration::days(handling_days);
    let (counts, due, suspended, sightings, logins, cases): Lists = state
        .db(move |conn| {
            Ok((
                stats::counts(conn, today)?,
                dashboard::surveillance_due(conn, today, DUE_WITHIN_DAYS)?,
                dashboard::suspensions_past_end(conn, today)?,
                dashboard::open_sightings(conn)?,
                crate::db::sessions::attempts_since(conn, day_ago)?,
                crate::db::report_triage::open_counts(conn, overdue_before)?,
            ))
        })
        .await?;
    let due_rows: Vec<DueRow> = due
        .rows
        .into_iter()
        .map(|c| {
            let s = surveillance_state(c.last_assessment_kind, c.last_assessed_on, today);
            DueRow {
                href: paths::admin_certificate(&c.number),
                // The list holds only certificates not past expiry: the stored status is the
                // effective one.
                status: StatusView::new(c.status, lang),
                number: c.number,
                holder: c.company_name_zh,
                platform: c.platform_name,
                due_on: s.due_on,
                days_left: s.days_left,
                overdue_days: (-s.days_left).max(0),
                overdue: s.overdue,
            }
        })
        .collect();
    let suspensions = suspended
        .rows
        .into_iter()
        .map(|c| SuspensionRow {
            href: paths::admin_certificate(&c.number),
            until: c.suspended_until.map(|d| d.to_string()).unwrap_or_default(),
            number: c.number,
            holder: c.company_name_zh,
            platform: c.platform_name,
        })
        .collect();
    render(
        StatusCode::OK,
        &DashboardPage {
            layout: AdminLayout::new(&req, lang, &staff),
            today,
            counts,
            overdue_total: due_rows.iter().filter(|r| r.overdue).count(),
            due_more: due.total - i64::try_from(due_rows.len()).unwrap_or(0),
            due: due_rows,
            due_total: due.total,
            suspensions,
            suspensions_total: suspended.total,
            sightings: sightings.rows,
            sightings_total: sightings.total,
            failed_logins: logins.0,
            throttled_logins: logins.1,
            cases_open: cases.0,
            cases_overdue: cases.1,
            overdue_query: format!("older_than={handling_days}"),
        },
    )
}

/// Dismisses a sighting (looked at, not misuse).
pub async fn dismiss(
    state: State,
    staff: Staff,
    path: web::Path<i32>,
    _form: AdminForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let dismissed = write_as(&state, &staff, move |conn, actor| {
        sightings::dismiss(conn, actor, id)
    })
    .await??;
    if dismissed {
        Ok(see_other("/admin#sightings"))
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    note: String,
}

/// Confirms a sighting as misuse: the host is then listed on `/misuse` and the certificate's
/// page warns visitors who come from it. Audited; the revision drops cached pages at once.
pub async fn confirm(
    state: State,
    staff: Staff,
    path: web::Path<i32>,
    form: AdminForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let AdminForm(form) = form;
    let confirmed = write_as(&state, &staff, move |conn, actor| {
        sightings::confirm(conn, actor, &SightingRef::Open(id), Some(&form.note))
    })
    .await??;
    if confirmed != Confirmation::Confirmed {
        return Err(AppError::NotFound);
    }
    state.revision.force_check();
    Ok(see_other("/admin#sightings"))
}
