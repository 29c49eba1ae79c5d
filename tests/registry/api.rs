//! The JSON API through the real app, on SQLite and PostgreSQL: each endpoint's answer, the
//! errors, CORS, pagination, the lookup by URL, and the OpenAPI document against the route table.

use crate::common;

use std::collections::BTreeSet;

use actix_web::test::TestRequest;
use common::fixtures::{
    credit_code, jd, old_times, seed_reference, taobao, CertificateBuilder, Refs,
};
use common::{beijing, date, get, send, with_conn, Page, TestDb};
use serde_json::Value;

const JD: &str = "CQM-SQE-2024-000001";
const EXPIRED: &str = "CQM-SQE-2020-000004";
const SUSPENDED: &str = "CQM-SQE-2023-000002";

/// Three named certificates (one stored valid but past its expiry, one suspended) and
/// `filler` more of equal grade and score, so that only the id orders them.
fn seed(db: &TestDb, filler: usize) -> Refs {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        jd(JD)
            .last_assessment("surveillance", date(2026, 3, 1))
            .event("issued", date(2025, 1, 10), (None, Some(4)), None)
            .event(
                "upgraded",
                date(2026, 3, 1),
                (Some(4), Some(5)),
                Some(("监督评价晋级", "Upgraded at surveillance")),
            )
            .indicator_scores([Some(9.5), None, Some(8.0)])
            .insert(conn, &refs);
        taobao(SUSPENDED).stars(4).suspended().insert(conn, &refs);
        old_times(EXPIRED).insert(conn, &refs);
        for i in 0..filler {
            CertificateBuilder::new(&format!("CQM-SQE-2025-{:06}", 100 + i))
                .company(
                    &format!("填充{i}贸易有限公司"),
                    None,
                    &credit_code(&format!("91440300MA5F{:05}", i)),
                )
                .platform(&format!("填充平台{i}"), "b2b")
                .stars(3)
                .insert(conn, &refs);
        }
        refs
    })
}

fn now() -> chrono::DateTime<chrono::Utc> {
    beijing(2026, 11, 28, 10, 0)
}

fn body(page: &Page) -> Value {
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("application/json"),
        "{}",
        page.body
    );
    serde_json::from_str(&page.body).expect("JSON body")
}

