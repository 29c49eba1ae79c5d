//! Reading one certificate with everything its verification page shows.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::*;
use super::schema::*;
use super::DbConnection;
use crate::domain::status::{effective_status, CertificateStatus};
use crate::domain::surveillance::{surveillance_state, AssessmentKind, SurveillanceState};

/// A per-indicator result of an evaluation, with the indicator's names.
#[derive(Debug, Clone, Queryable)]
pub struct IndicatorResult {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub earned: Option<f64>,
    pub max_points: f64,
}

/// A certificate and all it links to.
#[derive(Debug, Clone)]
pub struct CertificateDetail {
    pub certificate: Certificate,
    pub platform: Platform,
    pub company: Company,
    pub body: CertificationBody,
    pub scheme: SchemeVersion,
    /// The last day of the current suspension, when the body set one.
    pub suspended_until: Option<chrono::NaiveDate>,
    /// Bound domains, normalised ASCII form, sorted.
    pub domains: Vec<String>,
    /// Public history, oldest first.
    pub events: Vec<CertificateEvent>,
    /// The transparency log's index of each history event (by event id) appended to it.
    pub log_indexes: std::collections::HashMap<i32, i64>,
    /// The latest evaluation and its first-level indicator results.
    pub latest_evaluation: Option<(Evaluation, Vec<IndicatorResult>)>,
}

impl CertificateDetail {
    /// The status the public sees on `today` (a stored valid past expiry is expired).
    pub fn status_on(&self, today: NaiveDate) -> CertificateStatus {
        let c = &self.certificate;
        effective_status(c.status, c.expires_on, today)
    }

    /// The kind of the last assessment.
    pub fn last_assessment_kind(&self) -> AssessmentKind {
        self.certificate.last_assessment_kind
    }

    /// The surveillance schedule on `today`, while the certificate is live (valid or
    /// suspended); `None` once it has ended.
    pub fn surveillance_on(&self, today: NaiveDate) -> Option<SurveillanceState> {
        matches!(
            self.status_on(today),
            CertificateStatus::Valid | CertificateStatus::Suspended
        )
        .then(|| {
            surveillance_state(
                self.last_assessment_kind(),
                self.certificate.last_assessed_on,
                today,
            )
        })
    }
}

/// Finds a certificate by its exact number.
pub fn find_detail(
    conn: &mut DbConnection,
    number: &str,
) -> QueryResult<Option<CertificateDetail>> {
    let row = certificates::table
        .inner_join(platforms::table)
        .inner_join(companies::table)
        .inner_join(certification_bodies::table)
        .inner_join(scheme_versions::table)
        .filter(certificates::number.eq(number))
        .select((
            Certificate::as_select(),
            Platform::as_select(),
            Company::as_select(),
            CertificationBody::as_select(),
            SchemeVersion::as_select(),
            certificates::suspended_until,
        ))
        .first::<(
            Certificate,
            Platform,
            Company,
            CertificationBody,
            SchemeVersion,
            Option<chrono::NaiveDate>,
        )>(conn)
        .optional()?;
    let Some((certificate, platform, company, body, scheme, suspended_until)) = row else {
        return Ok(None);
    };
    let domains = domains_of(conn, platform.id)?;
    let events = events_of(conn, certificate.id)?;
    let log_indexes = super::log::event_indexes(conn, certificate.id)?;
    let latest = evaluations::table
        .filter(evaluations::certificate_id.eq(certificate.id))
        .order_by(evaluations::assessed_on.desc())
        .then_order_by(evaluations::id.desc())
        .select(Evaluation::as_select())
        .first::<Evaluation>(conn)
        .optional()?;
    let latest_evaluation = match latest {
        Some(evaluation) => {
            let results = evaluation_scores::table
                .inner_join(indicators::table)
                .filter(evaluation_scores::evaluation_id.eq(evaluation.id))
                .filter(indicators::parent_id.is_null())
                .order_by(indicators::position.asc())
                .select((
                    indicators::code,
                    indicators::name_zh,
                    indicators::name_en,
                    evaluation_scores::earned,
                    evaluation_scores::max_points,
                ))
                .load::<IndicatorResult>(conn)?;
            Some((evaluation, results))
        }
        None => None,
    };
    Ok(Some(CertificateDetail {
        certificate,
        platform,
        company,
        body,
        scheme,
        suspended_until,
        domains,
        events,
        log_indexes,
        latest_evaluation,
    }))
}

/// The bound domains of a platform, sorted.
pub fn domains_of(conn: &mut DbConnection, platform_id: i32) -> QueryResult<Vec<String>> {
    platform_domains::table
        .filter(platform_domains::platform_id.eq(platform_id))
        .order_by(platform_domains::domain.asc())
        .select(platform_domains::domain)
        .load(conn)
}

/// A certificate's public history, oldest first.
pub fn events_of(
    conn: &mut DbConnection,
    certificate_id: i32,
) -> QueryResult<Vec<CertificateEvent>> {
    certificate_events::table
        .filter(certificate_events::certificate_id.eq(certificate_id))
        .order_by(certificate_events::occurred_on.asc())
        .then_order_by(certificate_events::id.asc())
        .select(CertificateEvent::as_select())
        .load(conn)
}
