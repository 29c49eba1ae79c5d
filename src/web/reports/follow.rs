//! `/reports/follow/{token}`: a reporter's private page of their report's case: its number,
//! status and public outcome. Known only to whoever holds the link, so it is never stored by a
//! cache, never indexed and never sent on as a referrer; an unknown token is a plain 404.

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::{kind_label, status_label};
use crate::app::reports::token_hash;
use crate::db::reports::follow_up;
use crate::domain::dates::beijing_today;
use crate::domain::hostname::Hostname;
use crate::domain::report_case::{case_number, CaseStatus};
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::pages::to_html;
use crate::web::{paths, AppState};

#[derive(Template)]
#[template(path = "report_follow.html")]
pub struct FollowPage {
    pub layout: Layout,
    /// Just sent: the page says to keep the link.
    pub received: bool,
    /// This page's full address, to copy.
    pub link: String,
    pub case_number: String,
    pub kind: String,
    pub site: Option<String>,
    pub number: Option<String>,
    pub certificate_href: Option<String>,
    pub received_on: NaiveDate,
    pub status: CaseStatus,
    pub status_label: String,
    /// What the status means for the reporter.
    pub status_text: String,
    pub confirmed: bool,
    pub reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
    /// Reports in the case, this one included.
    pub report_count: i32,
}

#[derive(serde::Deserialize)]
pub struct FollowQuery {
    #[serde(default)]
    received: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
    path: web::Path<String>,
    query: web::Query<FollowQuery>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    // Tokens are 64 hex digits; anything else is not worth a query.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let hash = token_hash(&token);
    let found = state
        .db(move |conn| Ok(follow_up(conn, &hash)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let case = found.case;
    let mut layout = Layout::new(&req, &state, lang).await;
    layout.canonical.clear();
    layout.alternates.clear();
    let site = found
        .site
        .map(|s| Hostname::parse(&s).map(|h| h.to_unicode()).unwrap_or(s));
    let page = FollowPage {
        layout,
        received: query.received.is_some(),
        link: format!(
            "{}{}",
            state.config.public_url.trim_end_matches('/'),
            paths::report_follow(&token)
        ),
        case_number: case_number(case.id, case.opened_at),
        kind: kind_label(case.kind, lang),
        certificate_href: found.number.as_deref().map(paths::certificate),
        number: found.number,
        site,
        received_on: beijing_today(found.received_at.and_utc()),
        status: case.status,
        status_label: status_label(case.status, lang),
        status_text: lang.t(&format!("case-status-{}-text", case.status.as_str())),
        confirmed: case.status == CaseStatus::Confirmed,
        reason: case.reason,
        decided_on: case.decided_at.map(|d| beijing_today(d.and_utc())),
        report_count: case.report_count,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(crate::web::i18n::VARY)
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Robots-Tag", "noindex, nofollow"))
        .body(to_html(&page)?))
}
