//! The effective-status rule in SQL: one predicate, shared by the search (and so the API),
//! the statistics, the home page counts and the dashboard, that selects the certificates whose
//! `domain::status::effective_status` on a day is a given status. Written as conditions on the
//! stored status and the expiry date, so both backends read it through their indexes.
//! `tests/registry/status_rule.rs` checks on both backends that it agrees with the Rust rule.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::schema::certificates::{self, expires_on, status};
use super::Db;
use crate::domain::status::CertificateStatus;

/// A condition on certificate rows, boxed so that each status can build its own shape.
pub type CertificateCondition = Box<dyn BoxableExpression<certificates::table, Db, SqlType = Bool>>;

/// The stored statuses that lapse into *expired* after the expiry date.
const LAPSING: [CertificateStatus; 2] = [CertificateStatus::Valid, CertificateStatus::Suspended];

/// The certificates whose effective status on `today` is `wanted`: a stored valid or suspended
/// certificate is so while its expiry date is not before `today` (valid through its whole last
/// day); *expired* is stored expired or a lapsing one past its expiry date; revoked and
/// cancelled are as stored.
pub fn has_effective_status(wanted: CertificateStatus, today: NaiveDate) -> CertificateCondition {
    effective_status_of(status, wanted, today)
}

/// [`has_effective_status`] with the stored status read as `status || ''`, which no index
/// serves: for a query that should walk another index (a sort order) and check the status on
/// each row rather than gather every row of that status first.
pub fn has_effective_status_unindexed(
    wanted: CertificateStatus,
    today: NaiveDate,
) -> CertificateCondition {
    effective_status_of(status.concat(""), wanted, today)
}

fn effective_status_of<S>(
    stored: S,
    wanted: CertificateStatus,
    today: NaiveDate,
) -> CertificateCondition
where
    S: Expression<SqlType = diesel::sql_types::Text>
        + BoxableExpression<certificates::table, Db, SqlType = diesel::sql_types::Text>
        + diesel::expression::ValidGrouping<(), IsAggregate = diesel::expression::is_aggregate::No>
        + diesel::query_builder::QueryFragment<diesel::pg::Pg>
        + diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>
        + Clone
        + 'static,
{
    match wanted {
        // The same bound as `live`: not before the expiry date.
        CertificateStatus::Valid | CertificateStatus::Suspended => {
            Box::new(stored.eq(wanted).and(expires_on.ge(today)))
        }
        CertificateStatus::Expired => Box::new(
            stored
                .clone()
                .eq(wanted)
                .or(stored.eq_any(LAPSING).and(expires_on.lt(today))),
        ),
        CertificateStatus::Revoked | CertificateStatus::Cancelled => Box::new(stored.eq(wanted)),
    }
}

/// The certificates in force on `today` (effective status valid): the only ones that may show
/// the mark.
pub fn in_force(today: NaiveDate) -> CertificateCondition {
    has_effective_status(CertificateStatus::Valid, today)
}

/// The certificates still under surveillance on `today`: effectively valid or suspended. Not
/// boxed, so that it also filters queries joined to other tables.
pub fn live(
    today: NaiveDate,
) -> diesel::dsl::And<
    diesel::dsl::EqAny<status, [CertificateStatus; 2]>,
    diesel::dsl::GtEq<expires_on, NaiveDate>,
> {
    status.eq_any(LAPSING).and(expires_on.ge(today))
}
