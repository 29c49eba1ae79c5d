//! Queries behind issuing a certificate (`app::issuing`): a scheme version with its indicators,
//! the stored company of an entered credit code, and the next free certificate number.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::evaluations::scheme_indicators;
use super::models::{CertificationBody, Company, Indicator, SchemeVersion};
use super::schema::{certificates, scheme_versions};
use super::{records, Db, DbConnection};
use crate::domain::credit_code::CreditCode;
use crate::domain::numbering::{format_number, pattern_scope, NumberingError};
use crate::domain::record::{Column, RawRecord};

/// A scheme version by slug, with its indicators in sheet order.
pub fn scheme_with_indicators(
    conn: &mut DbConnection,
    slug: &str,
) -> QueryResult<Option<(SchemeVersion, Vec<Indicator>)>> {
    let Some(scheme) = scheme_versions::table
        .filter(scheme_versions::slug.eq(slug))
        .select(SchemeVersion::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let indicators = scheme_indicators(conn, scheme.id)?;
    Ok(Some((scheme, indicators)))
}

/// The stored company with the credit code entered in `raw`, if it parses and is stored.
pub fn stored_company(conn: &mut DbConnection, raw: &RawRecord) -> QueryResult<Option<Company>> {
    let Ok(code) = CreditCode::parse(raw.get(Column::CreditCode).trim()) else {
        return Ok(None);
    };
    Ok(records::companies_by_credit_code(conn, &[code.to_string()])?.remove(code.as_str()))
}

/// The next free number of `pattern` for `body` in `year`: the serial starts after the
/// certificates first issued in the pattern's scope and skips numbers already taken.
pub fn next_free_number(
    conn: &mut DbConnection,
    pattern: &str,
    body: &CertificationBody,
    year: i32,
) -> Result<Result<String, NumberingError>, diesel::result::Error> {
    let (by_body, by_year) = pattern_scope(pattern);
    let mut query = certificates::table.into_boxed::<Db>();
    if by_body {
        query = query.filter(certificates::body_id.eq(body.id));
    }
    if by_year {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
        let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
        query = query.filter(certificates::first_issued_on.between(first, last));
    }
    let issued: i64 = query.count().get_result(conn)?;
    let mut serial = u64::try_from(issued).unwrap_or(0) + 1;
    loop {
        let number = match format_number(pattern, &body.code, year, serial) {
            Ok(number) => number,
            Err(e) => return Ok(Err(e)),
        };
        let taken: i64 = certificates::table
            .filter(certificates::number.eq(&number))
            .count()
            .get_result(conn)?;
        if taken == 0 {
            return Ok(Ok(number));
        }
        serial += 1;
    }
}
