//! The statistics page and its CSV downloads through the real app, on SQLite and PostgreSQL:
//! every figure checked against counts computed here from the fixture data (not by SQL),
//! the year and province filters, refused filter values, and the cache after a change.

use crate::common;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{beijing, date, get, set_status, with_conn, TestDb};

/// Today in these tests (Beijing).
fn today() -> NaiveDate {
    date(2026, 11, 28)
}

/// One certificate of the fixture registry.
struct Spec {
    number: &'static str,
    stars: i16,
    score: f64,
    status: &'static str,
    expires: NaiveDate,
    province: &'static str,
    ptype: &'static str,
    scheme_2025: bool,
    events: Vec<(&'static str, NaiveDate)>,
}

#[allow(clippy::too_many_arguments)]
fn spec(
    number: &'static str,
    stars: i16,
    score: f64,
    status: &'static str,
    expires: NaiveDate,
    province: &'static str,
    ptype: &'static str,
    scheme_2025: bool,
    events: Vec<(&'static str, NaiveDate)>,
) -> Spec {
    Spec {
        number,
        stars,
        score,
        status,
        expires,
        province,
        ptype,
        scheme_2025,
        events,
    }
}

/// Every status (stored and effective), every grade, four provinces, four platform types, two
/// scheme versions, events in several months of two years, and events dated after today.
fn specs() -> Vec<Spec> {
    let far = date(2028, 6, 30);
    vec![
        spec(
            "S-01",
            5,
            100.0,
            "valid",
            far,
            "440000",
            "b2c",
            false,
            vec![("issued", date(2026, 1, 15))],
        ),
        spec(
            "S-02",
            5,
            97.49,
            "valid",
            far,
            "440000",
            "b2c",
            true,
            vec![("issued", date(2026, 3, 2)), ("upgraded", date(2026, 9, 1))],
        ),
        spec(
            "S-03",
            4,
            92.5,
            "valid",
            far,
            "110000",
            "b2b",
            false,
            vec![
                ("issued", date(2025, 3, 20)),
                ("downgraded", date(2026, 3, 20)),
            ],
        ),
        spec(
            "S-04",
            3,
            85.0,
            "valid",
            far,
            "110000",
            "cross-border",
            true,
            vec![
                ("issued", date(2025, 7, 1)),
                ("surveillance_passed", date(2026, 7, 1)),
            ],
        ),
        spec(
            "S-05",
            2,
            70.0,
            "valid",
            far,
            "310000",
            "o2o",
            false,
            vec![("issued", date(2026, 11, 28))],
        ),
        spec(
            "S-06",
            2,
            72.5,
            "valid",
            today(),
            "310000",
            "b2c",
            false,
            vec![("issued", date(2025, 12, 31))],
        ),
        spec(
            "S-07",
            3,
            81.0,
            "valid",
            date(2026, 11, 27),
            "440000",
            "b2c",
            false,
            vec![("issued", date(2023, 11, 28))],
        ),
        spec(
            "S-08",
            4,
            91.0,
            "suspended",
            far,
            "330000",
            "b2b",
            false,
            vec![
                ("issued", date(2025, 1, 5)),
                ("suspended", date(2026, 5, 10)),
            ],
        ),
        spec(
            "S-09",
            3,
            88.0,
            "suspended",
            date(2026, 10, 1),
            "440000",
            "c2c",
            false,
            vec![
                ("issued", date(2023, 10, 2)),
                ("suspended", date(2026, 2, 1)),
            ],
        ),
        spec(
            "S-10",
            4,
            93.0,
            "revoked",
            far,
            "110000",
            "b2c",
            true,
            vec![
                ("issued", date(2026, 1, 3)),
                ("suspended", date(2026, 4, 1)),
                ("revoked", date(2026, 6, 30)),
            ],
        ),
        spec(
            "S-11",
            2,
            78.0,
            "cancelled",
            far,
            "330000",
            "o2o",
            false,
            vec![
                ("issued", date(2024, 6, 6)),
                ("cancelled", date(2025, 6, 6)),
            ],
        ),
        spec(
            "S-12",
            3,
            83.0,
            "expired",
            date(2025, 8, 1),
            "440000",
            "b2c",
            false,
            vec![("issued", date(2022, 8, 2)), ("expired", date(2025, 8, 2))],
        ),
        // Future-dated events are not public yet and must not be counted.
        spec(
            "S-13",
            5,
            96.0,
            "valid",
            far,
            "440000",
            "b2c",
            false,
            vec![
                ("issued", date(2026, 2, 14)),
                ("suspended", date(2026, 11, 29)),
                ("upgraded", date(2026, 12, 5)),
            ],
        ),
        spec(
            "S-14",
            4,
            94.99,
            "valid",
            far,
            "110000",
            "b2c",
            true,
            vec![
                ("issued", date(2025, 11, 11)),
                ("revoked", date(2027, 1, 1)),
            ],
        ),
    ]
}

fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        for (i, s) in specs().into_iter().enumerate() {
            let mut b = CertificateBuilder::new(s.number)
                .company(
                    &format!("统计测试{i}有限公司"),
                    None,
                    &credit_code(&format!("91440300MA5F{i:05}")),
                )
                .province(s.province)
                .platform(&format!("统计平台{i}"), s.ptype)
                .stars(s.stars)
                .score(s.score)
                .status(s.status)
                .dates(date(2020, 1, 1), s.expires);
            if s.scheme_2025 {
                b = b.scheme_2025();
            }
            for (kind, on) in &s.events {
                b = b.event(kind, *on, (None, None), None);
            }
            b.insert(conn, &refs);
        }
    });
}

