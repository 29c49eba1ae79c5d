//! What the back office's triage screens read: the queue of report cases with its filters, one
//! case with its reports (contacts included: staff only), the cases of a certificate or site,
//! the case's history from the audit log, and the dashboard's counts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::accounts::AuditEntry;
use super::reports::Case;
use super::schema::*;
use super::DbConnection;
use crate::domain::report::ReportKind;
use crate::domain::report_case::CaseStatus;

/// The queue's filters.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub kind: Option<ReportKind>,
    /// `None`: the open cases (received or under review), unless `any_status`.
    pub status: Option<CaseStatus>,
    /// Every case whatever its status (when `status` is `None`).
    pub any_status: bool,
    /// Only cases opened before this (older than an age).
    pub opened_before: Option<NaiveDateTime>,
    /// Only cases about this registrable domain.
    pub site: Option<String>,
}

/// One page of the queue, oldest first, and how many cases pass the filters.
pub fn queue(
    conn: &mut DbConnection,
    filter: &QueueFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Case>, i64)> {
    macro_rules! filtered {
        () => {{
            let mut q = report_cases::table.into_boxed();
            q = match (filter.status, filter.any_status) {
                (Some(status), _) => q.filter(report_cases::status.eq(status)),
                (None, true) => q,
                (None, false) => q.filter(
                    report_cases::status.eq_any([CaseStatus::Received, CaseStatus::UnderReview]),
                ),
            };
            if let Some(kind) = filter.kind {
                q = q.filter(report_cases::kind.eq(kind));
            }
            if let Some(before) = filter.opened_before {
                q = q.filter(report_cases::opened_at.lt(before));
            }
            if let Some(site) = &filter.site {
                q = q.filter(report_cases::site.eq(site.clone()));
            }
            q
        }};
    }
    let total = filtered!().count().get_result(conn)?;
    let rows = filtered!()
        .order_by(report_cases::opened_at.asc())
        .then_order_by(report_cases::id.asc())
        .select(Case::as_select())
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

/// Open cases, and those of them opened before `overdue_before`.
pub fn open_counts(
    conn: &mut DbConnection,
    overdue_before: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
    let open = [CaseStatus::Received, CaseStatus::UnderReview];
    let total = report_cases::table
        .filter(report_cases::status.eq_any(open))
        .count()
        .get_result(conn)?;
    let overdue = report_cases::table
        .filter(report_cases::status.eq_any(open))
        .filter(report_cases::opened_at.lt(overdue_before))
        .count()
        .get_result(conn)?;
    Ok((total, overdue))
}

/// A report as staff see it, contact included.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct StaffReport {
    pub id: i32,
    pub received_at: NaiveDateTime,
    pub site: Option<String>,
    pub number: Option<String>,
    pub what: String,
    pub evidence: String,
    pub contact: Option<String>,
    pub contact_erased_at: Option<NaiveDateTime>,
    pub network: String,
}

/// A case with what its page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    pub case: Case,
    /// The certificate it is tied to.
    pub certificate: Option<String>,
    pub reports: Vec<StaffReport>,
    /// Cases merged into this one.
    pub merged_from: Vec<i32>,
    /// Sightings of marks on the case's site (certificate number, host, hits, confirmed).
    pub sightings: Vec<(String, String, i64, bool)>,
    /// Certificates whose bound domains include the case's site.
    pub bound_to: Vec<String>,
    /// Its history, oldest first (the latest 200 entries).
    pub history: Vec<AuditEntry>,
}

/// Case `id` with its reports, sightings, certificates and history.
pub fn case_detail(conn: &mut DbConnection, id: i32) -> QueryResult<Option<CaseDetail>> {
    let Some(case) = super::reports::case_by_id(conn, id)? else {
        return Ok(None);
    };
    let certificate = match case.certificate_id {
        Some(cid) => certificates::table
            .find(cid)
            .select(certificates::number)
            .first(conn)
            .optional()?,
        None => None,
    };
    let reports = reports::table
        .filter(reports::case_id.eq(id))
        .order_by(reports::received_at.asc())
        .then_order_by(reports::id.asc())
        .select((
            reports::id,
            reports::received_at,
            reports::site,
            reports::number,
            reports::what,
            reports::evidence,
            reports::contact,
            reports::contact_erased_at,
            reports::network,
        ))
        .load(conn)?;
    let merged_from = report_cases::table
        .filter(report_cases::merged_into.eq(id))
        .order_by(report_cases::id.asc())
        .select(report_cases::id)
        .load(conn)?;
    let (sightings, bound_to) = match &case.site {
        Some(site) => (sightings_of_site(conn, site)?, bound_to(conn, site)?),
        None => (Vec::new(), Vec::new()),
    };
    let mut history = super::accounts::audit_of(conn, "report_case", &id.to_string(), 200)?;
    history.reverse();
    Ok(Some(CaseDetail {
        case,
        certificate,
        reports,
        merged_from,
        sightings,
        bound_to,
        history,
    }))
}

/// Sightings on `site` or any host under it.
fn sightings_of_site(
    conn: &mut DbConnection,
    site: &str,
) -> QueryResult<Vec<(String, String, i64, bool)>> {
    let rows: Vec<(String, String, i64, Option<NaiveDateTime>)> = mark_sightings::table
        .inner_join(certificates::table)
        .filter(
            mark_sightings::host
                .eq(site)
                .or(mark_sightings::host.like(format!("%.{}", escape_like(site)))),
        )
        .order_by(mark_sightings::last_seen.desc())
        .select((
            certificates::number,
            mark_sightings::host,
            mark_sightings::hits,
            mark_sightings::confirmed_at,
        ))
        .limit(50)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(n, h, hits, c)| (n, h, hits, c.is_some()))
        .collect())
}

/// `%` and `_` in a host are literal (a host has neither, but the site came from a form).
fn escape_like(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '%' | '_' | '\\'))
        .collect()
}

/// Numbers of the certificates with `site` (or a host under it) among their bound domains.
fn bound_to(conn: &mut DbConnection, site: &str) -> QueryResult<Vec<String>> {
    platform_domains::table
        .inner_join(platforms::table.inner_join(certificates::table))
        .filter(
            platform_domains::domain
                .eq(site)
                .or(platform_domains::domain.like(format!("%.{}", escape_like(site)))),
        )
        .select(certificates::number)
        .distinct()
        .order_by(certificates::number.asc())
        .limit(20)
        .load(conn)
}

/// The cases tied to a certificate, or about one of the `sites`, newest first.
pub fn cases_about(
    conn: &mut DbConnection,
    certificate_id: Option<i32>,
    sites: &[String],
) -> QueryResult<Vec<Case>> {
    let mut q = report_cases::table
        .filter(report_cases::status.ne(CaseStatus::Merged))
        .into_boxed();
    q = match certificate_id {
        Some(id) => q.filter(
            report_cases::certificate_id
                .eq(id)
                .or(report_cases::site.eq_any(sites.to_vec())),
        ),
        None => q.filter(report_cases::site.eq_any(sites.to_vec())),
    };
    q.order_by(report_cases::opened_at.desc())
        .select(Case::as_select())
        .limit(50)
        .load(conn)
}
