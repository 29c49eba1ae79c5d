//! Queries on the reference data the certificates point to (`app::reference` changes it):
//! certification bodies, and scheme versions with their indicator trees and their use.

use chrono::NaiveDate;
use diesel::dsl::min;
use diesel::prelude::*;

use super::models::{
    CertificationBody, NewCertificationBody, NewIndicator, NewSchemeVersion, SchemeVersion,
};
use super::schema::{
    certificates, certification_bodies, evaluation_scores, evaluations, indicators, scheme_versions,
};
use super::write::{insert_body, insert_indicator, insert_scheme_version};
use super::DbConnection;
use crate::domain::indicator_tree::IndicatorNode;
use crate::domain::reference::SchemeUsage;

/// Every body, by code.
pub fn bodies(conn: &mut DbConnection) -> QueryResult<Vec<CertificationBody>> {
    certification_bodies::table
        .order_by(certification_bodies::code.asc())
        .select(CertificationBody::as_select())
        .load(conn)
}

/// Every scheme version, newest first, with its number of indicators.
pub fn schemes(conn: &mut DbConnection) -> QueryResult<Vec<(SchemeVersion, i64)>> {
    let versions: Vec<SchemeVersion> = scheme_versions::table
        .order_by(scheme_versions::effective_from.desc())
        .select(SchemeVersion::as_select())
        .load(conn)?;
    versions
        .into_iter()
        .map(|v| {
            let n = indicators::table
                .filter(indicators::scheme_version_id.eq(v.id))
                .count()
                .get_result(conn)?;
            Ok((v, n))
        })
        .collect()
}

/// The body with this code.
pub fn find_body(conn: &mut DbConnection, code: &str) -> QueryResult<Option<CertificationBody>> {
    certification_bodies::table
        .filter(certification_bodies::code.eq(code))
        .select(CertificationBody::as_select())
        .first(conn)
        .optional()
}

/// The scheme version with this slug.
pub fn find_scheme(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<SchemeVersion>> {
    scheme_versions::table
        .filter(scheme_versions::slug.eq(slug))
        .select(SchemeVersion::as_select())
        .first(conn)
        .optional()
}

/// Inserts a body.
pub fn create_body_row(conn: &mut DbConnection, body: &NewCertificationBody) -> QueryResult<i32> {
    insert_body(conn, body)
}

/// Inserts a scheme version.
pub fn create_scheme_row(conn: &mut DbConnection, version: &NewSchemeVersion) -> QueryResult<i32> {
    insert_scheme_version(conn, version)
}

/// Sets a body's editable fields (its code stays: certificate numbers carry it).
pub fn update_body_row(conn: &mut DbConnection, body: &CertificationBody) -> QueryResult<()> {
    diesel::update(certification_bodies::table.find(body.id))
        .set((
            certification_bodies::name_zh.eq(&body.name_zh),
            certification_bodies::name_en.eq(&body.name_en),
            certification_bodies::approval_number.eq(&body.approval_number),
            certification_bodies::website.eq(&body.website),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets a scheme version's editable fields (its slug stays: search URLs carry it).
pub fn update_scheme_row(conn: &mut DbConnection, scheme: &SchemeVersion) -> QueryResult<()> {
    diesel::update(scheme_versions::table.find(scheme.id))
        .set((
            scheme_versions::standard_code.eq(&scheme.standard_code),
            scheme_versions::title_zh.eq(&scheme.title_zh),
            scheme_versions::title_en.eq(&scheme.title_en),
            scheme_versions::effective_from.eq(scheme.effective_from),
        ))
        .execute(conn)?;
    Ok(())
}

/// Inserts a checked tree under a scheme version; returns the number of indicators.
pub fn insert_tree(
    conn: &mut DbConnection,
    scheme_version_id: i32,
    tree: &[IndicatorNode],
) -> QueryResult<i32> {
    let id = scheme_version_id;
    let mut position = 0;
    for node in tree {
        position += 1;
        let parent = insert_indicator(conn, &new_indicator(id, None, node, position))?;
        for child in &node.children {
            position += 1;
            insert_indicator(conn, &new_indicator(id, Some(parent), child, position))?;
        }
    }
    Ok(position)
}

/// Replaces a scheme version's indicator tree; returns the number of indicators. Only for a
/// version no evaluation uses (stored scores point to indicators).
pub fn replace_tree(
    conn: &mut DbConnection,
    scheme_version_id: i32,
    tree: &[IndicatorNode],
) -> QueryResult<i32> {
    // Children first: they point to their parents.
    let of_scheme = indicators::scheme_version_id.eq(scheme_version_id);
    diesel::delete(
        indicators::table
            .filter(of_scheme)
            .filter(indicators::parent_id.is_not_null()),
    )
    .execute(conn)?;
    diesel::delete(indicators::table.filter(of_scheme)).execute(conn)?;
    insert_tree(conn, scheme_version_id, tree)
}

fn new_indicator(
    scheme_version_id: i32,
    parent_id: Option<i32>,
    node: &IndicatorNode,
    position: i32,
) -> NewIndicator {
    NewIndicator {
        scheme_version_id,
        parent_id,
        code: node.code.trim().to_owned(),
        name_zh: node.name_zh.trim().to_owned(),
        name_en: node.name_en.trim().to_owned(),
        max_points: node.max_points,
        position,
    }
}

/// The ids of a scheme version's indicators, in order of creation.
pub fn indicator_ids(conn: &mut DbConnection, scheme_version_id: i32) -> QueryResult<Vec<i32>> {
    indicators::table
        .filter(indicators::scheme_version_id.eq(scheme_version_id))
        .order_by(indicators::id.asc())
        .select(indicators::id)
        .load(conn)
}

/// How the certificates of a scheme version use it.
pub fn usage(conn: &mut DbConnection, scheme_version_id: i32) -> QueryResult<SchemeUsage> {
    let id = scheme_version_id;
    let evaluations_of: i64 = evaluations::table
        .inner_join(certificates::table)
        .filter(certificates::scheme_version_id.eq(id))
        .count()
        .get_result(conn)?;
    // Scores are what deleting the indicators would lose; count them even if an evaluation
    // were filed under a certificate of another scheme.
    let scores: i64 = evaluation_scores::table
        .inner_join(indicators::table)
        .filter(indicators::scheme_version_id.eq(id))
        .count()
        .get_result(conn)?;
    let first_evaluation: Option<NaiveDate> = evaluations::table
        .inner_join(certificates::table)
        .filter(certificates::scheme_version_id.eq(id))
        .select(min(evaluations::assessed_on))
        .first(conn)?;
    let first_certificate: Option<NaiveDate> = certificates::table
        .filter(certificates::scheme_version_id.eq(id))
        .select(min(certificates::last_assessed_on))
        .first(conn)?;
    let earliest_assessment = match (first_evaluation, first_certificate) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Ok(SchemeUsage {
        evaluated: evaluations_of + scores > 0,
        earliest_assessment,
    })
}
