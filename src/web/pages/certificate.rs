//! `/certificates/{number}`: the verification page a consumer lands on from a mark.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use std::sync::Arc;

use actix_web::web::Bytes;

use super::{compressed_html, html_response, render_compressed, render_with};
use crate::config::Config;
use crate::db;
use crate::db::certificates::{CertificateDetail, IndicatorResult};
use crate::domain::hostname::Hostname;
use crate::domain::numbering::MAX_NUMBER_CHARS;
use crate::domain::status::CertificateStatus;
use crate::domain::surveillance::SurveillanceState;
use crate::error::AppError;
use crate::web::compression::Compressed;
use crate::web::feeds::{self, FeedTarget};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::pages::meta::CertificateFacts;
use crate::web::paths;
use crate::web::query::Query;
use crate::web::render_cache::{RenderCache, Weighed, KEY_OVERHEAD};
use crate::web::seo::OpenGraph;
use crate::web::sightings::MarkBinding;
use crate::web::state::FeatureState;
use crate::web::view::grade_change;
use crate::web::view::{
    display_domains, localized, platform_type_label, province_label, star_string, StatusView,
};
use crate::web::AppState;

/// One bar of the indicator profile.
pub struct BarView {
    pub name: String,
    pub value: String,
    /// Share of the maximum, 0–100, for the bar's width; `None` when not applicable.
    pub percent: Option<f64>,
}

/// One entry of the public history.
pub struct HistoryView {
    pub date: NaiveDate,
    pub kind: String,
    pub adverse: bool,
    pub grade_change: String,
    pub reason: Option<String>,
    /// The event's index in the transparency log, when appended, and links to its entry and
    /// its proof.
    pub log_index: Option<i64>,
    pub log_entry_href: String,
    pub log_proof_href: String,
}

#[derive(Template)]
#[template(path = "certificate.html")]
pub struct CertificatePage {
    pub layout: Layout,
    pub today: NaiveDate,
    pub number: String,
    /// Links to the certificate's QR code, printable copy and embed kit.
    pub qr_src: String,
    pub print_href: String,
    pub embed_href: String,
    pub verdict: StatusView,
    pub verdict_title: String,
    pub verdict_detail: String,
    pub stars: u8,
    pub star_string: String,
    pub grade_name: String,
    pub score: String,
    pub company: String,
    pub company_zh: String,
    pub credit_code: String,
    pub company_href: String,
    pub location: String,
    pub address: String,
    pub platform: String,
    pub platform_type: String,
    pub domains: Vec<String>,
    pub apps: Vec<String>,
    pub first_issued_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_assessed_on: NaiveDate,
    pub last_assessment: String,
    /// Shown while the certificate is live (valid or suspended).
    pub surveillance: Option<SurveillanceState>,
    pub body: String,
    pub body_approval: String,
    pub standard: String,
    pub scheme_title: String,
    pub illustrative: bool,
    pub scope: String,
    pub bars: Vec<BarView>,
    pub evaluation_date: Option<NaiveDate>,
    /// The latest evaluation's total: it may differ from the certificate's score (the score of
    /// the latest passing evaluation) when that evaluation led to a suspension.
    pub evaluation_total: Option<String>,
    pub history: Vec<HistoryView>,
    /// Link preview tags.
    pub og: OpenGraph,
    /// schema.org JSON-LD, escaped for its script element.
    pub json_ld: String,
}

/// What a cached verification page depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub number: String,
    pub lang: Lang,
    pub today: NaiveDate,
    pub demo: bool,
}

impl Weighed for PageKey {
    fn weight(&self) -> u64 {
        KEY_OVERHEAD + self.number.len() as u64
    }
}

/// A rendered verification page, compressed, and what its binding warning needs.
#[derive(Clone)]
pub struct CachedPage {
    pub html: Arc<Compressed>,
    pub binding: Arc<MarkBinding>,
}

impl Weighed for CachedPage {
    fn weight(&self) -> u64 {
        self.html.len() as u64 + 256 + self.binding.weight()
    }
}

/// Rendered verification pages (about 13 KB each, 20 KB with their compressed forms; 64 MB at
/// most).
pub struct PageCache(RenderCache<PageKey, CachedPage, Miss>);

impl PageCache {
    /// Pages held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache(RenderCache::new("certificate_pages", 4_000, 64 << 20))
    }
}

impl FeatureState for PageCache {
    fn registry_changed(&self) {
        self.0.clear();
    }

    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        vec![self.0.stats()]
    }
}

/// Why a page was not rendered (shared with the readers who waited for that render).
#[derive(Clone)]
pub enum Miss {
    /// The registry holds no such number.
    NotFound,
    Failed(AppError),
}

