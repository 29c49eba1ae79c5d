//! Corrections to a certificate holder (company) or a certified platform from the back office:
//! the row, its certificates re-indexed for the search, and the audit entry (before and after).
//!
//! A form carries the version of the record it showed ([`version`]); a save whose record
//! changed meanwhile is refused ([`EditError::Stale`]) rather than overwriting the other change.
//! A save of the values already stored writes nothing (no audit entry, no revision).

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{run, Actor};
use crate::db::certificates::domains_of;
use crate::db::holders::{
    certificate_ids_of_company, certificate_ids_of_platform, find_company, find_platform,
    touch_certificates, update_company_row, update_platform_row,
};
use crate::db::models::{Company, Platform};
use crate::db::DbConnection;
use crate::domain::record::{CompanyRecord, PlatformFields};

/// Why a correction was not saved.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("no such company or certificate")]
    NotFound,
    /// The record changed after the form was shown: nothing was written.
    #[error("the record changed meanwhile")]
    Stale,
    /// Another company holds this credit code.
    #[error("credit code {credit_code} belongs to {name_zh}")]
    CreditCodeTaken {
        credit_code: String,
        name_zh: String,
    },
    /// A platform bound to no domain must keep at least one app name.
    #[error("a platform needs at least one domain or app name")]
    NoDomainOrApp,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The record changed. Each variant carries the key of the record's page as it is now: the
    /// company's credit code, or the certificate number.
    Changed(String),
    /// The values were those already stored: nothing was written.
    Unchanged(String),
}

/// The version of a record as a form showed it: 16 hex digits of the SHA-256 of its snapshot.
pub fn version(snapshot: &Value) -> String {
    Sha256::digest(snapshot.to_string().as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A company's editable fields, as the audit log records them.
pub fn company_snapshot(c: &Company) -> Value {
    json!({
        "credit_code": c.credit_code,
        "name_zh": c.name_zh,
        "name_en": c.name_en,
        "province_code": c.province_code,
        "city": c.city,
        "address": c.address,
    })
}

fn record_snapshot(r: &CompanyRecord) -> Value {
    json!({
        "credit_code": r.credit_code.as_str(),
        "name_zh": r.name_zh,
        "name_en": r.name_en,
        "province_code": r.province_code,
        "city": r.city,
        "address": r.address,
    })
}

/// A platform's editable fields, as the audit log records them.
pub fn platform_snapshot(p: &Platform) -> Value {
    json!({
        "platform_id": p.id,
        "name": p.name,
        "platform_type": p.platform_type.as_str(),
        "app_names": p.apps(),
    })
}

/// Corrects the company whose credit code is `credit_code` (the code itself may be corrected)
/// if it is still at `shown_version`.
pub fn update_company(
    conn: &mut DbConnection,
    actor: &Actor,
    credit_code: &str,
    shown_version: &str,
    wanted: &CompanyRecord,
) -> Result<Saved, EditError> {
    let after = record_snapshot(wanted);
    let new_code = wanted.credit_code.as_str().to_owned();
    // Read outside the transaction so that a write transaction starts with its write.
    let current = find_company(conn, credit_code)?.ok_or(EditError::NotFound)?;
    if version(&company_snapshot(&current)) != shown_version {
        return Err(EditError::Stale);
    }
    if company_snapshot(&current) == after {
        return Ok(Saved::Unchanged(new_code));
    }
    run(conn, actor, |conn, changes| {
        // Read again under the write lock: this is the row the transaction changes.
        let current = find_company(conn, credit_code)?.ok_or(EditError::NotFound)?;
        let before = company_snapshot(&current);
        if version(&before) != shown_version {
            return Err(EditError::Stale);
        }
        if new_code != current.credit_code {
            if let Some(other) = find_company(conn, &new_code)? {
                return Err(EditError::CreditCodeTaken {
                    credit_code: other.credit_code,
                    name_zh: other.name_zh,
                });
            }
        }
        update_company_row(conn, current.id, wanted)?;
        let ids = certificate_ids_of_company(conn, current.id)?;
        touch_certificates(conn, &ids, actor.now)?;
        changes.audit(
            "company.update",
            "company",
            new_code.clone(),
            Some(&before),
            Some(&after),
        );
        changes.shown_publicly();
        Ok(Saved::Changed(new_code.clone()))
    })
}

/// Corrects the name, type and app names of the platform of certificate `number` if it is still
/// at `shown_version`; audited on that certificate (like its bound domains).
pub fn update_platform(
    conn: &mut DbConnection,
    actor: &Actor,
    number: &str,
    shown_version: &str,
    wanted: &PlatformFields,
) -> Result<Saved, EditError> {
    let current = find_platform(conn, number)?.ok_or(EditError::NotFound)?;
    if version(&platform_snapshot(&current)) != shown_version {
        return Err(EditError::Stale);
    }
    let changed = Platform {
        name: wanted.name.clone(),
        platform_type: wanted.platform_type,
        app_names: wanted.app_names.join("\n"),
        ..current.clone()
    };
    let after = platform_snapshot(&changed);
    if platform_snapshot(&current) == after {
        return Ok(Saved::Unchanged(number.to_owned()));
    }
    run(conn, actor, |conn, changes| {
        let current = find_platform(conn, number)?.ok_or(EditError::NotFound)?;
        let before = platform_snapshot(&current);
        if version(&before) != shown_version {
            return Err(EditError::Stale);
        }
        if wanted.app_names.is_empty() && domains_of(conn, current.id)?.is_empty() {
            return Err(EditError::NoDomainOrApp);
        }
        update_platform_row(conn, &changed)?;
        let ids = certificate_ids_of_platform(conn, current.id)?;
        touch_certificates(conn, &ids, actor.now)?;
        changes.audit(
            "platform.update",
            "certificate",
            number,
            Some(&before),
            Some(&after),
        );
        changes.shown_publicly();
        Ok(Saved::Changed(number.to_owned()))
    })
}
