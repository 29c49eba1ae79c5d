//! `/api/v1/companies/{credit_code}`: a certificate holder, its platforms and its certificates.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::errors::ErrorBody;
use super::types::{CertificateSummary, PlatformDetail, Province};
use super::{base, json};
use crate::db;
use crate::domain::credit_code::CreditCode;
use crate::error::AppError;
use crate::web::AppState;

/// A company and what it holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Company {
    /// Unified social credit code (18 characters).
    pub credit_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub province: Province,
    pub city: String,
    pub address: String,
    pub platforms: Vec<PlatformDetail>,
    /// How many certificates it holds (any status).
    pub certificates_total: i64,
    /// Its certificates, best grade first (at most 200).
    pub certificates: Vec<CertificateSummary>,
    /// The company's public page.
    pub url: String,
}

/// A company by its unified social credit code.
#[utoipa::path(
    get,
    path = "/api/v1/companies/{credit_code}",
    tag = "companies",
    params(("credit_code" = String, Path, description = "Unified social credit code, 18 characters")),
    responses(
        (status = 200, description = "The company", body = Company),
        (status = 404, description = "No company has this code (or it is not a valid code)", body = ErrorBody),
    )
)]
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = CreditCode::parse(&path.into_inner()).map_err(|_| AppError::NotFound)?;
    let today = state.today();
    let code = code.as_str().to_owned();
    let (detail, certs) = state
        .db(move |conn| {
            db::companies::with_certificates(conn, &code, today)?.ok_or(AppError::NotFound)
        })
        .await?;
    let base = base(&state);
    let c = detail.company;
    let body = Company {
        url: format!("{base}/companies/{}", c.credit_code),
        credit_code: c.credit_code,
        name_zh: c.name_zh,
        name_en: c.name_en,
        province: Province::from_code(&c.province_code),
        city: c.city,
        address: c.address,
        platforms: detail
            .platforms
            .iter()
            .map(|(p, domains)| PlatformDetail::new(p, domains))
            .collect(),
        certificates_total: certs.total,
        certificates: certs
            .hits
            .iter()
            .map(|h| CertificateSummary::new(h, today, base))
            .collect(),
    };
    json(&req, &body)
}
