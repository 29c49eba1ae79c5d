//! Issued credentials (issue 17): one row per credential with the facts it states as they were
//! when it was issued, and its bits in the status lists. Written by the commit path only
//! ([`issue`], [`follow_status`]) and at start-up ([`issue_missing`], [`fill_log_indexes`]).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    certificates, certification_bodies, companies, credentials, platforms, scheme_versions,
};
use super::write::insert_returning_id;
use super::DbConnection;
use crate::domain::credentials::badge::CredentialFacts;
use crate::domain::credentials::status_list::{StatusPurpose, LIST_SIZE};
use crate::domain::grade::Grade;
use crate::domain::status::CertificateStatus;

/// A stored credential with its certificate's number.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCredential {
    pub facts: CredentialFacts,
    pub certificate_id: i32,
    pub superseded_by: Option<i32>,
    pub revoked: bool,
    pub suspended: bool,
}

type Row = (
    (
        i32,
        i32,
        Option<i64>,
        NaiveDateTime,
        NaiveDate,
        NaiveDate,
        i16,
        f64,
    ),
    (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    ),
    (Option<i32>, bool, bool, String),
);

macro_rules! columns {
    () => {
        (
            (
                credentials::id,
                credentials::certificate_id,
                credentials::log_index,
                credentials::issued_at,
                credentials::valid_from,
                credentials::valid_until,
                credentials::grade,
                credentials::score,
            ),
            (
                credentials::scheme_slug,
                credentials::scheme_code,
                credentials::body_name_zh,
                credentials::body_name_en,
                credentials::operator_name,
                credentials::credit_code,
                credentials::platform_name,
                credentials::domains,
            ),
            (
                credentials::superseded_by,
                credentials::revoked,
                credentials::suspended,
                certificates::number,
            ),
        )
    };
}

fn stored(row: Row) -> Option<StoredCredential> {
    let (
        (id, certificate_id, log_index, issued_at, valid_from, valid_until, grade, score),
        (scheme_slug, scheme_code, body_zh, body_en, operator, credit_code, platform, domains),
        (superseded_by, revoked, suspended, number),
    ) = row;
    Some(StoredCredential {
        facts: CredentialFacts {
            id: i64::from(id),
            certificate_number: number,
            issued_at,
            valid_from,
            valid_until,
            grade: Grade::from_stars(i64::from(grade))?,
            score,
            scheme_slug,
            scheme_code,
            body_name_zh: body_zh,
            body_name_en: body_en,
            operator_name: operator,
            credit_code,
            platform_name: platform,
            domains: domains.lines().map(str::to_owned).collect(),
            log_index: log_index.and_then(|i| u64::try_from(i).ok()),
        },
        certificate_id,
        superseded_by,
        revoked,
        suspended,
    })
}

/// Credential `id`, if issued.
pub fn by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<StoredCredential>> {
    let Ok(id) = i32::try_from(id) else {
        return Ok(None);
    };
    let row: Option<Row> = credentials::table
        .inner_join(certificates::table)
        .filter(credentials::id.eq(id))
        .select(columns!())
        .first(conn)
        .optional()?;
    Ok(row.and_then(stored))
}

/// The current (latest) credential of the certificate numbered `number`.
pub fn current_of(conn: &mut DbConnection, number: &str) -> QueryResult<Option<StoredCredential>> {
    let row: Option<Row> = credentials::table
        .inner_join(certificates::table)
        .filter(certificates::number.eq(number))
        .order(credentials::id.desc())
        .select(columns!())
        .first(conn)
        .optional()?;
    Ok(row.and_then(stored))
}

/// The entries set in list `list` of `purpose`, as offsets in that list.
pub fn set_entries(
    conn: &mut DbConnection,
    purpose: StatusPurpose,
    list: i64,
) -> QueryResult<Vec<i64>> {
    let first = i32::try_from(list * LIST_SIZE).unwrap_or(i32::MAX);
    let end = i32::try_from((list + 1) * LIST_SIZE).unwrap_or(i32::MAX);
    let in_list = credentials::id.ge(first).and(credentials::id.lt(end));
    let ids: Vec<i32> = match purpose {
        StatusPurpose::Revocation => credentials::table
            .filter(in_list.and(credentials::revoked.eq(true)))
            .select(credentials::id)
            .load(conn)?,
        StatusPurpose::Suspension => credentials::table
            .filter(in_list.and(credentials::suspended.eq(true)))
            .select(credentials::id)
            .load(conn)?,
    };
    Ok(ids
        .into_iter()
        .map(|id| i64::from(id) - i64::from(first))
        .collect())
}

