//! Creating and editing the reference data: certification bodies, and scheme versions with
//! their indicator trees (the search filters and the certificate pages show them).
//!
//! An edit carries the version of the row its form showed (`holders::version` of a snapshot);
//! a row changed meanwhile is refused ([`EditError::Stale`]). What an edit of a scheme version
//! may change while it is used is `domain::reference::check_scheme_edit`.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::holders::version;
use super::{run, Actor};
use crate::db::models::{CertificationBody, NewCertificationBody, NewSchemeVersion, SchemeVersion};
use crate::db::reference::{
    create_body_row, create_scheme_row, find_body, find_scheme, indicator_ids, insert_tree,
    replace_tree, update_body_row, update_scheme_row, usage,
};
use crate::db::DbConnection;
use crate::domain::indicator_tree::IndicatorNode;
use crate::domain::reference::{check_scheme_edit, valid_body_code, valid_slug, SchemeEditError};

/// What creating reference data did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Created(i32),
    /// The code or slug is taken.
    Exists,
}

/// What is wrong with a new or edited body, as a message key (`admin-ref-…`), if anything: the
/// code's form, the required fields, an http(s) website.
pub fn check_body(body: &NewCertificationBody) -> Result<(), &'static str> {
    let website_ok = body
        .website
        .as_deref()
        .is_none_or(|w| url::Url::parse(w).is_ok_and(|u| matches!(u.scheme(), "http" | "https")));
    if !valid_body_code(&body.code) {
        Err("admin-ref-bad-code")
    } else if body.name_zh.is_empty() || body.name_en.is_empty() || body.approval_number.is_empty()
    {
        Err("admin-ref-required")
    } else if !website_ok {
        Err("admin-ref-bad-website")
    } else {
        Ok(())
    }
}

/// What is wrong with a new scheme version, as a message key, if anything: the slug's form and
/// the required fields (its tree is checked by `domain::indicator_tree`).
pub fn check_scheme(version: &NewSchemeVersion) -> Result<(), &'static str> {
    if !valid_slug(&version.slug) {
        Err("admin-ref-bad-slug")
    } else if version.standard_code.is_empty()
        || version.title_zh.is_empty()
        || version.title_en.is_empty()
    {
        Err("admin-ref-required")
    } else {
        Ok(())
    }
}

/// Creates a certification body (its code must be new).
pub fn create_body(
    conn: &mut DbConnection,
    actor: &Actor,
    body: &NewCertificationBody,
) -> diesel::QueryResult<Created> {
    run(conn, actor, |conn, changes| {
        if find_body(conn, &body.code)?.is_some() {
            return Ok(Created::Exists);
        }
        let id = create_body_row(conn, body)?;
        let after = json!({
            "code": body.code, "name_zh": body.name_zh, "name_en": body.name_en,
            "approval_number": body.approval_number, "website": body.website,
        });
        changes.audit(
            "body.create",
            "certification_body",
            &body.code,
            None,
            Some(&after),
        );
        changes.shown_publicly();
        Ok(Created::Created(id))
    })
}

/// Creates a scheme version with its indicator tree (already checked by
/// `domain::indicator_tree`); its slug must be new.
pub fn create_scheme(
    conn: &mut DbConnection,
    actor: &Actor,
    version: &NewSchemeVersion,
    tree: &[IndicatorNode],
) -> diesel::QueryResult<Created> {
    run(conn, actor, |conn, changes| {
        if find_scheme(conn, &version.slug)?.is_some() {
            return Ok(Created::Exists);
        }
        let id = create_scheme_row(conn, version)?;
        let count = insert_tree(conn, id, tree)?;
        let after = json!({
            "slug": version.slug, "standard_code": version.standard_code,
            "title_zh": version.title_zh, "title_en": version.title_en,
            "effective_from": version.effective_from, "indicators": count,
        });
        changes.audit(
            "scheme.create",
            "scheme_version",
            &version.slug,
            None,
            Some(&after),
        );
        changes.shown_publicly();
        Ok(Created::Created(id))
    })
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

impl From<SchemeEditError> for EditError {
    fn from(e: SchemeEditError) -> EditError {
        match e {
            SchemeEditError::InUse => EditError::InUse,
            SchemeEditError::AssessedBefore(day) => EditError::AssessedBefore(day),
        }
    }
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
fn scheme_snapshot(v: &SchemeVersion, indicators: usize) -> Value {
    json!({
        "standard_code": v.standard_code, "title_zh": v.title_zh, "title_en": v.title_en,
        "effective_from": v.effective_from, "indicators": indicators,
    })
}

/// The version of a scheme version as its edit form shows it (its tree's ids included, so that
/// a tree replaced meanwhile makes the form stale).
pub fn scheme_version_tag(
    conn: &mut DbConnection,
    v: &SchemeVersion,
) -> diesel::QueryResult<String> {
    let ids = indicator_ids(conn, v.id)?;
    let mut snapshot = scheme_snapshot(v, ids.len());
    snapshot["indicator_ids"] = json!(ids);
    Ok(version(&snapshot))
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
    actor: &Actor,
    code: &str,
    form_version: &str,
    change: &BodyChange,
) -> Result<Saved, EditError> {
    run(conn, actor, |conn, changes| {
        let body = find_body(conn, code)?.ok_or(EditError::NotFound)?;
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
        update_body_row(conn, &changed)?;
        changes.audit(
            "body.update",
            "certification_body",
            code,
            Some(&before),
            Some(&after),
        );
        changes.shown_publicly();
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

/// Saves a scheme version's new values, if the form's `form_version` is still current and the
/// version's use allows the change (`domain::reference::check_scheme_edit`).
pub fn update_scheme(
    conn: &mut DbConnection,
    actor: &Actor,
    slug: &str,
    form_version: &str,
    change: &SchemeChange,
) -> Result<Saved, EditError> {
    run(conn, actor, |conn, changes| {
        let scheme = find_scheme(conn, slug)?.ok_or(EditError::NotFound)?;
        if scheme_version_tag(conn, &scheme)? != form_version {
            return Err(EditError::Stale);
        }
        check_scheme_edit(
            usage(conn, scheme.id)?,
            change.effective_from,
            change.tree.is_some(),
        )?;
        let count_before = indicator_ids(conn, scheme.id)?.len();
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
        update_scheme_row(conn, &changed)?;
        let count_after = match &change.tree {
            Some(tree) => usize::try_from(replace_tree(conn, scheme.id, tree)?).unwrap_or(0),
            None => count_before,
        };
        let after = scheme_snapshot(&changed, count_after);
        changes.audit(
            "scheme.update",
            "scheme_version",
            slug,
            Some(&before),
            Some(&after),
        );
        changes.shown_publicly();
        Ok(Saved::Changed)
    })
}
