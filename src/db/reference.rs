//! Reference data the certificates point to: certification bodies, and scheme versions with their
//! indicator trees. Each creation or edit writes its audit entry and bumps the revision (the
//! search filters and the certificate pages show them) in one transaction.
//!
//! An edit carries the version of the row its form showed (`holders::version` of a snapshot);
//! a row changed meanwhile is refused ([`EditError::Stale`]). A scheme version's indicator tree
//! is replaced only while no evaluation uses it: stored scores point to its indicators.

use chrono::NaiveDate;
use diesel::dsl::min;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::accounts::append_audit;
use super::holders::version;
use super::lifecycle::Actor;
use super::models::{
    CertificationBody, NewCertificationBody, NewIndicator, NewSchemeVersion, SchemeVersion,
};
use super::schema::{
    certificates, certification_bodies, evaluation_scores, evaluations, indicators, scheme_versions,
};
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
    before: Option<Value>,
    after: Value,
) -> QueryResult<()> {
    append_audit(
        conn,
        &actor.audit(
            action,
            entity,
            id,
            before.map(|b| b.to_string()),
            Some(after.to_string()),
        ),
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
            None,
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
        let position = insert_tree(conn, id, tree)?;
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
            None,
            after,
        )?;
        bump_revision(conn)?;
        Ok(Created::Created(id))
    })
}

/// Inserts a checked tree under a scheme version; returns the number of indicators.
fn insert_tree(
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

/// Why an edit of reference data was not saved.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("no such body or scheme version")]
    NotFound,
    /// The row changed after the form was shown: nothing was written.
    #[error("the row changed meanwhile")]
    Stale,
    /// A new indicator tree for a scheme version that evaluations use.
    #[error("the scheme version has evaluations")]
    InUse,
    /// The scheme would come into force after an assessment made under it (the earliest).
    #[error("an assessment under this scheme version is dated {0}")]
    AssessedBefore(NaiveDate),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// What a saved edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Changed,
    /// The values were those already stored: nothing was written.
    Unchanged,
}

/// A body's editable fields, as the audit log records them.
pub fn body_snapshot(b: &CertificationBody) -> Value {
    json!({
        "name_zh": b.name_zh, "name_en": b.name_en,
        "approval_number": b.approval_number, "website": b.website,
    })
}

/// The version of a body as its edit form shows it.
pub fn body_version(b: &CertificationBody) -> String {
    version(&body_snapshot(b))
}

/// A scheme version's editable fields and its number of indicators, as the audit log records
/// them.
fn scheme_snapshot(v: &SchemeVersion, indicators: i64) -> Value {
    json!({
        "standard_code": v.standard_code, "title_zh": v.title_zh, "title_en": v.title_en,
        "effective_from": v.effective_from, "indicators": indicators,
    })
}

fn indicator_ids(conn: &mut DbConnection, scheme_version_id: i32) -> QueryResult<Vec<i32>> {
    indicators::table
        .filter(indicators::scheme_version_id.eq(scheme_version_id))
        .order_by(indicators::id.asc())
        .select(indicators::id)
        .load(conn)
}

/// The version of a scheme version as its edit form shows it (its tree's ids included, so that
/// a tree replaced meanwhile makes the form stale).
pub fn scheme_version_tag(conn: &mut DbConnection, v: &SchemeVersion) -> QueryResult<String> {
    let ids = indicator_ids(conn, v.id)?;
    let mut snapshot = scheme_snapshot(v, ids.len() as i64);
    snapshot["indicator_ids"] = json!(ids);
    Ok(version(&snapshot))
}

/// How the certificates of a scheme version use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Evaluations of its certificates, or stored scores of its indicators.
    pub evaluated: bool,
    /// The earliest assessment under it (an evaluation, or a certificate's last assessment).
    pub earliest_assessment: Option<NaiveDate>,
}

/// How a scheme version is used.
pub fn usage(conn: &mut DbConnection, scheme_version_id: i32) -> QueryResult<Usage> {
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
    Ok(Usage {
        evaluated: evaluations_of + scores > 0,
        earliest_assessment,
    })
}

/// The new values of a body (its code stays: certificate numbers carry it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyChange {
    pub name_zh: String,
    pub name_en: String,
    pub approval_number: String,
    pub website: Option<String>,
}