const STATUSES: [&str; 5] = ["valid", "suspended", "revoked", "cancelled", "expired"];
const MONTHLY: [&str; 5] = ["issued", "upgraded", "downgraded", "suspended", "revoked"];

/// The status a reader sees today, by the rule written out here.
fn effective(s: &Spec) -> &'static str {
    match s.status {
        "valid" | "suspended" if s.expires < today() => "expired",
        other => other,
    }
}

/// What the figures must be, counted from the specs.
struct Expected {
    statuses: BTreeMap<&'static str, i64>,
    /// (stars, status) → count
    grades: BTreeMap<(i16, &'static str), i64>,
    provinces: BTreeMap<String, i64>,
    types: BTreeMap<String, i64>,
    schemes: BTreeMap<String, i64>,
    /// month (1–12) → counts in MONTHLY order
    months: BTreeMap<u32, [i64; 5]>,
    scores: [i64; 12],
}

fn expected(year: i32, province: Option<&str>) -> Expected {
    let mut e = Expected {
        statuses: STATUSES.iter().map(|s| (*s, 0)).collect(),
        grades: BTreeMap::new(),
        provinces: BTreeMap::new(),
        types: BTreeMap::new(),
        schemes: [("31526-2015".to_owned(), 0), ("31526-2025".to_owned(), 0)].into(),
        months: BTreeMap::new(),
        scores: [0; 12],
    };
    let last_month = if year == today().year() {
        today().month()
    } else {
        12
    };
    for m in 1..=last_month {
        e.months.insert(m, [0; 5]);
    }
    for s in specs()
        .iter()
        .filter(|s| province.is_none_or(|p| p == s.province))
    {
        let status = effective(s);
        *e.statuses.entry(status).or_default() += 1;
        *e.grades.entry((s.stars, status)).or_default() += 1;
        if status == "valid" {
            *e.provinces.entry(s.province.to_owned()).or_default() += 1;
            *e.types.entry(s.ptype.to_owned()).or_default() += 1;
            let scheme = if s.scheme_2025 {
                "31526-2025"
            } else {
                "31526-2015"
            };
            *e.schemes.entry(scheme.to_owned()).or_default() += 1;
            let bin = (((s.score - 70.0) / 2.5).floor() as usize).min(11);
            e.scores[bin] += 1;
        }
        for (kind, on) in &s.events {
            let k = MONTHLY.iter().position(|m| m == kind);
            if let (Some(k), true) = (k, on.year() == year && *on <= today()) {
                e.months.get_mut(&on.month()).expect("month shown")[k] += 1;
            }
        }
    }
    e
}

/// A CSV download: header and rows.
fn read_csv(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

async fn csv_of<S, B>(app: &S, chart: &str, query: &str) -> (Vec<String>, Vec<Vec<String>>)
where
    S: common::AppService<B>,
    B: actix_web::body::MessageBody,
{
    let uri = format!("/statistics/{chart}.csv{query}");
    let page = get(app, &uri).await;
    assert_eq!(page.status, 200, "{uri}: {}", page.body);
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let disposition = page.header("content-disposition").expect("disposition");
    assert!(
        disposition.starts_with("attachment")
            && disposition.contains(&format!("sqe-statistics-{chart}-")),
        "{disposition}"
    );
    read_csv(&page.body)
}

fn num(s: &str) -> i64 {
    s.parse().expect("a count")
}

/// Checks every CSV against the expected figures for these filters.
async fn check_all_csv<S, B>(app: &S, query: &str, e: &Expected, year: i32)
where
    S: common::AppService<B>,
    B: actix_web::body::MessageBody,
{
    let (header, rows) = csv_of(app, "statuses", query).await;
    assert_eq!(header, ["status", "certificates"]);
    let got: BTreeMap<&str, i64> = rows
        .iter()
        .map(|r| {
            (
                STATUSES[STATUSES.iter().position(|s| *s == r[0]).expect("status")],
                num(&r[1]),
            )
        })
        .collect();
    assert_eq!(got, e.statuses, "statuses {query}");

    let (header, rows) = csv_of(app, "grades", query).await;
    assert_eq!(
        header,
        [
            "stars",
            "valid",
            "suspended",
            "revoked",
            "cancelled",
            "expired",
            "total"
        ]
    );
    assert_eq!(rows.len(), 4);
    for row in &rows {
        let stars: i16 = row[0].parse().expect("stars");
        let mut total = 0;
        for (i, status) in STATUSES.iter().enumerate() {
            let want = e.grades.get(&(stars, *status)).copied().unwrap_or(0);
            assert_eq!(num(&row[i + 1]), want, "{stars} stars, {status} {query}");
            total += want;
        }
        assert_eq!(num(&row[6]), total);
    }

    for (chart, key_col, expected) in [
        ("provinces", "province_code", &e.provinces),
        ("types", "platform_type", &e.types),
    ] {
        let (header, rows) = csv_of(app, chart, query).await;
        assert_eq!(header[0], key_col);
        assert_eq!(header.last().map(String::as_str), Some("in_force"));
        let got: BTreeMap<String, i64> = rows
            .iter()
            .map(|r| (r[0].clone(), num(r.last().expect("count"))))
            .collect();
        assert_eq!(&got, expected, "{chart} {query}");
        assert_eq!(rows.len(), expected.len());
        // Most first.
        assert!(rows
            .windows(2)
            .all(|w| num(w[0].last().expect("n")) >= num(w[1].last().expect("n"))));
    }

    let (header, rows) = csv_of(app, "schemes", query).await;
    assert_eq!(header, ["scheme", "standard_code", "in_force"]);
    let got: BTreeMap<String, i64> = rows.iter().map(|r| (r[0].clone(), num(&r[2]))).collect();
    assert_eq!(got, e.schemes, "schemes {query}");

    let (header, rows) = csv_of(app, "months", query).await;
    assert_eq!(
        header,
        [
            "month",
            "issued",
            "upgraded",
            "downgraded",
            "suspended",
            "revoked"
        ]
    );
    assert_eq!(rows.len(), e.months.len(), "months shown {query}");
    for (row, (m, counts)) in rows.iter().zip(&e.months) {
        assert_eq!(row[0], format!("{year}-{m:02}"));
        let got: Vec<i64> = row[1..].iter().map(|c| num(c)).collect();
        assert_eq!(got, counts.to_vec(), "{year}-{m:02} {query}");
    }

    let (header, rows) = csv_of(app, "scores", query).await;
    assert_eq!(header, ["score_from", "score_to", "in_force"]);
    assert_eq!(rows.len(), 12);
    assert_eq!((rows[0][0].as_str(), rows[0][1].as_str()), ("70", "72.5"));
    assert_eq!(rows[11][1], "100");
    let got: Vec<i64> = rows.iter().map(|r| num(&r[2])).collect();
    assert_eq!(got, e.scores.to_vec(), "scores {query}");
}

both_backends_async!(figures_match_the_registry, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 9, 0));
    let all = expected(2026, None);
    // The fixtures cover what the page must tell apart.
    assert!(
        STATUSES.iter().all(|s| all.statuses[s] > 0),
        "{:?}",
        all.statuses
    );
    for (k, kind) in MONTHLY.iter().enumerate() {
        assert!(
            all.months.values().any(|m| m[k] > 0),
            "no {kind} event in 2026"
        );
    }

