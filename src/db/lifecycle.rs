//! Queries behind the lifecycle use cases (`app::certificates`): a certificate as the back office
//! sees it, the guarded update of its status and validity, its scope, and the domains its
//! platform is bound to.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::{Certificate, NewPlatformDomain};
use super::schema::{certificates, platform_domains};
use super::DbConnection;
use crate::domain::status::CertificateStatus;

/// A certificate as the back office shows it: the row and its suspension end.
pub fn find(
    conn: &mut DbConnection,
    number: &str,
) -> QueryResult<Option<(Certificate, Option<NaiveDate>)>> {
    certificates::table
        .filter(certificates::number.eq(number))
        .select((Certificate::as_select(), certificates::suspended_until))
        .first(conn)
        .optional()
}

/// A certificate's lifecycle columns after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleColumns {
    pub status: CertificateStatus,
    pub suspended_until: Option<NaiveDate>,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub updated_at: NaiveDateTime,
}

/// Sets the lifecycle columns of certificate `id` if its stored status is still
/// `expected_status`; false when it changed meanwhile (nothing is written then).
pub fn update_lifecycle(
    conn: &mut DbConnection,
    id: i32,
    expected_status: CertificateStatus,
    columns: &LifecycleColumns,
) -> QueryResult<bool> {
    let changed = diesel::update(
        certificates::table
            .filter(certificates::id.eq(id))
            .filter(certificates::status.eq(expected_status)),
    )
    .set((
        certificates::status.eq(columns.status),
        certificates::suspended_until.eq(columns.suspended_until),
        certificates::issued_on.eq(columns.issued_on),
        certificates::expires_on.eq(columns.expires_on),
        certificates::updated_at.eq(columns.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Sets the scope of certificate `id`.
pub fn update_scope(
    conn: &mut DbConnection,
    id: i32,
    scope_zh: &str,
    scope_en: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(certificates::table.filter(certificates::id.eq(id)))
        .set((
            certificates::scope_zh.eq(scope_zh),
            certificates::scope_en.eq(scope_en),
            certificates::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Those of `domains` bound to a platform other than `platform_id`.
pub fn domains_bound_elsewhere(
    conn: &mut DbConnection,
    domains: &[String],
    platform_id: i32,
) -> QueryResult<Vec<String>> {
    platform_domains::table
        .filter(platform_domains::domain.eq_any(domains))
        .filter(platform_domains::platform_id.ne(platform_id))
        .select(platform_domains::domain)
        .load(conn)
}

/// Binds platform `platform_id` to exactly `domains` (already normalised).
pub fn replace_domains(
    conn: &mut DbConnection,
    platform_id: i32,
    domains: &[String],
) -> QueryResult<()> {
    diesel::delete(platform_domains::table.filter(platform_domains::platform_id.eq(platform_id)))
        .execute(conn)?;
    let rows: Vec<NewPlatformDomain> = domains
        .iter()
        .map(|d| NewPlatformDomain::bound(platform_id, d))
        .collect();
    if !rows.is_empty() {
        super::write::insert_batch!(conn, platform_domains::table, &rows)?;
    }
    Ok(())
}