impl From<AppError> for Miss {
    fn from(e: AppError) -> Miss {
        Miss::Failed(e)
    }
}

/// Where the binding warning goes in a rendered page.
const BINDING_SLOT: &str = "<!--sqe:binding-->";

#[derive(Template)]
#[template(path = "partials/binding_warning.html")]
struct BindingWarning<'a> {
    lang: Lang,
    host: String,
    domains: &'a [String],
    /// The report form, prefilled with this site and certificate.
    report_href: String,
}

#[derive(Template)]
#[template(path = "certificate_not_found.html")]
pub struct NotFoundPage {
    pub layout: Layout,
    pub number: String,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let today = state.today();
    // Only the plain URL (with at most `lang`) is cached: other parameters change the links.
    let key = PageKey {
        number: number.clone(),
        lang,
        today,
        demo: state.is_demo().await,
    };
    state.sync_revision().await;
    let rendered = if Query::of(&req).only_lang() {
        let cache = state.feature::<PageCache>();
        if let Some(cached) = cache.0.get(&state.revision, &key) {
            return Ok(respond(&req, &state, lang, cached));
        }
        // A miss: everything below is skipped by the hot path.
        cache
            .0
            .get_or_render(&state.revision, &key, || render(&req, &state, &key, true))
            .await
    } else {
        render(&req, &state, &key, false).await
    };
    match rendered {
        Ok(page) => Ok(respond(&req, &state, lang, page)),
        Err(Miss::Failed(e)) => Err(e),
        Err(Miss::NotFound) => render_with(
            HttpResponse::build(StatusCode::NOT_FOUND),
            &NotFoundPage {
                layout: Layout::new(&req, &state, lang).await,
                number,
            },
        ),
    }
}

/// Reads the certificate, releases the connection, then renders the page off the async
/// workers, compressed both ways if it is to be cached (`keep`).
async fn render(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    key: &PageKey,
    keep: bool,
) -> Result<CachedPage, Miss> {
    let mut layout = Layout::new(req, state, key.lang).await;
    let detail = find_certificate(state, &key.number)
        .await?
        .ok_or(Miss::NotFound)?;
    let binding = Arc::new(MarkBinding::new(detail.certificate.id, &detail.domains));
    let target = FeedTarget::Certificate(detail.certificate.number.clone());
    layout.feed = Some(feeds::link(state, target, key.lang));
    let (today, lang, state) = (key.today, key.lang, state.clone());
    let html = state
        .clone()
        .cpu(move || render_compressed(&page(detail, layout, today, lang, &state.config), keep))
        .await?;
    Ok(CachedPage {
        html: Arc::new(html),
        binding,
    })
}

/// Serves a verification page; reached from a host the mark is not bound to, it records a
/// sighting and puts a warning naming that host at the top of the page.
fn respond(req: &HttpRequest, state: &AppState, lang: Lang, page: CachedPage) -> HttpResponse {
    let Some(host) = page.binding.foreign_host(req, &state.own_hosts) else {
        return compressed_html(req, &page.html);
    };
    state.sightings.record(
        page.binding.certificate_id,
        host.clone(),
        state.client_network_digest(req),
        state.clock.now().naive_utc(),
    );
    let domains: Vec<String> = page
        .binding
        .domains
        .iter()
        .map(|d| d.to_unicode())
        .collect();
    let number = req.match_info().query("number").to_ascii_uppercase();
    let warning = BindingWarning {
        lang,
        report_href: paths::report_new("wrong_site", &number, &host),
        host: Hostname::parse(&host).map_or_else(|_| host.to_string(), |h| h.to_unicode()),
        domains: &domains,
    };
    let plain = &page.html.identity;
    let html = match (warning.render(), std::str::from_utf8(plain)) {
        (Ok(warning), Ok(html)) => match html.split_once(BINDING_SLOT) {
            Some((head, tail)) => Bytes::from([head, warning.as_str(), tail].concat()),
            None => plain.clone(),
        },
        _ => plain.clone(),
    };
    let mut res = html_response(HttpResponse::Ok(), html);
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    res
}

/// Reads a certificate for a page about it: `None` when the registry has no such number (a
/// number longer than any valid one is not looked up).
pub async fn find_certificate(
    state: &AppState,
    number: &str,
) -> Result<Option<CertificateDetail>, AppError> {
    if number.chars().count() > MAX_NUMBER_CHARS {
        return Ok(None);
    }
    let lookup = number.to_owned();
    state
        .db(move |conn| Ok(db::certificates::find_detail(conn, &lookup)?))
        .await
}

