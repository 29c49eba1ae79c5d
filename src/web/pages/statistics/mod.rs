//! `/statistics` and `/statistics/{chart}.csv`: counts for journalists, as SVG charts with
//! their data in tables, and each chart's data as CSV. Filters: the year of the monthly
//! series and a province every figure is restricted to.

pub mod tables;

use std::sync::Arc;

use actix_web::http::header::{
    CacheControl, CacheDirective, ContentDisposition, DispositionParam, DispositionType,
};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use futures_util::future::try_join4;

use super::{compressed_html, render_compressed};
use crate::db::stats::{self, Part, Statistics, StatsQuery};
use crate::domain::province::{find_province, Province, PROVINCES};
use crate::domain::statistics::{year_allowed, FIRST_YEAR};
use crate::error::AppError;
use crate::web::charts::{bar_chart, line_chart_svg, ChartText};
use crate::web::compression::Compressed;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::pages::search::FilterOption;
use crate::web::query::Query;
use crate::web::render_cache::{LatestCache, Weighed};
use crate::web::state::FeatureState;
use crate::web::view::{grouped, grouped_cell};
use crate::web::AppState;
use tables::{table, ChartKind, DataTable};

/// The filters as given in the URL, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsParams {
    pub year: i32,
    pub province: Option<&'static Province>,
}

impl StatsParams {
    /// Parses a query string. Unknown parameters are ignored and an empty value means the
    /// default (this year, every province); a bad year or province is a 400 that says why.
    pub fn parse(query: &str, today: NaiveDate) -> Result<StatsParams, AppError> {
        Self::from_query(&Query::parse(query), today)
    }

    /// The same, from a request's parsed query.
    pub fn from_query(query: &Query, today: NaiveDate) -> Result<StatsParams, AppError> {
        let pairs = query.pairs()?;
        let mut p = StatsParams {
            year: today.year(),
            province: None,
        };
        for (key, value) in pairs {
            let v = value.trim();
            match key.as_str() {
                _ if v.is_empty() => {}
                "year" => {
                    let bad = || AppError::bad_request_with("error-stats-year", today.year());
                    let year: i32 = v.parse().map_err(|_| bad())?;
                    if !year_allowed(year, today) {
                        return Err(bad());
                    }
                    p.year = year;
                }
                "province" => {
                    p.province = Some(
                        find_province(v)
                            .ok_or_else(|| AppError::bad_request("error-stats-province"))?,
                    );
                }
                _ => {}
            }
        }
        Ok(p)
    }

