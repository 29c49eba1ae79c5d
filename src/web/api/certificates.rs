//! `/api/v1/certificates` (the search page's search, paginated) and
//! `/api/v1/certificates/{number}` (what the verification page shows).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::errors::ErrorBody;
use super::types::{
    AssessmentName, CertificateSummary, CompanyRef, EventName, PlatformDetail, PlatformKind,
    Province, ProvinceParam, SchemeParam, SearchText, SortName, Status,
};
use super::{base, json, json_compressed, json_document};
use crate::db::certificates::CertificateDetail;
use crate::db::search::Matcher;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::pages::certificate::{find_certificate, Miss};
use crate::web::pages::keyed::{self, DocumentKey, DocumentKind};
use crate::web::pages::search::{self, SearchParams, MAX_PAGE, PER_PAGE};
use crate::web::paths;
use crate::web::query::Query;
use crate::web::AppState;

/// Most results per page.
pub const MAX_PER_PAGE: u32 = 100;

/// What the `q` text was understood as.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    /// No text: the whole registry.
    All,
    /// An exact certificate number.
    Number,
    /// A unified social credit code.
    CreditCode,
    /// A host name or URL: the platforms bound to it or a parent domain.
    Domain,
    /// A company, platform or app name (partial match).
    Name,
    /// One character: too short to search by name (no results).
    TooShort,
}

/// A page of search results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificateList {
    /// How many certificates match, counted up to 1,000; when `total_capped`, how many are
    /// listed.
    pub total: i64,
    /// More than `total` certificates match; only the first `total` are listed: 1,000, or fewer
    /// for a search whose matches are rare in its order (narrow the search with a filter, or
    /// take the downloads).
    pub total_capped: bool,
    pub page: u32,
    pub per_page: u32,
    /// Number of pages (at least 1).
    pub pages: u32,
    pub query_kind: QueryKind,
    /// The normalised host looked up, for a domain search.
    pub host: Option<String>,
    /// The next page of these results, if any.
    pub next: Option<String>,
    /// The previous page, if any.
    pub prev: Option<String>,
    pub items: Vec<CertificateSummary>,
}

/// The parameters of the search that have a schema of their own (all but `q`).
const SEARCH_PARAMETERS: [&str; 8] = [
    "stars", "status", "province", "type", "scheme", "sort", "page", "per_page",
];

/// Search the registry, with the search page's query and filters.
#[utoipa::path(
    get,
    path = "/api/v1/certificates",
    tag = "certificates",
    params(
        ("q" = Option<SearchText>, Query, description = "A certificate number, credit code, domain or URL, or part of a company, platform or app name (at most 200 characters)"),
        ("stars" = Option<u8>, Query, description = "Grade: 2 to 5", minimum = 2, maximum = 5),
        ("status" = Option<Status>, Query, description = "Effective status on today's date"),
        ("province" = Option<ProvinceParam>, Query, description = "Province: six-digit code (`110000`), two-digit prefix, or name"),
        ("type" = Option<PlatformKind>, Query, description = "Platform type"),
        ("scheme" = Option<SchemeParam>, Query, description = "Scheme version slug (see /api/v1/schemes)"),
        ("sort" = Option<SortName>, Query, description = "Order (default `best`); ties are broken by certificate id, so pages never overlap"),
        ("page" = Option<u32>, Query, description = "Page, from 1 (default) to 1000; the first 1,000 results are listed: a page past the last is empty, and a page past the last listed result of a larger search (the 1,000th, or `total`) is refused (400: narrow the search)", minimum = 1, maximum = 1000),
        ("per_page" = Option<u32>, Query, description = "Results per page, 1 to 100 (default 20)", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "A page of certificates", body = CertificateList),
        (status = 400, description = "A parameter has a bad value (the message names it)", body = ErrorBody),
    )
)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    super::exact_values(&query, &SEARCH_PARAMETERS)?;
    let params = SearchParams::from_query(&query)?;
    let per_page = per_page(&query)?;
    let today = state.today();
    let found = crate::web::pages::search_cache::find(&state, &params, per_page, today).await?;
    let (matcher, result) = (&found.matcher, &found.page);
    let pages = u32::try_from((result.total + i64::from(per_page) - 1) / i64::from(per_page))
        .unwrap_or(u32::MAX)
        .max(1);
    if result.capped {
        search::check_depth(params.page, pages, true, result.total)?;
    }
    let base = base(&state);
    let link = |page: u32| {
        let mut pairs = params.pairs_for_page(page);
        if per_page != PER_PAGE {
            pairs.push(("per_page", per_page.to_string()));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() {
            format!("{base}/api/v1/certificates")
        } else {
            format!("{base}/api/v1/certificates?{query}")
        }
    };
    let page = params.page;
    let (query_kind, host) = match &matcher {
        Matcher::All => (QueryKind::All, None),
        Matcher::Number(_) => (QueryKind::Number, None),
        Matcher::CreditCode(_) => (QueryKind::CreditCode, None),
        Matcher::Domain { host, .. } => (QueryKind::Domain, Some(host.clone())),
        Matcher::Name { .. } => (QueryKind::Name, None),
        Matcher::TooShort => (QueryKind::TooShort, None),
    };
    let body = CertificateList {
        total: result.total,
        total_capped: result.capped,
        page,
        per_page,
        pages,
        query_kind,
        host,
        next: (page < pages.min(MAX_PAGE)).then(|| link(page + 1)),
        prev: (page > 1).then(|| link((page - 1).min(pages))),
        items: result
            .hits
            .iter()
            .map(|h| CertificateSummary::new(h, today, base))
            .collect(),
    };
    json(&req, &body)
}

