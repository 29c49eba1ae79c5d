//! The download files: written once per revision into the data directory, gzip-compressed and
//! served as stored (`ETag`, `Last-Modified`, `Range`, `304`), decompressed for clients that take
//! no gzip; after a change the previous file is served until the new one is complete.

use std::io::Read;

use crate::common::fixtures::{seed_reference, yunhe};
use crate::common::{beijing, set_status, with_conn, TestApp, TestDb};
use actix_web::test::{call_service, read_body, TestRequest};
use sqe_registry::web::pages::downloads::directory;

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        for i in 1..=30 {
            yunhe(&format!("D-{i}"), &format!("91330100MA2A{i:05}"))
                .domains(&[&format!("d{i}.example.cn")])
                .insert(conn, &refs);
        }
    });
}

/// Status, headers and the raw body of a GET with these headers.
async fn fetch(
    app: &TestApp,
    uri: &str,
    headers: &[(&str, &str)],
) -> (u16, actix_web::http::header::HeaderMap, Vec<u8>) {
    let mut req = TestRequest::get().uri(uri);
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    let res = call_service(app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, read_body(res).await.to_vec())
}

fn header(headers: &actix_web::http::header::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .expect("a gzip file");
    out
}

const CSV: &str = "/downloads/sqe-registry.csv";
const GZIP: (&str, &str) = ("Accept-Encoding", "gzip, deflate, br");

both_backends_async!(the_stored_gzip_is_served_with_validators_and_ranges, |db| {
    seed(&db);
    let app = TestApp::new(&db, beijing(2026, 12, 3, 10, 0)).await;
    let (status, headers, gz) = fetch(&app, CSV, &[GZIP]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), "gzip");
    assert!(header(&headers, "content-type").starts_with("text/csv"));
    assert!(header(&headers, "content-disposition").contains("sqe-registry.csv"));
    assert_eq!(header(&headers, "accept-ranges"), "bytes");
    assert!(header(&headers, "vary").contains("Accept-Encoding"));
    let etag = header(&headers, "etag");
    assert!(!etag.is_empty() && !header(&headers, "last-modified").is_empty());
    let text = gunzip(&gz);
    assert_eq!(text.lines().count(), 31, "a header and 30 certificates");
    // Without gzip: the same text, decompressed.
    let (status, headers, plain) = fetch(&app, CSV, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), "");
    assert_eq!(String::from_utf8(plain).expect("utf-8"), text);
    // A range of the stored bytes, and a conditional request.
    let (status, headers, part) = fetch(&app, CSV, &[GZIP, ("Range", "bytes=10-109")]).await;
    assert_eq!(status, 206);
    assert_eq!(part, gz[10..110]);
    assert_eq!(
        header(&headers, "content-range"),
        format!("bytes 10-109/{}", gz.len())
    );
    let (status, _, body) = fetch(&app, CSV, &[GZIP, ("If-None-Match", &etag)]).await;
    assert_eq!((status, body.len()), (304, 0));
    // One file per format, under the data directory, named by revision and day.
    let names: Vec<String> = std::fs::read_dir(directory(&app.state))
        .expect("the downloads directory")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].ends_with("-20261203.csv.gz"), "{names:?}");
    let (_, _, jsonl) = fetch(&app, "/downloads/sqe-registry.jsonl", &[GZIP]).await;
    assert_eq!(gunzip(&jsonl).lines().count(), 30);
});

both_backends_async!(
    a_change_is_published_while_the_previous_file_is_served,
    |db| {
        seed(&db);
        let app = TestApp::new(&db, beijing(2026, 12, 3, 10, 0)).await;
        let (_, headers, before) = fetch(&app, CSV, &[GZIP]).await;
        let old_etag = header(&headers, "etag");
        assert!(gunzip(&before).contains("D-7,") && !gunzip(&before).contains("revoked"));
        set_status(&db, "D-7", "revoked");
        app.state.revision.force_check();
        // The first request after the change starts the new file and is not kept waiting for it.
        let (status, headers, first) = fetch(&app, CSV, &[GZIP]).await;
        assert_eq!(status, 200);
        assert_eq!(
            header(&headers, "etag"),
            old_etag,
            "the previous file, at once"
        );
        assert_eq!(first, before);
        // Soon the new one is served, and the old one is gone from the directory.
        let mut tries = 0;
        let after = loop {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
            let (_, headers, body) = fetch(&app, CSV, &[GZIP]).await;
            if header(&headers, "etag") != old_etag {
                break body;
            }
            tries += 1;
            assert!(tries < 200, "the new file never came");
        };
        assert!(gunzip(&after)
            .lines()
            .any(|l| l.starts_with("D-7,") && l.contains("revoked")));
        let files = std::fs::read_dir(directory(&app.state))
            .expect("dir")
            .count();
        assert_eq!(files, 1, "the replaced file is removed");
    }
);