    /// The filters as a query string (empty for the defaults), for the CSV links.
    pub fn query_string(&self, today: NaiveDate) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.year != today.year() {
            pairs.push(("year", self.year.to_string()));
        }
        if let Some(p) = self.province {
            pairs.push(("province", p.code.to_owned()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    fn query(&self, today: NaiveDate) -> StatsQuery {
        StatsQuery {
            today,
            year: self.year,
            province_code: self.province.map(|p| p.code.to_owned()),
        }
    }
}

impl Weighed for Arc<Statistics> {
    fn weight(&self) -> u64 {
        let groups = self.by_province.len() + self.by_type.len() + self.by_scheme.len();
        512 + 64 * groups as u64
    }
}

/// One computation of the figures that several readers may wait on.
type InFlight = Arc<tokio::sync::OnceCell<Arc<Statistics>>>;

/// The figures per filter (a few hundred bytes each) and those being computed. Not dropped
/// when the registry changes: stale figures are served while fresh ones are computed.
pub struct StatisticsCache {
    figures: LatestCache<StatsQuery, Arc<Statistics>>,
    /// The rendered page of each filter and language, with the figures it shows: served while
    /// those are the figures of its filter.
    pages: LatestCache<PageKey, KeptPage>,
    /// A reader who asks while the figures of a filter are computed waits for that
    /// computation instead of starting another.
    in_flight: std::sync::Mutex<std::collections::HashMap<StatsQuery, InFlight>>,
}

impl Default for StatisticsCache {
    fn default() -> Self {
        StatisticsCache {
            figures: LatestCache::new("statistics_figures", 2_000, 4 << 20),
            pages: LatestCache::new("statistics_pages", 1_000, 24 << 20),
            in_flight: Default::default(),
        }
    }
}

impl FeatureState for StatisticsCache {
    fn caches(&self) -> Vec<crate::web::cache_stats::CacheStats> {
        vec![self.figures.stats(), self.pages.stats()]
    }
}

/// What a kept statistics page depends on: the query string as sent (its links repeat it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PageKey {
    query: String,
    lang: Lang,
    today: NaiveDate,
    demo: bool,
}

#[derive(Clone)]
struct KeptPage {
    figures: Arc<Statistics>,
    html: Arc<Compressed>,
    /// The length of its key's query string (weighed with the page).
    key_bytes: u64,
}

impl Weighed for KeptPage {
    fn weight(&self) -> u64 {
        self.html.len() as u64 + self.key_bytes + 128
    }
}

/// The figures for `query`: from the cache while the registry has not changed. At scale they
/// take a few hundred milliseconds to compute (see docs/PERFORMANCE.md), so after a change
/// readers get the last figures at once while fresh ones are computed once in the background
/// (stale-while-revalidate); only a filter never asked for before waits, and readers who ask
/// for it meanwhile wait for the same computation.
async fn figures(
    state: &web::Data<AppState>,
    query: StatsQuery,
) -> Result<Arc<Statistics>, AppError> {
    state.sync_revision().await;
    let cache = state.feature::<StatisticsCache>();
    if let Some(stats) = cache.figures.get(&state.revision, &query) {
        return Ok(stats);
    }
    if let Some((_, stale)) = cache.figures.get_any(&query) {
        refresh_in_background(state.clone(), query);
        return Ok(stale);
    }
    compute_once(state, query, Pace::AtOnce).await
}

/// How the parts of the figures are computed: at once on several connections when a reader
/// waits for them, one after the other on one connection in the background (which leaves a
/// core to the readers who are served stale figures meanwhile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pace {
    AtOnce,
    OneByOne,
}

/// Computes the figures of `query` and keeps them, or waits for the computation of them that
/// is running already.
async fn compute_once(
    state: &AppState,
    query: StatsQuery,
    pace: Pace,
) -> Result<Arc<Statistics>, AppError> {
    let cache = state.feature::<StatisticsCache>();
    let cell = match cache.in_flight.lock() {
        Ok(mut running) => running.entry(query.clone()).or_default().clone(),
        Err(_) => InFlight::default(),
    };
    let result = cell
        .get_or_try_init(|| compute(state, query.clone(), pace))
        .await
        .cloned();
    if let Ok(mut running) = cache.in_flight.lock() {
        if running.get(&query).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            running.remove(&query);
        }
    }
    result
}

async fn compute(
    state: &AppState,
    query: StatsQuery,
    pace: Pace,
) -> Result<Arc<Statistics>, AppError> {
    let started = std::time::Instant::now();
    let revision = state.revision.current();
    let key = query.clone();
    let part = |p: Part| {
        let query = query.clone();
        state.db(move |conn| Ok(stats::part(conn, &query, p)?))
    };
    // Only the monthly series depends on the year: another year of filters whose figures for
    // this year are fresh in the cache computes that part alone.
    let this_year = StatsQuery {
        year: query.today.year(),
        ..query.clone()
    };
    let cache = state.feature::<StatisticsCache>();
    let known = (this_year != query)
        .then(|| cache.figures.get(&state.revision, &this_year))
        .flatten();
    let figures = match known {
        Some(known) => {
            let mut figures = (*known).clone();
            figures.add(part(Part::Months).await?);
            figures
        }
        None if pace == Pace::OneByOne => {
            let query = query.clone();
            state
                .db(move |conn| Ok(stats::statistics(conn, &query)?))
                .await?
        }
        None => {
            // The parts read different indexes: computed at once on four pooled connections,
            // the figures take the time of the slowest part rather than of all four.
            let [a, b, c, d] = Part::ALL;
            let (a, b, c, d) = try_join4(part(a), part(b), part(c), part(d)).await?;
            let mut figures = Statistics::default();
            for p in [a, b, c, d] {
                figures.add(p);
            }
            figures
        }
    };
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        year = key.year,
        province = key.province_code.as_deref().unwrap_or("all"),
        ?pace,
        "statistics computed"
    );
    let stats = Arc::new(figures);
    cache
        .figures
        .put(&state.revision, revision, key, stats.clone());
    Ok(stats)
}

