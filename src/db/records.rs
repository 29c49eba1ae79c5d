//! Certificates as import/export records (`domain::record`): read a page at a time by id or by
//! number, and the look-ups the import checks a file against (companies by credit code, the
//! certificates that hold a domain, bodies and scheme versions).

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::{Certificate, Company, Platform};
use super::schema::*;
use super::{Db, DbConnection};
use crate::domain::record::{Column, RawRecord};

/// Values bound in one `IN (…)` list: well under both backends' parameter limits.
pub const CHUNK: usize = 500;

/// Which certificates to read.
enum Which<'a> {
    /// Ids above `after`, in id order, at most `limit`.
    After { after: i32, limit: i64 },
    /// These numbers.
    Numbers(&'a [String]),
}

type Joined = (Certificate, Platform, Company, String, String);

/// How many certificates the registry holds.
pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    certificates::table.count().get_result(conn)
}

/// When a certificate last changed (any change a page shows updates it).
pub fn last_change(conn: &mut DbConnection) -> QueryResult<Option<chrono::NaiveDateTime>> {
    certificates::table
        .select(diesel::dsl::max(certificates::updated_at))
        .first(conn)
}

/// Up to `limit` certificates with an id above `after`, in id order, each with its id.
pub fn page_after(
    conn: &mut DbConnection,
    after: i32,
    limit: i64,
) -> QueryResult<Vec<(i32, RawRecord)>> {
    load(conn, Which::After { after, limit })
}

/// The stored records of these certificate numbers (those that exist), by number.
pub fn by_numbers(
    conn: &mut DbConnection,
    numbers: &[String],
) -> QueryResult<HashMap<String, RawRecord>> {
    let mut out = HashMap::new();
    for chunk in numbers.chunks(CHUNK) {
        for (_, raw) in load(conn, Which::Numbers(chunk))? {
            out.insert(raw.get(Column::Number).to_owned(), raw);
        }
    }
    Ok(out)
}

fn load(conn: &mut DbConnection, which: Which<'_>) -> QueryResult<Vec<(i32, RawRecord)>> {
    let query = certificates::table
        .inner_join(platforms::table)
        .inner_join(companies::table)
        .inner_join(certification_bodies::table)
        .inner_join(scheme_versions::table)
        .select((
            Certificate::as_select(),
            Platform::as_select(),
            Company::as_select(),
            certification_bodies::code,
            scheme_versions::slug,
        ))
        .into_boxed::<Db>();
    let query = match which {
        Which::After { after, limit } => query
            .filter(certificates::id.gt(after))
            .order_by(certificates::id.asc())
            .limit(limit),
        Which::Numbers(numbers) => query.filter(certificates::number.eq_any(numbers)),
    };
    let rows: Vec<Joined> = query.load(conn)?;
    let platform_ids: Vec<i32> = rows.iter().map(|r| r.1.id).collect();
    let mut domains: HashMap<i32, Vec<String>> = HashMap::new();
    for (platform_id, domain) in platform_domains::table
        .filter(platform_domains::platform_id.eq_any(&platform_ids))
        .select((platform_domains::platform_id, platform_domains::domain))
        .load::<(i32, String)>(conn)?
    {
        domains.entry(platform_id).or_default().push(domain);
    }
    Ok(rows
        .into_iter()
        .map(|(c, p, company, body, scheme)| {
            let mut bound = domains.remove(&p.id).unwrap_or_default();
            bound.sort();
            (c.id, to_raw(c, &p, company, body, scheme, &bound))
        })
        .collect())
}

/// A stored certificate in the record's canonical text (what `CertificateRecord::to_raw` gives).
fn to_raw(
    c: Certificate,
    p: &Platform,
    company: Company,
    body: String,
    scheme: String,
    domains: &[String],
) -> RawRecord {
    RawRecord::default()
        .with(Column::Number, c.number)
        .with(Column::CreditCode, company.credit_code)
        .with(Column::CompanyNameZh, company.name_zh)
        .with(Column::CompanyNameEn, company.name_en.unwrap_or_default())
        .with(Column::ProvinceCode, company.province_code)
        .with(Column::City, company.city)
        .with(Column::Address, company.address)
        .with(Column::PlatformName, p.name.as_str())
        .with(Column::PlatformType, p.platform_type.as_str())
        .with(Column::Domains, domains.join(";"))
        .with(Column::AppNames, p.apps().join(";"))
        .with(Column::BodyCode, body)
        .with(Column::SchemeSlug, scheme)
        .with(Column::Score, c.score.to_string())
        .with(Column::Status, c.status.as_str())
        .with(Column::FirstIssuedOn, c.first_issued_on.to_string())
        .with(Column::IssuedOn, c.issued_on.to_string())
        .with(Column::ExpiresOn, c.expires_on.to_string())
        .with(Column::LastAssessedOn, c.last_assessed_on.to_string())
        .with(Column::LastAssessmentKind, c.last_assessment_kind.as_str())
        .with(Column::ScopeZh, c.scope_zh)
        .with(Column::ScopeEn, c.scope_en)
}

/// The stored companies with these credit codes, by code.
pub fn companies_by_credit_code(
    conn: &mut DbConnection,
    codes: &[String],
) -> QueryResult<HashMap<String, Company>> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        for c in companies::table
            .filter(companies::credit_code.eq_any(chunk))
            .select(Company::as_select())
            .load::<Company>(conn)?
        {
            out.insert(c.credit_code.clone(), c);
        }
    }
    Ok(out)
}

/// For each of these (normalised) domains that is bound already: the number of a certificate
/// of the platform that holds it.
pub fn domain_holders(
    conn: &mut DbConnection,
    domains: &[String],
) -> QueryResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in domains.chunks(CHUNK) {
        for (domain, number) in platform_domains::table
            .inner_join(
                certificates::table.on(certificates::platform_id.eq(platform_domains::platform_id)),
            )
            .filter(platform_domains::domain.eq_any(chunk))
            .select((platform_domains::domain, certificates::number))
            .load::<(String, String)>(conn)?
        {
            out.insert(domain, number);
        }
    }
    Ok(out)
}

/// Certification bodies: code → id.
pub fn body_ids(conn: &mut DbConnection) -> QueryResult<HashMap<String, i32>> {
    Ok(certification_bodies::table
        .select((certification_bodies::code, certification_bodies::id))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect())
}

/// Scheme versions: slug → (id, effective from).
pub fn scheme_ids(conn: &mut DbConnection) -> QueryResult<HashMap<String, (i32, NaiveDate)>> {
    Ok(scheme_versions::table
        .select((
            scheme_versions::slug,
            scheme_versions::id,
            scheme_versions::effective_from,
        ))
        .load::<(String, i32, NaiveDate)>(conn)?
        .into_iter()
        .map(|(slug, id, from)| (slug, (id, from)))
        .collect())
}
