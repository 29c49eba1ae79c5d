//! HTTP: the route table, the app factory used by `main` and the tests, and the handlers.

pub mod assets;
pub mod errors;
pub mod i18n;
pub mod layout;
pub mod page_cache;
pub mod pages;
pub mod state;
pub mod view;

use actix_web::body::MessageBody;
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, DefaultHeaders, ErrorHandlers};
use actix_web::{guard, web, App};

pub use state::{AppState, Clock};

/// Every URL of the site. Public URLs are printed on certificates and embedded elsewhere: keep
/// them stable.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", read().to(pages::home::show))
        .route("/search", read().to(pages::search::show))
        .route(
            "/certificates/{number}",
            read().to(pages::certificate::show),
        )
        .route("/companies/{credit_code}", read().to(pages::company::show))
        .route("/about", read().to(pages::about::show))
        .route("/static/{path:.*}", read().to(assets::serve))
        .route("/healthz", read().to(pages::health));
}

/// GET, and HEAD for link checkers and monitors (actix sends no body for HEAD).
fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Security headers on every response. No scripts at all; styles and images only from us.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
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
        .app_data(state)
        .app_data(
            web::PathConfig::default()
                .error_handler(|_, _| crate::error::AppError::NotFound.into()),
        )
        .configure(routes)
        .default_service(web::to(errors::not_found))
        .wrap(ErrorHandlers::new().default_handler(errors::render_error_page))
        .wrap_fn(|req, srv| {
            // An explicit `?lang=` is remembered for the following pages.
            let chosen = i18n::query_lang(req.request());
            let fut = srv.call(req);
            async move {
                let mut res = fut.await?;
                if let Some(lang) = chosen {
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
        })
        .wrap(security_headers())
        .wrap(Compress::default())
        .wrap(tracing_actix_web::TracingLogger::default())
}