/// Computes the figures of `query` in the background, unless they are being computed already.
fn refresh_in_background(state: web::Data<AppState>, query: StatsQuery) {
    let running = state
        .feature::<StatisticsCache>()
        .in_flight
        .lock()
        .map(|running| running.contains_key(&query))
        .unwrap_or(true);
    if running {
        return;
    }
    actix_web::rt::spawn(async move {
        if let Err(e) = compute_once(&state, query, Pace::OneByOne).await {
            tracing::warn!(error = %e, "could not refresh the statistics");
        }
    });
}

/// Computes the unfiltered figures of this year. The server calls it before it listens (at
/// 1,000,000 certificates it takes under half a second), so no reader waits for them.
pub async fn prewarm(state: &AppState) {
    state.sync_revision().await;
    let today = state.today();
    let query = StatsParams {
        year: today.year(),
        province: None,
    }
    .query(today);
    if let Err(e) = compute_once(state, query, Pace::AtOnce).await {
        tracing::warn!(error = %e, "could not compute the statistics");
    }
}

/// One chart on the page.
pub struct ChartView {
    pub id: &'static str,
    pub heading: String,
    pub note: String,
    pub svg: String,
    pub csv_href: String,
    pub table: DataTable,
}

#[derive(Template)]
#[template(path = "statistics.html")]
pub struct StatisticsPage {
    pub layout: Layout,
    pub today: NaiveDate,
    pub year: i32,
    pub province: String,
    /// Counts with their digits grouped (`726,917`).
    pub in_force: String,
    pub total: String,
    pub issued_in_year: String,
    pub charts: Vec<ChartView>,
    pub year_options: Vec<FilterOption>,
    pub province_options: Vec<FilterOption>,
    /// Reports from the public by month (the whole registry, whatever the filters).
    pub report_months: Vec<crate::web::reports::figures::MonthRow>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let query = Query::of(&req);
    let params = StatsParams::from_query(&query, today)?;
    let stats = figures(&state, params.query(today)).await?;
    // Kept for URLs of the filters and the language only (others change the page's links).
    let key = query
        .pairs()?
        .iter()
        .all(|(k, _)| matches!(k.as_str(), "year" | "province" | "lang"))
        .then(|| PageKey {
            query: req.query_string().to_owned(),
            lang,
            today,
            demo: false,
        });
    let pages = state.feature::<StatisticsCache>();
    let key = match key {
        Some(mut key) => {
            key.demo = state.is_demo().await;
            if let Some((_, kept)) = pages.pages.get_any(&key) {
                if Arc::ptr_eq(&kept.figures, &stats) {
                    return Ok(compressed_html(&req, &kept.html));
                }
            }
            Some(key)
        }
        None => None,
    };
    let report_months = crate::web::reports::figures::monthly(&state).await?;
    let page = page(&req, &state, lang, today, &params, &stats, report_months).await;
    let keep = key.is_some();
    let html = Arc::new(state.cpu(move || render_compressed(&page, keep)).await?);
    if let Some(key) = key {
        let kept = KeptPage {
            figures: stats,
            html: html.clone(),
            key_bytes: key.query.len() as u64,
        };
        pages
            .pages
            .put(&state.revision, state.revision.current(), key, kept);
    }
    Ok(compressed_html(&req, &html))
}

