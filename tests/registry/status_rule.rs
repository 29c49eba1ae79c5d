//! One status rule: the SQL condition the search, the statistics and the API filter by
//! (`db::status_sql`) agrees with `domain::status::effective_status` on both backends, for
//! random stored statuses, expiry dates and instants (many of them around Beijing midnight,
//! 16:00 UTC, where "today" turns); and an unknown stored status is a read error that names
//! the value, never a silent fallback.

use crate::common;

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sqe_registry::db::models::Certificate;
use sqe_registry::db::schema::certificates;
use sqe_registry::db::status_sql::{has_effective_status, in_force};
use sqe_registry::db::DbConnection;
use sqe_registry::domain::dates::beijing_today;
use sqe_registry::domain::status::{effective_status, CertificateStatus};

use common::fixtures::{credit_code, seed_reference, CertificateBuilder, Refs};
use common::with_conn;

/// One case: certificates as (stored status, expiry in days from the instant's UTC date), and
/// the instant as minutes from 2026-01-01 16:00 UTC (Beijing midnight).
type Case = (Vec<(usize, i64)>, i64);

fn case() -> impl Strategy<Value = Case> {
    let rows = prop::collection::vec((0..CertificateStatus::ALL.len(), -2i64..=2), 1..10);
    // Most instants within 90 minutes of a Beijing midnight, on any day of two years.
    let near_midnight = (0i64..730, -90i64..=90).prop_map(|(day, min)| day * 1_440 + min);
    let anywhere = 0i64..(730 * 1_440);
    (rows, prop_oneof![3 => near_midnight, 1 => anywhere])
}

fn check(conn: &mut DbConnection, refs: &Refs, serial: &mut u32, (rows, minutes): &Case) {
    let base = Utc
        .with_ymd_and_hms(2026, 1, 1, 16, 0, 0)
        .single()
        .expect("time");
    let instant = base + Duration::minutes(*minutes);
    let today = beijing_today(instant);
    let utc_date = instant.date_naive();
    let mut expected: Vec<(i32, CertificateStatus)> = Vec::new();
    for (status, days) in rows {
        *serial += 1;
        let stored = CertificateStatus::ALL[*status];
        let expires_on = utc_date + Duration::days(*days);
        let issued_on = expires_on - Duration::days(3 * 365);
        let id = CertificateBuilder::new(&format!("R-{serial}"))
            .company(
                "规则测试公司",
                None,
                &credit_code(&format!("91440300MA5F{serial:05}")),
            )
            .status(stored.as_str())
            .dates(issued_on, expires_on)
            .insert(conn, refs);
        // Written out rather than computed by the rule under test: what a consumer must see.
        let by_hand = match stored {
            CertificateStatus::Valid | CertificateStatus::Suspended if expires_on < today => {
                CertificateStatus::Expired
            }
            other => other,
        };
        assert_eq!(effective_status(stored, expires_on, today), by_hand);
        expected.push((id, by_hand));
    }
    let ids: Vec<i32> = expected.iter().map(|(id, _)| *id).collect();
    for wanted in CertificateStatus::ALL {
        let selected: BTreeSet<i32> = certificates::table
            .filter(certificates::id.eq_any(&ids))
            .filter(has_effective_status(wanted, today))
            .select(certificates::id)
            .load::<i32>(conn)
            .expect("query")
            .into_iter()
            .collect();
        let by_rule: BTreeSet<i32> = expected
            .iter()
            .filter(|(_, s)| *s == wanted)
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(
            selected, by_rule,
            "{wanted:?} on {today} (instant {instant})"
        );
    }
    let valid: i64 = certificates::table
        .filter(certificates::id.eq_any(&ids))
        .filter(in_force(today))
        .count()
        .get_result(conn)
        .expect("count");
    let by_rule = expected
        .iter()
        .filter(|(_, s)| *s == CertificateStatus::Valid)
        .count();
    assert_eq!(valid, by_rule as i64, "in force on {today}");
}

