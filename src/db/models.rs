//! Rows as stored (`Certificate`, `Company`, …) and the values inserted (`NewCertificate`, …).
//! Enumerations are stored as their `as_str()` text; conversions live beside each query.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;
use crate::domain::event::EventKind;
use crate::domain::platform_type::PlatformType;
use crate::domain::status::CertificateStatus;
use crate::domain::surveillance::AssessmentKind;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = certification_bodies)]
pub struct CertificationBody {
    pub id: i32,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub approval_number: String,
    pub website: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = certification_bodies)]
pub struct NewCertificationBody {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub approval_number: String,
    pub website: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = scheme_versions)]
pub struct SchemeVersion {
    pub id: i32,
    pub slug: String,
    pub standard_code: String,
    pub title_zh: String,
    pub title_en: String,
    pub effective_from: NaiveDate,
    pub illustrative: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = scheme_versions)]
pub struct NewSchemeVersion {
    pub slug: String,
    pub standard_code: String,
    pub title_zh: String,
    pub title_en: String,
    pub effective_from: NaiveDate,
    pub illustrative: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = indicators)]
pub struct Indicator {
    pub id: i32,
    pub scheme_version_id: i32,
    pub parent_id: Option<i32>,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub max_points: f64,
    pub position: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = indicators)]
pub struct NewIndicator {
    pub scheme_version_id: i32,
    pub parent_id: Option<i32>,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub max_points: f64,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = companies)]
pub struct Company {
    pub id: i32,
    pub credit_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub province_code: String,
    pub city: String,
    pub address: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = companies)]
pub struct NewCompany {
    pub credit_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub province_code: String,
    pub city: String,
    pub address: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = platforms)]
pub struct Platform {
    pub id: i32,
    pub company_id: i32,
    pub name: String,
    pub platform_type: PlatformType,
    /// App names, one per line.
    pub app_names: String,
}

impl Platform {
    /// The app names the certificate covers.
    pub fn apps(&self) -> Vec<&str> {
        self.app_names
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = platforms)]
pub struct NewPlatform {
    pub company_id: i32,
    pub name: String,
    pub platform_type: PlatformType,
    pub app_names: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = platform_domains)]
pub struct PlatformDomain {
    pub id: i32,
    pub platform_id: i32,
    /// Normalised ASCII (punycode) form, see `domain::hostname`.
    pub domain: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = platform_domains)]
pub struct NewPlatformDomain {
    pub platform_id: i32,
    pub domain: String,
    /// `domain::lookalike::site_key` of the domain's site, empty when it has none.
    pub site_key: String,
}

impl NewPlatformDomain {
    /// A domain (normalised, see `domain::hostname`) bound to a platform, with its site key.
    pub fn bound(platform_id: i32, domain: &str) -> NewPlatformDomain {
        NewPlatformDomain {
            platform_id,
            domain: domain.to_owned(),
            site_key: crate::domain::lookalike::site_key_of_host(domain),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = certificates)]
pub struct Certificate {
    pub id: i32,
    pub number: String,
    pub platform_id: i32,
    pub company_id: i32,
    pub body_id: i32,
    pub scheme_version_id: i32,
    pub score: f64,
    pub grade: i16,
    /// The stored status; what the public sees is `domain::status::effective_status`.
    pub status: CertificateStatus,
    pub first_issued_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_assessed_on: NaiveDate,
    pub last_assessment_kind: AssessmentKind,
    pub scope_zh: String,
    pub scope_en: String,
    pub sort_name: String,
    pub search_text: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = certificates)]
pub struct NewCertificate {
    pub number: String,
    pub platform_id: i32,
    pub company_id: i32,
    pub body_id: i32,
    pub scheme_version_id: i32,
    pub score: f64,
    pub grade: i16,
    pub status: CertificateStatus,
    pub first_issued_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_assessed_on: NaiveDate,
    pub last_assessment_kind: AssessmentKind,
    pub scope_zh: String,
    pub scope_en: String,
    pub sort_name: String,
    pub search_text: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = evaluations)]
pub struct Evaluation {
    pub id: i32,
    pub certificate_id: i32,
    pub kind: AssessmentKind,
    pub assessed_on: NaiveDate,
    pub total_score: f64,
    /// `None` when the result was under 70 (a fail).
    pub grade: Option<i16>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = evaluations)]
pub struct NewEvaluation {
    pub certificate_id: i32,
    pub kind: AssessmentKind,
    pub assessed_on: NaiveDate,
    pub total_score: f64,
    pub grade: Option<i16>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = evaluation_scores)]
pub struct EvaluationScore {
    pub id: i32,
    pub evaluation_id: i32,
    pub indicator_id: i32,
    /// `None` when the indicator did not apply.
    pub earned: Option<f64>,
    pub max_points: f64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = evaluation_scores)]
pub struct NewEvaluationScore {
    pub evaluation_id: i32,
    pub indicator_id: i32,
    pub earned: Option<f64>,
    pub max_points: f64,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = certificate_events)]
pub struct CertificateEvent {
    pub id: i32,
    pub certificate_id: i32,
    pub kind: EventKind,
    pub occurred_on: NaiveDate,
    pub grade_before: Option<i16>,
    pub grade_after: Option<i16>,
    pub reason_zh: Option<String>,
    pub reason_en: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = certificate_events)]
pub struct NewCertificateEvent {
    pub certificate_id: i32,
    pub kind: EventKind,
    pub occurred_on: NaiveDate,
    pub grade_before: Option<i16>,
    pub grade_after: Option<i16>,
    pub reason_zh: Option<String>,
    pub reason_en: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A name a certificate is found by in the best-match bands (`domain::best_match`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = name_keys)]
pub struct NewNameKey {
    pub name_key: String,
    pub certificate_id: i32,
}

/// A pinyin spelling a certificate is found by (`domain::pinyin`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = pinyin_keys)]
pub struct NewPinyinKey {
    pub spelling: String,
    pub certificate_id: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = search_tokens)]
pub struct NewSearchToken {
    pub token: String,
    pub certificate_id: i32,
}
