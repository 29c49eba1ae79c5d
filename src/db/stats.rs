//! Counts shown on the home page.

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::*;
use super::DbConnection;

/// Registry-wide counts on a given date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryCounts {
    pub certificates: i64,
    /// Certificates whose effective status is valid.
    pub valid: i64,
    pub companies: i64,
    pub platforms: i64,
    /// Valid certificates per grade, two to five stars.
    pub valid_by_stars: [i64; 4],
}

pub fn counts(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<RegistryCounts> {
    let certificates: i64 = certificates::table.count().get_result(conn)?;
    let by_grade = certificates::table
        .filter(certificates::status.eq("valid"))
        .filter(certificates::expires_on.ge(today))
        .group_by(certificates::grade)
        .select((certificates::grade, count_star()))
        .load::<(i16, i64)>(conn)?;
    let mut valid_by_stars = [0i64; 4];
    for (grade, n) in by_grade {
        if let Some(slot) = usize::try_from(grade - 2)
            .ok()
            .and_then(|i| valid_by_stars.get_mut(i))
        {
            *slot = n;
        }
    }
    Ok(RegistryCounts {
        certificates,
        valid: valid_by_stars.iter().sum(),
        companies: companies::table.count().get_result(conn)?,
        platforms: platforms::table.count().get_result(conn)?,
        valid_by_stars,
    })
}

/// Whether the database holds the demo registry (every page then shows a banner).
pub fn is_demo(conn: &mut DbConnection) -> QueryResult<bool> {
    let value = registry_meta::table
        .filter(registry_meta::key.eq("demo_data"))
        .select(registry_meta::value)
        .first::<String>(conn)
        .optional()?;
    Ok(value.as_deref() == Some("true"))
}

/// The registry revision: a counter every public change bumps (see `write::bump_revision`).
pub fn revision(conn: &mut DbConnection) -> QueryResult<i64> {
    let value = registry_meta::table
        .filter(registry_meta::key.eq("revision"))
        .select(registry_meta::value)
        .first::<String>(conn)
        .optional()?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Scheme versions for the search filter: slug and standard code.
pub fn scheme_slugs(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    scheme_versions::table
        .order_by(scheme_versions::effective_from.asc())
        .select((scheme_versions::slug, scheme_versions::standard_code))
        .load(conn)
}
