//! The rules that look beyond one record: within the file (a number, a domain or a credit code
//! used twice) and against the database (numbers already present, companies to reuse, domains
//! bound elsewhere, bodies and schemes that exist).

use std::collections::{BTreeSet, HashMap};

use diesel::QueryResult;

use super::report::{LineError, Report};
pub use crate::app::registration::Planned;
use crate::db::models::Company;
use crate::db::{records, DbConnection};
use crate::domain::hostname::Hostname;
use crate::domain::record::{CertificateRecord, Column, RawRecord};

/// The columns that describe the company.
const COMPANY_COLUMNS: [Column; 6] = [
    Column::CreditCode,
    Column::CompanyNameZh,
    Column::CompanyNameEn,
    Column::ProvinceCode,
    Column::City,
    Column::Address,
];

/// A valid record and the line it came from.
pub type Lined = (u64, CertificateRecord);

/// What an import will do.
#[derive(Default)]
pub struct Plan {
    pub new: Vec<Planned>,
    /// (line, number) of the records already stored with the same values.
    pub unchanged: Vec<(u64, String)>,
}

fn names(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "known: A, B", or that there are none.
fn known<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let mut keys: Vec<&str> = keys.map(String::as_str).collect();
    keys.sort_unstable();
    if keys.is_empty() {
        "the registry has none yet".to_owned()
    } else {
        format!("known: {}", keys.join(", "))
    }
}

fn company_differences(a: &RawRecord, b: &RawRecord) -> Vec<Column> {
    COMPANY_COLUMNS
        .into_iter()
        .filter(|&c| a.get(c) != b.get(c))
        .collect()
}

/// A number, a domain or a credit code (with other company values) used twice in the file:
/// the later line gets the error.
pub fn within_file(records: &[Lined], report: &mut Report) {
    let mut numbers: HashMap<&str, u64> = HashMap::new();
    let mut domains: HashMap<&str, u64> = HashMap::new();
    let mut companies: HashMap<&str, (u64, RawRecord)> = HashMap::new();
    for (line, r) in records {
        if let Some(first) = numbers.insert(&r.number, *line) {
            let msg = format!("{} is also on line {first}", r.number);
            report.push(LineError::new(*line, Some(Column::Number), msg));
            numbers.insert(&r.number, first);
        }
        for d in &r.platform.domains {
            match domains.get(d.as_str()) {
                Some(first) => report.push(LineError::new(
                    *line,
                    Some(Column::Domains),
                    format!("{d} is also bound on line {first}: a domain belongs to one platform"),
                )),
                None => {
                    domains.insert(d.as_str(), *line);
                }
            }
        }
        let raw = r.to_raw();
        match companies.get(r.company.credit_code.as_str()) {
            Some((first, seen)) => {
                let diff = company_differences(seen, &raw);
                if !diff.is_empty() {
                    report.push(LineError::new(
                        *line,
                        Some(Column::CreditCode),
                        format!(
                            "line {first} has the same credit code with other values in: {}; \
                             one credit code is one company",
                            names(&diff)
                        ),
                    ));
                }
            }
            None => {
                companies.insert(r.company.credit_code.as_str(), (*line, raw));
            }
        }
    }
}

fn stored_company(c: &Company) -> RawRecord {
    RawRecord::default()
        .with(Column::CreditCode, c.credit_code.as_str())
        .with(Column::CompanyNameZh, c.name_zh.as_str())
        .with(Column::CompanyNameEn, c.name_en.clone().unwrap_or_default())
        .with(Column::ProvinceCode, c.province_code.as_str())
        .with(Column::City, c.city.as_str())
        .with(Column::Address, c.address.as_str())
}

/// Checks the records against the database and plans the inserts. A number already stored with
/// the same values is unchanged; with other values it is an error (changes go through the back
/// office, with their public events).
pub fn against_db(
    conn: &mut DbConnection,
    records: Vec<Lined>,
    report: &mut Report,
) -> QueryResult<Plan> {
    let bodies = records::body_ids(conn)?;
    let schemes = records::scheme_ids(conn)?;
    let numbers: Vec<String> = records.iter().map(|(_, r)| r.number.clone()).collect();
    let existing = records::by_numbers(conn, &numbers)?;
    let fresh = |r: &CertificateRecord| !existing.contains_key(&r.number);
    let codes: BTreeSet<String> = records
        .iter()
        .filter(|(_, r)| fresh(r))
        .map(|(_, r)| r.company.credit_code.to_string())
        .collect();
    let codes: Vec<String> = codes.into_iter().collect();
    let companies = records::companies_by_credit_code(conn, &codes)?;
    let domains: Vec<String> = records
        .iter()
        .filter(|(_, r)| fresh(r))
        .flat_map(|(_, r)| r.platform.domains.iter().map(|d| d.as_str().to_owned()))
        .collect();
    let holders = records::domain_holders(conn, &domains)?;
    let mut plan = Plan::default();
    for (line, record) in records {
        let raw = record.to_raw();
        if let Some(stored) = existing.get(&record.number) {
            let diff = stored.differences(&raw);
            if diff.is_empty() {
                plan.unchanged.push((line, record.number));
            } else {
                report.push(LineError::new(
                    line,
                    Some(Column::Number),
                    format!(
                        "certificate {} is already in the registry with other values in: {}; \
                         change it in the back office",
                        record.number,
                        names(&diff)
                    ),
                ));
            }
            continue;
        }
        let mut ok = true;
        let mut fail = |column: Column, message: String| {
            report.push(LineError::new(line, Some(column), message));
            ok = false;
        };
        let body_id = bodies.get(&record.body_code).copied();
        if body_id.is_none() {
            fail(
                Column::BodyCode,
                format!(
                    "no certification body with code {:?} in the registry ({})",
                    record.body_code,
                    known(bodies.keys())
                ),
            );
        }
        let scheme = schemes.get(&record.scheme_slug).copied();
        match scheme {
            None => {
                fail(
                    Column::SchemeSlug,
                    format!(
                        "no scheme version {:?} in the registry ({})",
                        record.scheme_slug,
                        known(schemes.keys())
                    ),
                );
            }
            Some((_, from)) if record.last_assessed_on < from => fail(
                Column::SchemeSlug,
                format!(
                    "{} took effect on {from}, after the last assessment ({})",
                    record.scheme_slug, record.last_assessed_on
                ),
            ),
            Some(_) => {}
        }
        let company = companies.get(record.company.credit_code.as_str());
        if let Some(c) = company {
            let diff = company_differences(&stored_company(c), &raw);
            if !diff.is_empty() {
                fail(
                    Column::CreditCode,
                    format!(
                        "the registry holds this credit code for a company with other values \
                         in: {}; the stored company is reused, so the row must match it",
                        names(&diff)
                    ),
                );
            }
        }
        for d in &record.platform.domains {
            if let Some(number) = holders.get(d.as_str()) {
                fail(
                    Column::Domains,
                    format!(
                        "{} is already bound to certificate {number}",
                        Hostname::to_unicode(d)
                    ),
                );
            }
        }
        if let (true, Some(body_id), Some((scheme_id, _))) = (ok, body_id, scheme) {
            plan.new.push(Planned {
                line,
                company_id: company.map(|c| c.id),
                record,
                body_id,
                scheme_id,
            });
        }
    }
    Ok(plan)
}
