//! Tests of the demo generator, on temporary SQLite files.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;

use super::*;
use crate::db::models::{Certificate, CertificateEvent, Company, Evaluation, Platform};
use crate::db::schema::{
    certificate_events, evaluation_scores, evaluations, platform_domains, platforms,
};
use crate::db::search::{self, Matcher, SearchFilters, SearchRequest, SortOrder};
use crate::db::{build_pool, run_migrations, DbConnection, DbPool};
use crate::domain::credit_code::CreditCode;
use crate::domain::event::EventKind;
use crate::domain::grade::Grade;
use crate::domain::hostname::Hostname;
use crate::domain::platform_type::PlatformType;
use crate::domain::status::{effective_status, CertificateStatus};

pub(super) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid date")
}

pub(super) fn empty_db() -> (tempfile::TempDir, DbPool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let pool = build_pool(&url, 2).expect("pool");
    run_migrations(&mut pool.get().expect("connection")).expect("migrations");
    (dir, pool)
}

pub(super) fn opts(count: u32, seed: u64) -> DemoOptions {
    DemoOptions {
        count,
        seed,
        today: today(),
    }
}

fn filled(count: u32, seed: u64) -> (tempfile::TempDir, DbPool, DemoSummary) {
    let (dir, pool) = empty_db();
    let summary =
        fill_empty(&mut pool.get().expect("connection"), &opts(count, seed)).expect("demo");
    (dir, pool, summary)
}

fn numbers_and_scores(pool: &DbPool) -> Vec<(String, f64)> {
    certificates::table
        .order_by(certificates::id)
        .select((certificates::number, certificates::score))
        .load(&mut pool.get().expect("connection"))
        .expect("certificates")
}

#[test]
fn default_demo_shows_every_status_grade_and_event() {
    let (_dir, pool, summary) = filled(DEFAULT_COUNT, DEFAULT_SEED);
    assert!(
        summary.to_string().contains("300 certificates"),
        "{summary}"
    );
    check_default_demo(&mut pool.get().expect("connection"), &summary);
}

/// What the default demo must contain, on either backend.
pub(super) fn check_default_demo(conn: &mut DbConnection, summary: &DemoSummary) {
    let certs: Vec<Certificate> = certificates::table
        .select(Certificate::as_select())
        .load(conn)
        .expect("certificates");
    assert_eq!(certs.len(), 300);
    let mut statuses = HashSet::new();
    let mut valid_grades = HashSet::new();
    for c in &certs {
        let status = effective_status(c.status, c.expires_on, today());
        statuses.insert(status);
        if status == CertificateStatus::Valid {
            valid_grades.insert(Grade::from_stars(i64::from(c.grade)).expect("grade"));
        }
        assert!(c.first_issued_on <= c.issued_on && c.issued_on <= c.expires_on);
        assert!(c.issued_on <= today() && c.last_assessed_on <= today());
    }
    assert_eq!(statuses.len(), CertificateStatus::ALL.len(), "{statuses:?}");
    assert_eq!(valid_grades.len(), Grade::ALL.len(), "{valid_grades:?}");

    let events: Vec<CertificateEvent> = certificate_events::table
        .select(CertificateEvent::as_select())
        .load(conn)
        .expect("events");
    let kinds: HashSet<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.len(), EventKind::ALL.len(), "{kinds:?}");
    assert!(events.iter().all(|e| e.occurred_on <= today()));
    for e in events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Upgraded | EventKind::Downgraded))
    {
        let (before, after) = (
            e.grade_before.expect("before"),
            e.grade_after.expect("after"),
        );
        assert_eq!(e.kind == EventKind::Upgraded, after > before);
    }
    assert!(events
        .iter()
        .filter(|e| matches!(e.kind.as_str(), "suspended" | "revoked"))
        .all(|e| e.reason_zh.is_some() && e.reason_en.is_some()));

    let evals: Vec<Evaluation> = evaluations::table
        .order_by((evaluations::assessed_on, evaluations::id))
        .select(Evaluation::as_select())
        .load(conn)
        .expect("evaluations");
    assert!(evals.iter().all(|e| e.assessed_on <= today()));
    let mut latest: HashMap<i32, &Evaluation> = HashMap::new();
    let mut latest_passing: HashMap<i32, &Evaluation> = HashMap::new();
    for e in &evals {
        latest.insert(e.certificate_id, e);
        if e.grade.is_some() {
            latest_passing.insert(e.certificate_id, e);
        }
    }
    for c in &certs {
        let pass = latest_passing[&c.id];
        assert_eq!(
            (pass.grade, pass.total_score),
            (Some(c.grade), c.score),
            "{}",
            c.number
        );
        let last = latest[&c.id];
        assert_eq!(last.assessed_on, c.last_assessed_on);
        assert_eq!(last.kind, c.last_assessment_kind);
        let scored: i64 = evaluation_scores::table
            .filter(evaluation_scores::evaluation_id.eq(last.id))
            .count()
            .get_result(conn)
            .expect("scores");
        assert!(scored == 13 || scored == 18, "{scored}");
    }

    let companies: Vec<Company> = companies::table
        .select(Company::as_select())
        .load(conn)
        .expect("companies");
    assert_eq!(
        companies.len(),
        usize::try_from(summary.companies).expect("fits")
    );
    for c in &companies {
        let code = CreditCode::parse(&c.credit_code).expect("valid credit code");
        assert_eq!(code.as_str(), c.credit_code);
    }
    let codes: HashSet<_> = companies.iter().map(|c| &c.credit_code).collect();
    assert_eq!(codes.len(), companies.len());
    let provinces: HashSet<_> = companies.iter().map(|c| &c.province_code).collect();
    assert_eq!(provinces.len(), 31);

    let domains: Vec<String> = platform_domains::table
        .select(platform_domains::domain)
        .load(conn)
        .expect("domains");
    let unique: HashSet<_> = domains.iter().collect();
    assert_eq!(unique.len(), domains.len());
    for d in &domains {
        assert_eq!(Hostname::parse(d).expect("parses").as_str(), d);
    }
    assert!(domains.iter().any(|d| d.contains("xn--")), "an IDN domain");

    let platforms: Vec<Platform> = platforms::table
        .select(Platform::as_select())
        .load(conn)
        .expect("platforms");
    let types: HashSet<_> = platforms.iter().map(|p| p.platform_type).collect();
    assert_eq!(types.len(), PlatformType::ALL.len());
    assert!(crate::db::stats::is_demo(conn).expect("meta"));
}

