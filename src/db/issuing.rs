//! Issuing a certificate on an initial evaluation: the checks against the registry (body, scheme,
//! a company to reuse, domains bound elsewhere), then in one transaction the next number from the
//! configured pattern, the company (unless stored), platform, certificate, "issued" event,
//! evaluation with its scores, audit entries and the registry revision.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

use super::accounts::append_audit;
use super::evaluations::{scheme_indicators, sheet_tree};
use super::lifecycle::Actor;
use super::models::{CertificationBody, Company, Indicator, NewEvaluation, SchemeVersion};
use super::registration::{self, Origin, Planned, Stamp};
use super::schema::{certificates, certification_bodies, scheme_versions};
use super::write::{bump_revision, insert_evaluation};
use super::{records, Db, DbConnection};
use crate::domain::credit_code::CreditCode;
use crate::domain::dates::validity_end;
use crate::domain::evaluation::{initial, EvaluationError, InitialOutcome};
use crate::domain::grade::Score;
use crate::domain::numbering::{format_number, pattern_scope, NumberingError};
use crate::domain::record::{validate, CertificateRecord, Column, FieldError, RawRecord};
use crate::domain::score_sheet::{self, Entry, Sheet, SheetError};
use crate::domain::status::CertificateStatus;
use crate::domain::surveillance::AssessmentKind;

/// What was entered on the form.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The company, platform, body, scheme and scope columns; the others are set here.
    pub raw: RawRecord,
    pub assessed_on: NaiveDate,
    /// What was entered per indicator of the scheme version.
    pub entries: HashMap<i32, Entry>,
    pub deduction: f64,
}

/// Why nothing was issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueFailure {
    #[error("no certification body with this code")]
    UnknownBody,
    #[error("no scheme version with this slug")]
    UnknownScheme,
    #[error("the scheme version takes effect on {0}, after the evaluation")]
    SchemeNotYet(NaiveDate),
    #[error("invalid fields")]
    Fields(Vec<FieldError>),
    #[error("{domain} is already bound to certificate {number}")]
    DomainTaken { domain: String, number: String },
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error(transparent)]
    Refused(#[from] EvaluationError),
    #[error("a score of {0} earns no certificate")]
    Fails(f64),
    #[error(transparent)]
    Numbering(#[from] NumberingError),
    #[error(transparent)]
    Db(#[from] DieselError),
}

/// What issuing would do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub outcome: InitialOutcome,
    pub sheet: Sheet,
    pub body: CertificationBody,
    pub scheme: SchemeVersion,
    /// The stored company with the entered credit code, reused as it is.
    pub company: Option<Company>,
    /// The certificate to store (its number is given at saving); `None` under 70.
    pub record: Option<CertificateRecord>,
}

/// The number a record carries until it is issued.
const UNNUMBERED: &str = "UNNUMBERED";

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

fn stored_company(conn: &mut DbConnection, raw: &RawRecord) -> QueryResult<Option<Company>> {
    let Ok(code) = CreditCode::parse(raw.get(Column::CreditCode).trim()) else {
        return Ok(None);
    };
    Ok(records::companies_by_credit_code(conn, &[code.to_string()])?.remove(code.as_str()))
}

/// Checks the draft and says what issuing would do, without writing (the preview). The fields
/// are checked first, all together; then the scores, the scheme's date and the domains.
pub fn plan(
    conn: &mut DbConnection,
    draft: &Draft,
    today: NaiveDate,
    validity_years: u32,
) -> Result<Plan, IssueFailure> {
    let company = stored_company(conn, &draft.raw)?;
    let mut raw = draft.raw.clone();
    if let Some(c) = &company {
        raw.set(Column::CompanyNameZh, c.name_zh.as_str());
        raw.set(Column::CompanyNameEn, c.name_en.clone().unwrap_or_default());
        raw.set(Column::ProvinceCode, c.province_code.as_str());
        raw.set(Column::City, c.city.as_str());
        raw.set(Column::Address, c.address.as_str());
    }
    // The score is set once the sheet is read: a passing placeholder checks the other fields.
    raw.set(Column::Number, UNNUMBERED);
    raw.set(Column::Score, "70");
    raw.set(Column::Status, CertificateStatus::Valid.as_str());
    raw.set(Column::FirstIssuedOn, today.to_string());
    raw.set(Column::IssuedOn, today.to_string());
    raw.set(
        Column::ExpiresOn,
        validity_end(today, validity_years).to_string(),
    );
    raw.set(
        Column::LastAssessedOn,
        draft.assessed_on.min(today).to_string(),
    );
    raw.set(Column::LastAssessmentKind, AssessmentKind::Initial.as_str());
    let mut record = validate(&raw, today).map_err(IssueFailure::Fields)?;
    let body = certification_bodies::table
        .filter(certification_bodies::code.eq(&record.body_code))
        .select(CertificationBody::as_select())
        .first(conn)
        .optional()?
        .ok_or(IssueFailure::UnknownBody)?;
    let (scheme, indicators) =
        scheme_with_indicators(conn, &record.scheme_slug)?.ok_or(IssueFailure::UnknownScheme)?;
    let sheet = score_sheet::read(&sheet_tree(&indicators), &draft.entries)?;
    let outcome = initial(
        draft.assessed_on,
        today,
        &sheet.items,
        draft.deduction,
        validity_years,
    )?;
    record.last_assessed_on = draft.assessed_on;
    if let Some(grade) = outcome.grade {
        record.score = Score::new(outcome.total).map_err(|_| IssueFailure::Fails(outcome.total))?;
        record.grade = grade;
    }
    if scheme.effective_from > draft.assessed_on {
        return Err(IssueFailure::SchemeNotYet(scheme.effective_from));
    }
    let domains: Vec<String> = record
        .platform
        .domains
        .iter()
        .map(|d| d.as_str().to_owned())
        .collect();
    if let Some((domain, number)) = records::domain_holders(conn, &domains)?.into_iter().min() {
        return Err(IssueFailure::DomainTaken { domain, number });
    }
    Ok(Plan {
        record: outcome.grade.is_some().then_some(record),
        outcome,
        sheet,
        body,
        scheme,
        company,
    })
}

/// The next free number of `pattern` for `body` in `year`: the serial starts after the
/// certificates first issued in the pattern's scope and skips numbers already taken.
fn next_number(
    conn: &mut DbConnection,
    pattern: &str,
    body: &CertificationBody,
    year: i32,
) -> Result<String, IssueFailure> {
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
        let number = format_number(pattern, &body.code, year, serial)?;
        let taken: i64 = certificates::table
            .filter(certificates::number.eq(&number))
            .count()
            .get_result(conn)?;
        if taken == 0 {
            return Ok(number);
        }
        serial += 1;
    }
}

