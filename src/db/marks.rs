//! What badges, QR codes and misuse checks read and write: the few facts a mark shows, and
//! sightings of a mark on hosts it is not bound to.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::domain::status::CertificateStatus;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSighting {
    pub certificate_id: i32,
    pub host: String,
    pub first_seen: NaiveDateTime,
    pub last_seen: NaiveDateTime,
    pub hits: i64,
    /// Digests of the client networks that reported it (`web::sightings`), a few at most.
    pub networks: Vec<String>,
}

/// How much anonymous clients can make the registry store of sightings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SightingLimits {
    /// New hosts recorded per certificate within a day (`SQE_SIGHTING_HOSTS_PER_DAY`); the
    /// sightings of further new hosts are dropped, those of known hosts still counted.
    pub new_hosts_per_day: i64,
    /// Unconfirmed sightings stored in all (`SQE_SIGHTINGS_MAX_UNCONFIRMED`); past it the ones
    /// seen longest ago are dropped first. Confirmed ones are never dropped.
    pub max_unconfirmed: i64,
    /// Client networks remembered per sighting (the dashboard shows "32 or more" past it).
    pub networks_per_sighting: i64,
}

impl Default for SightingLimits {
    fn default() -> Self {
        SightingLimits {
            new_hosts_per_day: 50,
            max_unconfirmed: 10_000,
            networks_per_sighting: 32,
        }
    }
}

/// What a batch write of sightings did beyond counting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SightingsWritten {
    /// Sightings of new hosts dropped: their certificate had its day's new hosts already.
    pub hosts_refused: usize,
    /// Old unconfirmed sightings dropped to stay under the cap.
    pub oldest_dropped: usize,
}

/// Adds counted sightings with the default limits.
pub fn record_sightings(conn: &mut DbConnection, batch: &[NewSighting]) -> QueryResult<()> {
    record_sightings_within(conn, batch, SightingLimits::default()).map(|_| ())
}

/// Adds counted sightings in one transaction: a known (certificate, host) pair gets its count
/// added and its last-seen time moved; a new one is inserted unless its certificate has had
/// `new_hosts_per_day` new hosts in the day before it; then the oldest unconfirmed sightings
/// past `max_unconfirmed` are dropped.
pub fn record_sightings_within(
    conn: &mut DbConnection,
    batch: &[NewSighting],
    limits: SightingLimits,
) -> QueryResult<SightingsWritten> {
    super::write::write_transaction(conn, |conn| {
        let mut written = SightingsWritten::default();
        let mut new_today: std::collections::HashMap<i32, i64> = Default::default();
        for row in batch {
            let known: Option<i32> = mark_sightings::table
                .filter(mark_sightings::certificate_id.eq(row.certificate_id))
                .filter(mark_sightings::host.eq(&row.host))
                .select(mark_sightings::id)
                .first(conn)
                .optional()?;
            let id = match known {
                Some(id) => {
                    diesel::update(mark_sightings::table.find(id))
                        .set((
                            mark_sightings::last_seen.eq(row.last_seen),
                            mark_sightings::hits.eq(mark_sightings::hits + row.hits),
                        ))
                        .execute(conn)?;
                    id
                }
                None => {
                    let count = match new_today.get(&row.certificate_id) {
                        Some(n) => *n,
                        None => mark_sightings::table
                            .filter(mark_sightings::certificate_id.eq(row.certificate_id))
                            .filter(
                                mark_sightings::first_seen
                                    .gt(row.first_seen - chrono::Duration::days(1)),
                            )
                            .count()
                            .get_result(conn)?,
                    };
                    if count >= limits.new_hosts_per_day {
                        new_today.insert(row.certificate_id, count);
                        written.hosts_refused += 1;
                        continue;
                    }
                    new_today.insert(row.certificate_id, count + 1);
                    let values = (
                        mark_sightings::certificate_id.eq(row.certificate_id),
                        mark_sightings::host.eq(&row.host),
                        mark_sightings::first_seen.eq(row.first_seen),
                        mark_sightings::last_seen.eq(row.last_seen),
                        mark_sightings::hits.eq(row.hits),
                    );
                    super::write::insert_returning_id!(
                        conn,
                        mark_sightings::table,
                        values,
                        mark_sightings::id
                    )?
                }
            };
            add_networks(conn, id, &row.networks, limits.networks_per_sighting)?;
        }
        written.oldest_dropped = drop_oldest_unconfirmed(conn, limits.max_unconfirmed)?;
        Ok(written)
    })
}

/// Remembers the client networks of a sighting, up to `max` in all.
fn add_networks(
    conn: &mut DbConnection,
    sighting_id: i32,
    networks: &[String],
    max: i64,
) -> QueryResult<()> {
    if networks.is_empty() {
        return Ok(());
    }
    let known: Vec<String> = sighting_networks::table
        .filter(sighting_networks::sighting_id.eq(sighting_id))
        .select(sighting_networks::network)
        .limit(max)
        .load(conn)?;
    let room = usize::try_from(max)
        .unwrap_or(0)
        .saturating_sub(known.len());
    let fresh: Vec<_> = networks
        .iter()
        .filter(|n| !known.contains(n))
        .take(room)
        .map(|n| {
            (
                sighting_networks::sighting_id.eq(sighting_id),
                sighting_networks::network.eq(n.as_str()),
            )
        })
        .collect();
    if !fresh.is_empty() {
        super::write::insert_batch!(conn, sighting_networks::table, &fresh)?;
    }
    Ok(())
}

/// Drops the unconfirmed sightings seen longest ago beyond `max`; returns how many.
fn drop_oldest_unconfirmed(conn: &mut DbConnection, max: i64) -> QueryResult<usize> {
    let unconfirmed: i64 = mark_sightings::table
        .filter(mark_sightings::confirmed_at.is_null())
        .count()
        .get_result(conn)?;
    let excess = unconfirmed - max;
    if excess <= 0 {
        return Ok(0);
    }
    let oldest: Vec<i32> = mark_sightings::table
        .filter(mark_sightings::confirmed_at.is_null())
        .order_by((mark_sightings::last_seen.asc(), mark_sightings::id.asc()))
        .limit(excess)
        .select(mark_sightings::id)
        .load(conn)?;
    diesel::delete(sighting_networks::table.filter(sighting_networks::sighting_id.eq_any(&oldest)))
        .execute(conn)?;
    diesel::delete(mark_sightings::table.filter(mark_sightings::id.eq_any(&oldest))).execute(conn)
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
    pub certificate_id: i32,
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
                mark_sightings::certificate_id,
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
