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
pub fn latest(
    conn: &mut DbConnection,
    today: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<RecentEvent>> {
    certificate_events::table
        .inner_join(
            certificates::table
                .inner_join(companies::table)
                .inner_join(platforms::table),
        )
        .filter(certificate_events::occurred_on.le(today))
        .order_by(certificate_events::occurred_on.desc())
        .then_order_by(certificate_events::id.desc())
        .limit(limit)
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
