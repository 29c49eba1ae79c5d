//! A browser for the back office: keeps the session cookie, reads CSRF tokens from pages, logs
//! in; and accounts created straight in the database.

use std::sync::LazyLock;

use actix_web::test::TestRequest;
use sqe_registry::db::accounts::{find_account, insert_account};
use sqe_registry::domain::account::hash_password;

use super::{send, with_conn, AppService, Page, TestDb};

/// Every test account has this password (hashed once: Argon2id is slow on purpose).
pub const PASSWORD: &str = "correct horse battery staple";
static HASH: LazyLock<String> = LazyLock::new(|| hash_password(PASSWORD).expect("hash"));

/// Creates an account with the test password, straight in the database (no audit entry: the
/// use case `app::accounts::create` would hash the password again for every test); returns its
/// id.
pub fn account(db: &TestDb, username: &str, role: &str) -> i32 {
    with_conn(db, |conn| {
        let exists = find_account(conn, username).expect("find account");
        assert!(exists.is_none(), "account {username} exists");
        insert_account(conn, username, role, &HASH, chrono::Utc::now().naive_utc())
            .expect("create account")
    })
}

/// The CSRF token of the first form of a page.
pub fn csrf_of(page: &Page) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF field in:\n{}", page.body))
        + marker.len();
    page.body[start..]
        .split('"')
        .next()
        .expect("token")
        .to_owned()
}

/// A cookie-keeping client.
#[derive(Default, Clone)]
pub struct Browser {
    /// The session cookie (`name=value`), if any.
    pub cookie: Option<String>,
    /// The login form's token cookie (`name=value`), if any.
    pub login_cookie: Option<String>,
    /// The client's address (none: the test request has no peer).
    pub peer: Option<std::net::SocketAddr>,
}

impl Browser {
    /// A client connecting from `address` (`203.0.113.9:4000`).
    pub fn from(address: &str) -> Browser {
        Browser {
            peer: Some(address.parse().expect("socket address")),
            ..Browser::default()
        }
    }

    fn keep(&mut self, page: &Page) {
        for value in page.headers.get_all("set-cookie") {
            let value = value.to_str().expect("cookie");
            let pair = value.split(';').next().expect("pair").trim().to_owned();
            let slot = if pair.starts_with("sqe_admin=") {
                &mut self.cookie
            } else if pair.starts_with("sqe_login=") {
                &mut self.login_cookie
            } else {
                continue;
            };
            let removed = pair.ends_with('=') || value.contains("Max-Age=0");
            *slot = if removed { None } else { Some(pair) };
        }
    }

    fn with_cookie(&self, req: TestRequest) -> TestRequest {
        let cookies: Vec<&str> = [&self.cookie, &self.login_cookie]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let req = match self.peer {
            Some(peer) => req.peer_addr(peer),
            None => req,
        };
        if cookies.is_empty() {
            req
        } else {
            req.insert_header(("cookie", cookies.join("; ")))
        }
    }

    pub async fn get<S, B>(&mut self, app: &S, uri: &str) -> Page
    where
        S: AppService<B>,
        B: actix_web::body::MessageBody,
    {
        let req = self.with_cookie(TestRequest::get().uri(uri)).to_request();
        let page = send(app, req).await;
        self.keep(&page);
        page
    }

    /// POSTs an urlencoded form (give the `csrf` pair yourself, or leave it out to test that).
    pub async fn post<S, B>(&mut self, app: &S, uri: &str, form: &[(&str, &str)]) -> Page
    where
        S: AppService<B>,
        B: actix_web::body::MessageBody,
    {
        let body = serde_urlencoded::to_string(form).expect("form");
        let req = self
            .with_cookie(
                TestRequest::post()
                    .uri(uri)
                    .insert_header(("content-type", "application/x-www-form-urlencoded")),
            )
            .set_payload(body)
            .to_request();
        let page = send(app, req).await;
        self.keep(&page);
        page
    }

    /// Opens the login form and submits it; returns the answer to the POST.
    pub async fn try_login<S, B>(&mut self, app: &S, username: &str, password: &str) -> Page
    where
        S: AppService<B>,
        B: actix_web::body::MessageBody,
    {
        let form = self.get(app, "/admin/login").await;
        let token = csrf_of(&form);
        self.post(
            app,
            "/admin/login",
            &[
                ("csrf", &token),
                ("username", username),
                ("password", password),
                ("next", "/admin"),
            ],
        )
        .await
    }

    /// Logs in with the test password, or panics.
    pub async fn login<S, B>(app: &S, username: &str) -> Browser
    where
        S: AppService<B>,
        B: actix_web::body::MessageBody,
    {
        Browser::default().logged_in(app, username).await
    }

    /// This client, logged in with the test password, or a panic.
    pub async fn logged_in<S, B>(mut self, app: &S, username: &str) -> Browser
    where
        S: AppService<B>,
        B: actix_web::body::MessageBody,
    {
        let page = self.try_login(app, username, PASSWORD).await;
        assert_eq!(page.status, 303, "login of {username}: {}", page.body);
        self
    }

    /// The CSRF token of the signed-in session (read from the dashboard's logout form).
    pub async fn token<S, B>(&mut self, app: &S) -> String
    where
        S: AppService<B>,
        B: actix_web::body::MessageBody,
    {
        let page = self.get(app, "/admin/audit").await;
        assert_eq!(page.status, 200, "{}", page.body);
        csrf_of(&page)
    }
}
