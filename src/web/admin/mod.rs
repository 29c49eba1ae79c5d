//! The back office under `/admin`: its route table, the roles each route needs, and what every
//! back-office page shares. Nothing here is cached or indexed: `Cache-Control: no-store`,
//! `X-Robots-Tag: noindex`.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod certificates;
pub mod companies;
pub mod dashboard;
pub mod error_page;
pub mod evaluations;
pub mod fields;
pub mod issue;
pub mod login;
pub mod login_guard;
pub mod password;
pub mod platforms;
pub mod reference;
pub mod score_form;
pub mod session;
pub mod webhooks;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::http::Method;
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, DefaultHeaders, Next};
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder, Route};
use askama::Template;

use crate::domain::account::Role;
use crate::error::AppError;
use crate::web::i18n::{Lang, VARY};
use crate::web::pages::to_html;
use crate::web::query::Query;
use crate::web::AppState;
use auth::Staff;

/// A back-office route, who may use it (`None`: anyone, the login form) and its handler.
#[derive(Clone, Copy)]
pub struct AdminRoute {
    pub method: &'static str,
    /// The path as registered, with `{placeholders}`.
    pub path: &'static str,
    pub role: Option<Role>,
    /// Sets the handler on a route that already matches the method.
    handler: fn(Route) -> Route,
}

const fn route(
    method: &'static str,
    path: &'static str,
    role: Option<Role>,
    handler: fn(Route) -> Route,
) -> AdminRoute {
    AdminRoute {
        method,
        path,
        role,
        handler,
    }
}

/// Every back-office route with the role it needs. [`register`] serves exactly these, and
/// enforces each route's role in one place ([`require_role`]) before its handler runs. The
/// tests walk this list to prove each route refuses an anonymous request and a role below the
/// one listed, and that the role itself is served. Order matters: a literal segment comes
/// before a `{placeholder}` that would also match it.
pub const ROUTES: &[AdminRoute] = &[
    route("GET", "/admin/login", None, |r| r.to(login::form)),
    route("POST", "/admin/login", None, |r| r.to(login::submit)),
    route("POST", "/admin/logout", Some(Role::Viewer), |r| {
        r.to(login::logout)
    }),
    route("GET", "/admin", Some(Role::Viewer), |r| {
        r.to(dashboard::show)
    }),
    route("GET", "/admin/find", Some(Role::Viewer), |r| {
        r.to(certificates::find)
    }),
    route("GET", "/admin/issue", Some(Role::Evaluator), |r| {
        r.to(issue::form)
    }),
    route("POST", "/admin/issue", Some(Role::Evaluator), |r| {
        r.to(issue::submit)
    }),
    route(
        "GET",
        "/admin/certificates/{number}",
        Some(Role::Viewer),
        |r| r.to(certificates::show),
    ),
    route(
        "GET",
        "/admin/certificates/{number}/evaluate",
        Some(Role::Evaluator),
        |r| r.to(evaluations::form),
    ),
    route(
        "POST",
        "/admin/certificates/{number}/evaluate",
        Some(Role::Evaluator),
        |r| r.to(evaluations::submit),
    ),
    route(
        "POST",
        "/admin/certificates/{number}/binding",
        Some(Role::Evaluator),
        |r| r.to(certificates::binding),
    ),
    route(
        "POST",
        "/admin/certificates/{number}/platform",
        Some(Role::Evaluator),
        |r| r.to(platforms::update),
    ),
    route(
        "POST",
        "/admin/certificates/{number}/{action}",
        Some(Role::Evaluator),
        |r| r.to(certificates::act),
    ),
    route(
        "POST",
        "/admin/sightings/{id}/dismiss",
        Some(Role::Evaluator),
        |r| r.to(dashboard::dismiss),
    ),
    route(
        "POST",
        "/admin/sightings/{id}/confirm",
        Some(Role::Evaluator),
        |r| r.to(dashboard::confirm),
    ),
    route(
        "GET",
        "/admin/companies/{credit_code}",
        Some(Role::Viewer),
        |r| r.to(companies::show),
    ),
    route(
        "POST",
        "/admin/companies/{credit_code}",
        Some(Role::Evaluator),
        |r| r.to(companies::update),
    ),
    route("GET", "/admin/reports", Some(Role::Viewer), |r| {
        r.to(cases::queue)
    }),
    route("GET", "/admin/reports/{id}", Some(Role::Viewer), |r| {
        r.to(cases::show)
    }),
    route(
        "POST",
        "/admin/reports/{id}/{action}",
        Some(Role::Evaluator),
        |r| r.to(cases::act),
    ),
    route("GET", "/admin/webhooks", Some(Role::Viewer), |r| {
        r.to(webhooks::list)
    }),
    route("POST", "/admin/webhooks", Some(Role::Evaluator), |r| {
        r.to(webhooks::register)
    }),
    route("GET", "/admin/webhooks/{id}", Some(Role::Viewer), |r| {
        r.to(webhooks::show)
    }),
    route(
        "POST",
        "/admin/webhooks/{id}/{action}",
        Some(Role::Evaluator),
        |r| r.to(webhooks::act),
    ),
    route("GET", "/admin/audit", Some(Role::Viewer), |r| {
        r.to(audit::show)
    }),
    route("GET", "/admin/reference", Some(Role::Viewer), |r| {
        r.to(reference::show)
    }),
    route("POST", "/admin/reference/bodies", Some(Role::Admin), |r| {
        r.to(reference::create_body)
    }),
    route("POST", "/admin/reference/schemes", Some(Role::Admin), |r| {
        r.to(reference::create_scheme)
    }),
    route(
        "POST",
        "/admin/reference/bodies/{code}",
        Some(Role::Admin),
        |r| r.to(reference::update_body),
    ),
    route(
        "POST",
        "/admin/reference/schemes/{slug}",
        Some(Role::Admin),
        |r| r.to(reference::update_scheme),
    ),
    route("GET", "/admin/accounts", Some(Role::Admin), |r| {
        r.to(accounts::list)
    }),
    route("POST", "/admin/accounts", Some(Role::Admin), |r| {
        r.to(accounts::create)
    }),
    route("POST", "/admin/accounts/{id}", Some(Role::Admin), |r| {
        r.to(accounts::update)
    }),
    route(
        "POST",
        "/admin/accounts/{id}/password",
        Some(Role::Admin),
        |r| r.to(password::reset),
    ),
    route("GET", "/admin/password", Some(Role::Viewer), |r| {
        r.to(password::form)
    }),
    route("POST", "/admin/password", Some(Role::Viewer), |r| {
        r.to(password::change_own)
    }),
    route("GET", "/admin/audit.csv", Some(Role::Viewer), |r| {
        r.to(audit::csv)
    }),
];

