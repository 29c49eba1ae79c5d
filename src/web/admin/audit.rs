//! `/admin/audit`: the append-only audit log, filtered, newest first, page by page; and
//! `/admin/audit.csv`, the same selection as CSV (the `csv` crate: RFC 4180 quoting done
//! right), streamed page by page so that memory stays flat however long the log is.

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use futures_util::{stream, StreamExt};
use serde::Deserialize;

use super::auth::Staff;
use super::{no_store, render, AdminLayout, State};
use crate::db::accounts::{audit_page, AuditFilter, AuditRow};
use crate::domain::spreadsheet::neutralised;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::paths;

/// Entries per page on screen.
pub const PAGE_SIZE: i64 = 50;
/// Entries per database read while streaming the CSV.
const CSV_CHUNK: i64 = 1_000;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub entity_id: String,
    /// `YYYY-MM-DD` (UTC), inclusive.
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD` (UTC), inclusive.
    #[serde(default)]
    pub to: String,
    /// Show entries older than this id (the "older" link).
    pub before: Option<i32>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, AppError> {
        let day = |s: &str| -> Result<Option<NaiveDate>, AppError> {
            match s.trim() {
                "" => Ok(None),
                s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| AppError::bad_request("admin-bad-date")),
            }
        };
        let start = |d: NaiveDate| -> NaiveDateTime { d.and_hms_opt(0, 0, 0).unwrap_or_default() };
        let bounded = |s: &str| s.trim().chars().take(100).collect::<String>();
        Ok(AuditFilter {
            actor: bounded(&self.actor),
            action: bounded(&self.action),
            entity_id: bounded(&self.entity_id),
            from: day(&self.from)?.map(start),
            to: day(&self.to)?.and_then(|d| d.succ_opt()).map(start),
        })
    }

    /// The query string of the same filter (for the CSV and "older" links).
    fn filter_query(&self) -> String {
        serde_urlencoded::to_string([
            ("actor", self.actor.as_str()),
            ("action", self.action.as_str()),
            ("entity_id", self.entity_id.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ])
        .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub layout: AdminLayout,
    pub query: AuditQuery,
    pub rows: Vec<AuditRow>,
    pub csv_href: String,
    pub older_href: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = query.filter()?;
    let before = query.before;
    let rows = state
        .db(move |conn| Ok(audit_page(conn, &filter, before, PAGE_SIZE + 1)?))
        .await?;
    let more = rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
    let rows: Vec<AuditRow> = rows
        .into_iter()
        .take(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX))
        .collect();
    let filter_query = query.filter_query();
    let older_href = match rows.last() {
        Some(last) if more => Some(paths::admin_audit(&format!(
            "{filter_query}&before={}",
            last.id
        ))),
        _ => None,
    };
    render(
        StatusCode::OK,
        &AuditPage {
            layout: AdminLayout::new(&req, lang, &staff),
            csv_href: paths::admin_audit_csv(&filter_query),
            older_href,
            query,
            rows,
        },
    )
}

const CSV_HEADER: [&str; 8] = [
    "id",
    "at_utc",
    "actor",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
];

fn csv_chunk(rows: &[AuditRow], header: bool) -> Result<Bytes, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    if header {
        out.write_record(CSV_HEADER).map_err(fail)?;
    }
    for row in rows {
        let e = &row.entry;
        let (id, at) = (
            row.id.to_string(),
            e.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        let cells = neutralised([
            id.as_str(),
            &at,
            &e.actor,
            &e.action,
            &e.entity,
            &e.entity_id,
            e.before_json.as_deref().unwrap_or(""),
            e.after_json.as_deref().unwrap_or(""),
        ]);
        out.write_record(cells.iter().map(|c| c.as_ref()))
            .map_err(fail)?;
    }
    out.into_inner()
        .map(Bytes::from)
        .map_err(|e| AppError::Internal(format!("csv: {e}")))
}

pub async fn csv(state: State, query: web::Query<AuditQuery>) -> Result<HttpResponse, AppError> {
    let filter = query.filter()?;
    // Read the first page before answering, so that a database failure is a proper error page
    // rather than a cut-off download.
    let first_filter = filter.clone();
    let first = state
        .db(move |conn| Ok(audit_page(conn, &first_filter, None, CSV_CHUNK)?))
        .await?;
    let first_body = csv_chunk(&first, true)?;
    let next_before = (first.len() == CSV_CHUNK as usize).then(|| first.last().map(|r| r.id));
    let rest = stream::unfold(next_before.flatten(), move |before| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let before = before?;
            let page = state
                .db(move |conn| Ok(audit_page(conn, &filter, Some(before), CSV_CHUNK)?))
                .await;
            match page {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next = (rows.len() == CSV_CHUNK as usize)
                        .then(|| rows.last().map(|r| r.id))
                        .flatten();
                    Some((csv_chunk(&rows, false), next))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    });
    let body = stream::iter([Ok::<Bytes, AppError>(first_body)]).chain(rest);
    Ok(no_store(HttpResponse::Ok())
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"sqe-audit-log.csv\"",
        ))
        .streaming(body))
}
