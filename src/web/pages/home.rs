//! `/`: the search box, what SQE is and what the stars mean, counts, the latest public events.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::shared;
use crate::db;
use crate::db::events::RecentEvent;
use crate::db::stats::RegistryCounts;
use crate::domain::grade::Grade;
use crate::error::AppError;
use crate::web::feeds::{self, FeedTarget};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::view::{grade_change, grouped, localized, star_string};
use crate::web::AppState;

/// A public event in the "latest changes" list.
pub struct EventView {
    pub date: String,
    pub kind: String,
    pub adverse: bool,
    pub company: String,
    pub platform: String,
    pub href: String,
    pub grade_change: String,
}

/// One row of the bands table.
pub struct BandView {
    pub stars: String,
    pub name: String,
    pub range: String,
    /// Digits grouped, like every count shown.
    pub count: String,
}

/// The registry's counts as shown: digits grouped (`1,000,000`).
pub struct CountsView {
    pub valid: String,
    pub certificates: String,
    pub companies: String,
    pub platforms: String,
}

impl CountsView {
    fn new(c: &RegistryCounts) -> CountsView {
        CountsView {
            valid: grouped(c.valid),
            certificates: grouped(c.certificates),
            companies: grouped(c.companies),
            platforms: grouped(c.platforms),
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub counts: CountsView,
    pub bands: Vec<BandView>,
    pub events: Vec<EventView>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    shared::serve(&req, &state, "home", lang, || read(&req, &state, lang)).await
}

/// Reads the counts (about 0.2 s at 1,000,000 certificates: once per revision, not per visit)
/// and the latest events.
async fn read(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    lang: Lang,
) -> Result<HomePage, AppError> {
    let today = state.today();
    let (counts, events) = state
        .db(move |conn| {
            let counts = db::stats::counts(conn, today)?;
            let events = db::events::latest(conn, today, 10)?;
            Ok((counts, events))
        })
        .await?;
    let mut layout = Layout::new(req, state, lang).await;
    layout.feed = Some(feeds::link(state, FeedTarget::Registry, lang));
    Ok(page(layout, &counts, events, lang))
}

fn page(layout: Layout, counts: &RegistryCounts, events: Vec<RecentEvent>, lang: Lang) -> HomePage {
    let bands = Grade::ALL
        .iter()
        .zip(counts.valid_by_stars)
        .rev()
        .map(|(g, count)| BandView {
            stars: star_string(g.stars()),
            name: lang.t(&format!("grade-{}", g.stars())),
            range: match g.max_score_exclusive() {
                Some(max) => format!("{} ≤ s < {}", g.min_score(), max),
                None => format!("{} ≤ s ≤ 100", g.min_score()),
            },
            count: grouped(count),
        })
        .collect();
    let events = events
        .into_iter()
        .map(|e| EventView {
            date: e.occurred_on.to_string(),
            kind: lang.t(&format!("event-{}", e.kind)),
            adverse: e.kind.is_adverse(),
            company: localized(&e.company_name_zh, e.company_name_en.as_deref(), lang).to_owned(),
            platform: e.platform_name,
            href: paths::certificate(&e.number),
            grade_change: grade_change(e.grade_before, e.grade_after),
        })
        .collect();
    HomePage {
        layout,
        counts: CountsView::new(counts),
        bands,
        events,
    }
}
