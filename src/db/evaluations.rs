//! Queries behind the evaluation use cases (`app::evaluations`, `app::issuing`): a scheme
//! version's indicators in sheet order, a certificate with the indicators it is scored on, and
//! the guarded update of a certificate after an evaluation.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::{Certificate, Indicator};
use super::schema::{certificates, indicators};
use super::DbConnection;
use crate::domain::score_sheet::SheetIndicator;
use crate::domain::status::CertificateStatus;
use crate::domain::surveillance::AssessmentKind;

/// The indicators of a scheme version in sheet order: each first-level indicator followed by
/// its second-level ones.
pub fn scheme_indicators(
    conn: &mut DbConnection,
    scheme_version_id: i32,
) -> QueryResult<Vec<Indicator>> {
    let all: Vec<Indicator> = indicators::table
        .filter(indicators::scheme_version_id.eq(scheme_version_id))
        .order_by((indicators::position.asc(), indicators::id.asc()))
        .select(Indicator::as_select())
        .load(conn)?;
    let mut ordered = Vec::with_capacity(all.len());
    for parent in all.iter().filter(|i| i.parent_id.is_none()) {
        ordered.push(parent.clone());
        ordered.extend(
            all.iter()
                .filter(|c| c.parent_id == Some(parent.id))
                .cloned(),
        );
    }
    Ok(ordered)
}

/// The tree a score sheet is read against, from indicators in sheet order.
pub fn sheet_tree(indicators: &[Indicator]) -> Vec<SheetIndicator> {
    let node = |i: &Indicator| SheetIndicator {
        id: i.id,
        code: i.code.clone(),
        max_points: i.max_points,
        children: Vec::new(),
    };
    let mut tree: Vec<SheetIndicator> = Vec::new();
    for i in indicators {
        match (i.parent_id, tree.last_mut()) {
            (Some(parent), Some(last)) if last.id == parent => last.children.push(node(i)),
            _ => tree.push(node(i)),
        }
    }
    tree
}

/// The certificate and the indicators its evaluation is scored on.
pub fn find_for_evaluation(
    conn: &mut DbConnection,
    number: &str,
) -> QueryResult<Option<(Certificate, Vec<Indicator>)>> {
    let Some(certificate) = certificates::table
        .filter(certificates::number.eq(number))
        .select(Certificate::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let indicators = scheme_indicators(conn, certificate.scheme_version_id)?;
    Ok(Some((certificate, indicators)))
}

/// A certificate's assessment columns after an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentColumns {
    pub score: f64,
    pub grade: i16,
    pub status: CertificateStatus,
    pub last_assessed_on: NaiveDate,
    pub last_assessment_kind: AssessmentKind,
    pub updated_at: NaiveDateTime,
}

/// Sets the assessment columns of `certificate` if its status and last assessment are still
/// those read; false when they changed meanwhile (nothing is written then).
pub fn update_assessment(
    conn: &mut DbConnection,
    certificate: &Certificate,
    columns: &AssessmentColumns,
) -> QueryResult<bool> {
    let changed = diesel::update(
        certificates::table
            .filter(certificates::id.eq(certificate.id))
            .filter(certificates::status.eq(&certificate.status))
            .filter(certificates::last_assessed_on.eq(certificate.last_assessed_on)),
    )
    .set((
        certificates::score.eq(columns.score),
        certificates::grade.eq(columns.grade),
        certificates::status.eq(columns.status),
        certificates::last_assessed_on.eq(columns.last_assessed_on),
        certificates::last_assessment_kind.eq(columns.last_assessment_kind.as_str()),
        certificates::updated_at.eq(columns.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
