//! The back office under `/admin`: its route table, the roles each route needs, and what every
//! back-office page shares. Nothing here is cached or indexed: `Cache-Control: no-store`,
//! `X-Robots-Tag: noindex`.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod certificates;
pub mod companies;
pub mod dashboard;
pub mod error_page;
pub mod evaluations;
pub mod fields;
pub mod issue;
pub mod login;
pub mod platforms;
pub mod reference;
pub mod score_form;
pub mod session;

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::http::StatusCode;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use askama::Template;

use crate::domain::account::Role;
use crate::error::AppError;
use crate::web::i18n::{Lang, VARY};
use crate::web::pages::to_html;
use crate::web::AppState;
use auth::Staff;

/// A back-office route and who may use it (`None`: anyone, the login form).
#[derive(Debug, Clone, Copy)]
pub struct AdminRoute {
    pub method: &'static str,
    /// The path as registered, with `{placeholders}`.
    pub path: &'static str,
    pub role: Option<Role>,
}

const fn route(method: &'static str, path: &'static str, role: Option<Role>) -> AdminRoute {
    AdminRoute { method, path, role }
}

/// Every back-office route with the role it needs, checked by the handlers. The tests walk this
/// list to prove each route refuses an anonymous request and a role below the one listed, and
/// that each is registered below.
pub const ROUTES: &[AdminRoute] = &[
    route("GET", "/admin/login", None),
    route("POST", "/admin/login", None),
    route("POST", "/admin/logout", Some(Role::Viewer)),
    route("GET", "/admin", Some(Role::Viewer)),
    route("GET", "/admin/find", Some(Role::Viewer)),
    route("GET", "/admin/issue", Some(Role::Evaluator)),
    route("POST", "/admin/issue", Some(Role::Evaluator)),
    route("GET", "/admin/certificates/{number}", Some(Role::Viewer)),
    route(
        "GET",
        "/admin/certificates/{number}/evaluate",
        Some(Role::Evaluator),
    ),
    route(
        "POST",
        "/admin/certificates/{number}/evaluate",
        Some(Role::Evaluator),
    ),
    route(
        "POST",
        "/admin/certificates/{number}/binding",
        Some(Role::Evaluator),
    ),
    route(
        "POST",
        "/admin/certificates/{number}/platform",
        Some(Role::Evaluator),
    ),
    route(
        "POST",
        "/admin/certificates/{number}/{action}",
        Some(Role::Evaluator),
    ),
    route(
        "POST",
        "/admin/sightings/{id}/dismiss",
        Some(Role::Evaluator),
    ),
    route(
        "POST",
        "/admin/sightings/{id}/confirm",
        Some(Role::Evaluator),
    ),
    route("GET", "/admin/companies/{credit_code}", Some(Role::Viewer)),
    route(
        "POST",
        "/admin/companies/{credit_code}",
        Some(Role::Evaluator),
    ),
    route("GET", "/admin/audit", Some(Role::Viewer)),
    route("GET", "/admin/reference", Some(Role::Viewer)),
    route("POST", "/admin/reference/bodies", Some(Role::Admin)),
    route("POST", "/admin/reference/schemes", Some(Role::Admin)),
    route("POST", "/admin/reference/bodies/{code}", Some(Role::Admin)),
    route("POST", "/admin/reference/schemes/{slug}", Some(Role::Admin)),
    route("GET", "/admin/accounts", Some(Role::Admin)),
    route("POST", "/admin/accounts", Some(Role::Admin)),
    route("POST", "/admin/accounts/{id}", Some(Role::Admin)),
    route("GET", "/admin/audit.csv", Some(Role::Viewer)),
];

