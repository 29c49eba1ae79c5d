//! Reading a company with its platforms.

use diesel::prelude::*;

use super::models::*;
use super::schema::*;
use super::search::{search, Matcher, SearchFilters, SearchPage, SearchRequest, SortOrder};
use super::DbConnection;

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
