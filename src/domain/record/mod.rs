//! One certificate as a person enters it, in a back-office form or a CSV row: raw text in, a
//! validated, typed record (or every field error) out. Pure: the rules that need the database
//! (numbers and domains already taken, bodies and schemes that exist) are checked by the caller.
//!
//! The columns are the import/export format of `docs/IMPORT.md`; a form uses the same names.

mod validate;

#[cfg(test)]
mod tests;

use std::fmt;

use chrono::NaiveDate;
use thiserror::Error;

use super::credit_code::{CreditCode, CreditCodeError};
use super::grade::{grade_for, Grade, Score, ScoreError};
use super::hostname::{Hostname, HostnameError};
use super::numbering::NumberingError;
use super::platform_type::PlatformType;
use super::status::{effective_status, CertificateStatus};
use super::surveillance::AssessmentKind;

pub use validate::{
    split_app_names, split_domains, validate, validate_company, validate_platform,
    MAX_ADDRESS_CHARS, MAX_APP_CHARS, MAX_CITY_CHARS, MAX_NAME_CHARS,
};

/// A field of a certificate record, in the order of the CSV columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Number,
    CreditCode,
    CompanyNameZh,
    CompanyNameEn,
    ProvinceCode,
    City,
    Address,
    PlatformName,
    PlatformType,
    Domains,
    AppNames,
    BodyCode,
    SchemeSlug,
    Score,
    Status,
    FirstIssuedOn,
    IssuedOn,
    ExpiresOn,
    LastAssessedOn,
    LastAssessmentKind,
    ScopeZh,
    ScopeEn,
}

impl Column {
    /// Every column, in file order.
    pub const ALL: [Column; 22] = [
        Column::Number,
        Column::CreditCode,
        Column::CompanyNameZh,
        Column::CompanyNameEn,
        Column::ProvinceCode,
        Column::City,
        Column::Address,
        Column::PlatformName,
        Column::PlatformType,
        Column::Domains,
        Column::AppNames,
        Column::BodyCode,
        Column::SchemeSlug,
        Column::Score,
        Column::Status,
        Column::FirstIssuedOn,
        Column::IssuedOn,
        Column::ExpiresOn,
        Column::LastAssessedOn,
        Column::LastAssessmentKind,
        Column::ScopeZh,
        Column::ScopeEn,
    ];

    /// The column's name in a CSV header (and a form field's name).
    pub fn name(self) -> &'static str {
        match self {
            Column::Number => "number",
            Column::CreditCode => "credit_code",
            Column::CompanyNameZh => "company_name_zh",
            Column::CompanyNameEn => "company_name_en",
            Column::ProvinceCode => "province_code",
            Column::City => "city",
            Column::Address => "address",
            Column::PlatformName => "platform_name",
            Column::PlatformType => "platform_type",
            Column::Domains => "domains",
            Column::AppNames => "app_names",
            Column::BodyCode => "body_code",
            Column::SchemeSlug => "scheme_slug",
            Column::Score => "score",
            Column::Status => "status",
            Column::FirstIssuedOn => "first_issued_on",
            Column::IssuedOn => "issued_on",
            Column::ExpiresOn => "expires_on",
            Column::LastAssessedOn => "last_assessed_on",
            Column::LastAssessmentKind => "last_assessment_kind",
            Column::ScopeZh => "scope_zh",
            Column::ScopeEn => "scope_en",
        }
    }

    /// The column with this header name (trimmed, any case), if any.
    pub fn parse(name: &str) -> Option<Column> {
        let name = name.trim().to_ascii_lowercase();
        Column::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether a file may leave the column out entirely (its values are then empty).
    pub fn optional(self) -> bool {
        matches!(
            self,
            Column::CompanyNameEn
                | Column::Address
                | Column::AppNames
                | Column::ScopeZh
                | Column::ScopeEn
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Columns of the public download that follow from the others; an import ignores them.
pub const DERIVED_COLUMNS: [&str; 3] = ["grade", "effective_status", "verification_url"];

/// The grade (stars) earned by a stored record's score, and its effective status on `today` (a
/// valid certificate past its expiry date is expired). `None` where a field does not parse.
pub fn derived(raw: &RawRecord, today: NaiveDate) -> (Option<u8>, Option<CertificateStatus>) {
    let grade = raw
        .get(Column::Score)
        .parse::<f64>()
        .ok()
        .and_then(|v| Score::new(v).ok())
        .and_then(grade_for)
        .map(Grade::stars);
    let expires = NaiveDate::parse_from_str(raw.get(Column::ExpiresOn), "%Y-%m-%d").ok();
    let status = CertificateStatus::parse(raw.get(Column::Status))
        .zip(expires)
        .map(|(s, e)| effective_status(s, e, today));
    (grade, status)
}

/// The text of every field, as typed or read; nothing is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRecord {
    values: [String; 22],
}

impl RawRecord {
    /// The text of a field.
    pub fn get(&self, column: Column) -> &str {
        &self.values[column.index()]
    }

    /// Sets the text of a field.
    pub fn set(&mut self, column: Column, value: impl Into<String>) {
        self.values[column.index()] = value.into();
    }

    /// Builder form of [`set`](Self::set).
    pub fn with(mut self, column: Column, value: impl Into<String>) -> Self {
        self.set(column, value);
        self
    }

    /// The fields in column order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }

    /// The columns whose text differs from `other`'s.
    pub fn differences(&self, other: &RawRecord) -> Vec<Column> {
        Column::ALL
            .into_iter()
            .filter(|&c| self.get(c) != other.get(c))
            .collect()
    }
}

/// The holder of a certificate.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyRecord {
    pub credit_code: CreditCode,
    pub name_zh: String,
    pub name_en: Option<String>,
    /// Six-digit GB/T 2260 code.
    pub province_code: &'static str,
    pub city: String,
    pub address: String,
}

/// The certified platform.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformRecord {
    pub name: String,
    pub platform_type: PlatformType,
    /// Normalised, sorted, without duplicates.
    pub domains: Vec<Hostname>,
    /// In the order given, without duplicates.
    pub app_names: Vec<String>,
}