/// `per_page` from a query string: 1 to [`MAX_PER_PAGE`], [`PER_PAGE`] when absent or empty.
pub fn per_page(query: &Query) -> Result<u32, AppError> {
    let pairs = query.pairs()?;
    let mut per_page = PER_PAGE;
    for (key, value) in pairs {
        let v = value.trim();
        if key == "per_page" && !v.is_empty() {
            per_page = v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                .ok_or_else(|| AppError::bad_request_with("api-error-per-page", MAX_PER_PAGE))?;
        }
    }
    Ok(per_page)
}

/// A certificate with everything its verification page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Certificate {
    pub number: String,
    pub status: Status,
    /// The grade, 2 to 5 stars.
    pub stars: u8,
    /// The score of the latest passing evaluation, 0–100.
    pub score: f64,
    pub first_issued_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_assessed_on: NaiveDate,
    pub last_assessment_kind: AssessmentName,
    /// When the next surveillance is due, while the certificate is valid or suspended.
    pub next_surveillance_due: Option<NaiveDate>,
    /// Whether that date has passed (`null` once the certificate has ended).
    pub surveillance_overdue: Option<bool>,
    /// The last day of the current suspension, when the body set one.
    pub suspended_until: Option<NaiveDate>,
    pub scope_zh: String,
    pub scope_en: String,
    pub platform: PlatformDetail,
    pub company: CompanyRef,
    pub body: Body,
    pub scheme: SchemeRef,
    /// The latest evaluation (it may have failed: then `stars` is null).
    pub latest_evaluation: Option<EvaluationResult>,
    /// The public history, oldest first.
    pub history: Vec<HistoryEvent>,
    /// The public verification page (what the mark links to).
    pub url: String,
    /// The mark as an SVG image.
    pub badge_url: String,
}

/// The certification body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Body {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Its CNCA approval number.
    pub approval_number: String,
    pub website: Option<String>,
}

/// The scheme version the certificate was assessed under.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SchemeRef {
    pub slug: String,
    pub standard_code: String,
    pub title_zh: String,
    pub title_en: String,
    pub api_url: String,
}

/// An evaluation and its first-level indicator scores.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationResult {
    pub kind: Option<AssessmentName>,
    pub assessed_on: NaiveDate,
    pub total_score: f64,
    /// The grade it gave; `null` for a fail (under 70).
    pub stars: Option<u8>,
    pub indicators: Vec<IndicatorScore>,
}

/// Points earned on one indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorScore {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `null` when the indicator did not apply.
    pub earned: Option<f64>,
    pub max_points: f64,
}

/// One event of the public history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEvent {
    pub date: NaiveDate,
    pub kind: Option<EventName>,
    pub stars_before: Option<u8>,
    pub stars_after: Option<u8>,
    pub reason_zh: Option<String>,
    pub reason_en: Option<String>,
    /// The event's index in the transparency log (`/log/`), when it has been appended.
    pub log_index: Option<i64>,
    /// Its entry in the log (canonical JSON) and a C2SP tlog-proof of it.
    pub log_entry_url: Option<String>,
    pub log_proof_url: Option<String>,
}

