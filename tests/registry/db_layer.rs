//! The database layer on both backends: how the search box text is understood, counts on a
//! date, the event stream, detail reads and the revision counter.

use crate::common;

use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{date, with_conn};
use sqe_registry::db::search::{resolve, Matcher};
use sqe_registry::db::{certificates, events, stats, write};

both_backends!(the_search_box_text_is_understood, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("CQM-SQE-2024-000777")
            .company(
                "北京京东世纪贸易有限公司",
                None,
                &credit_code("91110302562134916"),
            )
            .domains(&["jd.com"])
            .insert(conn, &refs);
        assert_eq!(resolve(conn, "  ").expect("q"), Matcher::All);
        assert_eq!(
            resolve(conn, "cqm-sqe-2024-000777").expect("q"),
            Matcher::Number("CQM-SQE-2024-000777".into())
        );
        let code = credit_code("91110302562134916");
        assert_eq!(
            resolve(conn, &code.to_lowercase()).expect("q"),
            Matcher::CreditCode(code)
        );
        match resolve(conn, "https://m.item.jd.com/p/1").expect("q") {
            Matcher::Domain { host, candidates } => {
                assert_eq!(host, "m.item.jd.com");
                assert!(candidates.contains(&"jd.com".to_owned()));
            }
            other => panic!("expected a domain look-up, got {other:?}"),
        }
        // A URL nobody holds is still a site question (the answer: no certificate).
        assert!(matches!(
            resolve(conn, "https://fake-jd.com/").expect("q"),
            Matcher::Domain { .. }
        ));
        // A bare unbound host may be a name too.
        assert!(matches!(
            resolve(conn, "example.org").expect("q"),
            Matcher::Name { .. }
        ));
        assert!(matches!(
            resolve(conn, "京东").expect("q"),
            Matcher::Name { .. }
        ));
        assert_eq!(resolve(conn, "京").expect("q"), Matcher::TooShort);
    });
});

both_backends!(counts_judge_validity_on_the_given_date, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        let mk = |n: &str, code: &str| {
            CertificateBuilder::new(n).company(&format!("{n}公司"), None, &credit_code(code))
        };
        mk("A", "91110000MA00000A1")
            .stars(5)
            .dates(date(2024, 1, 1), date(2026, 12, 31))
            .insert(conn, &refs);
        mk("B", "91110000MA00000B1").stars(4).insert(conn, &refs);
        mk("C", "91110000MA00000C1")
            .stars(4)
            .suspended()
            .insert(conn, &refs);
        let before = stats::counts(conn, date(2026, 12, 31)).expect("counts");
        assert_eq!(
            (before.certificates, before.valid, before.companies),
            (3, 2, 3)
        );
        assert_eq!(before.valid_by_stars, [0, 0, 1, 1]);
        let after = stats::counts(conn, date(2027, 1, 1)).expect("counts");
        assert_eq!(after.valid, 1);
        assert_eq!(after.valid_by_stars, [0, 0, 1, 0]);
    });
});

both_backends!(events_and_details_read_back_in_order, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("EV-1")
            .domains(&["b.example.cn", "a.example.cn"])
            .event("issued", date(2024, 1, 1), (None, Some(3)), None)
            .event("downgraded", date(2025, 1, 1), (Some(3), Some(2)), None)
            .event("upgraded", date(2027, 1, 1), (Some(2), Some(3)), None)
            .indicator_scores([Some(8.0), Some(9.0), None])
            .insert(conn, &refs);
        let recent = events::latest(conn, date(2026, 6, 1), 10).expect("events");
        let kinds: Vec<&str> = recent.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["downgraded", "issued"],
            "newest first, nothing after today"
        );
        let d = certificates::find_detail(conn, "EV-1")
            .expect("read")
            .expect("found");
        assert_eq!(d.domains, ["a.example.cn", "b.example.cn"]);
        assert_eq!(d.events.first().map(|e| e.kind.as_str()), Some("issued"));
        let (_, results) = d.latest_evaluation.expect("evaluation");
        assert_eq!(results.len(), 3);
        assert_eq!(results[2].earned, None);
        assert!(certificates::find_detail(conn, "EV-2")
            .expect("read")
            .is_none());
    });
});

both_backends!(the_revision_counts_every_change, |db| {
    with_conn(&db, |conn| {
        let start = stats::revision(conn).expect("revision");
        write::bump_revision(conn).expect("bump");
        write::bump_revision(conn).expect("bump");
        assert_eq!(stats::revision(conn).expect("revision"), start + 2);
    });
});

#[test]
fn sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout() {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    #[derive(QueryableByName)]
    struct Flag {
        #[diesel(sql_type = BigInt)]
        value: i64,
    }
    let db = common::TestDb::sqlite();
    // Several pooled connections: each gets the settings.
    let pool = db.pool();
    let mut conns: Vec<_> = (0..3).map(|_| pool.get().expect("connection")).collect();
    for conn in &mut conns {
        let sqe_registry::db::DbConnection::Sqlite(c) = &mut **conn else {
            panic!("expected SQLite");
        };
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result(c)
            .expect("mode");
        assert_eq!(mode.journal_mode, "wal");
        let fk: Flag = diesel::sql_query("SELECT foreign_keys AS value FROM pragma_foreign_keys")
            .get_result(c)
            .expect("fk");
        assert_eq!(fk.value, 1);
        let busy: Flag = diesel::sql_query("SELECT timeout AS value FROM pragma_busy_timeout")
            .get_result(c)
            .expect("busy");
        assert!(busy.value >= 1000, "busy timeout {}", busy.value);
    }
}