/// Asserts a JSON error with this status, whose message contains `needle`.
fn assert_error(page: &Page, status: u16, needle: &str) {
    assert_eq!(page.status.as_u16(), status, "{}", page.body);
    let v = body(page);
    assert_eq!(v["error"]["status"], status);
    let message = v["error"]["message"].as_str().expect("message");
    assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    assert_eq!(
        page.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
}

both_backends_async!(a_certificate_says_what_its_page_says, |db| {
    seed(&db, 0);
    let app = app!(db, now());
    let page = get(&app, &format!("/api/v1/certificates/{JD}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        page.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert!(page.header("etag").is_some());
    let c = body(&page);
    assert_eq!(c["number"], JD);
    assert_eq!(c["status"], "valid");
    assert_eq!(c["stars"], 5);
    assert_eq!(c["score"], 97.0);
    assert_eq!(c["issued_on"], "2025-01-10");
    assert_eq!(c["expires_on"], "2028-01-09");
    assert_eq!(c["last_assessment_kind"], "surveillance");
    assert_eq!(c["last_assessed_on"], "2026-03-01");
    assert_eq!(c["next_surveillance_due"], "2027-03-01");
    assert_eq!(c["surveillance_overdue"], false);
    assert!(c["suspended_until"].is_null());
    assert_eq!(c["platform"]["name"], "京东商城");
    assert_eq!(c["platform"]["type"], "b2c");
    assert_eq!(
        c["platform"]["domains"],
        serde_json::json!(["jd.com", "jd.hk"])
    );
    assert_eq!(c["platform"]["apps"], serde_json::json!(["京东 App"]));
    assert_eq!(
        c["company"]["credit_code"],
        credit_code("91110302562134916")
    );
    assert_eq!(c["company"]["province"]["code"], "110000");
    assert_eq!(c["company"]["province"]["name_en"], "Beijing");
    assert_eq!(c["body"]["code"], "CQM");
    assert_eq!(c["scheme"]["slug"], "31526-2015");
    assert_eq!(c["url"], format!("http://127.0.0.1:8080/certificates/{JD}"));
    let indicators = c["latest_evaluation"]["indicators"]
        .as_array()
        .expect("scores");
    assert_eq!(indicators.len(), 3);
    assert_eq!(indicators[0]["earned"], 9.5);
    assert!(indicators[1]["earned"].is_null(), "not applicable");
    // The public history, oldest first.
    let kinds: Vec<&str> = c["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["issued", "upgraded"]);
    assert_eq!(c["history"][1]["stars_before"], 4);
    assert_eq!(c["history"][1]["reason_en"], "Upgraded at surveillance");

    // Stored valid, past its expiry on today's Beijing date: expired, no surveillance due.
    let old = body(&get(&app, &format!("/api/v1/certificates/{EXPIRED}")).await);
    assert_eq!(old["status"], "expired");
    assert!(old["next_surveillance_due"].is_null());
    assert!(old["latest_evaluation"].is_null());
    let suspended = body(&get(&app, &format!("/api/v1/certificates/{SUSPENDED}")).await);
    assert_eq!(suspended["status"], "suspended");

    // HEAD is served (the HTTP layer drops its body); a repeated GET with the ETag is a 304.
    let head = send(
        &app,
        TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri(&format!("/api/v1/certificates/{JD}"))
            .to_request(),
    )
    .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("etag"), page.header("etag"));
    let again = send(
        &app,
        TestRequest::get()
            .uri(&format!("/api/v1/certificates/{JD}"))
            .insert_header(("If-None-Match", page.header("etag").expect("etag")))
            .to_request(),
    )
    .await;
    assert_eq!(again.status, 304);
});

both_backends_async!(the_list_is_the_search_with_stable_pages, |db| {
    seed(&db, 23);
    let app = app!(db, now());
    // The search page's query and filters.
    let jd = body(&get(&app, "/api/v1/certificates?q=%E4%BA%AC%E4%B8%9C").await); // 京东
    assert_eq!(jd["total"], 1);
    assert_eq!(jd["query_kind"], "name");
    assert_eq!(jd["items"][0]["number"], JD);
    assert_eq!(jd["items"][0]["status"], "valid");
    let expired = body(&get(&app, "/api/v1/certificates?status=expired").await);
    assert_eq!(expired["total"], 1);
    assert_eq!(expired["items"][0]["number"], EXPIRED);
    let by_domain = body(&get(&app, "/api/v1/certificates?q=https://www.jd.com/x").await);
    assert_eq!(by_domain["query_kind"], "domain");
    assert_eq!(by_domain["host"], "jd.com");
    assert_eq!(by_domain["total"], 1);

    // 26 certificates, 23 of them tied on grade and score: pages of 7 never overlap and
    // together hold each certificate once, ties in id order.
    let mut seen: Vec<String> = Vec::new();
    let mut uri = Some("/api/v1/certificates?per_page=7".to_owned());
    let mut pages = 0;
    while let Some(u) = uri {
        let v = body(&get(&app, &u).await);
        assert_eq!(v["total"], 26);
        assert_eq!(v["pages"], 4);
        assert_eq!(v["per_page"], 7);
        pages += 1;
        assert_eq!(v["page"], pages);
        for item in v["items"].as_array().expect("items") {
            seen.push(item["number"].as_str().expect("number").to_owned());
        }
        uri = v["next"]
            .as_str()
            .map(|n| n.trim_start_matches("http://127.0.0.1:8080").to_owned());
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 26);
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 26, "no overlap");
    let fillers: Vec<&String> = seen.iter().filter(|n| n.contains("-2025-")).collect();
    let mut sorted = fillers.clone();
    sorted.sort();
    assert_eq!(fillers, sorted, "ties broken by id");
    // Past the last page: empty, with the total.
    let beyond = body(&get(&app, "/api/v1/certificates?per_page=7&page=9").await);
    assert_eq!(beyond["items"], serde_json::json!([]));
    assert_eq!(beyond["total"], 26);
    // The same order with another sort.
    let a = body(&get(&app, "/api/v1/certificates?sort=name&per_page=13").await);
    let b = body(&get(&app, "/api/v1/certificates?sort=name&per_page=13&page=2").await);
    let names: BTreeSet<&str> = a["items"]
        .as_array()
        .into_iter()
        .chain(b["items"].as_array())
        .flatten()
        .map(|i| i["number"].as_str().expect("number"))
        .collect();
    assert_eq!(names.len(), 26);
});

both_backends_async!(errors_are_json_with_the_right_status, |db| {
    seed(&db, 0);
    let app = app!(db, now());
    for (uri, needle) in [
        ("/api/v1/certificates?stars=6", "stars"),
        ("/api/v1/certificates?stars=x", "stars"),
        ("/api/v1/certificates?status=fake", "status"),
        ("/api/v1/certificates?page=0", "1 to 1000"),
        ("/api/v1/certificates?page=x", "1 to 1000"),
        ("/api/v1/certificates?per_page=101", "per_page"),
        ("/api/v1/certificates?per_page=0", "per_page"),
        ("/api/v1/lookup", "url="),
        ("/api/v1/lookup?url=not%20a%20site", "url"),
        ("/api/v1/lookup?domain=localhost", "domain"),
        // The API takes values as its schema describes them: an empty or padded value of a
        // parameter with a schema is refused (the search page takes empty ones as "any").
        ("/api/v1/certificates?stars=", "stars"),
        ("/api/v1/certificates?province=", "province"),
        ("/api/v1/certificates?page=%202", "page"),
        ("/api/v1/certificates?scheme=a%20b", "scheme"),
        ("/api/v1/companies?per_page=", "per_page"),
        ("/api/v1/companies?province=", "province"),
        // Every lookup parameter given must be valid, even the one not used.
        ("/api/v1/lookup?url=jd.com&domain=", "domain"),
        ("/api/v1/lookup?url=jd.com&domain=not%20a%20host", "domain"),
    ] {
        assert_error(&get(&app, uri).await, 400, needle);
    }
    let chinese = get(&app, "/api/v1/certificates?stars=6&lang=zh-CN").await;
    assert_error(&chinese, 400, "参数“stars”");
    assert_error(
        &get(&app, "/api/v1/certificates/NO-SUCH-NUMBER").await,
        404,
        "NO-SUCH-NUMBER",
    );
    let unknown_code = credit_code("91110000MA0000000");
    assert_error(
        &get(&app, &format!("/api/v1/companies/{unknown_code}")).await,
        404,
        &unknown_code,
    );
    assert_error(
        &get(&app, "/api/v1/companies/not-a-code").await,
        404,
        "not-a-code",
    );
    assert_error(
        &get(&app, "/api/v1/schemes/no-such-slug").await,
        404,
        "no-such-slug",
    );
    for path in [
        "/api/v1/nothing",
        "/api/v2/certificates",
        "/api/",
        "/api/v1/",
    ] {
        assert_error(&get(&app, path).await, 404, "no API resource");
    }
    for method in [
        actix_web::http::Method::POST,
        actix_web::http::Method::PUT,
        actix_web::http::Method::DELETE,
    ] {
        let res = send(
            &app,
            TestRequest::default()
                .method(method)
                .uri("/api/v1/certificates")
                .to_request(),
        )
        .await;
        assert_error(&res, 405, "GET");
        assert_eq!(res.header("allow").as_deref(), Some("GET, HEAD, OPTIONS"));
    }
    // A CORS preflight.
    let pre = send(
        &app,
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/v1/lookup?url=jd.com")
            .insert_header(("Origin", "https://news.example.org"))
            .insert_header(("Access-Control-Request-Method", "GET"))
            .insert_header(("Access-Control-Request-Headers", "if-none-match"))
            .to_request(),
    )
    .await;
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        pre.header("access-control-allow-methods").as_deref(),
        Some("GET, HEAD, OPTIONS")
    );
    assert_eq!(
        pre.header("access-control-allow-headers").as_deref(),
        Some("if-none-match")
    );
    // The pages keep their HTML errors.
    let html = get(&app, "/no/such/page").await;
    assert_eq!(html.status, 404);
    html.assert_contains("<!DOCTYPE html>");
});

both_backends_async!(lookup_normalises_the_host_and_climbs_to_parents, |db| {
    seed(&db, 0);
    let app = app!(db, now());
    for uri in [
        "/api/v1/lookup?url=https%3A%2F%2Fwww.jd.com%3A443%2Fitem%2F1.html%3Fspm%3Da",
        "/api/v1/lookup?url=item.m.jd.com",
        "/api/v1/lookup?domain=JD.COM",
        "/api/v1/lookup?url=http://www.jd.hk:8080/",
    ] {
        let v = body(&get(&app, uri).await);
        assert_eq!(v["certified"], true, "{uri}");
        assert_eq!(v["certificates"][0]["number"], JD, "{uri}");
        assert_eq!(v["certificates"][0]["status"], "valid");
        assert_eq!(v["certificates"][0]["stars"], 5);
        assert_eq!(
            v["certificates"][0]["url"],
            format!("http://127.0.0.1:8080/certificates/{JD}")
        );
    }
    let sub = body(&get(&app, "/api/v1/lookup?url=item.m.jd.com").await);
    assert_eq!(sub["host"], "item.m.jd.com");
    // Bound, but not valid today: listed, not certified.
    let suspended = body(&get(&app, "/api/v1/lookup?domain=taobao.com").await);
    assert_eq!(suspended["certified"], false);
    assert_eq!(suspended["certificates"][0]["status"], "suspended");
    // Nothing bound: an empty list. A look-alike suffix is not a subdomain.
    for uri in [
        "/api/v1/lookup?domain=nobody.example.cn",
        "/api/v1/lookup?domain=notjd.com",
    ] {
        let none = body(&get(&app, uri).await);
        assert_eq!(none["certified"], false, "{uri}");
        assert_eq!(none["certificates"], serde_json::json!([]), "{uri}");
    }
});

both_backends_async!(companies_and_schemes, |db| {
    seed(&db, 0);
    let app = app!(db, now());
    let code = credit_code("91110302562134916");
    let c = body(&get(&app, &format!("/api/v1/companies/{code}")).await);
    assert_eq!(c["credit_code"], code);
    assert_eq!(c["name_zh"], "北京京东世纪贸易有限公司");
    assert_eq!(c["province"]["code"], "110000");
    assert_eq!(
        c["platforms"][0]["domains"],
        serde_json::json!(["jd.com", "jd.hk"])
    );
    assert_eq!(c["certificates_total"], 1);
    assert_eq!(c["certificates"][0]["number"], JD);
    // A code in lower case is the same company.
    let lower = get(&app, &format!("/api/v1/companies/{}", code.to_lowercase())).await;
    assert_eq!(lower.status, 200);

    let list = body(&get(&app, "/api/v1/schemes").await);
    let slugs: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(slugs, ["31526-2015", "31526-2025"]);
    let scheme = body(&get(&app, "/api/v1/schemes/31526-2015").await);
    assert_eq!(scheme["standard_code"], "GB/T 31526-2015");
    assert_eq!(scheme["effective_from"], "2016-01-01");
    let tree = scheme["indicators"].as_array().expect("tree");
    assert_eq!(tree.len(), 3);
    assert_eq!(tree[0]["code"], "1");
    assert_eq!(tree[0]["name_en"], "Technical performance");
    assert_eq!(tree[0]["max_points"], 10.0);
    assert_eq!(tree[0]["children"], serde_json::json!([]));
});

both_backends_async!(the_company_list_walks_every_company_once, |db| {
    let refs = seed(&db, 23);
    let state = common::state(&db, now());
    let app = common::TestApp::on_state(state.clone()).await;
    let mut every: Vec<String> = with_conn(&db, |conn| {
        use diesel::prelude::*;
        use sqe_registry::db::schema::companies;
        companies::table
            .select(companies::credit_code)
            .load(conn)
            .expect("codes")
    });
    every.sort();
    assert_eq!(every.len(), 26);

    let documents = state.feature::<sqe_registry::web::pages::keyed::Documents>();
    let kept = documents.len();
    let first = body(&get(&app, "/api/v1/companies").await);
    assert_eq!(first["total"], 26);
    // Kept in its own spelling only: not with a tracking tag, answered the same.
    assert_eq!(documents.len(), kept + 1);
    assert_eq!(
        body(&get(&app, "/api/v1/companies?utm_source=x").await),
        first
    );
    assert_eq!(documents.len(), kept + 1);
    assert_eq!(
        (first["page"].clone(), first["pages"].clone()),
        (1.into(), 2.into())
    );
    assert_eq!(first["items"].as_array().expect("items").len(), 20);
    assert_eq!(first["prev"], Value::Null);
    // Following `next` with 7 a page gives every company once, by credit code.
    let mut seen: Vec<String> = Vec::new();
    let mut next = Some("/api/v1/companies?per_page=7".to_owned());
    while let Some(url) = next {
        let path = url.trim_start_matches("http://127.0.0.1:8080");
        let page = body(&get(&app, path).await);
        assert_eq!(page["total"], 26);
        for item in page["items"].as_array().expect("items") {
            seen.push(item["credit_code"].as_str().expect("code").to_owned());
        }
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, every);

    // One province, by code or by name; counts of certificates held and in force.
    for province in ["110000", "%E5%8C%97%E4%BA%AC"] {
        let beijing = body(&get(&app, &format!("/api/v1/companies?province={province}")).await);
        assert_eq!(beijing["total"], 1);
        let jd = &beijing["items"][0];
        assert_eq!(jd["name_zh"], "北京京东世纪贸易有限公司");
        assert_eq!(jd["province"]["code"], "110000");
        assert_eq!(jd["province"]["name_en"], "Beijing");
        assert_eq!(
            (
                jd["certificates_total"].clone(),
                jd["certificates_in_force"].clone()
            ),
            (1.into(), 1.into())
        );
        let code = jd["credit_code"].as_str().expect("code");
        assert!(jd["api_url"]
            .as_str()
            .expect("api url")
            .ends_with(&format!("/api/v1/companies/{code}")));
        assert_eq!(beijing["next"], Value::Null);
    }
    // Suspended and expired certificates are held, not in force.
    let zhejiang = body(&get(&app, "/api/v1/companies?province=330000").await);
    assert_eq!(zhejiang["items"][0]["certificates_total"], 1);
    assert_eq!(zhejiang["items"][0]["certificates_in_force"], 0);
    let guangdong = body(&get(&app, "/api/v1/companies?province=440000&per_page=100").await);
    assert_eq!(guangdong["total"], 24);
    let expired = guangdong["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["name_zh"] == "深圳旧时光电子商务有限公司")
        .expect("the expired one");
    assert_eq!(expired["certificates_in_force"], 0);
    // A page past the last is empty; bad values are refused with a message.
    let past = body(&get(&app, "/api/v1/companies?page=9").await);
    assert_eq!(past["items"], serde_json::json!([]));
    assert_error(
        &get(&app, "/api/v1/companies?province=atlantis&lang=en").await,
        400,
        "Unknown province",
    );
    assert_error(
        &get(&app, "/api/v1/companies?page=0&lang=en").await,
        400,
        "page",
    );
    assert_error(
        &get(&app, "/api/v1/companies?per_page=101&lang=en").await,
        400,
        "100",
    );
    // The totals are kept until the registry changes: a new holder is counted.
    with_conn(&db, |conn| {
        CertificateBuilder::new("CQM-SQE-2025-009999")
            .company(
                "新加入贸易有限公司",
                None,
                &credit_code("91440300MA5F99999"),
            )
            .platform("新加入平台", "b2b")
            .stars(3)
            .insert(conn, &refs);
        sqe_registry::db::write::bump_revision(conn).expect("revision");
    });
    state.revision.force_check();
    assert_eq!(body(&get(&app, "/api/v1/companies").await)["total"], 27);
    let guangdong = body(&get(&app, "/api/v1/companies?province=440000").await);
    assert_eq!(guangdong["total"], 25);
});

both_backends_async!(a_second_level_tree_is_nested, |db| {
    use sqe_registry::db::models::NewIndicator;
    use sqe_registry::db::write;
    let refs = seed(&db, 0);
    with_conn(&db, |conn| {
        let parent = write::insert_indicator(
            conn,
            &NewIndicator {
                scheme_version_id: refs.scheme_2025,
                parent_id: None,
                code: "1".into(),
                name_zh: "技术性能".into(),
                name_en: "Technical performance".into(),
                max_points: 6.0,
                position: 0,
            },
        )
        .expect("parent");
        for (i, code) in ["1.1", "1.2"].iter().enumerate() {
            write::insert_indicator(
                conn,
                &NewIndicator {
                    scheme_version_id: refs.scheme_2025,
                    parent_id: Some(parent),
                    code: (*code).into(),
                    name_zh: "子项".into(),
                    name_en: "Sub-item".into(),
                    max_points: 3.0,
                    position: i32::try_from(i).expect("small"),
                },
            )
            .expect("child");
        }
    });
    let app = app!(db, now());
    let scheme = body(&get(&app, "/api/v1/schemes/31526-2025").await);
    assert_eq!(scheme["indicators"].as_array().expect("tree").len(), 1);
    let children: Vec<&str> = scheme["indicators"][0]["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|c| c["code"].as_str().expect("code"))
        .collect();
    assert_eq!(children, ["1.1", "1.2"]);
});

both_backends_async!(the_openapi_document_lists_exactly_the_route_table, |db| {
    seed(&db, 0);
    let app = app!(db, now());
    let doc = body(&get(&app, "/api/v1/openapi.json").await);
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["servers"][0]["url"], "http://127.0.0.1:8080");
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect();
    let table: BTreeSet<String> = sqe_registry::web::api::ROUTES
        .iter()
        .map(|r| r.path.to_owned())
        .collect();
    assert_eq!(documented, table);
    // Each documented path is served (a GET never meets the 404 of an unknown path nor a 405),
    // and only with GET (OPTIONS aside: the preflight).
    for path in &table {
        let uri = path
            .replace("{number}", JD)
            .replace("{credit_code}", &credit_code("91110302562134916"))
            .replace("{slug}", "31526-2015");
        let uri = if uri.ends_with("/lookup") {
            format!("{uri}?domain=jd.com")
        } else {
            uri
        };
        let page = get(&app, &uri).await;
        assert_eq!(page.status, 200, "{uri}: {}", page.body);
        let methods: Vec<&str> = doc["paths"][path]
            .as_object()
            .expect("operations")
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "parameters")
            .collect();
        assert_eq!(methods, ["get"], "{path}");
    }
    // Every reference resolves to a described schema.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in &refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a reference outside the schemas: {r}"));
        assert!(schemas.contains_key(name), "dangling reference {r}");
    }
    // Every response type is described.
    for name in [
        "Certificate",
        "CertificateList",
        "Lookup",
        "Company",
        "Scheme",
        "ErrorBody",
    ] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
    let statuses = &schemas["Status"]["enum"];
    assert_eq!(
        statuses,
        &serde_json::json!(["valid", "suspended", "revoked", "cancelled", "expired"])
    );
});

both_backends_async!(the_api_page_documents_every_route_in_both_languages, |db| {
    seed(&db, 0);
    let app = app!(db, now());
    for uri in ["/api", "/api?lang=en"] {
        let page = get(&app, uri).await;
        assert_eq!(page.status, 200);
        page.assert_contains("<!DOCTYPE html>")
            .assert_contains("curl &#39;http://127.0.0.1:8080/api/v1/lookup?url=")
            .assert_contains("&#34;certified&#34;: false");
        for route in sqe_registry::web::api::ROUTES {
            page.assert_contains(&format!("GET {}", route.path));
        }
    }
    get(&app, "/api?lang=en")
        .await
        .assert_contains("Open data API");
    get(&app, "/").await.assert_contains("<a href=\"/api\">");
});

/// Every `$ref` in a JSON document.
fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
