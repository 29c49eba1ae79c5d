//! `/api/v1/companies` (every certificate holder, by credit code, optionally of one province)
//! and `/api/v1/companies/{credit_code}` (a holder, its platforms and its certificates).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::certificates::per_page;
use super::errors::ErrorBody;
use super::types::{CertificateSummary, PlatformDetail, Province, ProvinceParam};
use super::{base, json, json_compressed, json_document};
use crate::db;
use crate::domain::credit_code::CreditCode;
use crate::domain::province::find_province;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::pages::certificate::Miss;
use crate::web::pages::keyed::{self, DocumentKey, DocumentKind};
use crate::web::pages::search::{MAX_PAGE, PER_PAGE};
use crate::web::query::Query;
use crate::web::render_cache::{RenderCache, Weighed, KEY_OVERHEAD};
use crate::web::state::FeatureState;
use crate::web::AppState;

/// How many companies there are, in all and per province, until the registry changes.
pub struct CompanyCounts(RenderCache<CountKey, Count>);

impl Default for CompanyCounts {
    fn default() -> Self {
        // All companies and the 34 provinces.
        CompanyCounts(RenderCache::new("company_counts", 64, 64 << 10))
    }
}

impl FeatureState for CompanyCounts {
    fn registry_changed(&self) {
        self.0.clear();
    }

    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        vec![self.0.stats()]
    }
}

/// All companies, or one province's (its six-digit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountKey(Option<&'static str>);

impl Weighed for CountKey {
    fn weight(&self) -> u64 {
        KEY_OVERHEAD
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Count(i64);

impl Weighed for Count {
    fn weight(&self) -> u64 {
        8
    }
}

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

/// A company as a list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompanySummary {
    /// Unified social credit code (18 characters).
    pub credit_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub province: Province,
    pub city: String,
    /// How many certificates it holds (any status).
    pub certificates_total: i64,
    /// How many of them are in force today (effective status valid).
    pub certificates_in_force: i64,
    /// The company's public page.
    pub url: String,
    /// The API resource of the company (its platforms and certificates).
    pub api_url: String,
}

/// A page of companies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompanyList {
    /// How many companies match.
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    /// Number of pages (at least 1).
    pub pages: u32,
    /// The next page, if any.
    pub next: Option<String>,
    /// The previous page, if any.
    pub prev: Option<String>,
    pub items: Vec<CompanySummary>,
}

/// The filters of the company list, validated.
struct ListParams {
    province: Option<&'static crate::domain::province::Province>,
    page: u32,
}

impl ListParams {
    fn parse(query: &Query) -> Result<ListParams, AppError> {
        super::exact_values(query, &["province", "page", "per_page"])?;
        let pairs = query.pairs()?;
        let mut p = ListParams {
            province: None,
            page: 1,
        };
        for (key, value) in pairs {
            let v = value.trim();
            match key.as_str() {
                _ if v.is_empty() => {}
                "province" => {
                    p.province = Some(
                        find_province(v)
                            .ok_or_else(|| AppError::bad_request("error-stats-province"))?,
                    );
                }
                "page" => {
                    p.page = v
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE).contains(n))
                        .ok_or_else(|| AppError::bad_request_with("error-bad-page", MAX_PAGE))?;
                }
                _ => {}
            }
        }
        Ok(p)
    }
}

/// Every certificate holder, by credit code; optionally those of one province.
#[utoipa::path(
    get,
    path = "/api/v1/companies",
    tag = "companies",
    params(
        ("province" = Option<ProvinceParam>, Query, description = "Province: six-digit code (`110000`), two-digit prefix, or name"),
        ("page" = Option<u32>, Query, description = "Page, from 1 (default) to 1000; a page past the last is empty", minimum = 1, maximum = 1000),
        ("per_page" = Option<u32>, Query, description = "Companies per page, 1 to 100 (default 20)", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "A page of companies", body = CompanyList),
        (status = 400, description = "A parameter has a bad value (the message names it)", body = ErrorBody),
    )
)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    let params = ListParams::parse(&query)?;
    let per_page = per_page(&query)?;
    let today = state.today();
    let (page, province) = (params.page, params.province.map(|p| p.code));
    let own = own_spelling(province, page, per_page);
    // Kept until the registry changes when asked in its own spelling (one key per page).
    let key = DocumentKey {
        kind: DocumentKind::ApiCompanies,
        id: serde_urlencoded::to_string(&own).unwrap_or_default(),
        lang: Lang::ZhCn,
        today,
        demo: false,
    };
    let keep = query.spelled_as(&own);
    let s = &state;
    let render = |keep| async move {
        let list = company_list(s, province, page, per_page, today)
            .await
            .map_err(Miss::Failed)?;
        let body =
            serde_json::to_vec(&list).map_err(|e| AppError::Internal(format!("json: {e}")))?;
        Ok(s.cpu(move || json_compressed(body, keep)).await?)
    };
    let doc = keyed::document_if(&state, key, keep, render)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(json_document(&req, &doc))
}

/// The query of a page of the list as its links spell it (defaults left out).
fn own_spelling(province: Option<&str>, page: u32, per_page: u32) -> Vec<(&'static str, String)> {
    let mut pairs: Vec<(&'static str, String)> = Vec::new();
    if let Some(code) = province {
        pairs.push(("province", code.to_owned()));
    }
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    if per_page != PER_PAGE {
        pairs.push(("per_page", per_page.to_string()));
    }
    pairs
}

/// A page of the company list, with its links.
async fn company_list(
    state: &AppState,
    province: Option<&'static str>,
    page: u32,
    per_page: u32,
    today: chrono::NaiveDate,
) -> Result<CompanyList, AppError> {
    state.sync_revision().await;
    let total = state
        .feature::<CompanyCounts>()
        .0
        .get_or_render(&state.revision, &CountKey(province), || async {
            let n = state
                .db(move |conn| Ok(db::companies::count(conn, province)?))
                .await?;
            Ok::<_, AppError>(Count(n))
        })
        .await?
        .0;
    let rows = state
        .db(move |conn| Ok(db::companies::list(conn, province, page, per_page, today)?))
        .await?;
    let pages = u32::try_from((total + i64::from(per_page) - 1) / i64::from(per_page))
        .unwrap_or(u32::MAX)
        .max(1);
    let base = base(state);
    let link = |page: u32| {
        let query =
            serde_urlencoded::to_string(own_spelling(province, page, per_page)).unwrap_or_default();
        if query.is_empty() {
            format!("{base}/api/v1/companies")
        } else {
            format!("{base}/api/v1/companies?{query}")
        }
    };
    let body = CompanyList {
        total,
        page,
        per_page,
        pages,
        next: (page < pages.min(MAX_PAGE)).then(|| link(page + 1)),
        prev: (page > 1).then(|| link((page - 1).min(pages))),
        items: rows
            .into_iter()
            .map(|r| {
                let c = r.company;
                CompanySummary {
                    url: format!("{base}/companies/{}", c.credit_code),
                    api_url: format!("{base}/api/v1/companies/{}", c.credit_code),
                    province: Province::from_code(&c.province_code),
                    credit_code: c.credit_code,
                    name_zh: c.name_zh,
                    name_en: c.name_en,
                    city: c.city,
                    certificates_total: r.certificates,
                    certificates_in_force: r.in_force,
                }
            })
            .collect(),
    };
    Ok(body)
}