    let page = get(&app, "/statistics?lang=en").await;
    assert_eq!(page.status, 200);
    page.assert_contains("<h1>Registry statistics</h1>")
        .assert_contains(r#"role="img""#)
        .assert_contains(&format!("<dd>{}</dd>", all.statuses["valid"]))
        .assert_contains(&format!("<dd>{}</dd>", specs().len()))
        .assert_contains("Certificates issued in 2026")
        .assert_contains(r#"href="/statistics/months.csv""#);
    let issued_2026: i64 = all.months.values().map(|m| m[0]).sum();
    page.assert_contains(&format!(
        "Certificates issued in 2026</dt><dd>{issued_2026}</dd>"
    ));
    for status in STATUSES {
        let name = match status {
            "valid" => "Valid",
            "suspended" => "Suspended",
            "revoked" => "Revoked",
            "cancelled" => "Cancelled",
            _ => "Expired",
        };
        page.assert_contains(&format!(
            r#"<tr><th scope="row">{name}</th><td>{}</td></tr>"#,
            all.statuses[status]
        ));
    }
    // Seven charts, each an image with a title, each followed by a table.
    assert_eq!(page.body.matches("<svg class=\"chart\"").count(), 7);
    assert_eq!(
        page.body.matches("<table class=\"stats-table\">").count(),
        7
    );
    assert_eq!(page.body.matches("<title id=").count(), 7);
    page.assert_lacks("NaN").assert_lacks("<script");

    let zh = get(&app, "/statistics").await;
    assert_eq!(zh.status, 200);
    zh.assert_contains("注册信息统计")
        .assert_contains("按状态统计的证书")
        .assert_contains("11月");

    check_all_csv(&app, "", &all, 2026).await;
});

both_backends_async!(filters_restrict_every_figure, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 9, 0));
    // A past year: all twelve months. (This year's figures, computed first, give it every
    // figure but the monthly ones, as they do to the province filters of 2025 below.)
    check_all_csv(&app, "", &expected(2026, None), 2026).await;
    check_all_csv(&app, "?year=2025", &expected(2025, None), 2025).await;
    // A province: every figure, monthly ones too.
    for province in ["110000", "440000", "330000"] {
        check_all_csv(
            &app,
            &format!("?province={province}"),
            &expected(2026, Some(province)),
            2026,
        )
        .await;
    }
    check_all_csv(
        &app,
        "?year=2025&province=110000",
        &expected(2025, Some("110000")),
        2025,
    )
    .await;
    // Names are accepted as in the search filters; the page says what it is restricted to.
    let page = get(
        &app,
        "/statistics?province=%E5%8C%97%E4%BA%AC&year=2025&lang=en",
    )
    .await;
    assert_eq!(page.status, 200);
    page.assert_contains("restricted to certificates of companies in Beijing")
        .assert_contains(r#"<option value="110000" selected>"#)
        .assert_contains(r#"<option value="2025" selected>"#)
        .assert_contains(r#"href="/statistics/grades.csv?year=2025&#38;province=110000""#);
    let e = expected(2025, Some("110000"));
    page.assert_contains(&format!(
        "Certificates issued in 2025</dt><dd>{}</dd>",
        e.months.values().map(|m| m[0]).sum::<i64>()
    ));
    // A province without certificates: empty charts, no error.
    let empty = get(&app, "/statistics?province=650000").await;
    assert_eq!(empty.status, 200);
    empty.assert_lacks("NaN");
    let (_, rows) = csv_of(&app, "provinces", "?province=650000").await;
    assert!(rows.is_empty());
    // Empty values are the defaults; unknown parameters are ignored.
    let defaults = get(&app, "/statistics?year=&province=&utm_source=x").await;
    assert_eq!(defaults.status, 200);
});

both_backends_async!(bad_filters_are_refused, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 9, 0));
    for query in [
        "year=abc",
        "year=1999",
        "year=2027",
        "year=20261",
        "year=-1",
        "year=2025.5",
    ] {
        for path in ["/statistics", "/statistics/months.csv"] {
            let page = get(&app, &format!("{path}?{query}&lang=en")).await;
            assert_eq!(page.status, 400, "{path}?{query}");
            page.assert_contains("The year must be a whole number from 2000 to 2026.");
        }
    }
    for query in ["province=atlantis", "province=999999", "province=4"] {
        let page = get(&app, &format!("/statistics?{query}&lang=en")).await;
        assert_eq!(page.status, 400, "{query}");
        page.assert_contains("Unknown province");
        let csv = get(&app, &format!("/statistics/scores.csv?{query}")).await;
        assert_eq!(csv.status, 400, "{query}");
    }
    assert_eq!(get(&app, "/statistics/nothing.csv").await.status, 404);
    assert_eq!(get(&app, "/statistics/grades.json").await.status, 404);
});

