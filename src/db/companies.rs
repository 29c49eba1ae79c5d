//! Reading a company with its platforms, and lists of companies.

use diesel::prelude::*;

use super::models::*;
use super::schema::*;
use super::search::{search, Matcher, SearchFilters, SearchPage, SearchRequest, SortOrder};
use super::{Db, DbConnection};
use crate::domain::status::{effective_status, CertificateStatus};

/// A company and the platforms it runs, each with its bound domains.
#[derive(Debug, Clone)]
pub struct CompanyDetail {
    pub company: Company,
    pub platforms: Vec<(Platform, Vec<String>)>,
}

/// Finds a company by its (already validated) credit code.
pub fn find_by_credit_code(
    conn: &mut DbConnection,
    credit_code: &str,
) -> QueryResult<Option<CompanyDetail>> {
    let Some(company) = companies::table
        .filter(companies::credit_code.eq(credit_code))
        .select(Company::as_select())
        .first::<Company>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let platform_rows = platforms::table
        .filter(platforms::company_id.eq(company.id))
        .order_by(platforms::id.asc())
        .select(Platform::as_select())
        .load::<Platform>(conn)?;
    let ids: Vec<i32> = platform_rows.iter().map(|p| p.id).collect();
    let domain_rows = platform_domains::table
        .filter(platform_domains::platform_id.eq_any(&ids))
        .order_by(platform_domains::domain.asc())
        .select((platform_domains::platform_id, platform_domains::domain))
        .load::<(i32, String)>(conn)?;
    let platforms = platform_rows
        .into_iter()
        .map(|p| {
            let domains = domain_rows
                .iter()
                .filter(|(pid, _)| *pid == p.id)
                .map(|(_, d)| d.clone())
                .collect();
            (p, domains)
        })
        .collect();
    Ok(Some(CompanyDetail { company, platforms }))
}

/// Most certificates listed with a company (its page and the API).
pub const MAX_CERTIFICATES: u32 = 200;

/// A company by its (already validated) credit code, with its certificates, best grade first
/// (at most [`MAX_CERTIFICATES`]), their effective status on `today`.
pub fn with_certificates(
    conn: &mut DbConnection,
    credit_code: &str,
    today: chrono::NaiveDate,
) -> QueryResult<Option<(CompanyDetail, SearchPage)>> {
    let Some(detail) = find_by_credit_code(conn, credit_code)? else {
        return Ok(None);
    };
    let request = SearchRequest {
        matcher: Matcher::CreditCode(credit_code.to_owned()),
        filters: SearchFilters::default(),
        sort: SortOrder::Grade,
        page: 1,
        per_page: MAX_CERTIFICATES,
        today,
    };
    Ok(Some((detail, search(conn, &request)?)))
}

/// A company in a list, with how many certificates it holds and how many are in force.
#[derive(Debug, Clone)]
pub struct CompanyListed {
    pub company: Company,
    pub certificates: i64,
    pub in_force: i64,
}

fn in_province(province_code: Option<&str>) -> diesel::dsl::IntoBoxed<'_, companies::table, Db> {
    let mut q = companies::table.into_boxed();
    if let Some(code) = province_code {
        q = q.filter(companies::province_code.eq(code));
    }
    q
}

/// How many companies there are, optionally in one province (a scan of an index: 10–50 ms at
/// 870,000 companies, so the API keeps it per registry revision).
pub fn count(conn: &mut DbConnection, province_code: Option<&str>) -> QueryResult<i64> {
    in_province(province_code).count().get_result(conn)
}

/// One page of companies, by credit code (unique, so pages never overlap), optionally of one
/// province. `today` decides which certificates are in force.
pub fn list(
    conn: &mut DbConnection,
    province_code: Option<&str>,
    page: u32,
    per_page: u32,
    today: chrono::NaiveDate,
) -> QueryResult<Vec<CompanyListed>> {
    let filtered = || in_province(province_code);
    // The page's codes first, from the index alone (skipping up to 100,000 entries is cheap
    // there; skipping them through the table rows took 0.47 s on PostgreSQL), then their rows.
    let codes: Vec<String> = filtered()
        .order_by(companies::credit_code.asc())
        .offset(i64::from(page.saturating_sub(1)) * i64::from(per_page))
        .limit(i64::from(per_page))
        .select(companies::credit_code)
        .load(conn)?;
    let rows: Vec<Company> = companies::table
        .filter(companies::credit_code.eq_any(&codes))
        .order_by(companies::credit_code.asc())
        .select(Company::as_select())
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|c| c.id).collect();
    // The certificates of these companies (a few each), counted here: filtering them by status
    // in SQL makes SQLite's planner scan every valid certificate instead (seconds at 1,000,000).
    let held: Vec<(i32, CertificateStatus, chrono::NaiveDate)> = certificates::table
        .filter(certificates::company_id.eq_any(&ids))
        .select((
            certificates::company_id,
            certificates::status,
            certificates::expires_on,
        ))
        .load(conn)?;
    let count_of = |id: i32, in_force: bool| {
        let in_force_on = |status: CertificateStatus, expires_on: chrono::NaiveDate| {
            effective_status(status, expires_on, today) == CertificateStatus::Valid
        };
        held.iter()
            .filter(|(c, status, expires_on)| {
                *c == id && (!in_force || in_force_on(*status, *expires_on))
            })
            .count() as i64
    };
    let items = rows
        .into_iter()
        .map(|company| CompanyListed {
            certificates: count_of(company.id, false),
            in_force: count_of(company.id, true),
            company,
        })
        .collect();
    Ok(items)
}