fn page(
    d: CertificateDetail,
    layout: Layout,
    today: NaiveDate,
    lang: Lang,
    config: &Config,
) -> CertificatePage {
    let c = &d.certificate;
    let status = d.status_on(today);
    let stars = u8::try_from(c.grade).unwrap_or(0);
    let grade_name = lang.t(&format!("grade-{stars}"));
    let verdict_title = match status {
        CertificateStatus::Valid => lang.t1("verdict-valid", "grade", &grade_name),
        other => lang.t(&format!("verdict-{}", other.as_str())),
    };
    let verdict_detail = match status {
        CertificateStatus::Expired => lang.t1("verdict-expired-detail", "date", c.expires_on),
        CertificateStatus::Suspended => match d.suspended_until {
            Some(until) => lang.t1("verdict-suspended-until-detail", "date", until),
            None => lang.t("verdict-suspended-detail"),
        },
        other => lang.t(&format!("verdict-{}-detail", other.as_str())),
    };
    let last_kind = d.last_assessment_kind();
    let bars = d
        .latest_evaluation
        .as_ref()
        .map(|(_, results)| results.iter().map(|r| bar(r, lang)).collect())
        .unwrap_or_default();
    let history = d
        .events
        .iter()
        .rev()
        .map(|e| HistoryView {
            date: e.occurred_on,
            kind: lang.t(&format!("event-{}", e.kind)),
            adverse: e.kind.is_adverse(),
            grade_change: grade_change(e.grade_before, e.grade_after),
            reason: if lang.is_zh() {
                e.reason_zh.clone()
            } else {
                e.reason_en.clone().or_else(|| e.reason_zh.clone())
            },
            log_index: d.log_indexes.get(&e.id).copied(),
            log_entry_href: d
                .log_indexes
                .get(&e.id)
                .map(|i| crate::web::paths::log_entry(*i))
                .unwrap_or_default(),
            log_proof_href: d
                .log_indexes
                .get(&e.id)
                .map(|i| crate::web::paths::log_proof(*i))
                .unwrap_or_default(),
        })
        .collect();
    let facts = CertificateFacts {
        detail: &d,
        status,
        verdict_title: &verdict_title,
        verdict_detail: &verdict_detail,
        canonical: &layout.canonical,
        lang,
    };
    let og = facts.open_graph(config);
    let json_ld = facts.json_ld(config);
    CertificatePage {
        og,
        json_ld,
        today,
        number: c.number.clone(),
        qr_src: paths::qr(&c.number, "svg", "?size=s"),
        print_href: paths::print(&c.number),
        embed_href: paths::embed(&c.number),
        verdict: StatusView::new(status, lang),
        verdict_title,
        verdict_detail,
        stars,
        star_string: star_string(stars),
        grade_name,
        score: format!("{:.2}", c.score),
        company: localized(&d.company.name_zh, d.company.name_en.as_deref(), lang).to_owned(),
        company_zh: d.company.name_zh.clone(),
        credit_code: d.company.credit_code.clone(),
        company_href: paths::company(&d.company.credit_code),
        location: format!(
            "{} {}",
            province_label(&d.company.province_code, lang),
            d.company.city
        ),
        address: d.company.address.clone(),
        platform: d.platform.name.clone(),
        platform_type: platform_type_label(d.platform.platform_type.as_str(), lang),
        domains: display_domains(&d.domains),
        apps: d.platform.apps().into_iter().map(str::to_owned).collect(),
        first_issued_on: c.first_issued_on,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
        last_assessed_on: c.last_assessed_on,
        last_assessment: lang.t(&format!("assessment-{}", last_kind.as_str())),
        surveillance: d.surveillance_on(today),
        body: localized(&d.body.name_zh, Some(&d.body.name_en), lang).to_owned(),
        body_approval: d.body.approval_number.clone(),
        standard: d.scheme.standard_code.clone(),
        scheme_title: localized(&d.scheme.title_zh, Some(&d.scheme.title_en), lang).to_owned(),
        illustrative: d.scheme.illustrative,
        scope: localized(&c.scope_zh, Some(&c.scope_en), lang).to_owned(),
        bars,
        evaluation_date: d.latest_evaluation.as_ref().map(|(e, _)| e.assessed_on),
        evaluation_total: d
            .latest_evaluation
            .as_ref()
            .map(|(e, _)| format!("{:.2}", e.total_score)),
        history,
        layout,
    }
}

fn bar(r: &IndicatorResult, lang: Lang) -> BarView {
    let name = localized(&r.name_zh, Some(&r.name_en), lang).to_owned();
    match r.earned {
        Some(earned) if r.max_points > 0.0 => BarView {
            name,
            value: format!("{earned:.1} / {:.0}", r.max_points),
            percent: Some((earned / r.max_points * 100.0).clamp(0.0, 100.0)),
        },
        _ => BarView {
            name,
            value: lang.t("not-applicable"),
            percent: None,
        },
    }
}
