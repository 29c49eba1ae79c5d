//! What badges, QR codes and misuse checks read and write: the few facts a mark shows, and
//! sightings of a mark on hosts it is not bound to.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::domain::status::CertificateStatus;
use diesel::upsert::excluded;

use super::schema::*;
use super::DbConnection;

/// What a badge shows and what domain binding checks, for one certificate.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkFacts {
    pub id: i32,
    pub number: String,
    /// Stored status; the effective status also depends on `expires_on`.
    pub status: CertificateStatus,
    pub expires_on: NaiveDate,
    pub grade: i16,
    /// Bound domains, normalised ASCII form.
    pub domains: Vec<String>,
}

/// Reads the mark facts of a certificate by its exact number.
pub fn find_mark_facts(conn: &mut DbConnection, number: &str) -> QueryResult<Option<MarkFacts>> {
    let row = certificates::table
        .filter(certificates::number.eq(number))
        .select((
            certificates::id,
            certificates::number,
            certificates::status,
            certificates::expires_on,
            certificates::grade,
            certificates::platform_id,
        ))
        .first::<(i32, String, CertificateStatus, NaiveDate, i16, i32)>(conn)
        .optional()?;
    let Some((id, number, status, expires_on, grade, platform_id)) = row else {
        return Ok(None);
    };
    let domains = super::certificates::domains_of(conn, platform_id)?;
    Ok(Some(MarkFacts {
        id,
        number,
        status,
        expires_on,
        grade,
        domains,
    }))
}

/// Sightings counted in memory since the last write.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = mark_sightings)]
pub struct NewSighting {
    pub certificate_id: i32,
    pub host: String,
    pub first_seen: NaiveDateTime,
    pub last_seen: NaiveDateTime,
    pub hits: i64,
}

/// Adds counted sightings in one transaction: a new (certificate, host) pair is inserted, a
/// known one gets its count added and its last-seen time moved.
pub fn record_sightings(conn: &mut DbConnection, batch: &[NewSighting]) -> QueryResult<()> {
    macro_rules! upsert {
        ($c:expr, $row:expr) => {
            diesel::insert_into(mark_sightings::table)
                .values($row)
                .on_conflict((mark_sightings::certificate_id, mark_sightings::host))
                .do_update()
                .set((
                    mark_sightings::last_seen.eq(excluded(mark_sightings::last_seen)),
                    mark_sightings::hits.eq(mark_sightings::hits + excluded(mark_sightings::hits)),
                ))
                .execute($c)
        };
    }
    super::write::write_transaction(conn, |conn| {
        for row in batch {
            match conn {
                DbConnection::Pg(c) => upsert!(c, row)?,
                DbConnection::Sqlite(c) => upsert!(c, row)?,
            };
        }
        Ok(())
    })
}

/// One sighting as stored, with its certificate's number.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = mark_sightings)]
pub struct Sighting {
    #[diesel(select_expression = certificates::number)]
    pub number: String,
    pub host: String,
    pub first_seen: NaiveDateTime,
    pub last_seen: NaiveDateTime,
    pub hits: i64,
    pub confirmed_at: Option<NaiveDateTime>,
    pub confirmed_note: Option<String>,
}

/// Sightings, most recent first; of one certificate when `number` is given.
pub fn sightings(
    conn: &mut DbConnection,
    number: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Sighting>> {
    let mut query = mark_sightings::table
        .inner_join(certificates::table)
        .select(Sighting::as_select())
        .order_by(mark_sightings::last_seen.desc())
        .then_order_by(mark_sightings::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(number) = number {
        query = query.filter(certificates::number.eq(number.to_owned()));
    }
    query.load(conn)
}

/// A confirmed misuse, as listed on `/misuse`.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Misuse {
    pub host: String,
    pub number: String,
    pub company_zh: String,
    pub company_en: Option<String>,
    pub first_seen: NaiveDateTime,
    pub confirmed_at: NaiveDateTime,
    pub note: Option<String>,
}

/// Confirmed misuses, most recently confirmed first, and how many there are.
pub fn confirmed_misuse(
    conn: &mut DbConnection,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Misuse>, i64)> {
    let total = mark_sightings::table
        .filter(mark_sightings::confirmed_at.is_not_null())
        .count()
        .get_result(conn)?;
    let rows = mark_sightings::table
        .inner_join(certificates::table.inner_join(companies::table))
        .filter(mark_sightings::confirmed_at.is_not_null())
        .select((
            mark_sightings::host,
            certificates::number,
            companies::name_zh,
            companies::name_en,
            mark_sightings::first_seen,
            mark_sightings::confirmed_at.assume_not_null(),
            mark_sightings::confirmed_note,
        ))
        .order_by(mark_sightings::confirmed_at.desc())
        .then_order_by(mark_sightings::id.desc())
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

/// A sighting as confirming or dismissing it needs it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct SightingState {
    pub id: i32,
    pub number: String,
    pub host: String,
    pub confirmed: Option<NaiveDateTime>,
    pub dismissed: Option<NaiveDateTime>,
}

macro_rules! sighting_state {
    () => {
        mark_sightings::table
            .inner_join(certificates::table)
            .select((
                mark_sightings::id,
                certificates::number,
                mark_sightings::host,
                mark_sightings::confirmed_at,
                mark_sightings::dismissed_at,
            ))
    };
}

/// The sighting with this id.
pub fn sighting_by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<SightingState>> {
    sighting_state!()
        .filter(mark_sightings::id.eq(id))
        .first(conn)
        .optional()
}

/// The sighting of `host` for the certificate `number`.
pub fn sighting_of(
    conn: &mut DbConnection,
    number: &str,
    host: &str,
) -> QueryResult<Option<SightingState>> {
    sighting_state!()
        .filter(certificates::number.eq(number))
        .filter(mark_sightings::host.eq(host))
        .first(conn)
        .optional()
}

/// Marks sighting `id` as confirmed misuse at `at`, with a public note.
pub fn mark_confirmed(
    conn: &mut DbConnection,
    id: i32,
    note: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(mark_sightings::table.find(id))
        .set((
            mark_sightings::confirmed_at.eq(at),
            mark_sightings::confirmed_note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks sighting `id` as looked at and harmless at `at`.
pub fn mark_dismissed(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(mark_sightings::table.find(id))
        .set(mark_sightings::dismissed_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}
