//! HTTP: the route table, the app factory used by `main` and the tests, and the handlers.

pub mod assets;
pub mod errors;
pub mod i18n;
pub mod layout;
pub mod marks;
pub mod pages;
pub mod render_cache;
pub mod sightings;
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
    cfg.service(page("/", pages::home::show))
        .service(page("/search", pages::search::show))
        .service(page("/certificates/{number}", pages::certificate::show))
        .service(page("/companies/{credit_code}", pages::company::show))
        .service(page("/certificates/{number}/embed", pages::embed::show))
        .service(page("/certificates/{number}/print", pages::print::show))
        .service(page("/badge/{number}.svg", marks::badge_svg))
        .service(page("/badge/{number}.png", marks::badge_png))
        .service(page("/qr/{number}.svg", marks::qr_svg))
        .service(page("/qr/{number}.png", marks::qr_png))
        .service(page("/misuse", pages::misuse::show))
        .service(page("/about", pages::about::show))
        .service(page("/static/{path:.*}", assets::serve))
        .service(page("/healthz", pages::health));
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
            // An explicit `?lang=` is remembered for the following pages; never on images,
            // which other sites embed and must stay cookie-free.
            let path = req.path();
            let chosen = if path.starts_with("/badge/") || path.starts_with("/qr/") {
                None
            } else {
                i18n::query_lang(req.request())
            };
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
