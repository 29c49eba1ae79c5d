//! Corrections to a certificate holder (company) or a certified platform from the back office:
//! the row, its certificates re-indexed for the search, the audit entry (before and after) and
//! the registry revision in one transaction, or nothing.
//!
//! A form carries the version of the record it showed ([`version`]); a save whose record
//! changed meanwhile is refused ([`EditError::Stale`]) rather than overwriting the other change.
//! A save of the values already stored writes nothing (no audit entry, no revision).

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::accounts::append_audit;
use super::lifecycle::Actor;
use super::models::{Certificate, Company, Platform};
use super::schema::{certificates, companies, platforms};
use super::write::{bump_revision, reindex_certificates, write_transaction};
use super::DbConnection;
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
        "platform_type": p.platform_type,
        "app_names": p.apps(),
    })
}

/// A certificate of a company, as the back office lists it.
#[derive(Debug, Clone, Queryable)]
pub struct HeldCertificate {
    pub number: String,
    pub status: String,
    pub expires_on: NaiveDate,
    pub platform: String,
}

fn find_company(conn: &mut DbConnection, credit_code: &str) -> QueryResult<Option<Company>> {
    companies::table
        .filter(companies::credit_code.eq(credit_code))
        .select(Company::as_select())
        .first(conn)
        .optional()
}

/// A company and its certificates (by number), or `None`.
pub fn company_with_certificates(
    conn: &mut DbConnection,
    credit_code: &str,
) -> QueryResult<Option<(Company, Vec<HeldCertificate>)>> {
    let Some(company) = find_company(conn, credit_code)? else {
        return Ok(None);
    };
    let held = certificates::table
        .inner_join(platforms::table)
        .filter(certificates::company_id.eq(company.id))
        .order_by(certificates::number.asc())
        .select((
            certificates::number,
            certificates::status,
            certificates::expires_on,
            platforms::name,
        ))
        .load(conn)?;
    Ok(Some((company, held)))
}

/// The holder and the platform of a certificate.
pub fn holder_and_platform(
    conn: &mut DbConnection,
    certificate: &Certificate,
) -> QueryResult<(Company, Platform)> {
    let company = companies::table
        .find(certificate.company_id)
        .select(Company::as_select())
        .first(conn)?;
    let platform = platforms::table
        .find(certificate.platform_id)
        .select(Platform::as_select())
        .first(conn)?;
    Ok((company, platform))
}

/// Re-indexes the certificates of a company or platform and marks them updated.
fn touch_certificates(
    conn: &mut DbConnection,
    ids: &[i32],
    actor: &Actor<'_>,
) -> Result<(), EditError> {
    reindex_certificates(conn, ids)?;
    diesel::update(certificates::table.filter(certificates::id.eq_any(ids)))
        .set(certificates::updated_at.eq(actor.now))
        .execute(conn)?;
    Ok(())
}

/// Corrects the company whose credit code is `credit_code` (the code itself may be corrected)
/// if it is still at `shown_version`.
pub fn update_company(
    conn: &mut DbConnection,
    credit_code: &str,
    shown_version: &str,
    wanted: &CompanyRecord,
    actor: &Actor<'_>,
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
    // The write lock comes first: the row read next is the one this transaction changes.
    write_transaction(conn, |conn| {
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
        diesel::update(companies::table.filter(companies::id.eq(current.id)))
            .set((
                companies::credit_code.eq(&new_code),
                companies::name_zh.eq(&wanted.name_zh),
                companies::name_en.eq(&wanted.name_en),
                companies::province_code.eq(wanted.province_code),
                companies::city.eq(&wanted.city),
                companies::address.eq(&wanted.address),
            ))
            .execute(conn)?;
        let ids: Vec<i32> = certificates::table
            .filter(certificates::company_id.eq(current.id))
            .select(certificates::id)
            .load(conn)?;
        touch_certificates(conn, &ids, actor)?;
        append_audit(
            conn,
            &actor.audit(
                "company.update",
                "company",
                new_code.clone(),
                Some(before.to_string()),
                Some(after.to_string()),
            ),
        )?;
        bump_revision(conn)?;
        Ok(Saved::Changed(new_code.clone()))
    })
}

/// The platform of the certificate `number`.
pub fn find_platform(conn: &mut DbConnection, number: &str) -> QueryResult<Option<Platform>> {
    certificates::table
        .inner_join(platforms::table)
        .filter(certificates::number.eq(number))
        .select(Platform::as_select())
        .first(conn)
        .optional()
}

/// Corrects the name, type and app names of the platform of certificate `number` if it is still
/// at `shown_version`; audited on that certificate (like its bound domains).
pub fn update_platform(
    conn: &mut DbConnection,
    number: &str,
    shown_version: &str,
    wanted: &PlatformFields,
    actor: &Actor<'_>,
) -> Result<Saved, EditError> {
    let app_names = wanted.app_names.join("\n");
    let current = find_platform(conn, number)?.ok_or(EditError::NotFound)?;
    if version(&platform_snapshot(&current)) != shown_version {
        return Err(EditError::Stale);
    }
    let changed = Platform {
        name: wanted.name.clone(),
        platform_type: wanted.platform_type.as_str().to_owned(),
        app_names: app_names.clone(),
        ..current.clone()
    };
    let after = platform_snapshot(&changed);
    if platform_snapshot(&current) == after {
        return Ok(Saved::Unchanged(number.to_owned()));
    }
    write_transaction(conn, |conn| {
        let current = find_platform(conn, number)?.ok_or(EditError::NotFound)?;
        let before = platform_snapshot(&current);
        if version(&before) != shown_version {
            return Err(EditError::Stale);
        }
        if wanted.app_names.is_empty()
            && super::certificates::domains_of(conn, current.id)?.is_empty()
        {
            return Err(EditError::NoDomainOrApp);
        }
        diesel::update(platforms::table.filter(platforms::id.eq(current.id)))
            .set((
                platforms::name.eq(&changed.name),
                platforms::platform_type.eq(&changed.platform_type),
                platforms::app_names.eq(&app_names),
            ))
            .execute(conn)?;
        let ids: Vec<i32> = certificates::table
            .filter(certificates::platform_id.eq(current.id))
            .select(certificates::id)
            .load(conn)?;
        touch_certificates(conn, &ids, actor)?;
        append_audit(
            conn,
            &actor.audit(
                "platform.update",
                "certificate",
                number,
                Some(before.to_string()),
                Some(after.to_string()),
            ),
        )?;
        bump_revision(conn)?;
        Ok(Saved::Changed(number.to_owned()))
    })
}