/// Registers the `/admin` scope, with its session middleware.
pub fn register(cfg: &mut web::ServiceConfig, state: &AppState) {
    let scope = web::scope("/admin")
        .route("", web::get().to(dashboard::show))
        .route("/login", web::get().to(login::form))
        .route("/login", web::post().to(login::submit))
        .route("/logout", web::post().to(login::logout))
        .route("/find", web::get().to(certificates::find))
        .route("/issue", web::get().to(issue::form))
        .route("/issue", web::post().to(issue::submit))
        .route("/certificates/{number}", web::get().to(certificates::show))
        // Before `{action}`, which would otherwise take "evaluate", "binding" and "platform".
        .route(
            "/certificates/{number}/evaluate",
            web::get().to(evaluations::form),
        )
        .route(
            "/certificates/{number}/evaluate",
            web::post().to(evaluations::submit),
        )
        .route(
            "/certificates/{number}/binding",
            web::post().to(certificates::binding),
        )
        .route(
            "/certificates/{number}/platform",
            web::post().to(platforms::update),
        )
        .route(
            "/certificates/{number}/{action}",
            web::post().to(certificates::act),
        )
        .route(
            "/sightings/{id}/dismiss",
            web::post().to(dashboard::dismiss),
        )
        .route(
            "/sightings/{id}/confirm",
            web::post().to(dashboard::confirm),
        )
        .route("/companies/{credit_code}", web::get().to(companies::show))
        .route(
            "/companies/{credit_code}",
            web::post().to(companies::update),
        )
        .route("/audit", web::get().to(audit::show))
        .route("/reference", web::get().to(reference::show))
        .route("/reference/bodies", web::post().to(reference::create_body))
        .route(
            "/reference/schemes",
            web::post().to(reference::create_scheme),
        )
        .route(
            "/reference/bodies/{code}",
            web::post().to(reference::update_body),
        )
        .route(
            "/reference/schemes/{slug}",
            web::post().to(reference::update_scheme),
        )
        .route("/accounts", web::get().to(accounts::list))
        .route("/accounts", web::post().to(accounts::create))
        .route("/accounts/{id}", web::post().to(accounts::update))
        .route("/audit.csv", web::get().to(audit::csv))
        // Else an unknown path here would be actix's empty 404, not our page.
        .default_service(web::to(crate::web::errors::not_found))
        .wrap(DefaultHeaders::new().add(("X-Robots-Tag", "noindex, nofollow")))
        .wrap(session::middleware(
            state.pool.clone(),
            state.config.session_secret.key(),
            state.config.is_https(),
            state.config.session_idle_minutes,
        ));
    cfg.service(scope);
}

/// What every back-office page shows around its content.
pub struct AdminLayout {
    pub lang: Lang,
    pub staff: Option<Staff>,
    /// The CSRF token for the page's forms.
    pub csrf: String,
    /// This page in the other language.
    pub switch_href: String,
}

impl AdminLayout {
    pub fn new(req: &HttpRequest, lang: Lang, staff: &Staff) -> AdminLayout {
        AdminLayout {
            lang,
            csrf: staff.csrf.clone(),
            staff: Some(staff.clone()),
            switch_href: switch_href(req, lang),
        }
    }

    /// Whether the signed-in staff member may do what `role` may (to show or hide forms; the
    /// handlers check again).
    pub fn can(&self, role: Role) -> bool {
        self.staff.as_ref().is_some_and(|s| s.role.allows(role))
    }
}

pub fn switch_href(req: &HttpRequest, lang: Lang) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| k != "lang");
    pairs.push(("lang".to_owned(), lang.other().tag().to_owned()));
    format!(
        "{}?{}",
        req.path(),
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// Renders a back-office page: never stored by browsers or proxies.
pub fn render(status: StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    Ok(no_store(HttpResponseBuilder::new(status))
        .content_type("text/html; charset=utf-8")
        .body(to_html(page)?))
}

pub fn no_store(mut builder: HttpResponseBuilder) -> HttpResponseBuilder {
    builder
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .insert_header(VARY);
    builder
}

/// A redirect after a successful POST (303: the browser follows with GET).
pub fn see_other(location: &str) -> HttpResponse {
    no_store(HttpResponse::SeeOther())
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

/// State shared by the handlers, as `web::Data`.
pub type State = web::Data<AppState>;

/// Runs a use case in the database as the signed-in staff member (the audit log's actor, today
/// in Beijing, now, the validity setting).
pub async fn write_as<T, F>(state: &State, staff: &Staff, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut crate::db::DbConnection, &crate::app::Actor) -> T + Send + 'static,
    T: Send + 'static,
{
    let actor = staff.actor(state);
    state.db(move |conn| Ok(work(conn, &actor))).await
}