/// A platform's own fields, without its bound domains (a back-office correction).
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformFields {
    pub name: String,
    pub platform_type: PlatformType,
    /// In the order given, without duplicates.
    pub app_names: Vec<String>,
}

/// A validated certificate with its company and platform.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateRecord {
    pub number: String,
    pub company: CompanyRecord,
    pub platform: PlatformRecord,
    /// Code of the certification body (checked against the database by the caller).
    pub body_code: String,
    /// Slug of the scheme version (checked against the database by the caller).
    pub scheme_slug: String,
    pub score: Score,
    /// Derived from the score by the half-open bands.
    pub grade: Grade,
    pub status: CertificateStatus,
    pub first_issued_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_assessed_on: NaiveDate,
    pub last_assessment_kind: AssessmentKind,
    pub scope_zh: String,
    pub scope_en: String,
}

impl CertificateRecord {
    /// The record in canonical text: what an export writes, and what validates back to `self`.
    pub fn to_raw(&self) -> RawRecord {
        let c = &self.company;
        let p = &self.platform;
        let domains: Vec<&str> = p.domains.iter().map(Hostname::as_str).collect();
        RawRecord::default()
            .with(Column::Number, self.number.as_str())
            .with(Column::CreditCode, c.credit_code.as_str())
            .with(Column::CompanyNameZh, c.name_zh.as_str())
            .with(Column::CompanyNameEn, c.name_en.clone().unwrap_or_default())
            .with(Column::ProvinceCode, c.province_code)
            .with(Column::City, c.city.as_str())
            .with(Column::Address, c.address.as_str())
            .with(Column::PlatformName, p.name.as_str())
            .with(Column::PlatformType, p.platform_type.as_str())
            .with(Column::Domains, domains.join(";"))
            .with(Column::AppNames, p.app_names.join(";"))
            .with(Column::BodyCode, self.body_code.as_str())
            .with(Column::SchemeSlug, self.scheme_slug.as_str())
            .with(Column::Score, self.score.value().to_string())
            .with(Column::Status, self.status.as_str())
            .with(Column::FirstIssuedOn, self.first_issued_on.to_string())
            .with(Column::IssuedOn, self.issued_on.to_string())
            .with(Column::ExpiresOn, self.expires_on.to_string())
            .with(Column::LastAssessedOn, self.last_assessed_on.to_string())
            .with(
                Column::LastAssessmentKind,
                self.last_assessment_kind.as_str(),
            )
            .with(Column::ScopeZh, self.scope_zh.as_str())
            .with(Column::ScopeEn, self.scope_en.as_str())
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FieldProblem {
    #[error("is required")]
    Missing,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("contains a control character")]
    ControlCharacter,
    #[error("{0}")]
    Number(NumberingError),
    #[error("{0}")]
    CreditCode(CreditCodeError),
    #[error("unknown province {0:?}: use a GB/T 2260 code such as 440000, or a name such as 广东")]
    UnknownProvince(String),
    #[error("unknown platform type {0:?}: use b2c, b2b, c2c, cross-border, o2o or other")]
    UnknownPlatformType(String),
    #[error("{input:?} is not a domain name: {error}")]
    Host { input: String, error: HostnameError },
    #[error("a platform needs at least one domain or app name")]
    NoDomainOrApp,
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("{0}")]
    Score(ScoreError),
    #[error("a score of {0} is under 70: it earns no certificate")]
    NoGrade(f64),
    #[error("unknown status {0:?}: use valid, suspended, revoked, cancelled or expired")]
    UnknownStatus(String),
    #[error(
        "unknown assessment kind {0:?}: use initial, surveillance, special or recertification"
    )]
    UnknownAssessmentKind(String),
    #[error("{0:?} is not a date: use YYYY-MM-DD")]
    NotADate(String),
    #[error("{0} is in the future")]
    InFuture(NaiveDate),
    #[error("{date} must be {relation} {other} ({other_date})")]
    DateOrder {
        date: NaiveDate,
        relation: &'static str,
        other: Column,
        other_date: NaiveDate,
    },
    #[error("is expired, but expires_on ({0}) has not passed")]
    ExpiredTooEarly(NaiveDate),
}

/// A problem with a named field.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{column}: {problem}")]
pub struct FieldError {
    pub column: Column,
    pub problem: FieldProblem,
}
