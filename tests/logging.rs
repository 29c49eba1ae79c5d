//! Log lines through the real app, in a test process of its own: tracing's subscriber and its
//! per-call-site caches are global to a process, and the many tests of `tests/registry` running
//! at once made a scoped subscriber miss the access log's span now and then.
//!
//! JSON lines (`SQE_LOG_FORMAT=json`) of a request carry its id (the `X-Request-Id` returned),
//! and a request slower than `SQE_SLOW_REQUEST_MS` is logged at warn level.

use std::sync::{Arc, Mutex, OnceLock};

use actix_web::test::{call_service, init_service, TestRequest};
use sqe_registry::config::Config;
use sqe_registry::web::limits::{Budget, LimitSettings};
use sqe_registry::web::{build_app, AppState, Clock};

/// Log lines written to memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// The process's subscriber, as `main` installs it with `SQE_LOG_FORMAT=json`.
fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        tracing::subscriber::set_global_default(sqe_registry::logging::subscriber(
            sqe_registry::logging::LogFormat::Json,
            tracing_subscriber::EnvFilter::new("info"),
            logs.clone(),
        ))
        .expect("the only subscriber");
        logs
    })
}

#[actix_web::test]
async fn json_lines_of_a_request_carry_its_id_and_slow_requests_are_logged() {
    let logs = logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("registry.db").display());
    let pool = sqe_registry::db::build_pool(&url, 2).expect("pool");
    sqe_registry::db::run_migrations(&mut pool.get().expect("connection")).expect("migrations");
    let mut config = Config::for_database(&url);
    // The second search from one network is refused, and logged inside the request.
    config.rate_limits = LimitSettings::all(Budget::parse("1/min"));
    // Every request counts as slow.
    config.operations.slow_request = std::time::Duration::ZERO;
    let state = actix_web::web::Data::new(AppState::new(pool, config, Clock::system()));
    let app = init_service(build_app(state)).await;
    let from_phone = || {
        TestRequest::get()
            .uri("/search?q=yunhe")
            .peer_addr("203.0.113.9:4000".parse().expect("peer"))
            .to_request()
    };
    assert_eq!(call_service(&app, from_phone()).await.status(), 200);
    let refused = call_service(&app, from_phone()).await;
    assert_eq!(refused.status(), 429);
    let id = refused
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("id")
        .to_owned();
    let text = String::from_utf8(logs.0.lock().expect("logs").clone()).expect("utf-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let of_request = |message: &str| {
        lines
            .iter()
            .find(|l| {
                l["fields"]["message"] == message
                    && (l["fields"]["request_id"] == id.as_str()
                        || l["spans"].as_array().is_some_and(|spans| {
                            spans.iter().any(|s| s["request_id"] == id.as_str())
                        }))
            })
            .unwrap_or_else(|| panic!("no {message:?} line of request {id} in\n{text}"))
    };
    // A line written inside the request: the access log's span gives it the id.
    let limited = of_request("rate limited");
    assert_eq!(limited["spans"][0]["name"], "HTTP request");
    assert_eq!(limited["spans"][0]["http.route"], "/search");
    let slow = of_request("slow request");
    assert_eq!(slow["level"], "WARN");
    assert_eq!(slow["fields"]["http.status_code"], 429);
    assert_eq!(slow["fields"]["http.path"], "/search");
}
