//! Issuing a certificate on an initial evaluation: the checks against the registry (body,
//! scheme, a company to reuse, domains bound elsewhere) as a preview ([`plan`]), then in one use
//! case ([`issue`]) the next number from the configured pattern, the company (unless stored),
//! platform, certificate, evaluation with its scores, the "issued" event and audit entries.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

use super::registration::{self, Origin, Planned};
use super::{run, Actor};
use crate::db::evaluations::sheet_tree;
use crate::db::issuing::{next_free_number, scheme_with_indicators, stored_company};
use crate::db::models::{CertificationBody, Company, NewEvaluation, SchemeVersion};
use crate::db::reference::find_body;
use crate::db::write::insert_evaluation;
use crate::db::{records, DbConnection};
use crate::domain::evaluation::{initial, EvaluationError, InitialOutcome};
use crate::domain::grade::Score;
use crate::domain::issuing::initial_draft;
use crate::domain::numbering::NumberingError;
use crate::domain::record::{validate, CertificateRecord, Column, FieldError, RawRecord};
use crate::domain::reference::{check_in_force, SchemeNotInForce};
use crate::domain::score_sheet::{self, Entry, Sheet, SheetError};
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

impl From<SchemeNotInForce> for IssueFailure {
    fn from(e: SchemeNotInForce) -> IssueFailure {
        IssueFailure::SchemeNotYet(e.effective_from)
    }
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

/// Checks the draft and says what issuing would do, without writing (the preview). The fields
/// are checked first, all together; then the scores, the scheme's date and the domains.
pub fn plan(
    conn: &mut DbConnection,
    draft: &Draft,
    today: NaiveDate,
    validity_years: u32,
) -> Result<Plan, IssueFailure> {
    let company = stored_company(conn, &draft.raw)?;
    let mut form = draft.raw.clone();
    if let Some(c) = &company {
        // A stored company is reused as it is stored, whatever the form says of it.
        form.set(Column::CompanyNameZh, c.name_zh.as_str());
        form.set(Column::CompanyNameEn, c.name_en.clone().unwrap_or_default());
        form.set(Column::ProvinceCode, c.province_code.as_str());
        form.set(Column::City, c.city.as_str());
        form.set(Column::Address, c.address.as_str());
    }
    let raw = initial_draft(&form, draft.assessed_on, today, validity_years);
    let mut record = validate(&raw, today).map_err(IssueFailure::Fields)?;
    let body = find_body(conn, &record.body_code)?.ok_or(IssueFailure::UnknownBody)?;
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
    check_in_force(scheme.effective_from, draft.assessed_on)?;
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

fn issue_once(
    conn: &mut DbConnection,
    actor: &Actor,
    draft: &Draft,
    pattern: &str,
) -> Result<(String, Plan), IssueFailure> {
    run(conn, actor, |conn, changes| {
        let plan = plan(conn, draft, actor.today, actor.validity_years)?;
        let (Some(mut record), Some(grade)) = (plan.record.clone(), plan.outcome.grade) else {
            return Err(IssueFailure::Fails(plan.outcome.total));
        };
        record.number = next_free_number(conn, pattern, &plan.body, actor.today.year())??;
        let number = record.number.clone();
        let planned = Planned {
            line: 0,
            record,
            body_id: plan.body.id,
            scheme_id: plan.scheme.id,
            company_id: plan.company.as_ref().map(|c| c.id),
        };
        let company_id = registration::company(conn, changes, &planned, Origin::Issue)?;
        let certificate_id =
            registration::certificate(conn, changes, &planned, company_id, Origin::Issue)?;
        insert_evaluation(
            conn,
            &NewEvaluation {
                certificate_id,
                kind: AssessmentKind::Initial,
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
        let evaluation = json!({
            "assessed_on": draft.assessed_on, "score": plan.outcome.total,
            "grade": grade.stars(), "scores": scores, "deduction": draft.deduction,
        });
        changes.audit(
            "evaluation.initial",
            "certificate",
            number.clone(),
            None,
            Some(&evaluation),
        );
        Ok((number, plan))
    })
}

/// Issues the certificate; returns its number. Two instances issuing at once may pick the same
/// number (or bind the same domain): the loser's transaction fails on the unique index and is
/// run again, which then finds the next number (or reports the domain).
pub fn issue(
    conn: &mut DbConnection,
    actor: &Actor,
    draft: &Draft,
    pattern: &str,
) -> Result<(String, Plan), IssueFailure> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match issue_once(conn, actor, draft, pattern) {
            Err(IssueFailure::Db(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _,
            ))) if attempt < 3 => continue,
            result => return result,
        }
    }
}
