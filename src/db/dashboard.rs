//! What the back office's dashboard lists: certificates whose surveillance is due soon or
//! overdue, suspensions past their end date, and sightings of marks on hosts they are not bound
//! to that nobody has looked at yet.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::domain::status::CertificateStatus;

use super::schema::*;
use super::DbConnection;
use crate::domain::dates::add_months;
use crate::domain::surveillance::{
    AssessmentKind, FIRST_SURVEILLANCE_MONTHS, SURVEILLANCE_INTERVAL_MONTHS,
};

/// Longest list shown per section (the count says how many there are in all).
pub const LIST_LIMIT: i64 = 50;

/// A certificate in one of the dashboard's lists.
#[derive(Debug, Clone, Queryable)]
pub struct DashboardCertificate {
    pub number: String,
    pub company_name_zh: String,
    pub platform_name: String,
    pub status: CertificateStatus,
    pub last_assessed_on: NaiveDate,
    pub last_assessment_kind: crate::domain::surveillance::AssessmentKind,
    pub suspended_until: Option<NaiveDate>,
}

/// A sighting nobody has confirmed or dismissed.
#[derive(Debug, Clone)]
pub struct OpenSighting {
    pub id: i32,
    pub number: String,
    pub host: String,
    pub first_seen: NaiveDateTime,
    pub last_seen: NaiveDateTime,
    pub hits: i64,
    /// Distinct client networks that reported it (up to the number remembered per sighting).
    pub networks: i64,
}

/// A list and how many there are in all.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

macro_rules! certificate_list {
    ($filter:expr) => {
        certificates::table
            .inner_join(companies::table)
            .inner_join(platforms::table)
            .filter($filter)
    };
}

const COLUMNS: (
    certificates::number,
    companies::name_zh,
    platforms::name,
    certificates::status,
    certificates::last_assessed_on,
    certificates::last_assessment_kind,
    certificates::suspended_until,
) = (
    certificates::number,
    companies::name_zh,
    platforms::name,
    certificates::status,
    certificates::last_assessed_on,
    certificates::last_assessment_kind,
    certificates::suspended_until,
);

/// Certificates in force (valid or suspended, not past expiry) whose next surveillance falls
/// on or before `today + days`, most overdue first.
///
/// The due date is the last assessment + 6 months after an initial evaluation, + 12 months
/// after any other: within each of the two groups the order of the last assessment is the order
/// of due dates, so each group is read in that order and the two are merged.
pub fn surveillance_due(
    conn: &mut DbConnection,
    today: NaiveDate,
    days: i64,
) -> QueryResult<Listed<DashboardCertificate>> {
    let horizon = today + chrono::Duration::days(days);
    let live = super::status_sql::live(today);
    let mut rows = Vec::new();
    let mut total = 0;
    for (initial, months) in [
        (true, FIRST_SURVEILLANCE_MONTHS),
        (false, SURVEILLANCE_INTERVAL_MONTHS),
    ] {
        let bound = last_assessed_bound(horizon, months);
        let kind = certificates::last_assessment_kind
            .eq(AssessmentKind::Initial)
            .eq(initial);
        let filter = live
            .clone()
            .and(kind)
            .and(certificates::last_assessed_on.le(bound));
        total += certificate_list!(filter.clone())
            .count()
            .get_result::<i64>(conn)?;
        let group: Vec<DashboardCertificate> = certificate_list!(filter)
            .order_by(certificates::last_assessed_on.asc())
            .then_order_by(certificates::number.asc())
            .limit(LIST_LIMIT)
            .select(COLUMNS)
            .load(conn)?;
        rows.extend(
            group
                .into_iter()
                .map(|c| (add_months(c.last_assessed_on, months), c)),
        );
    }
    rows.sort_by(|(a_due, a), (b_due, b)| a_due.cmp(b_due).then_with(|| a.number.cmp(&b.number)));
    let rows = rows
        .into_iter()
        .take(usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX))
        .map(|(_, c)| c)
        .collect();
    Ok(Listed { rows, total })
}

/// Suspended certificates whose suspension end date has passed: to restore, or to revoke.
pub fn suspensions_past_end(
    conn: &mut DbConnection,
    today: NaiveDate,
) -> QueryResult<Listed<DashboardCertificate>> {
    let filter = certificates::status
        .eq("suspended")
        .and(certificates::suspended_until.lt(today));
    let total = certificate_list!(filter).count().get_result(conn)?;
    let rows = certificate_list!(filter)
        .order_by(certificates::suspended_until.asc())
        .then_order_by(certificates::number.asc())
        .limit(LIST_LIMIT)
        .select(COLUMNS)
        .load(conn)?;
    Ok(Listed { rows, total })
}

/// Sightings neither confirmed as misuse nor dismissed, most recent first.
pub fn open_sightings(conn: &mut DbConnection) -> QueryResult<Listed<OpenSighting>> {
    let filter = mark_sightings::confirmed_at
        .is_null()
        .and(mark_sightings::dismissed_at.is_null());
    let total = mark_sightings::table
        .filter(filter)
        .count()
        .get_result(conn)?;
    // The partial index `mark_sightings_unconfirmed_last_seen` serves this order.
    let rows: Vec<(i32, String, String, NaiveDateTime, NaiveDateTime, i64)> = mark_sightings::table
        .inner_join(certificates::table)
        .filter(filter)
        .order_by(mark_sightings::last_seen.desc())
        .limit(LIST_LIMIT)
        .select((
            mark_sightings::id,
            certificates::number,
            mark_sightings::host,
            mark_sightings::first_seen,
            mark_sightings::last_seen,
            mark_sightings::hits,
        ))
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let networks: std::collections::HashMap<i32, i64> = sighting_networks::table
        .filter(sighting_networks::sighting_id.eq_any(&ids))
        .group_by(sighting_networks::sighting_id)
        .select((sighting_networks::sighting_id, diesel::dsl::count_star()))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    let rows = rows
        .into_iter()
        .map(
            |(id, number, host, first_seen, last_seen, hits)| OpenSighting {
                networks: networks.get(&id).copied().unwrap_or(0),
                id,
                number,
                host,
                first_seen,
                last_seen,
                hits,
            },
        )
        .collect();
    Ok(Listed { rows, total })
}

/// The last assessment date whose surveillance (due `months` later, as `add_months` counts,
/// clamping to month ends) falls on or before `horizon`. `add_months` never decreases, so walk
/// forward from the plain month subtraction.
pub fn last_assessed_bound(horizon: NaiveDate, months: u32) -> NaiveDate {
    let mut bound = horizon
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(horizon);
    while let Some(next) = bound.succ_opt() {
        if add_months(next, months) > horizon {
            break;
        }
        bound = next;
    }
    bound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_exact_at_month_ends() {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        for offset in 0..800 {
            let horizon = start + chrono::Duration::days(offset);
            for months in [FIRST_SURVEILLANCE_MONTHS, SURVEILLANCE_INTERVAL_MONTHS] {
                let bound = last_assessed_bound(horizon, months);
                assert!(add_months(bound, months) <= horizon, "{horizon} {months}");
                let after = bound.succ_opt().expect("date");
                assert!(add_months(after, months) > horizon, "{horizon} {months}");
            }
        }
    }
}
