//! Tests of `domain::webhook`.

use super::*;

fn facts() -> DeliveryFacts {
    DeliveryFacts {
        message_id: "msg_1".to_owned(),
        kind: "downgraded".to_owned(),
        event_id: Some(41),
        log_index: Some(1234),
        certificate_number: Some("SQE 2026/07".to_owned()),
        credit_code: "91330100MA27XYZ12K".to_owned(),
        status: Some("valid".to_owned()),
        stars: Some(3),
        created_at: chrono::NaiveDate::from_ymd_opt(2026, 12, 8)
            .and_then(|d| d.and_hms_opt(1, 2, 3))
            .expect("time"),
    }
}

#[test]
fn the_payload_is_thin_and_names_every_url() {
    let body = payload(&facts(), "https://sqe.example");
    let value: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        value,
        json!({
            "type": "certificate.downgraded",
            "timestamp": "2026-12-08T01:02:03Z",
            "data": {
                "eventId": 41,
                "certificate": "SQE 2026/07",
                "company": "91330100MA27XYZ12K",
                "kind": "downgraded",
                "status": "valid",
                "stars": 3,
                "logIndex": 1234,
                "urls": {
                    "certificate": "https://sqe.example/certificates/SQE%202026%2F07",
                    "status": "https://sqe.example/certificates/SQE%202026%2F07/status.json",
                    "credential": "https://sqe.example/certificates/SQE%202026%2F07/credential.json",
                    "logEntry": "https://sqe.example/log/entries/1234",
                }
            }
        })
    );
    // The same facts give the same bytes (a retry is signed over what the first attempt sent).
    assert_eq!(body, payload(&facts(), "https://sqe.example"));
    assert!(body.len() < 1024, "{}", body.len());
}

#[test]
fn a_test_event_to_a_company_has_no_certificate_urls() {
    let test = DeliveryFacts {
        kind: TEST_KIND.to_owned(),
        event_id: None,
        log_index: None,
        certificate_number: None,
        status: None,
        stars: None,
        ..facts()
    };
    let value: Value = serde_json::from_str(&payload(&test, "https://sqe.example")).expect("json");
    assert_eq!(value["type"], "webhook.test");
    assert_eq!(value["data"]["urls"], Value::Null);
    assert_eq!(value["data"]["company"], "91330100MA27XYZ12K");
}

#[test]
fn retries_back_off_over_about_three_days_then_give_up() {
    assert_eq!(retry_pause(0), None);
    assert_eq!(retry_pause(1), Some(Duration::from_secs(5)));
    assert_eq!(retry_pause(2), Some(Duration::from_secs(60)));
    assert_eq!(retry_pause(11), Some(Duration::from_secs(86_400)));
    assert_eq!(retry_pause(12), None);
    let total: u64 = (1..=11).filter_map(retry_pause).map(|d| d.as_secs()).sum();
    // 2 days 19 h 36 min 5 s: "about three days".
    assert_eq!(total, 2 * 86_400 + 19 * 3600 + 36 * 60 + 5);
    for pair in RETRY_PAUSES.windows(2) {
        assert!(pair[0] < pair[1], "{pair:?}");
    }
}

#[test]
fn answers_are_judged() {
    let status = |code: u16| Answer::Status(code, String::new());
    assert_eq!(judge(&status(200), 1), Verdict::Delivered);
    assert_eq!(judge(&status(204), 12), Verdict::Delivered);
    assert_eq!(judge(&status(410), 1), Verdict::Gone);
    assert_eq!(
        judge(&status(500), 1),
        Verdict::Retry(Duration::from_secs(5))
    );
    // A redirect is not followed: a failure like any other.
    assert_eq!(
        judge(&status(301), 2),
        Verdict::Retry(Duration::from_secs(60))
    );
    assert_eq!(judge(&status(404), 12), Verdict::GiveUp);
    assert_eq!(
        judge(&Answer::Unreachable("timed out".to_owned()), 3),
        Verdict::Retry(Duration::from_secs(300))
    );
}

#[test]
fn endpoint_urls_are_https_to_public_hosts() {
    let public = |ip: std::net::IpAddr| {
        !ip.is_loopback() && !matches!(ip, std::net::IpAddr::V4(v4) if v4.is_private())
    };
    let ok = |u: &str, loopback: bool| {
        check_endpoint_url(u, loopback, |ip| {
            public(ip) || (loopback && ip.is_loopback())
        })
    };
    assert_eq!(
        ok(" https://hooks.shop.example/sqe#x ", false).map(String::from),
        Ok("https://hooks.shop.example/sqe".to_owned())
    );
    assert_eq!(
        ok("http://hooks.shop.example/", false),
        Err(UrlRefusal::NotHttps)
    );
    assert_eq!(
        ok("ftp://hooks.shop.example/", false),
        Err(UrlRefusal::NotHttps)
    );
    assert_eq!(ok("https://10.1.2.3/x", false), Err(UrlRefusal::NotPublic));
    assert_eq!(ok("https://127.0.0.1/x", false), Err(UrlRefusal::NotPublic));
    assert_eq!(ok("https://localhost/x", false), Err(UrlRefusal::NotPublic));
    assert_eq!(
        ok("https://a.b.localhost./x", false),
        Err(UrlRefusal::NotPublic)
    );
    assert_eq!(
        ok("https://u:p@hooks.shop.example/", false),
        Err(UrlRefusal::Credentials)
    );
    assert_eq!(ok("hooks.shop.example", false), Err(UrlRefusal::NotUrl));
    let long = format!("https://x.example/{}", "a".repeat(MAX_URL_CHARS));
    assert_eq!(ok(&long, false), Err(UrlRefusal::TooLong));
    // Tests only: http to loopback, never http elsewhere.
    assert!(ok("http://127.0.0.1:9000/hook", true).is_ok());
    assert_eq!(
        ok("http://hooks.shop.example/", true),
        Err(UrlRefusal::NotHttps)
    );
}