/// Registers the `/admin` scope from [`ROUTES`], with its session middleware.
pub fn register(cfg: &mut web::ServiceConfig, state: &AppState) {
    let mut scope = web::scope("/admin");
    for r in ROUTES {
        // A misspelt method in the table fails at start-up, loudly, rather than serving GET.
        let method = Method::from_bytes(r.method.as_bytes()).expect("ROUTES holds HTTP methods");
        let route = (r.handler)(web::route().method(method));
        let route = match r.role {
            Some(role) => route.wrap(from_fn(move |req, next| require_role(role, req, next))),
            None => route,
        };
        scope = scope.route(r.path.strip_prefix("/admin").unwrap_or(r.path), route);
    }
    let scope = scope
        // Else an unknown path here would be actix's empty 404, not our page.
        .default_service(web::to(crate::web::errors::not_found))
        .wrap(DefaultHeaders::new().add(("X-Robots-Tag", "noindex, nofollow")))
        .wrap(session::middleware(
            state.pool.clone(),
            state.config.session_secret.key(),
            state.config.is_https(),
            state.config.session_idle_minutes,
        ))
        .wrap(from_fn(crate::web::outage::back_office));
    cfg.service(scope);
}

/// Serves the request only to a signed-in staff member whose role allows `role`: anyone else
/// is sent to the login form (303) or refused (403), and the handler never runs.
async fn require_role(
    role: Role,
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let staff = match req.extract::<Staff>().await {
        Ok(staff) => staff,
        Err(e) => return Ok(req.error_response(e)),
    };
    if let Err(e) = staff.require(role) {
        return Ok(req.error_response(e));
    }
    next.call(req).await
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
    let mut pairs = Query::of(req).without_lang();
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
