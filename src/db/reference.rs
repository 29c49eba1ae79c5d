//! Reference data the certificates point to: certification bodies, and scheme versions with their
//! indicator trees. Each creation writes its audit entry and bumps the revision (the search
//! filters list them) in one transaction.

use diesel::prelude::*;
use serde_json::json;

use super::accounts::{append_audit, AuditEntry};
use super::lifecycle::Actor;
use super::models::{
    CertificationBody, NewCertificationBody, NewIndicator, NewSchemeVersion, SchemeVersion,
};
use super::schema::{certification_bodies, indicators, scheme_versions};
use super::write::{bump_revision, insert_body, insert_indicator, insert_scheme_version};
use super::DbConnection;
use crate::domain::indicator_tree::IndicatorNode;

/// What creating reference data did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Created(i32),
    /// The code or slug is taken.
    Exists,
}

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

fn audit(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    action: &str,
    entity: &str,
    id: &str,
    after: serde_json::Value,
) -> QueryResult<()> {
    append_audit(
        conn,
        &AuditEntry {
            at: actor.now,
            actor: actor.name.to_owned(),
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id: id.to_owned(),
            before_json: None,
            after_json: Some(after.to_string()),
        },
    )
}

/// Creates a certification body (its code must be new).
pub fn create_body(
    conn: &mut DbConnection,
    body: &NewCertificationBody,
    actor: &Actor<'_>,
) -> QueryResult<Created> {
    super::write::write_transaction(conn, |conn| {
        let taken: i64 = certification_bodies::table
            .filter(certification_bodies::code.eq(&body.code))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Ok(Created::Exists);
        }
        let id = insert_body(conn, body)?;
        let after = json!({
            "code": body.code, "name_zh": body.name_zh, "name_en": body.name_en,
            "approval_number": body.approval_number, "website": body.website,
        });
        audit(
            conn,
            actor,
            "body.create",
            "certification_body",
            &body.code,
            after,
        )?;
        bump_revision(conn)?;
        Ok(Created::Created(id))
    })
}

/// Creates a scheme version with its indicator tree (already checked by
/// `domain::indicator_tree`); its slug must be new.
pub fn create_scheme(
    conn: &mut DbConnection,
    version: &NewSchemeVersion,
    tree: &[IndicatorNode],
    actor: &Actor<'_>,
) -> QueryResult<Created> {
    super::write::write_transaction(conn, |conn| {
        let taken: i64 = scheme_versions::table
            .filter(scheme_versions::slug.eq(&version.slug))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Ok(Created::Exists);
        }
        let id = insert_scheme_version(conn, version)?;
        let mut position = 0;
        for node in tree {
            position += 1;
            let parent = insert_indicator(conn, &new_indicator(id, None, node, position))?;
            for child in &node.children {
                position += 1;
                insert_indicator(conn, &new_indicator(id, Some(parent), child, position))?;
            }
        }
        let after = json!({
            "slug": version.slug, "standard_code": version.standard_code,
            "title_zh": version.title_zh, "title_en": version.title_en,
            "effective_from": version.effective_from, "indicators": position,
        });
        audit(
            conn,
            actor,
            "scheme.create",
            "scheme_version",
            &version.slug,
            after,
        )?;
        bump_revision(conn)?;
        Ok(Created::Created(id))
    })
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
