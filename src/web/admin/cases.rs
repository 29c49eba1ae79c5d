//! `/admin/reports`: the triage of reports from the public. The queue (filtered by kind,
//! status, age and site; oldest first; cases past the handling time flagged), a case's page
//! (its reports with their contacts, the site's sightings and certificates, its history) and
//! the actions: take, confirm, not confirm, link to a certificate, merge.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDateTime};

use super::auth::{AdminForm, Staff};
use super::{render, see_other, write_as, AdminLayout, State};
use crate::app::reports::{triage, Triage, TriageError};
use crate::db::accounts::AuditEntry;
use crate::db::report_triage::{self, QueueFilter, StaffReport};
use crate::db::reports::Case;
use crate::domain::hostname::Hostname;
use crate::domain::report::{fold_site, ReportKind};
use crate::domain::report_case::{case_number, parse_case_number, CaseStatus};
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::paths;
use crate::web::reports::{kind_label, status_label};

/// Cases per page of the queue.
const PER_PAGE: i64 = 50;

/// A case as a row of the queue or of a certificate's page.
pub struct CaseRow {
    pub href: String,
    pub number: String,
    pub kind: String,
    pub site: String,
    pub status: CaseStatus,
    pub status_label: String,
    pub opened: String,
    pub age_days: i64,
    pub overdue: bool,
    pub reports: i32,
    pub assigned_to: String,
}

impl CaseRow {
    pub fn new(case: &Case, now: NaiveDateTime, handling_days: i64, lang: Lang) -> CaseRow {
        let age_days = (now - case.opened_at).num_days();
        CaseRow {
            href: paths::admin_case(case.id),
            number: case_number(case.id, case.opened_at),
            kind: kind_label(case.kind, lang),
            site: case.site.as_deref().map(display_host).unwrap_or_default(),
            status: case.status,
            status_label: status_label(case.status, lang),
            opened: case.opened_at.format("%Y-%m-%d %H:%M").to_string(),
            age_days,
            overdue: case.status.is_open() && age_days >= handling_days,
            reports: case.report_count,
            assigned_to: case.assigned_to.clone().unwrap_or_default(),
        }
    }
}