fn issue_once(
    conn: &mut DbConnection,
    draft: &Draft,
    actor: &Actor<'_>,
    pattern: &str,
) -> Result<(String, Plan), IssueFailure> {
    let plan = plan(conn, draft, actor.today, actor.validity_years)?;
    let (Some(mut record), Some(grade)) = (plan.record.clone(), plan.outcome.grade) else {
        return Err(IssueFailure::Fails(plan.outcome.total));
    };
    record.number = next_number(conn, pattern, &plan.body, actor.today.year())?;
    let number = record.number.clone();
    let planned = Planned {
        line: 0,
        record,
        body_id: plan.body.id,
        scheme_id: plan.scheme.id,
        company_id: plan.company.as_ref().map(|c| c.id),
    };
    let stamp = Stamp {
        actor: actor.name,
        at: actor.now,
    };
    let company_id = registration::company(conn, &planned, &stamp, Origin::Issue)?;
    let certificate_id =
        registration::certificate(conn, &planned, company_id, &stamp, Origin::Issue)?;
    insert_evaluation(
        conn,
        &NewEvaluation {
            certificate_id,
            kind: AssessmentKind::Initial.as_str().to_owned(),
            assessed_on: draft.assessed_on,
            total_score: plan.outcome.total,
            grade: Some(i16::from(grade.stars())),
        },
        &plan.sheet.stored,
    )?;
    let scores: Vec<_> = plan
        .sheet
        .stored
        .iter()
        .map(|(id, earned, max)| json!({"indicator": id, "earned": earned, "max": max}))
        .collect();
    append_audit(
        conn,
        &actor.audit(
            "evaluation.initial",
            "certificate",
            number.clone(),
            None,
            Some(
                json!({
                    "assessed_on": draft.assessed_on, "score": plan.outcome.total,
                    "grade": grade.stars(), "scores": scores, "deduction": draft.deduction,
                })
                .to_string(),
            ),
        ),
    )?;
    bump_revision(conn)?;
    Ok((number, plan))
}

/// Issues the certificate; returns its number. Two instances issuing at once may pick the same
/// number (or bind the same domain): the loser's transaction fails on the unique index and is
/// run again, which then finds the next number (or reports the domain).
pub fn issue(
    conn: &mut DbConnection,
    draft: &Draft,
    actor: &Actor<'_>,
    pattern: &str,
) -> Result<(String, Plan), IssueFailure> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match super::write::write_transaction(conn, |conn| issue_once(conn, draft, actor, pattern))
        {
            Err(IssueFailure::Db(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _,
            ))) if attempt < 3 => continue,
            result => return result,
        }
    }
}