both_backends_async!(figures_follow_a_change, |db| {
    seed(&db);
    let state = common::state(&db, beijing(2026, 11, 28, 9, 0));
    let app = common::TestApp::on_state(state.clone()).await;
    let (_, before) = csv_of(&app, "statuses", "").await;
    let (_, again) = csv_of(&app, "statuses", "").await;
    assert_eq!(before, again);
    // A revocation bumps the registry revision: the next reader still gets the last figures at
    // once (stale-while-revalidate) while fresh ones are computed in the background.
    set_status(&db, "S-01", "revoked");
    state.revision.force_check();
    let (_, stale) = csv_of(&app, "statuses", "").await;
    assert_eq!(stale, before);
    let mut after = stale;
    for _ in 0..500 {
        if after != before {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
        after = csv_of(&app, "statuses", "").await.1;
    }
    let count = |rows: &[Vec<String>], s: &str| {
        rows.iter()
            .find(|r| r[0] == s)
            .map(|r| num(&r[1]))
            .expect("row")
    };
    assert_eq!(count(&after, "valid"), count(&before, "valid") - 1);
    assert_eq!(count(&after, "revoked"), count(&before, "revoked") + 1);
});

both_backends_async!(the_page_is_kept_with_the_figures_it_shows, |db| {
    seed(&db);
    let state = common::state(&db, beijing(2026, 11, 28, 9, 0));
    let app = common::TestApp::on_state(state.clone()).await;
    let gzip = |uri: &'static str| {
        actix_web::test::TestRequest::get()
            .uri(uri)
            .insert_header(("Accept-Encoding", "gzip"))
            .to_request()
    };
    let first = common::get(&app, "/statistics?year=2026").await;
    assert_eq!(first.status, 200);
    // Kept compressed: the same page again, gzip as stored.
    let kept = common::send(&app, gzip("/statistics?year=2026")).await;
    assert_eq!(kept.header("content-encoding").as_deref(), Some("gzip"));
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&kept.bytes[..]),
        &mut text,
    )
    .expect("gzip");
    assert_eq!(text, first.body);
    // After a change the page follows its figures (stale ones at first, then fresh).
    set_status(&db, "S-01", "revoked");
    state.revision.force_check();
    let mut after = common::get(&app, "/statistics?year=2026").await.body;
    for _ in 0..500 {
        if after != first.body {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
        after = common::get(&app, "/statistics?year=2026").await.body;
    }
    assert_ne!(after, first.body, "the page never showed the revocation");
    // And what it shows then is what a page rendered from scratch shows.
    let fresh = common::TestApp::on_state(common::state(&db, beijing(2026, 11, 28, 9, 0))).await;
    assert_eq!(
        after,
        common::get(&fresh, "/statistics?year=2026").await.body
    );
});
