//! The real app as a test drives it: one database, a fixed clock, the application state, the
//! app itself and a logged-in browser, behind one value.

use std::rc::Rc;

use actix_http::Request;
use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::TestRequest;
use actix_web::web;
use chrono::{DateTime, Utc};
use sqe_registry::config::Config;
use sqe_registry::db::DbConnection;
use sqe_registry::web::AppState;

use super::staff::Browser;
use super::{send, state_with, Page, TestDb};

type Answer = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>>>,
>;
type Call = dyn Fn(Request) -> Answer;

/// The app on a test database, as a service (so `get(&app, …)` and `send(&app, …)` work) with
/// shortcuts for what tests do most.
pub struct TestApp {
    /// The state the app was built with: its pool, clock, configuration and caches.
    pub state: web::Data<AppState>,
    /// The fixed time of the clock.
    pub now: DateTime<Utc>,
    call: Rc<Call>,
}

impl TestApp {
    /// The app on `db` at `now`, configured as the server would be.
    pub async fn new(db: &TestDb, now: DateTime<Utc>) -> TestApp {
        TestApp::with_config(db, now, |_| {}).await
    }

    /// The same with a configuration changed by `tweak`.
    pub async fn with_config(
        db: &TestDb,
        now: DateTime<Utc>,
        tweak: impl FnOnce(&mut Config),
    ) -> TestApp {
        TestApp::on_state(state_with(db, now, tweak)).await
    }

    /// The app on a state built by the test.
    pub async fn on_state(state: web::Data<AppState>) -> TestApp {
        let now = state.clock.now();
        let service = Rc::new(
            actix_web::test::init_service(sqe_registry::web::build_app(state.clone())).await,
        );
        let call: Rc<Call> = Rc::new(move |req| -> Answer {
            let service = service.clone();
            Box::pin(async move {
                service
                    .call(req)
                    .await
                    .map(ServiceResponse::map_into_boxed_body)
            })
        });
        TestApp { state, now, call }
    }

    /// GET `uri` with no special headers.
    pub async fn get(&self, uri: &str) -> Page {
        send(self, TestRequest::get().uri(uri).to_request()).await
    }

    /// GET `uri` with these headers.
    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Page {
        let mut req = TestRequest::get().uri(uri);
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        send(self, req.to_request()).await
    }

    /// A connection to the app's database.
    pub fn conn(&self) -> impl std::ops::DerefMut<Target = DbConnection> {
        self.state.pool.get().expect("a connection")
    }

    /// A browser logged in to the back office as `username` (see `staff::account`).
    pub async fn browser(&self, username: &str) -> Browser {
        Browser::login(self, username).await
    }
}

impl Service<Request> for TestApp {
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = Answer;

    actix_web::dev::always_ready!();

    fn call(&self, req: Request) -> Self::Future {
        (self.call)(req)
    }
}
