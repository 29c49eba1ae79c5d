//! Reports from the public and the cases they fold into: the rows the use cases of
//! `app::reports` write, and what the follow-up page, the triage screens and the public figures
//! read. The contact is read only by [`case_detail`] (staff) and never by a public reader.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::*;
use super::DbConnection;
use crate::domain::report::ReportKind;
use crate::domain::report_case::{CaseStatus, Decision};

/// A case as triage reads and changes it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = report_cases)]
pub struct Case {
    pub id: i32,
    pub kind: ReportKind,
    pub site: Option<String>,
    pub certificate_id: Option<i32>,
    pub status: CaseStatus,
    pub reason: Option<String>,
    pub opened_at: NaiveDateTime,
    pub last_report_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub report_count: i32,
    pub assigned_to: Option<String>,
    pub merged_into: Option<i32>,
}

/// A new case, opened by its first report.
#[derive(Debug, Insertable)]
#[diesel(table_name = report_cases)]
pub struct NewCase<'a> {
    pub kind: ReportKind,
    pub site: Option<&'a str>,
    pub status: CaseStatus,
    pub opened_at: NaiveDateTime,
    pub last_report_at: NaiveDateTime,
    pub report_count: i32,
}

/// A report as stored.
#[derive(Debug, Insertable)]
#[diesel(table_name = reports)]
pub struct NewReport<'a> {
    pub case_id: i32,
    pub received_at: NaiveDateTime,
    pub site: Option<&'a str>,
    pub number: Option<&'a str>,
    pub what: &'a str,
    pub evidence: &'a str,
    pub contact: Option<&'a str>,
    pub network: &'a str,
    pub token_hash: &'a str,
}

