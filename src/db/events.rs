//! The public event stream across the registry.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::*;
use super::DbConnection;

/// An event with the certificate and holder it concerns.
#[derive(Debug, Clone, Queryable)]
pub struct RecentEvent {
    pub kind: crate::domain::event::EventKind,
    pub occurred_on: NaiveDate,
    pub grade_before: Option<i16>,
    pub grade_after: Option<i16>,
    pub number: String,
    pub company_name_zh: String,
    pub company_name_en: Option<String>,
    pub platform_name: String,
}

/// The latest public events, newest first, up to `today` (future-dated rows are not public yet).
///
/// In two steps: the newest event ids from the `(occurred_on, id)` index alone, then their
/// certificates, holders and platforms. As one join, SQLite 3.50 plans it by scanning every
/// certificate and sorting its events (0.8 s at 1,000,000 certificates).
pub fn latest(
    conn: &mut DbConnection,
    today: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<RecentEvent>> {
    let ids: Vec<i32> = certificate_events::table
        .filter(certificate_events::occurred_on.le(today))
        .order_by(certificate_events::occurred_on.desc())
        .then_order_by(certificate_events::id.desc())
        .limit(limit)
        .select(certificate_events::id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    certificate_events::table
        .inner_join(
            certificates::table
                .inner_join(companies::table)
                .inner_join(platforms::table),
        )
        .filter(certificate_events::id.eq_any(ids))
        .order_by(certificate_events::occurred_on.desc())
        .then_order_by(certificate_events::id.desc())
        .select((
            certificate_events::kind,
            certificate_events::occurred_on,
            certificate_events::grade_before,
            certificate_events::grade_after,
            certificates::number,
            companies::name_zh,
            companies::name_en,
            platforms::name,
        ))
        .load(conn)
}
