//! `/`: the search box, what SQE is and what the stars mean, counts, the latest public events.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::render;
use crate::db;
use crate::db::stats::RegistryCounts;
use crate::domain::grade::Grade;
use crate::error::AppError;
use crate::web::feeds::{self, FeedTarget};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::state::{Cached, FeatureState};
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

/// The registry's counts, with the date they were computed for (recomputed after a minute).
pub struct HomeCounts(Cached<(chrono::NaiveDate, RegistryCounts)>);

impl Default for HomeCounts {
    fn default() -> Self {
        HomeCounts(Cached::new(std::time::Duration::from_secs(60)))
    }
}

impl FeatureState for HomeCounts {}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let cache = state.feature::<HomeCounts>();
    let cached = cache.0.get_if(|(day, _)| *day == today);
    let (counts, events) = state
        .db(move |conn| {
            let counts = match cached {
                Some((_, counts)) => counts,
                None => db::stats::counts(conn, today)?,
            };
            let events = db::events::latest(conn, today, 10)?;
            Ok((counts, events))
        })
        .await?;
    cache.0.put((today, counts.clone()));
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
    let mut layout = Layout::new(&req, &state, lang).await;
    layout.feed = Some(feeds::link(&state, FeedTarget::Registry, lang));
    let page = HomePage {
        layout,
        counts: CountsView::new(&counts),
        bands,
        events,
    };
    render(&page)
}