both_backends!(the_sql_condition_and_the_rust_rule_agree, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        // The runner takes a `Fn`: the connection and the serial of fixture numbers are lent.
        let lent = std::cell::RefCell::new((conn, 0u32));
        let mut runner = TestRunner::new(Config {
            cases: 48,
            ..Config::default()
        });
        runner
            .run(&case(), |c| {
                let (conn, serial) = &mut *lent.borrow_mut();
                check(conn, &refs, serial, &c);
                Ok(())
            })
            .expect("the rules agree");
    });
});

both_backends!(the_last_day_is_valid_until_beijing_midnight, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        let last_day = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
        CertificateBuilder::new("EDGE-1")
            .dates(last_day - Duration::days(1_095), last_day)
            .insert(conn, &refs);
        let mut valid_at = |h: u32, m: u32| -> bool {
            let instant = Utc
                .with_ymd_and_hms(2026, 6, 30, h, m, 0)
                .single()
                .expect("time");
            let n: i64 = certificates::table
                .filter(in_force(beijing_today(instant)))
                .count()
                .get_result(conn)
                .expect("count");
            n == 1
        };
        // 15:59 UTC is 23:59 on the last day in Beijing; 16:00 UTC is the next day there.
        assert!(valid_at(15, 59), "valid through the whole last day");
        assert!(!valid_at(16, 0), "expired from Beijing midnight");
    });
});

both_backends!(an_unknown_stored_status_is_an_error_when_read, |db| {
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("ODD-1").insert(conn, &refs);
        diesel::update(certificates::table.filter(certificates::number.eq("ODD-1")))
            .set(certificates::status.eq("withdrawn"))
            .execute(conn)
            .expect("raw update");
        let read = certificates::table
            .filter(certificates::number.eq("ODD-1"))
            .select(Certificate::as_select())
            .first(conn);
        let error = read.expect_err("an unknown status must not be read as any status");
        let cause = format!("{error:?}");
        assert!(
            cause.contains("unknown certificate status \\\"withdrawn\\\""),
            "the error names the value: {cause}"
        );
    });
});

both_backends!(every_stored_enumeration_refuses_an_unknown_value, |db| {
    use sqe_registry::db::accounts::{find_account, insert_account};
    use sqe_registry::db::models::{CertificateEvent, Platform};
    use sqe_registry::db::schema::{accounts, certificate_events, platforms};
    with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("ODD-2")
            .event(
                "upgraded",
                common::date(2025, 7, 1),
                (Some(3), Some(4)),
                None,
            )
            .insert(conn, &refs);
        let at = common::date(2026, 1, 1).and_hms_opt(0, 0, 0).expect("time");
        insert_account(conn, "odd.one", "viewer", "x", at).expect("account");
        let names = |e: diesel::result::Error| format!("{e:?}");
        diesel::update(platforms::table)
            .set(platforms::platform_type.eq("marketplace"))
            .execute(conn)
            .expect("raw update");
        let platform = platforms::table.select(Platform::as_select()).first(conn);
        assert!(names(platform.expect_err("platform")).contains("unknown platform type"));
        diesel::update(certificate_events::table)
            .set(certificate_events::kind.eq("promoted"))
            .execute(conn)
            .expect("raw update");
        let event = certificate_events::table
            .select(CertificateEvent::as_select())
            .first(conn);
        assert!(names(event.expect_err("event")).contains("unknown event kind"));
        diesel::update(certificates::table)
            .set(certificates::last_assessment_kind.eq("audit"))
            .execute(conn)
            .expect("raw update");
        let certificate = certificates::table
            .select(Certificate::as_select())
            .first(conn);
        assert!(names(certificate.expect_err("certificate")).contains("unknown assessment kind"));
        diesel::update(accounts::table)
            .set(accounts::role.eq("root"))
            .execute(conn)
            .expect("raw update");
        let account = find_account(conn, "odd.one");
        assert!(names(account.expect_err("account")).contains("unknown role"));
    });
});
