//! HTTP: the route table, the app factory used by `main` and the tests, and the handlers.

pub mod access_log;
pub mod admin;
pub mod api;
pub mod assets;
pub mod cache_stats;
pub mod charts;
pub mod client;
pub mod compression;
pub mod conditional;
pub mod credentials;
pub mod errors;
pub mod feeds;
pub mod form_token;
pub mod i18n;
pub mod layout;
pub mod limits;
pub mod lookalikes;
pub mod marks;
pub mod metrics;
pub mod outage;
pub mod pages;
pub mod paths;
pub mod query;
pub mod render_cache;
pub mod reports;
pub mod request_meta;
pub mod seo;
pub mod sightings;
pub mod sitemap;
pub mod state;
pub mod stored_files;
pub mod transparency;
pub mod view;
pub mod whole_body;

use actix_web::body::MessageBody;
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, ErrorHandlers};
use actix_web::{guard, web, App};

pub use state::{AppState, Clock};

/// Every URL of the site. Public URLs are printed on certificates and embedded elsewhere: keep
/// them stable.
///
/// Two groups: the mark images, which other sites embed and every visitor of those sites
/// fetches, go through no middleware at all (no cookies, no access log, headers set by the
/// handler); pages go through the full stack (access log, compression, security headers, the
/// language cookie, localised error pages). The back office (`/admin`, see `admin::ROUTES`)
/// adds its session on top.
pub fn routes(cfg: &mut web::ServiceConfig, state: &AppState) {
    let https = state.config.public_url.starts_with("https://");
    cfg.service(page("/badge/{number}.svg", marks::badge_svg))
        .service(page("/badge/{number}.png", marks::badge_png))
        .service(page("/qr/{number}.svg", marks::qr_svg))
        .service(page("/qr/{number}.png", marks::qr_png))
        .service(transparency::scope())
        .configure(|cfg| api::register(cfg, https))
        .service(
            web::scope("")
                .service(page("/", pages::home::show))
                .service(page("/search", pages::search::show))
                .service(page("/certificates/{number}", pages::certificate::show))
                .service(page(
                    "/certificates/{number}/events.atom",
                    feeds::certificate,
                ))
                .service(page(
                    "/certificates/{number}/credential.json",
                    credentials::current,
                ))
                .service(page(
                    "/certificates/{number}/status.json",
                    credentials::status,
                ))
                .service(page(
                    "/certificates/{number}/baked-badge.png",
                    credentials::baked_badge,
                ))
                .service(page(
                    "/certificates/{number}/credential-proof",
                    credentials::credential_proof,
                ))
                .service(page("/credentials/{id}", credentials::by_id))
                .service(page("/status/{purpose}/{list}", credentials::status_list))
                .service(page("/certificates/{number}/embed", pages::embed::show))
                .service(page("/certificates/{number}/print", pages::print::show))
                .service(page("/companies/{credit_code}", pages::company::show))
                .service(page("/companies/{credit_code}/events.atom", feeds::company))
                .service(page("/feeds/events.atom", feeds::registry))
                .service(page("/.well-known/did.json", credentials::did_document))
                .service(page("/robots.txt", sitemap::robots))
                .service(page("/sitemap.xml", sitemap::index))
                .service(page("/sitemaps/pages.xml", sitemap::pages))
                .service(page(
                    "/sitemaps/certificates-{n}.xml",
                    sitemap::certificates,
                ))
                .service(page("/sitemaps/companies-{n}.xml", sitemap::companies))
                .service(page("/misuse", pages::misuse::show))
                .service(page("/about", pages::about::show))
                .service(page("/privacy", reports::privacy::show))
                .service(page("/log/", pages::log::show))
                .service(page("/log", pages::log::show))
                .service(page("/reports/new", reports::form::new))
                .service(
                    web::resource("/reports")
                        .app_data(web::FormConfig::default().limit(reports::form::MAX_FORM_BYTES))
                        .route(web::post().to(reports::form::submit))
                        .default_service(web::to(errors::method_not_allowed)),
                )
                .service(page("/reports/follow/{token}", reports::follow::show))
                .service(page("/downloads", pages::downloads::show))
                .service(page("/downloads/sqe-registry.csv", pages::downloads::csv))
                .service(page("/downloads/README.txt", pages::downloads::readme))
                .service(page(
                    "/downloads/sqe-registry.jsonl",
                    pages::downloads::jsonl,
                ))
                .service(page(
                    "/downloads/sqe-registry-history.jsonl",
                    pages::downloads::history,
                ))
                .service(page("/statistics", pages::statistics::show))
                .service(page("/statistics/{chart}.csv", pages::statistics::csv))
                .service(page("/api", pages::api::show))
                .service(page("/static/{path:.*}", assets::serve))
                .service(page("/healthz", pages::health))
                .service(page("/readyz", outage::readiness))
                .configure(|cfg| admin::register(cfg, state))
                .default_service(web::to(errors::not_found))
                .wrap(actix_web::middleware::from_fn(outage::middleware))
                .wrap(actix_web::middleware::from_fn(limits::middleware))
                .wrap(ErrorHandlers::new().default_handler(errors::render_error_page))
                .wrap_fn(remember_language)
                .wrap(security_headers(https))
                .wrap(actix_web::middleware::from_fn(whole_body::middleware))
                .wrap(tracing_actix_web::TracingLogger::<access_log::AccessLog>::new()),
        );
}

/// An explicit `?lang=` on a page is remembered for the following pages in a cookie (not on a
/// feed: a feed reader's URL must not change the reader's browsing language).
fn remember_language<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<B>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let chosen = i18n::query_lang(req.request());
    let fut = srv.call(req);
    async move {
        let mut res = fut.await?;
        let is_html = res
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if let Some(lang) = chosen.filter(|_| is_html) {
            let cookie = Cookie::build(i18n::LANG_COOKIE, lang.tag())
                .path("/")
                .max_age(CookieDuration::days(365))
                .same_site(SameSite::Lax)
                .http_only(true)
                .finish();
            let _ = res.response_mut().add_cookie(&cookie);
        }
        Ok(res)
    }
}

/// A read-only resource: GET, and HEAD for link checkers and monitors (actix sends no body for
/// HEAD); any other method is a 405 page.
fn page<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(
            web::route()
                .guard(guard::Any(guard::Get()).or(guard::Head()))
                .to(handler),
        )
        .default_service(web::to(errors::method_not_allowed))
}

/// Security headers on every response. No scripts at all; styles and images only from us. When
/// the public URL is https, browsers are told to use https only (HSTS, one year; subdomains
/// are not ours to decide for).
fn security_headers(https: bool) -> DefaultHeaders {
    let headers = if https {
        DefaultHeaders::new().add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        DefaultHeaders::new()
    };
    headers
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
}

/// Builds the application: the same one serves `main` and the tests.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(actix_web::middleware::from_fn(request_meta::middleware))
        .app_data(state.clone())
        .app_data(
            web::PathConfig::default()
                .error_handler(|_, _| crate::error::AppError::NotFound.into()),
        )
        .configure(|cfg| routes(cfg, &state))
}
