//! Error pages under `/admin` in the back office's own layout: its header, its navigation when
//! someone is signed in, and a way back to the dashboard. `web::errors` decides the status, the
//! title and the message; only the frame differs from the public error page.

use actix_web::http::Method;
use actix_web::{HttpMessage, HttpRequest};
use askama::Template;

use super::auth::Staff;
use super::{switch_href, AdminLayout};
use crate::web::i18n::Lang;

#[derive(Template)]
#[template(path = "admin/error.html")]
pub struct AdminErrorPage {
    pub layout: AdminLayout,
    pub status: u16,
    pub title: String,
    pub message: String,
}

/// Whether an error at `path` is shown in the back-office layout: everything under `/admin`
/// but the login form, whose visitors are not signed in yet.
pub fn applies_to(path: &str) -> bool {
    let admin = path == "/admin" || path.starts_with("/admin/");
    admin && path != "/admin/login"
}

/// The page's HTML, or `None` when it cannot be rendered.
pub fn render(
    req: &HttpRequest,
    lang: Lang,
    status: u16,
    title: String,
    message: String,
) -> Option<String> {
    // The staff member, when the request got as far as signing them in (never the database
    // here: the error may be that it is unreachable).
    let staff = req.extensions().get::<Staff>().cloned();
    // The other language of the same page when it can be fetched again; else the dashboard's.
    let switch = if req.method() == Method::GET {
        switch_href(req, lang)
    } else {
        format!("/admin?lang={}", lang.other().tag())
    };
    AdminErrorPage {
        layout: AdminLayout {
            lang,
            csrf: staff.as_ref().map(|s| s.csrf.clone()).unwrap_or_default(),
            staff,
            switch_href: switch,
        },
        status,
        title,
        message,
    }
    .render()
    .ok()
}

#[cfg(test)]
mod tests {
    use super::applies_to;

    #[test]
    fn the_back_office_but_not_its_login_form() {
        for path in [
            "/admin",
            "/admin/",
            "/admin/certificates/X/suspend",
            "/admin/logout",
        ] {
            assert!(applies_to(path), "{path}");
        }
        for path in ["/admin/login", "/administrator", "/", "/certificates/X"] {
            assert!(!applies_to(path), "{path}");
        }
    }
}
