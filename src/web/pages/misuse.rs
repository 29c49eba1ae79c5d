//! `/misuse`: hosts the certification body confirmed to show a mark they are not entitled to.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::shared;
use crate::db;
use crate::domain::dates::beijing_today;
use crate::domain::hostname::Hostname;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::view::localized;
use crate::web::AppState;

/// Entries per page.
const PER_PAGE: i64 = 50;

pub struct MisuseView {
    pub host: String,
    pub number: String,
    pub href: String,
    pub company: String,
    pub first_seen: NaiveDate,
    pub confirmed_on: NaiveDate,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "misuse.html")]
pub struct MisusePage {
    pub layout: Layout,
    pub entries: Vec<MisuseView>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// Sites confirmed (from reports) to show a mark of no certificate; on the first page.
    pub fake_marks: Vec<FakeMarkView>,
    /// Reports from the public by month.
    pub report_months: Vec<crate::web::reports::figures::MonthRow>,
}

pub struct FakeMarkView {
    pub host: String,
    pub confirmed_on: NaiveDate,
    pub note: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct MisuseQuery {
    page: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
    query: web::Query<MisuseQuery>,
) -> Result<HttpResponse, AppError> {
    let page = match query.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| AppError::bad_request_with("error-bad-page", 100_000))?,
    };
    shared::serve(&req, &state, "misuse", lang, || {
        read(&req, &state, lang, page)
    })
    .await
}

/// One page of the confirmed misuse, newest first.
async fn read(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    lang: Lang,
    page: i64,
) -> Result<MisusePage, AppError> {
    let (rows, total, fakes) = state
        .db(move |conn| {
            let (rows, total) = db::marks::confirmed_misuse(conn, PER_PAGE, (page - 1) * PER_PAGE)?;
            let fakes = if page == 1 {
                db::reports::confirmed_fake_marks(conn, 200)?
            } else {
                Vec::new()
            };
            Ok((rows, total, fakes))
        })
        .await?;
    let report_months = crate::web::reports::figures::monthly(state).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    if page > pages {
        return Err(AppError::bad_request_with("error-page-beyond", pages));
    }
    let entries = rows
        .into_iter()
        .map(|m| MisuseView {
            host: Hostname::parse(&m.host)
                .map(|h| h.to_unicode())
                .unwrap_or(m.host),
            href: paths::certificate(&m.number),
            company: localized(&m.company_zh, m.company_en.as_deref(), lang).to_owned(),
            number: m.number,
            first_seen: beijing_today(m.first_seen.and_utc()),
            confirmed_on: beijing_today(m.confirmed_at.and_utc()),
            note: m.note,
        })
        .collect();
    Ok(MisusePage {
        layout: Layout::new(req, state, lang).await,
        entries,
        total,
        page,
        pages,
        fake_marks: fakes
            .into_iter()
            .map(|f| FakeMarkView {
                host: Hostname::parse(&f.site)
                    .map(|h| h.to_unicode())
                    .unwrap_or(f.site),
                confirmed_on: beijing_today(f.decided_at.and_utc()),
                note: f.reason,
            })
            .collect(),
        report_months,
    })
}