/// Saves a body's new values, if the form's `form_version` is still current.
pub fn update_body(
    conn: &mut DbConnection,
    code: &str,
    form_version: &str,
    change: &BodyChange,
    actor: &Actor<'_>,
) -> Result<Saved, EditError> {
    super::write::write_transaction(conn, |conn| {
        let body: CertificationBody = certification_bodies::table
            .filter(certification_bodies::code.eq(code))
            .select(CertificationBody::as_select())
            .first(conn)
            .optional()?
            .ok_or(EditError::NotFound)?;
        if body_version(&body) != form_version {
            return Err(EditError::Stale);
        }
        let changed = CertificationBody {
            name_zh: change.name_zh.clone(),
            name_en: change.name_en.clone(),
            approval_number: change.approval_number.clone(),
            website: change.website.clone(),
            ..body.clone()
        };
        let (before, after) = (body_snapshot(&body), body_snapshot(&changed));
        if before == after {
            return Ok(Saved::Unchanged);
        }
        diesel::update(certification_bodies::table.find(body.id))
            .set((
                certification_bodies::name_zh.eq(&change.name_zh),
                certification_bodies::name_en.eq(&change.name_en),
                certification_bodies::approval_number.eq(&change.approval_number),
                certification_bodies::website.eq(&change.website),
            ))
            .execute(conn)?;
        let entity = "certification_body";
        audit(
            conn,
            actor,
            "body.update",
            entity,
            code,
            Some(before),
            after,
        )?;
        bump_revision(conn)?;
        Ok(Saved::Changed)
    })
}

/// The new values of a scheme version (its slug stays: search URLs carry it), and a checked
/// indicator tree to replace its own, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeChange {
    pub standard_code: String,
    pub title_zh: String,
    pub title_en: String,
    pub effective_from: NaiveDate,
    pub tree: Option<Vec<IndicatorNode>>,
}

/// Saves a scheme version's new values, if the form's `form_version` is still current. A new
/// tree replaces the old one only while no evaluation uses the version; the version may not
/// come into force after an assessment made under it.
pub fn update_scheme(
    conn: &mut DbConnection,
    slug: &str,
    form_version: &str,
    change: &SchemeChange,
    actor: &Actor<'_>,
) -> Result<Saved, EditError> {
    super::write::write_transaction(conn, |conn| {
        let scheme: SchemeVersion = scheme_versions::table
            .filter(scheme_versions::slug.eq(slug))
            .select(SchemeVersion::as_select())
            .first(conn)
            .optional()?
            .ok_or(EditError::NotFound)?;
        if scheme_version_tag(conn, &scheme)? != form_version {
            return Err(EditError::Stale);
        }
        let used = usage(conn, scheme.id)?;
        if change.tree.is_some() && used.evaluated {
            return Err(EditError::InUse);
        }
        if let Some(earliest) = used.earliest_assessment {
            if change.effective_from > earliest {
                return Err(EditError::AssessedBefore(earliest));
            }
        }
        let count_before = indicator_ids(conn, scheme.id)?.len() as i64;
        let changed = SchemeVersion {
            standard_code: change.standard_code.clone(),
            title_zh: change.title_zh.clone(),
            title_en: change.title_en.clone(),
            effective_from: change.effective_from,
            ..scheme.clone()
        };
        let before = scheme_snapshot(&scheme, count_before);
        if change.tree.is_none() && before == scheme_snapshot(&changed, count_before) {
            return Ok(Saved::Unchanged);
        }
        diesel::update(scheme_versions::table.find(scheme.id))
            .set((
                scheme_versions::standard_code.eq(&change.standard_code),
                scheme_versions::title_zh.eq(&change.title_zh),
                scheme_versions::title_en.eq(&change.title_en),
                scheme_versions::effective_from.eq(change.effective_from),
            ))
            .execute(conn)?;
        let mut count_after = count_before;
        if let Some(tree) = &change.tree {
            // Children first: they point to their parents.
            let of_scheme = indicators::scheme_version_id.eq(scheme.id);
            diesel::delete(
                indicators::table
                    .filter(of_scheme)
                    .filter(indicators::parent_id.is_not_null()),
            )
            .execute(conn)?;
            diesel::delete(indicators::table.filter(of_scheme)).execute(conn)?;
            count_after = i64::from(insert_tree(conn, scheme.id, tree)?);
        }
        let after = scheme_snapshot(&changed, count_after);
        let entity = "scheme_version";
        audit(
            conn,
            actor,
            "scheme.update",
            entity,
            slug,
            Some(before),
            after,
        )?;
        bump_revision(conn)?;
        Ok(Saved::Changed)
    })
}
