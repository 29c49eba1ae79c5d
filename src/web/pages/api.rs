//! `/api`: the API for people: what it offers, its conventions, and for each endpoint an example
//! request and the shape of its answer (written from the generated OpenAPI document).

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::render;
use crate::error::AppError;
use crate::web::api::{self, shape};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::AppState;

/// One endpoint as the page shows it.
pub struct EndpointView {
    pub path: String,
    pub description: String,
    pub curl: String,
    /// The JSON shape of a 200 answer (none for the OpenAPI document itself).
    pub shape: Option<String>,
}

#[derive(Template)]
#[template(path = "api.html")]
pub struct ApiPage {
    pub layout: Layout,
    pub openapi_url: String,
    pub endpoints: Vec<EndpointView>,
    pub error_shape: String,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    let base = &state.config.public_url;
    let doc = api::document(base);
    let endpoints = api::ROUTES
        .iter()
        .map(|r| EndpointView {
            path: r.path.to_owned(),
            description: lang.t(&format!("api-doc-{}", r.key)),
            curl: format!("curl '{base}{}'", r.example),
            shape: (r.key != "openapi")
                .then(|| shape::response_shape(&doc, r.path))
                .flatten(),
        })
        .collect();
    render(&ApiPage {
        layout: Layout::new(&req, &state, lang).await,
        openapi_url: format!("{base}/api/v1/openapi.json"),
        endpoints,
        error_shape: shape::component_shape(&doc, "ErrorBody").unwrap_or_default(),
    })
}