fn display_host(host: &str) -> String {
    Hostname::parse(host)
        .map(|h| h.to_unicode())
        .unwrap_or_else(|_| host.to_owned())
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/cases.html")]
pub struct QueuePage {
    pub layout: AdminLayout,
    pub rows: Vec<CaseRow>,
    pub total: i64,
    pub kinds: Vec<Choice>,
    pub statuses: Vec<Choice>,
    /// Every status chosen (`status=all`).
    pub any_status: bool,
    pub older_than: String,
    pub site: String,
    pub handling_days: i64,
    pub next_href: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    /// Days.
    #[serde(default)]
    older_than: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    page: Option<i64>,
}

pub async fn queue(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let now = state.clock.now().naive_utc();
    let older_than = match q.older_than.trim() {
        "" => None,
        days => Some(
            days.parse::<i64>()
                .ok()
                .filter(|d| (0..=3650).contains(d))
                .ok_or_else(|| AppError::bad_request("admin-cases-bad-age"))?,
        ),
    };
    let site = match q.site.trim() {
        "" => None,
        typed => Some(
            Hostname::parse(typed)
                .map(|h| fold_site(h.as_str()))
                .map_err(|_| AppError::bad_request("admin-cases-bad-site"))?,
        ),
    };
    let filter = QueueFilter {
        kind: ReportKind::parse(q.kind.trim()),
        status: CaseStatus::parse(q.status.trim()),
        any_status: q.status.trim() == "all",
        opened_before: older_than.map(|d| now - Duration::days(d)),
        site,
    };
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let query_filter = filter.clone();
    let (cases, total) = state
        .db(move |conn| {
            Ok(report_triage::queue(
                conn,
                &query_filter,
                PER_PAGE,
                (page - 1) * PER_PAGE,
            )?)
        })
        .await?;
    let handling_days = state.config.operations.report_handling_days;
    let next_href = (page * PER_PAGE < total).then(|| {
        let pairs = [
            ("kind", q.kind.as_str()),
            ("status", q.status.as_str()),
            ("older_than", q.older_than.as_str()),
            ("site", q.site.as_str()),
        ];
        let mut kept: Vec<(&str, String)> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect();
        kept.push(("page", (page + 1).to_string()));
        paths::admin_cases(&serde_urlencoded::to_string(&kept).unwrap_or_default())
    });
    render(
        StatusCode::OK,
        &QueuePage {
            layout: AdminLayout::new(&req, lang, &staff),
            rows: cases
                .iter()
                .map(|c| CaseRow::new(c, now, handling_days, lang))
                .collect(),
            total,
            kinds: ReportKind::ALL
                .into_iter()
                .map(|k| Choice {
                    value: k.as_str(),
                    label: kind_label(k, lang),
                    selected: filter.kind == Some(k),
                })
                .collect(),
            statuses: CaseStatus::ALL
                .into_iter()
                .map(|s| Choice {
                    value: s.as_str(),
                    label: status_label(s, lang),
                    selected: filter.status == Some(s),
                })
                .collect(),
            any_status: filter.any_status,
            older_than: older_than.map(|d| d.to_string()).unwrap_or_default(),
            site: q.site,
            handling_days,
            next_href,
        },
    )
}

/// A report as its case's page shows it.
pub struct ReportView {
    pub report: StaffReport,
    pub site: String,
    pub evidence: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/case.html")]
pub struct CasePage {
    pub layout: AdminLayout,
    pub row: CaseRow,
    /// The queue of every case about the same site.
    pub same_site_href: Option<String>,
    pub id: i32,
    pub case: Case,
    pub certificate: Option<String>,
    /// A number the reports gave that is a certificate of the registry, to link with a click.
    pub suggested: Vec<String>,
    pub reports: Vec<ReportView>,
    pub merged_from: Vec<(String, String)>,
    pub merged_into: Option<(String, String)>,
    pub sightings: Vec<(String, String, i64, bool)>,
    pub bound_to: Vec<String>,
    pub history: Vec<AuditEntry>,
}

pub async fn show(
    req: HttpRequest,
    state: State,
    lang: Lang,
    staff: Staff,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (detail, into, suggested) = state
        .db(move |conn| {
            let Some(detail) = report_triage::case_detail(conn, id)? else {
                return Ok((None, None, Vec::new()));
            };
            let into = match detail.case.merged_into {
                Some(target) => crate::db::reports::case_by_id(conn, target)?,
                None => None,
            };
            let mut suggested = Vec::new();
            for number in detail.reports.iter().filter_map(|r| r.number.clone()) {
                let known = crate::db::reports::certificate_id(conn, &number)?.is_some();
                if known
                    && !suggested.contains(&number)
                    && detail.certificate.as_ref() != Some(&number)
                {
                    suggested.push(number);
                }
            }
            Ok((Some(detail), into, suggested))
        })
        .await?;
    let detail = detail.ok_or(AppError::NotFound)?;
    let now = state.clock.now().naive_utc();
    let handling_days = state.config.operations.report_handling_days;
    let case = detail.case;
    render(
        StatusCode::OK,
        &CasePage {
            layout: AdminLayout::new(&req, lang, &staff),
            row: CaseRow::new(&case, now, handling_days, lang),
            same_site_href: case.site.as_deref().map(|site| {
                let query = serde_urlencoded::to_string([("status", "all"), ("site", site)]);
                paths::admin_cases(&query.unwrap_or_default())
            }),
            id,
            certificate: detail.certificate,
            suggested,
            reports: detail
                .reports
                .into_iter()
                .map(|r| ReportView {
                    site: r.site.as_deref().map(display_host).unwrap_or_default(),
                    evidence: r.evidence.lines().map(str::to_owned).collect(),
                    report: r,
                })
                .collect(),
            merged_from: detail
                .merged_from
                .iter()
                .map(|id| (paths::admin_case(*id), format!("#{id}")))
                .collect(),
            merged_into: into.map(|t| (paths::admin_case(t.id), case_number(t.id, t.opened_at))),
            sightings: detail.sightings,
            bound_to: detail.bound_to,
            history: detail.history,
            case,
        },
    )
}

/// Every action's form: the CSRF token and the one field the action reads.
#[derive(serde::Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    number: String,
    /// The case to merge into: its case number (`R2026-000123`) or id.
    #[serde(default)]
    into: String,
}

pub async fn act(
    state: State,
    staff: Staff,
    path: web::Path<(i32, String)>,
    form: AdminForm<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, action) = path.into_inner();
    let AdminForm(form) = form;
    let step = match action.as_str() {
        "take" => Triage::Take,
        "confirm" => Triage::Confirm { note: form.note },
        "not-confirm" => Triage::NotConfirm {
            reason: form.reason,
        },
        "link" => Triage::Link {
            number: form.number,
        },
        "merge" => {
            let into = form.into.trim();
            let into = parse_case_number(into)
                .or_else(|| into.trim_start_matches('#').parse().ok())
                .ok_or_else(|| AppError::bad_request("case-merge-target"))?;
            Triage::Merge { into }
        }
        _ => return Err(AppError::NotFound),
    };
    let public = matches!(
        step,
        Triage::Confirm { .. } | Triage::NotConfirm { .. } | Triage::Link { .. }
    );
    write_as(&state, &staff, move |conn, actor| {
        triage(conn, actor, id, &step)
    })
    .await?
    .map_err(|e| match e {
        TriageError::NotFound => AppError::NotFound,
        TriageError::Refused(
            key @ ("case-reason-needed" | "case-no-such-certificate" | "case-merge-target"),
        ) => AppError::bad_request(key),
        TriageError::Refused(key) => AppError::conflict(key),
        TriageError::Db(e) => e.into(),
    })?;
    if public {
        state.revision.force_check();
    }
    Ok(see_other(&paths::admin_case(id)))
}
