//! `/api/v1/lookup?url=…` (or `domain=`): is this site certified? The host is normalised like the
//! search box does (`www.`, port, path and case ignored; Unicode or punycode) and it and its
//! parent domains are matched against the bound domains.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::errors::ErrorBody;
use super::types::{CertificateSummary, HostParam, UrlParam};
use super::{base, json};
use crate::db::search::{self, Matcher, SearchFilters, SearchRequest, SortOrder};
use crate::domain::hostname::Hostname;
use crate::domain::status::CertificateStatus;
use crate::error::AppError;
use crate::web::query::Query;
use crate::web::AppState;

/// Most certificates listed for one host (a domain is bound to one platform; a platform rarely
/// has more than a few certificates over time).
const MAX_CERTIFICATES: u32 = 100;

/// The answer to "is this site certified?".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Lookup {
    /// The host looked up, normalised (ASCII, without `www.`).
    pub host: String,
    /// The same host for display (Unicode for Chinese names).
    pub host_display: String,
    /// Whether a certificate bound to this host (or a parent domain) is valid today.
    pub certified: bool,
    /// Every certificate of the platforms bound to it, best grade first; empty when none.
    pub certificates: Vec<CertificateSummary>,
    /// When no certificate is bound to the host: the certified sites it looks like (at most
    /// five, most telling first), the warning the search page shows. Empty otherwise.
    pub resembles: Vec<ResemblingSite>,
}

/// A certified site that a host without a certificate looks like.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResemblingSite {
    /// The certified site: a registrable domain under the Public Suffix List, in Unicode.
    pub site: String,
    /// One of its bound domains (normalised ASCII), to look it up.
    pub domain: String,
    /// How the host resembles it: `embedded` (the site's address is spelled inside the host:
    /// `guozhen.com.example.cn`, `guozhen-com.shop`), `other-suffix` (the same name under another
    /// public suffix: `guozhen.com.cn`), `confusable` (the same name in look-alike characters,
    /// Unicode TR39: `gu0zhen.com`), `typo` (a name at most two edits away, one for names of
    /// three or four characters).
    #[schema(example = "other-suffix")]
    pub resemblance: String,
    /// Numbers of its certificates (at most three), those in force first.
    pub certificates: Vec<String>,
    /// The public look-up of the site's certificates.
    pub url: String,
}

/// Whether a site is certified, by URL or domain.
#[utoipa::path(
    get,
    path = "/api/v1/lookup",
    tag = "lookup",
    params(
        ("url" = Option<UrlParam>, Query, description = "A URL or host, e.g. `https://www.jd.com/item/1.html`"),
        ("domain" = Option<HostParam>, Query, description = "A host name (used when `url` is absent)"),
    ),
    responses(
        (status = 200, description = "The certificates bound to the host (maybe none)", body = Lookup),
        (status = 400, description = "Neither parameter, or not a host name", body = ErrorBody),
    )
)]
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    // Each parameter given must be valid (an empty one too), even the one not used.
    super::exact_values(&query, &["url", "domain"])?;
    let pairs = query.pairs()?;
    let host_of = |name: &str| -> Result<Option<Hostname>, AppError> {
        match pairs.iter().rev().find(|(k, _)| k == name) {
            None => Ok(None),
            Some((_, v)) => Hostname::parse(v)
                .map(Some)
                .map_err(|_| AppError::bad_request_with("api-error-not-a-host", name)),
        }
    };
    let (url, domain) = (host_of("url")?, host_of("domain")?);
    let host = url
        .or(domain)
        .ok_or_else(|| AppError::bad_request("api-error-lookup-missing"))?;
    let today = state.today();
    let request = SearchRequest {
        matcher: Matcher::Domain {
            host: host.as_str().to_owned(),
            candidates: host.lookup_candidates(),
        },
        filters: SearchFilters::default(),
        sort: SortOrder::Grade,
        page: 1,
        per_page: MAX_CERTIFICATES,
        today,
    };
    // The look-up and, when nothing is bound, the look-alike check: one trip to the database.
    let keys = crate::web::lookalikes::index(&state).await?;
    let checked = host.clone();
    let (result, resembles) = state
        .db(move |conn| {
            let result = search::search(conn, &request)?;
            let resembles = if result.hits.is_empty() {
                crate::db::lookalikes::resembling(conn, &keys, &checked, today)?
            } else {
                Vec::new()
            };
            Ok((result, resembles))
        })
        .await?;
    let base = base(&state);
    let resembles = resembles
        .into_iter()
        .map(|r| ResemblingSite {
            url: format!(
                "{base}{}",
                crate::web::paths::search(
                    &serde_urlencoded::to_string([("q", &r.domain)]).unwrap_or_default()
                )
            ),
            site: r.site,
            domain: r.domain,
            resemblance: r.resemblance.as_str().to_owned(),
            certificates: r.certificates,
        })
        .collect();
    let certificates: Vec<CertificateSummary> = result
        .hits
        .iter()
        .map(|h| CertificateSummary::new(h, today, base))
        .collect();
    json(
        &req,
        &Lookup {
            certified: certificates
                .iter()
                .any(|c| c.status.0 == CertificateStatus::Valid),
            host_display: host.to_unicode(),
            host: host.as_str().to_owned(),
            certificates,
            resembles,
        },
    )
}
