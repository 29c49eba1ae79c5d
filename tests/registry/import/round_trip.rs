//! Export → import into an empty registry → export gives the same file: every certificate once,
//! with the same values. Checked on a varied hand-made registry and on a generated one larger
//! than one export page.

use std::collections::BTreeSet;

use super::*;
use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use sqe_registry::db::models::{
    CertificationBody, NewCertificationBody, NewSchemeVersion, SchemeVersion,
};
use sqe_registry::db::write;
use sqe_registry::demo::{self, DemoOptions};
use sqe_registry::transfer::export::{export_to, PAGE};

fn export(db: &TestDb) -> String {
    let (bytes, count) = with_conn(db, |conn| export_to(conn, Vec::new(), false)).expect("export");
    let text = String::from_utf8(bytes).expect("utf-8");
    assert_eq!(
        text.lines().count() as u64,
        count + 1,
        "header and one line each"
    );
    text
}

fn empty_like(db: &TestDb) -> TestDb {
    if db.is_postgres() {
        TestDb::postgres().expect("PostgreSQL answered a moment ago")
    } else {
        TestDb::sqlite()
    }
}

/// The numbers of an export, checked to be distinct.
fn numbers(csv: &str) -> BTreeSet<String> {
    let rows = read_rows(csv.as_bytes(), |_| {}).expect("in memory");
    assert!(rows.report.is_empty(), "{}", rows.report);
    let set: BTreeSet<String> = rows
        .rows
        .iter()
        .map(|r| r.raw.get(Column::Number).to_owned())
        .collect();
    assert_eq!(set.len(), rows.rows.len(), "every certificate once");
    set
}

/// Copies the certification bodies and scheme versions (without indicators) of `from`.
fn copy_reference(from: &TestDb, to: &TestDb) {
    let (bodies, schemes) = with_conn(from, |conn| {
        let bodies: Vec<CertificationBody> = certification_bodies::table
            .select(CertificationBody::as_select())
            .load(conn)
            .expect("bodies");
        let schemes: Vec<SchemeVersion> = scheme_versions::table
            .select(SchemeVersion::as_select())
            .load(conn)
            .expect("schemes");
        (bodies, schemes)
    });
    with_conn(to, |conn| {
        for b in bodies {
            let new = NewCertificationBody {
                code: b.code,
                name_zh: b.name_zh,
                name_en: b.name_en,
                approval_number: b.approval_number,
                website: b.website,
            };
            write::insert_body(conn, &new).expect("body");
        }
        for s in schemes {
            let new = NewSchemeVersion {
                slug: s.slug,
                standard_code: s.standard_code,
                title_zh: s.title_zh,
                title_en: s.title_en,
                effective_from: s.effective_from,
                illustrative: s.illustrative,
            };
            write::insert_scheme_version(conn, &new).expect("scheme");
        }
    });
}

/// Imports `csv` into `target`, exports it again and compares.
fn assert_round_trip(csv: &str, target: &TestDb) {
    let expected = numbers(csv);
    let summary = import(target, csv, false).expect("the export imports");
    assert_eq!(summary.imported.len(), expected.len());
    let again = export(target);
    assert_eq!(numbers(&again), expected);
    assert!(again == csv, "the second export differs from the first");
    let c = with_conn(target, counts);
    assert_eq!(c.certificates as usize, expected.len());
}

both_backends!(a_varied_registry_round_trips, |db| {
    let refs = with_conn(&db, seed_reference);
    import(&db, SAMPLE, false).expect("sample");
    with_conn(&db, |conn| {
        CertificateBuilder::new("RT-1")
            .company(
                "往返测试有限公司",
                Some("Round Trip Ltd."),
                &credit_code("91440300MA5F00301"),
            )
            .platform("往返商城", "cross-border")
            .apps(&["往返 App", "往返小程序"])
            .domains(&["例子.中国", "shop.rt-one.example"])
            .stars(4)
            .score(94.99)
            .suspended()
            .scheme_2025()
            .last_assessment("surveillance", date(2026, 1, 5))
            .insert(conn, &refs);
        CertificateBuilder::new("RT-2")
            .company("往返二号有限公司", None, &credit_code("91440300MA5F00302"))
            .domains(&["rt-two.example"])
            .insert(conn, &refs)
    });
    let first = export(&db);
    assert!(first.contains("RT-1,"), "{first}");
    assert!(
        first.contains("shop.rt-one.example;xn--fsqu00a.xn--fiqs8s"),
        "{first}"
    );
    // The same registry: every line is unchanged.
    let rerun = import(&db, &first, false).expect("re-import into the same registry");
    assert!(rerun.imported.is_empty());
    assert_eq!(rerun.unchanged.len(), 8);
    let target = empty_like(&db);
    with_conn(&target, seed_reference);
    assert_round_trip(&first, &target);
    assert_eq!(with_conn(&target, counts).companies, 7);
});

both_backends!(a_generated_registry_round_trips_across_export_pages, |db| {
    let count = u32::try_from(PAGE).expect("small") + 100;
    let opts = DemoOptions {
        count,
        seed: 4,
        today: date(2026, 11, 29),
    };
    with_conn(&db, |conn| demo::fill_empty(conn, &opts)).expect("demo");
    let first = export(&db);
    assert_eq!(numbers(&first).len(), count as usize);
    let target = empty_like(&db);
    copy_reference(&db, &target);
    assert_round_trip(&first, &target);
});
