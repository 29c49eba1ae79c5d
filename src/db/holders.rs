//! Queries behind the corrections of a certificate holder (company) or a certified platform
//! (`app::holders`): the records as the back office shows them, their updates, and the
//! certificates they hold, re-indexed after a change.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::domain::status::CertificateStatus;

use super::models::{Certificate, Company, Platform};
use super::schema::{certificates, companies, platforms};
use super::write::reindex_certificates;
use super::DbConnection;
use crate::domain::record::CompanyRecord;

/// A certificate of a company, as the back office lists it.
#[derive(Debug, Clone, Queryable)]
pub struct HeldCertificate {
    pub number: String,
    pub status: CertificateStatus,
    pub expires_on: NaiveDate,
    pub platform: String,
}

/// The company with this credit code.
pub fn find_company(conn: &mut DbConnection, credit_code: &str) -> QueryResult<Option<Company>> {
    companies::table
        .filter(companies::credit_code.eq(credit_code))
        .select(Company::as_select())
        .first(conn)
        .optional()
}

/// A company and its certificates (by number), or `None`.
pub fn company_with_certificates(
    conn: &mut DbConnection,
    credit_code: &str,
) -> QueryResult<Option<(Company, Vec<HeldCertificate>)>> {
    let Some(company) = find_company(conn, credit_code)? else {
        return Ok(None);
    };
    let held = certificates::table
        .inner_join(platforms::table)
        .filter(certificates::company_id.eq(company.id))
        .order_by(certificates::number.asc())
        .select((
            certificates::number,
            certificates::status,
            certificates::expires_on,
            platforms::name,
        ))
        .load(conn)?;
    Ok(Some((company, held)))
}

/// The holder and the platform of a certificate.
pub fn holder_and_platform(
    conn: &mut DbConnection,
    certificate: &Certificate,
) -> QueryResult<(Company, Platform)> {
    let company = companies::table
        .find(certificate.company_id)
        .select(Company::as_select())
        .first(conn)?;
    let platform = platforms::table
        .find(certificate.platform_id)
        .select(Platform::as_select())
        .first(conn)?;
    Ok((company, platform))
}

/// The platform of the certificate `number`.
pub fn find_platform(conn: &mut DbConnection, number: &str) -> QueryResult<Option<Platform>> {
    certificates::table
        .inner_join(platforms::table)
        .filter(certificates::number.eq(number))
        .select(Platform::as_select())
        .first(conn)
        .optional()
}

/// Sets a company's fields from a checked record (its credit code included).
pub fn update_company_row(
    conn: &mut DbConnection,
    company_id: i32,
    wanted: &CompanyRecord,
) -> QueryResult<()> {
    diesel::update(companies::table.filter(companies::id.eq(company_id)))
        .set((
            companies::credit_code.eq(wanted.credit_code.as_str()),
            companies::name_zh.eq(&wanted.name_zh),
            companies::name_en.eq(&wanted.name_en),
            companies::province_code.eq(wanted.province_code),
            companies::city.eq(&wanted.city),
            companies::address.eq(&wanted.address),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets a platform's name, type and app names (one per line).
pub fn update_platform_row(conn: &mut DbConnection, platform: &Platform) -> QueryResult<()> {
    diesel::update(platforms::table.filter(platforms::id.eq(platform.id)))
        .set((
            platforms::name.eq(&platform.name),
            platforms::platform_type.eq(&platform.platform_type),
            platforms::app_names.eq(&platform.app_names),
        ))
        .execute(conn)?;
    Ok(())
}

/// The ids of the certificates a company holds.
pub fn certificate_ids_of_company(
    conn: &mut DbConnection,
    company_id: i32,
) -> QueryResult<Vec<i32>> {
    certificates::table
        .filter(certificates::company_id.eq(company_id))
        .select(certificates::id)
        .load(conn)
}

/// The ids of the certificates of a platform.
pub fn certificate_ids_of_platform(
    conn: &mut DbConnection,
    platform_id: i32,
) -> QueryResult<Vec<i32>> {
    certificates::table
        .filter(certificates::platform_id.eq(platform_id))
        .select(certificates::id)
        .load(conn)
}

/// Re-indexes the certificates `ids` (their company or platform changed) and marks them
/// updated at `at`.
pub fn touch_certificates(
    conn: &mut DbConnection,
    ids: &[i32],
    at: NaiveDateTime,
) -> QueryResult<()> {
    reindex_certificates(conn, ids)?;
    diesel::update(certificates::table.filter(certificates::id.eq_any(ids)))
        .set(certificates::updated_at.eq(at))
        .execute(conn)?;
    Ok(())
}