both_backends_async!(many_readers_of_a_new_revision_share_one_writer, |db| {
    seed(&db);
    let app = TestApp::new(&db, beijing(2026, 12, 3, 10, 0)).await;
    // No previous file: every reader waits for the one being written, none writes its own.
    let readers = (0..8).map(|_| fetch(&app, CSV, &[GZIP]));
    let answers = futures_util::future::join_all(readers).await;
    let etags: std::collections::HashSet<String> = answers
        .iter()
        .map(|(s, h, _)| format!("{s} {}", header(h, "etag")))
        .collect();
    assert_eq!(etags.len(), 1, "{etags:?}");
    assert!(answers.iter().all(|(s, _, _)| *s == 200));
});

both_backends_async!(
    spreadsheet_formulas_are_neutralised_and_imports_restore_them,
    |db| {
        use sqe_registry::domain::record::Column;
        use sqe_registry::transfer::csv_rows::read_rows;
        let formula = "=HYPERLINK(\"http://evil.example\",\"点此\")";
        let platform = "@SUM(1+1)*cmd|' /C calc'!A0";
        with_conn(&db, |conn| {
            let refs = seed_reference(conn);
            yunhe("F-1", "91330100MA2A00001")
                .company(formula, Some("+Evil Ltd"), "91330100MA2A00001")
                .platform(platform, "b2b")
                .domains(&["f1.example.cn"])
                .insert(conn, &refs);
            // An audit entry whose actor a spreadsheet would run.
            sqe_registry::db::accounts::append_audit_entries(
                conn,
                &[sqe_registry::db::accounts::AuditEntry {
                    at: beijing(2026, 12, 3, 9, 0).naive_utc(),
                    actor: "-2+3".into(),
                    action: "certificate.note".into(),
                    entity: "certificate".into(),
                    entity_id: "F-1".into(),
                    before_json: None,
                    after_json: None,
                }],
            )
            .expect("audit");
        });
        let app = TestApp::new(&db, beijing(2026, 12, 3, 10, 0)).await;
        let (_, _, csv) = fetch(&app, CSV, &[]).await;
        let csv = String::from_utf8(csv).expect("utf-8");
        assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
        assert!(csv.contains("'+Evil Ltd"), "{csv}");
        assert!(
            !csv.contains(",=") && !csv.contains(",\"="),
            "no cell starts with = : {csv}"
        );
        // JSON is read by programs, not spreadsheets: values as they are.
        let (_, _, jsonl) = fetch(&app, "/downloads/sqe-registry.jsonl", &[]).await;
        let line: serde_json::Value = serde_json::from_slice(&jsonl).expect("json");
        assert_eq!(line["company_name_zh"], formula);
        // The import reads the download back exactly.
        let read = read_rows(csv.as_bytes(), |_| {}).expect("read");
        assert!(read.report.is_empty(), "{:?}", read.report);
        let raw = &read.rows[0].raw;
        assert_eq!(raw.get(Column::CompanyNameZh), formula);
        assert_eq!(raw.get(Column::CompanyNameEn), "+Evil Ltd");
        assert_eq!(raw.get(Column::PlatformName), platform);
        // The audit export neutralises too.
        crate::common::staff::account(&db, "vic", "viewer");
        let mut vic = crate::common::staff::Browser::login(&app, "vic").await;
        let audit = vic.get(&app, "/admin/audit.csv").await;
        assert_eq!(audit.status, 200);
        assert!(audit.body.contains(",'-2+3,"), "{}", audit.body);
    }
);
