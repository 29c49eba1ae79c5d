//! `/api/v1/schemes` and `/api/v1/schemes/{slug}`: scheme versions and their indicator trees.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::errors::ErrorBody;
use super::{base, json};
use crate::db::models::Indicator as IndicatorRow;
use crate::db::schemes::{self as db_schemes, SchemeTree};
use crate::error::AppError;
use crate::web::AppState;

/// A version of the evaluation scheme (a standard and its indicators).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scheme {
    pub slug: String,
    /// E.g. `GB/T 31526-2025`.
    pub standard_code: String,
    pub title_zh: String,
    pub title_en: String,
    /// The first day assessments may use it.
    pub effective_from: NaiveDate,
    /// The indicators are illustrative, not the standard's official text.
    pub illustrative: bool,
    /// First-level indicators, each with its second-level ones.
    pub indicators: Vec<Indicator>,
    pub api_url: String,
}

/// A first-level indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicator {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub max_points: f64,
    /// Second-level indicators; their points add up to `max_points`.
    pub children: Vec<SubIndicator>,
}

/// A second-level indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubIndicator {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub max_points: f64,
}

/// Every scheme version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SchemeList {
    /// Oldest first.
    pub items: Vec<Scheme>,
}

impl Scheme {
    fn new(tree: SchemeTree, base: &str) -> Scheme {
        let s = tree.scheme;
        let sub = |i: &IndicatorRow| SubIndicator {
            code: i.code.clone(),
            name_zh: i.name_zh.clone(),
            name_en: i.name_en.clone(),
            max_points: i.max_points,
        };
        Scheme {
            api_url: format!("{base}/api/v1/schemes/{}", s.slug),
            slug: s.slug,
            standard_code: s.standard_code,
            title_zh: s.title_zh,
            title_en: s.title_en,
            effective_from: s.effective_from,
            illustrative: s.illustrative,
            indicators: tree
                .indicators
                .iter()
                .map(|b| Indicator {
                    code: b.indicator.code.clone(),
                    name_zh: b.indicator.name_zh.clone(),
                    name_en: b.indicator.name_en.clone(),
                    max_points: b.indicator.max_points,
                    children: b.children.iter().map(sub).collect(),
                })
                .collect(),
        }
    }
}

/// Every scheme version with its indicators.
#[utoipa::path(
    get,
    path = "/api/v1/schemes",
    tag = "schemes",
    responses((status = 200, description = "Every scheme version", body = SchemeList))
)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let trees = state
        .db(|conn| Ok(db_schemes::all_with_trees(conn)?))
        .await?;
    let base = base(&state);
    json(
        &req,
        &SchemeList {
            items: trees.into_iter().map(|t| Scheme::new(t, base)).collect(),
        },
    )
}

/// One scheme version with its indicators.
#[utoipa::path(
    get,
    path = "/api/v1/schemes/{slug}",
    tag = "schemes",
    params(("slug" = String, Path, description = "The version's slug, e.g. `31526-2025`")),
    responses(
        (status = 200, description = "The scheme version", body = Scheme),
        (status = 404, description = "No scheme version has this slug", body = ErrorBody),
    )
)]
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    if slug.len() > 40 {
        return Err(AppError::NotFound);
    }
    let tree = state
        .db(move |conn| Ok(db_schemes::find_with_tree(conn, &slug)?))
        .await?
        .ok_or(AppError::NotFound)?;
    json(&req, &Scheme::new(tree, base(&state)))
}
