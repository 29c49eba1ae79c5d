//! The bulk downloads: every certificate exactly once in the CSV and in the JSON Lines (across
//! several pages of the stream), the derived columns right, the CSV importable as it is, and the
//! page that documents the columns.

use crate::common;

use std::collections::HashMap;

use common::{date, get, with_conn};
use diesel::prelude::*;
use sqe_registry::db::schema::certificates;
use sqe_registry::demo::{fill_empty, DemoOptions};
use sqe_registry::domain::grade::{grade_for, Score};
use sqe_registry::domain::record::{validate, Column, DERIVED_COLUMNS};
use sqe_registry::domain::status::{effective_status, CertificateStatus};
use sqe_registry::transfer::csv_rows::read_rows;
use sqe_registry::web::pages::downloads::PAGE;

/// More than two pages of the stream.
const SIZE: u32 = 2_345;

/// Each stored certificate: number → (stored status, expiry, score).
fn stored(db: &common::TestDb) -> HashMap<String, (String, chrono::NaiveDate, f64)> {
    with_conn(db, |conn| {
        certificates::table
            .select((
                certificates::number,
                certificates::status,
                certificates::expires_on,
                certificates::score,
            ))
            .load::<(String, String, chrono::NaiveDate, f64)>(conn)
            .expect("certificates")
            .into_iter()
            .map(|(n, s, e, score)| (n, (s, e, score)))
            .collect()
    })
}

/// What a certificate's derived columns must say on `today`, computed from its stored row.
fn expected(row: &(String, chrono::NaiveDate, f64), today: chrono::NaiveDate) -> (String, String) {
    let status = CertificateStatus::parse(&row.0).expect("status");
    let grade = grade_for(Score::new(row.2).expect("score")).expect("grade");
    (
        grade.stars().to_string(),
        effective_status(status, row.1, today).as_str().to_owned(),
    )
}

both_backends_async!(every_certificate_is_downloaded_once_in_both_formats, |db| {
    assert!(i64::from(SIZE) > 2 * PAGE);
    let today = date(2026, 11, 28);
    with_conn(&db, |conn| {
        fill_empty(
            conn,
            &DemoOptions {
                count: SIZE,
                seed: 9,
                today,
            },
        )
        .expect("demo")
    });
    let rows = stored(&db);
    assert_eq!(rows.len(), SIZE as usize);
    // Some stored as valid have expired by now: the derived status must say so.
    assert!(rows.values().any(|(s, e, _)| s == "valid" && *e < today));
    let app = app!(db, common::beijing(2026, 11, 28, 12, 0));

    let csv = get(&app, "/downloads/sqe-registry.csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(csv
        .header("content-disposition")
        .is_some_and(|d| d.contains("attachment") && d.contains("sqe-registry.csv")));
    let mut reader = csv::Reader::from_reader(csv.bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let names: Vec<&str> = Column::ALL
        .iter()
        .map(|c| c.name())
        .chain(DERIVED_COLUMNS)
        .collect();
    assert_eq!(header, names);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = record.expect("a CSV record");
        let number = record[0].to_owned();
        let row = rows
            .get(&number)
            .unwrap_or_else(|| panic!("{number} is not stored"));
        let (grade, status) = expected(row, today);
        let n = Column::ALL.len();
        assert_eq!(
            (&record[n], &record[n + 1]),
            (grade.as_str(), status.as_str())
        );
        assert!(record[n + 2].ends_with(&format!("/certificates/{number}")));
        *seen.entry(number).or_default() += 1;
    }
    assert_eq!(seen.len(), rows.len());
    assert!(
        seen.values().all(|&n| n == 1),
        "a certificate is listed twice"
    );

    // The CSV imports as it is: the derived columns are ignored, every record validates.
    let read = read_rows(csv.bytes.as_slice(), |_| {}).expect("read");
    assert!(read.report.is_empty(), "{:?}", read.report);
    assert_eq!(read.rows.len(), rows.len());
    for row in &read.rows {
        validate(&row.raw, today).unwrap_or_else(|e| panic!("line {}: {e:?}", row.line));
    }

    let jsonl = get(&app, "/downloads/sqe-registry.jsonl").await;
    assert_eq!(jsonl.status, 200);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in jsonl.body.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON object per line");
        let number = v["number"].as_str().expect("number").to_owned();
        let row = rows.get(&number).expect("stored");
        let (grade, status) = expected(row, today);
        assert_eq!(v["grade"].to_string(), grade);
        assert_eq!(v["effective_status"], status.as_str());
        assert_eq!(v["score"].as_f64(), Some(row.2));
        assert!(v["domains"].is_array() && v["app_names"].is_array());
        *seen.entry(number).or_default() += 1;
    }
    assert_eq!(seen.len(), rows.len());
    assert!(seen.values().all(|&n| n == 1));

    // The page documents every column, in both languages, with the count.
    for (uri, word) in [
        ("/downloads", "数据下载"),
        ("/downloads?lang=en", "Data downloads"),
    ] {
        let page = get(&app, uri).await;
        assert_eq!(page.status, 200);
        page.assert_contains(word)
            .assert_contains(&SIZE.to_string())
            .assert_contains("CC BY 4.0");
        for name in &names {
            page.assert_contains(&format!("<code>{name}</code>"));
        }
    }
});

both_backends_async!(an_empty_registry_downloads_a_header_only, |db| {
    let app = app!(db, common::beijing(2026, 11, 28, 12, 0));
    let csv = get(&app, "/downloads/sqe-registry.csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), 1);
    assert!(csv.body.starts_with("number,credit_code,"));
    let jsonl = get(&app, "/downloads/sqe-registry.jsonl").await;
    assert_eq!((jsonl.status.as_u16(), jsonl.body.as_str()), (200, ""));
    get(&app, "/downloads").await.assert_contains("—");
});

/// The downloads' README names the files and carries the log's verifier keys (labelled as the
/// demo's published key here), so a copy of the files can be checked against the log.
#[actix_web::test]
async fn the_readme_carries_the_logs_verifier_keys() {
    let db = common::TestDb::sqlite();
    let app = app!(db, common::beijing(2026, 11, 28, 12, 0));
    let readme = get(&app, "/downloads/README.txt").await;
    assert_eq!(readme.status, 200);
    assert_eq!(
        readme.headers.get("content-type").expect("type"),
        "text/plain; charset=utf-8"
    );
    let demo_key = sqe_registry::config::log_key::demo_signer()
        .verifier()
        .vkey();
    assert!(
        readme.body.contains(&format!("  {demo_key}\n")),
        "{}",
        readme.body
    );
    assert!(readme.body.contains("DEMO REGISTRY"), "{}", readme.body);
    assert!(readme.body.contains("/downloads/sqe-registry.jsonl"));
    assert!(readme
        .body
        .contains("log verify --url http://127.0.0.1:8080 --key"));
    get(&app, "/downloads")
        .await
        .assert_contains("href=\"/downloads/README.txt\"");
}