/// One certificate, as of today in Beijing.
#[utoipa::path(
    get,
    path = "/api/v1/certificates/{number}",
    tag = "certificates",
    params(("number" = String, Path, description = "The certificate number, e.g. `CQM-SQE-2024-000001`")),
    responses(
        (status = 200, description = "The certificate", body = Certificate),
        (status = 404, description = "No certificate has this number", body = ErrorBody),
    )
)]
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let today = state.today();
    // One document for both languages (it carries both) and the demo banner's absence.
    let key = DocumentKey {
        kind: DocumentKind::ApiCertificate,
        id: number.clone(),
        lang: Lang::ZhCn,
        today,
        demo: false,
    };
    let (s, n) = (&state, &number);
    let render = |keep| async move {
        let detail = find_certificate(s, n).await?.ok_or(Miss::NotFound)?;
        let body = serde_json::to_vec(&certificate(&detail, today, base(s)))
            .map_err(|e| AppError::Internal(format!("json: {e}")))?;
        Ok(s.cpu(move || json_compressed(body, keep)).await?)
    };
    let doc = keyed::document(&req, &state, key, render)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(json_document(&req, &doc))
}

fn stars(grade: i16) -> u8 {
    u8::try_from(grade).unwrap_or(0)
}

/// The API's view of a certificate on `today`: the same facts as the verification page.
pub fn certificate(d: &CertificateDetail, today: NaiveDate, base: &str) -> Certificate {
    let c = &d.certificate;
    let surveillance = d.surveillance_on(today);
    Certificate {
        number: c.number.clone(),
        status: Status(d.status_on(today)),
        stars: stars(c.grade),
        score: c.score,
        first_issued_on: c.first_issued_on,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
        last_assessed_on: c.last_assessed_on,
        last_assessment_kind: AssessmentName(d.last_assessment_kind()),
        next_surveillance_due: surveillance.map(|s| s.due_on),
        surveillance_overdue: surveillance.map(|s| s.overdue),
        suspended_until: d.suspended_until,
        scope_zh: c.scope_zh.clone(),
        scope_en: c.scope_en.clone(),
        platform: PlatformDetail::new(&d.platform, &d.domains),
        company: CompanyRef {
            credit_code: d.company.credit_code.clone(),
            name_zh: d.company.name_zh.clone(),
            name_en: d.company.name_en.clone(),
            province: Province::from_code(&d.company.province_code),
            api_url: format!("{base}/api/v1/companies/{}", d.company.credit_code),
        },
        body: Body {
            code: d.body.code.clone(),
            name_zh: d.body.name_zh.clone(),
            name_en: d.body.name_en.clone(),
            approval_number: d.body.approval_number.clone(),
            website: d.body.website.clone(),
        },
        scheme: SchemeRef {
            slug: d.scheme.slug.clone(),
            standard_code: d.scheme.standard_code.clone(),
            title_zh: d.scheme.title_zh.clone(),
            title_en: d.scheme.title_en.clone(),
            api_url: format!("{base}/api/v1/schemes/{}", d.scheme.slug),
        },
        latest_evaluation: d
            .latest_evaluation
            .as_ref()
            .map(|(e, results)| EvaluationResult {
                kind: Some(AssessmentName(e.kind)),
                assessed_on: e.assessed_on,
                total_score: e.total_score,
                stars: e.grade.map(stars),
                indicators: results
                    .iter()
                    .map(|r| IndicatorScore {
                        code: r.code.clone(),
                        name_zh: r.name_zh.clone(),
                        name_en: r.name_en.clone(),
                        earned: r.earned,
                        max_points: r.max_points,
                    })
                    .collect(),
            }),
        history: d
            .events
            .iter()
            .map(|e| HistoryEvent {
                date: e.occurred_on,
                kind: Some(EventName(e.kind)),
                stars_before: e.grade_before.map(stars),
                stars_after: e.grade_after.map(stars),
                reason_zh: e.reason_zh.clone(),
                reason_en: e.reason_en.clone(),
                log_index: d.log_indexes.get(&e.id).copied(),
                log_entry_url: d
                    .log_indexes
                    .get(&e.id)
                    .map(|i| format!("{base}{}", paths::log_entry(*i))),
                log_proof_url: d
                    .log_indexes
                    .get(&e.id)
                    .map(|i| format!("{base}{}", paths::log_proof(*i))),
            })
            .collect(),
        url: format!("{base}{}", paths::certificate(&c.number)),
        badge_url: format!(
            "{base}/badge/{}.svg",
            crate::web::paths::encode_segment(&c.number)
        ),
    }
}