#[test]
fn same_seed_same_registry_other_seed_differs() {
    let (_a, first, _) = filled(120, 7);
    let (_b, again, _) = filled(120, 7);
    let (_c, other, _) = filled(120, 8);
    assert_eq!(numbers_and_scores(&first), numbers_and_scores(&again));
    assert_ne!(numbers_and_scores(&first), numbers_and_scores(&other));
}

#[test]
fn refuses_a_non_empty_database_and_bad_counts() {
    let (_dir, pool, _) = filled(20, 1);
    let conn = &mut pool.get().expect("connection");
    assert!(!is_empty(conn).expect("query"));
    let opts = DemoOptions {
        count: 20,
        seed: 1,
        today: today(),
    };
    let err = fill_empty(conn, &opts).expect_err("not empty");
    assert!(err.to_string().contains("not empty"), "{err}");
    let (_dir2, pool2) = empty_db();
    let conn2 = &mut pool2.get().expect("connection");
    assert!(is_empty(conn2).expect("query"));
    for count in [0, MAX_COUNT + 1] {
        let opts = DemoOptions { count, ..opts };
        assert!(fill_empty(conn2, &opts).is_err());
    }
    assert!(is_empty(conn2).expect("query"));
}

#[test]
fn generated_names_are_found_by_search() {
    let (_dir, pool, _) = filled(40, DEFAULT_SEED);
    let conn = &mut pool.get().expect("connection");
    let (number, name): (String, String) = certificates::table
        .inner_join(platforms::table)
        .filter(certificates::id.eq(17))
        .select((certificates::number, platforms::name))
        .first(conn)
        .expect("certificate 17");
    let brand: String = name.chars().take(2).collect();
    let matcher = search::resolve(conn, &brand).expect("resolve");
    assert!(matches!(matcher, Matcher::Name { .. }), "{matcher:?}");
    let req = SearchRequest {
        matcher,
        filters: SearchFilters::default(),
        sort: SortOrder::Grade,
        page: 1,
        per_page: 50,
        today: today(),
    };
    let page = search::search(conn, &req).expect("search");
    assert!(page.hits.iter().any(|h| h.number == number), "{brand}");
}

mod backends;