/// The open case reports of `kind` about `site` fold into: opened at or after `since`.
pub fn open_case_for(
    conn: &mut DbConnection,
    kind: ReportKind,
    site: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<Case>> {
    report_cases::table
        .filter(report_cases::kind.eq(kind))
        .filter(report_cases::site.eq(site))
        .filter(report_cases::opened_at.ge(since))
        .filter(report_cases::status.eq_any([CaseStatus::Received, CaseStatus::UnderReview]))
        .order_by(report_cases::id.desc())
        .select(Case::as_select())
        .first(conn)
        .optional()
}

pub fn insert_case(conn: &mut DbConnection, case: &NewCase<'_>) -> QueryResult<i32> {
    diesel::insert_into(report_cases::table)
        .values(case)
        .returning(report_cases::id)
        .get_result(conn)
}

pub fn insert_report(conn: &mut DbConnection, report: &NewReport<'_>) -> QueryResult<i32> {
    diesel::insert_into(reports::table)
        .values(report)
        .returning(reports::id)
        .get_result(conn)
}

/// Counts `added` more reports into case `id`, the last received at `at`.
pub fn count_reports(
    conn: &mut DbConnection,
    id: i32,
    added: i32,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(report_cases::table.find(id))
        .set((
            report_cases::report_count.eq(report_cases::report_count + added),
            report_cases::last_report_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn case_by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Case>> {
    report_cases::table
        .find(id)
        .select(Case::as_select())
        .first(conn)
        .optional()
}

/// What a triage action changes of a case.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = report_cases)]
pub struct CaseChange<'a> {
    pub status: Option<CaseStatus>,
    pub reason: Option<Option<&'a str>>,
    pub decided_at: Option<Option<NaiveDateTime>>,
    pub assigned_to: Option<Option<&'a str>>,
    pub certificate_id: Option<Option<i32>>,
    pub merged_into: Option<Option<i32>>,
}

pub fn change_case(conn: &mut DbConnection, id: i32, change: &CaseChange<'_>) -> QueryResult<()> {
    diesel::update(report_cases::table.find(id))
        .set(change)
        .execute(conn)
        .map(drop)
}

/// Moves the reports of case `from` into case `into`; how many moved.
pub fn move_reports(conn: &mut DbConnection, from: i32, into: i32) -> QueryResult<i32> {
    let moved = diesel::update(reports::table.filter(reports::case_id.eq(from)))
        .set(reports::case_id.eq(into))
        .execute(conn)?;
    Ok(i32::try_from(moved).unwrap_or(i32::MAX))
}

/// The certificate id of a number.
pub fn certificate_id(conn: &mut DbConnection, number: &str) -> QueryResult<Option<i32>> {
    certificates::table
        .filter(certificates::number.eq(number))
        .select(certificates::id)
        .first(conn)
        .optional()
}

/// Lists `host` on `/misuse` for the certificate: confirms its sighting, or records one
/// confirmed now when the mark was never seen there. False when it was confirmed already.
pub fn confirm_host(
    conn: &mut DbConnection,
    certificate_id: i32,
    host: &str,
    note: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let known: Option<(i32, Option<NaiveDateTime>)> = mark_sightings::table
        .filter(mark_sightings::certificate_id.eq(certificate_id))
        .filter(mark_sightings::host.eq(host))
        .select((mark_sightings::id, mark_sightings::confirmed_at))
        .first(conn)
        .optional()?;
    match known {
        Some((_, Some(_))) => Ok(false),
        Some((id, None)) => {
            super::marks::mark_confirmed(conn, id, note, at)?;
            Ok(true)
        }
        None => {
            diesel::insert_into(mark_sightings::table)
                .values((
                    mark_sightings::certificate_id.eq(certificate_id),
                    mark_sightings::host.eq(host),
                    mark_sightings::first_seen.eq(at),
                    mark_sightings::last_seen.eq(at),
                    mark_sightings::hits.eq(0_i64),
                    mark_sightings::confirmed_at.eq(Some(at)),
                    mark_sightings::confirmed_note.eq(note),
                ))
                .execute(conn)?;
            Ok(true)
        }
    }
}

/// Erases the contacts of reports whose case was decided before `closed_before`; how many.
pub fn erase_contacts(
    conn: &mut DbConnection,
    closed_before: NaiveDateTime,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let closed = report_cases::table
        .filter(report_cases::decided_at.lt(closed_before))
        .select(report_cases::id);
    diesel::update(
        reports::table
            .filter(reports::contact.is_not_null())
            .filter(reports::case_id.eq_any(closed)),
    )
    .set((
        reports::contact.eq(None::<String>),
        reports::contact_erased_at.eq(Some(at)),
    ))
    .execute(conn)
}

/// What the reporter's follow-up page shows: their report and its case, never the contact.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct FollowUp {
    pub received_at: NaiveDateTime,
    pub site: Option<String>,
    pub number: Option<String>,
    pub case: Case,
}

/// The report whose follow-up token hashes to `token_hash`, with its case.
pub fn follow_up(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<FollowUp>> {
    reports::table
        .inner_join(report_cases::table)
        .filter(reports::token_hash.eq(token_hash))
        .select((
            reports::received_at,
            reports::site,
            reports::number,
            Case::as_select(),
        ))
        .first(conn)
        .optional()
}

/// Figures' raw material: when reports came, since `since`.
pub fn received_since(
    conn: &mut DbConnection,
    since: NaiveDateTime,
) -> QueryResult<Vec<NaiveDateTime>> {
    reports::table
        .filter(reports::received_at.ge(since))
        .select(reports::received_at)
        .load(conn)
}

/// Cases decided since `since` (confirmed or not; merged cases are not decisions).
pub fn decisions_since(
    conn: &mut DbConnection,
    since: NaiveDateTime,
) -> QueryResult<Vec<Decision>> {
    let rows: Vec<(NaiveDateTime, Option<NaiveDateTime>, CaseStatus)> = report_cases::table
        .filter(report_cases::decided_at.ge(since))
        .filter(report_cases::status.eq_any([CaseStatus::Confirmed, CaseStatus::NotConfirmed]))
        .select((
            report_cases::opened_at,
            report_cases::decided_at,
            report_cases::status,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(opened_at, decided_at, status)| {
            Some(Decision {
                opened_at,
                decided_at: decided_at?,
                confirmed: status == CaseStatus::Confirmed,
            })
        })
        .collect())
}

/// A site confirmed to show a mark of no certificate at all, as `/misuse` lists it.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct FakeMarkSite {
    pub site: String,
    pub opened_at: NaiveDateTime,
    pub decided_at: NaiveDateTime,
    pub reason: Option<String>,
}

/// Confirmed cases of a fake mark not tied to a certificate, most recent first.
pub fn confirmed_fake_marks(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<FakeMarkSite>> {
    report_cases::table
        .filter(report_cases::status.eq(CaseStatus::Confirmed))
        .filter(report_cases::certificate_id.is_null())
        .filter(report_cases::site.is_not_null())
        .select((
            report_cases::site.assume_not_null(),
            report_cases::opened_at,
            report_cases::decided_at.assume_not_null(),
            report_cases::reason,
        ))
        .order_by(report_cases::decided_at.desc())
        .then_order_by(report_cases::id.desc())
        .limit(limit)
        .load(conn)
}