/// The highest credential id (0 when none): how many lists there are.
pub fn last_id(conn: &mut DbConnection) -> QueryResult<i64> {
    let id: Option<i32> = credentials::table
        .select(diesel::dsl::max(credentials::id))
        .first(conn)?;
    Ok(id.map_or(0, i64::from))
}

#[derive(Insertable)]
#[diesel(table_name = credentials)]
struct NewCredential {
    certificate_id: i32,
    event_id: Option<i32>,
    log_index: Option<i64>,
    issued_at: NaiveDateTime,
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    grade: i16,
    score: f64,
    scheme_slug: String,
    scheme_code: String,
    body_name_zh: String,
    body_name_en: String,
    operator_name: String,
    credit_code: String,
    platform_name: String,
    domains: String,
    revoked: bool,
    suspended: bool,
}

/// Issues a new credential for the certificate's state now (its grade, score, validity,
/// holder, platform and bound domains), reflecting `event_id` and its log entry; the
/// certificate's earlier credential is superseded (its revocation bit set). Returns its id.
pub fn issue(
    conn: &mut DbConnection,
    certificate_id: i32,
    event_id: Option<i32>,
    log_index: u64,
    valid_from: NaiveDate,
    issued_at: NaiveDateTime,
) -> QueryResult<i32> {
    let (facts, status): (CertificateNow, CertificateStatus) = certificates::table
        .inner_join(companies::table)
        .inner_join(platforms::table)
        .inner_join(scheme_versions::table)
        .inner_join(certification_bodies::table)
        .filter(certificates::id.eq(certificate_id))
        .select((
            (
                certificates::expires_on,
                certificates::grade,
                certificates::score,
                scheme_versions::slug,
                scheme_versions::standard_code,
                certification_bodies::name_zh,
                certification_bodies::name_en,
                companies::name_zh,
                companies::credit_code,
                platforms::name,
                platforms::id,
            ),
            certificates::status,
        ))
        .first(conn)?;
    let (valid_until, grade, score, slug, code, body_zh, body_en, operator, credit, platform, pid) =
        facts;
    let domains = super::certificates::domains_of(conn, pid)?;
    let (revoked, suspended) = status_bits(status);
    let previous = current_id(conn, certificate_id)?;
    let row = NewCredential {
        certificate_id,
        event_id,
        log_index: i64::try_from(log_index).ok(),
        issued_at,
        valid_from,
        valid_until,
        grade,
        score,
        scheme_slug: slug,
        scheme_code: code,
        body_name_zh: body_zh,
        body_name_en: body_en,
        operator_name: operator,
        credit_code: credit,
        platform_name: platform,
        domains: domains.join("\n"),
        revoked,
        suspended,
    };
    let id = insert_returning_id!(conn, credentials::table, &row, credentials::id)?;
    if let Some(previous) = previous {
        diesel::update(credentials::table.find(previous))
            .set((
                credentials::superseded_by.eq(id),
                credentials::revoked.eq(true),
                credentials::suspended.eq(false),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

type CertificateNow = (
    NaiveDate,
    i16,
    f64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i32,
);

fn current_id(conn: &mut DbConnection, certificate_id: i32) -> QueryResult<Option<i32>> {
    credentials::table
        .filter(credentials::certificate_id.eq(certificate_id))
        .filter(credentials::superseded_by.is_null())
        .order(credentials::id.desc())
        .select(credentials::id)
        .first(conn)
        .optional()
}

/// A current credential's bits (revoked, suspended) for its certificate's stored status: revoked
/// while revoked or cancelled, suspended while suspended (also the rule of
/// [`issue_missing`]'s statement, in SQL).
fn status_bits(status: CertificateStatus) -> (bool, bool) {
    (
        matches!(
            status,
            CertificateStatus::Revoked | CertificateStatus::Cancelled
        ),
        status == CertificateStatus::Suspended,
    )
}

/// Sets the status bits of the certificate's current credential from its stored status:
/// revoked while revoked or cancelled (for good), suspended while suspended.
pub fn follow_status(conn: &mut DbConnection, certificate_id: i32) -> QueryResult<()> {
    let Some(current) = current_id(conn, certificate_id)? else {
        return Ok(());
    };
    let status: CertificateStatus = certificates::table
        .find(certificate_id)
        .select(certificates::status)
        .first(conn)?;
    let (revoked, suspended) = status_bits(status);
    // A revoked credential stays so, whatever its certificate does next.
    diesel::update(
        credentials::table
            .find(current)
            .filter(credentials::revoked.eq(false)),
    )
    .set((
        credentials::suspended.eq(suspended),
        credentials::revoked.eq(revoked),
    ))
    .execute(conn)?;
    Ok(())
}

/// Issues a credential to every certificate that has none, for its current state and its
/// latest issue, grade change or renewal (in one statement: a million certificates take
/// seconds). Returns how many.
pub fn issue_missing(conn: &mut DbConnection) -> QueryResult<usize> {
    // Asked first, by ids alone (half a second at a million): the statement below costs
    // seconds even when it inserts nothing, and every start asks.
    let missing = certificates::table.filter(diesel::dsl::not(diesel::dsl::exists(
        credentials::table.filter(credentials::certificate_id.eq(certificates::id)),
    )));
    if !diesel::select(diesel::dsl::exists(missing)).get_result::<bool>(conn)? {
        return Ok(0);
    }
    match conn {
        DbConnection::Pg(c) => diesel::sql_query(issue_missing_sql(
            "string_agg(ds.domain, E'\\n' ORDER BY ds.domain)",
        ))
        .execute(c),
        DbConnection::Sqlite(c) => diesel::sql_query(issue_missing_sql(
            "group_concat(ds.domain, char(10) ORDER BY ds.domain)",
        ))
        .execute(c),
    }
}

/// The statement of [`issue_missing`] with the backend's way to join the domains (a constant).
fn issue_missing_sql(join_domains: &str) -> String {
    format!(
        "INSERT INTO credentials (certificate_id, event_id, log_index, issued_at, valid_from, \
         valid_until, grade, score, scheme_slug, scheme_code, body_name_zh, body_name_en, \
         operator_name, credit_code, platform_name, domains, revoked, suspended) \
         SELECT c.id, e.id, (SELECT l.idx FROM log_entries l WHERE l.event_id = e.id), \
         COALESCE(e.created_at, c.updated_at), COALESCE(e.occurred_on, c.issued_on), c.expires_on, \
         c.grade, c.score, s.slug, s.standard_code, b.name_zh, b.name_en, co.name_zh, \
         co.credit_code, p.name, \
         COALESCE((SELECT {join_domains} FROM (SELECT DISTINCT d.domain FROM platform_domains d \
         WHERE d.platform_id = p.id) ds), ''), \
         c.status IN ('revoked', 'cancelled'), c.status = 'suspended' \
         FROM certificates c \
         JOIN scheme_versions s ON s.id = c.scheme_version_id \
         JOIN certification_bodies b ON b.id = c.body_id \
         JOIN companies co ON co.id = c.company_id \
         JOIN platforms p ON p.id = c.platform_id \
         LEFT JOIN certificate_events e ON e.id = (SELECT max(x.id) FROM certificate_events x \
         WHERE x.certificate_id = c.id AND x.kind IN ('issued', 'upgraded', 'downgraded', 'renewed')) \
         WHERE NOT EXISTS (SELECT 1 FROM credentials k WHERE k.certificate_id = c.id) \
         ORDER BY c.id"
    )
}

/// Gives each credential whose event the log now holds that entry's index (after the log's
/// backfill). Returns how many.
pub fn fill_log_indexes(conn: &mut DbConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE credentials SET log_index = \
         (SELECT l.idx FROM log_entries l WHERE l.event_id = credentials.event_id) \
         WHERE log_index IS NULL AND event_id IS NOT NULL",
    )
    .execute(conn)
}

/// What `status.json` tells of a certificate: its stored status, expiry date and grade, its
/// current credential and its latest log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusFacts {
    pub number: String,
    pub status: CertificateStatus,
    pub expires_on: NaiveDate,
    pub grade: i16,
    pub credential: Option<i32>,
    pub log_index: Option<i64>,
}

/// The [`StatusFacts`] of the certificate numbered `number`, if recorded.
pub fn status_facts(conn: &mut DbConnection, number: &str) -> QueryResult<Option<StatusFacts>> {
    use super::schema::log_entries;
    let Some((id, number, status, expires_on, grade)) = certificates::table
        .filter(certificates::number.eq(number))
        .select((
            certificates::id,
            certificates::number,
            certificates::status,
            certificates::expires_on,
            certificates::grade,
        ))
        .first::<(i32, String, CertificateStatus, NaiveDate, i16)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let credential = current_id(conn, id)?;
    let log_index: Option<i64> = log_entries::table
        .filter(log_entries::certificate_id.eq(id))
        .order(log_entries::idx.desc())
        .select(log_entries::idx)
        .first(conn)
        .optional()?;
    Ok(Some(StatusFacts {
        number,
        status,
        expires_on,
        grade,
        credential,
        log_index,
    }))
}