/// The page for `params` showing `stats`.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    lang: Lang,
    today: NaiveDate,
    params: &StatsParams,
    stats: &Statistics,
    report_months: Vec<crate::web::reports::figures::MonthRow>,
) -> StatisticsPage {
    let filters = params.query_string(today);
    let charts = ChartKind::ALL
        .into_iter()
        .map(|kind| chart(kind, stats, params, today, lang, &filters))
        .collect();
    let by_status = stats.by_status();
    StatisticsPage {
        layout: Layout::new(req, state, lang).await,
        today,
        year: params.year,
        province: params.province.map_or_else(String::new, |p| {
            if lang.is_zh() {
                p.name_zh.to_owned()
            } else {
                p.name_en.to_owned()
            }
        }),
        in_force: grouped(by_status[0]),
        total: grouped(by_status.iter().sum()),
        issued_in_year: grouped(stats.by_month.iter().map(|m| m[0]).sum()),
        charts,
        year_options: (FIRST_YEAR..=today.year())
            .rev()
            .map(|y| FilterOption {
                value: y.to_string(),
                label: y.to_string(),
                selected: y == params.year,
            })
            .collect(),
        province_options: PROVINCES
            .iter()
            .map(|p| FilterOption {
                value: p.code.to_owned(),
                label: if lang.is_zh() {
                    p.name_zh.to_owned()
                } else {
                    p.name_en.to_owned()
                },
                selected: params.province.is_some_and(|s| s.code == p.code),
            })
            .collect(),
        report_months,
    }
}

fn chart(
    kind: ChartKind,
    stats: &Statistics,
    params: &StatsParams,
    today: NaiveDate,
    lang: Lang,
    filters: &str,
) -> ChartView {
    let data = table(kind, stats, params.year, today, lang);
    let slug = kind.slug();
    let heading = match kind {
        ChartKind::Months => lang.t1("stats-months-heading", "value", params.year),
        _ => lang.t(&format!("stats-{slug}-heading")),
    };
    let description = lang.t("stats-chart-desc");
    let text = ChartText {
        id: slug,
        title: &heading,
        description: &description,
    };
    let svg = match kind {
        ChartKind::Months => line_chart_svg(&text, &data.labels, &data.series),
        _ => {
            let values = data
                .series
                .first()
                .map(|(_, v)| v.as_slice())
                .unwrap_or(&[]);
            let bars: Vec<(String, i64)> = data
                .labels
                .iter()
                .cloned()
                .zip(values.iter().copied())
                .collect();
            bar_chart(&text, &bars)
        }
    };
    // The page shows counts in digit groups; the CSV keeps the plain digits.
    let mut data = data;
    for row in &mut data.rows {
        for cell in row.cells.iter_mut().skip(1) {
            *cell = grouped_cell(cell);
        }
    }
    ChartView {
        id: slug,
        note: lang.t(&format!("stats-{slug}-note")),
        heading,
        svg,
        csv_href: crate::web::paths::statistics_csv(slug, filters),
        table: data,
    }
}

/// `/statistics/{chart}.csv`: one chart's data, with the page's filters as parameters.
pub async fn csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let kind = ChartKind::parse(&path.into_inner()).ok_or(AppError::NotFound)?;
    let today = state.today();
    let params = StatsParams::from_query(&Query::of(&req), today)?;
    let stats = figures(&state, params.query(today)).await?;
    let data = table(kind, &stats, params.year, today, lang);
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Cells a spreadsheet would run as formulas are neutralised (`domain::spreadsheet`).
    let mut write = |cells: Vec<&str>| {
        let cells = crate::domain::spreadsheet::neutralised(cells);
        writer.write_record(cells.iter().map(|c| c.as_ref()))
    };
    let written = write(data.csv_header.clone()).and_then(|()| {
        data.rows
            .iter()
            .try_for_each(|row| write(row.csv.iter().map(String::as_str).collect()))
    });
    written.map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    let body = writer
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    let mut name = format!("sqe-statistics-{}-{}", kind.slug(), params.year);
    if let Some(p) = params.province {
        name.push('-');
        name.push_str(p.code);
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!("{name}.csv"))],
        })
        .body(body))
}
