//! The registry the back-office lifecycle tests act on: three certificates at known points of
//! their surveillance schedule, an evaluator, and readers of what changed.

use sqe_registry::db::schema::{certificate_events, certificates};

use super::fixtures::{seed_reference, yunhe};
use super::staff::account;
use super::{date, with_conn, TestDb};
use diesel::prelude::*;

pub fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe("L-1", "91330100MA2A00001")
            .domains(&["yunhe.com"])
            .stars(4)
            .dates(date(2025, 1, 10), date(2028, 1, 9))
            // Surveillance due 2026-07-10 after this initial evaluation: overdue on 2026-11-28.
            .last_assessment("initial", date(2026, 1, 10))
            .insert(conn, &refs);
        yunhe("L-2", "91330100MA2A00002")
            .domains(&["l2.example.cn"])
            // Due 2026-12-15: within 30 days.
            .last_assessment("surveillance", date(2025, 12, 15))
            .insert(conn, &refs);
        yunhe("L-3", "91330100MA2A00003")
            .domains(&["l3.example.cn"])
            // Due 2027-06-01: not listed.
            .last_assessment("surveillance", date(2026, 6, 1))
            .insert(conn, &refs);
    });
    account(db, "eve", "evaluator");
}

pub fn stored(db: &TestDb, number: &str) -> (String, Option<chrono::NaiveDate>, chrono::NaiveDate) {
    with_conn(db, |conn| {
        certificates::table
            .filter(certificates::number.eq(number))
            .select((
                certificates::status,
                certificates::suspended_until,
                certificates::expires_on,
            ))
            .first(conn)
            .expect("certificate")
    })
}

/// A certificate's public events, oldest first.
pub fn event_kinds(db: &TestDb, number: &str) -> Vec<String> {
    with_conn(db, |conn| {
        certificate_events::table
            .inner_join(certificates::table)
            .filter(certificates::number.eq(number))
            .order_by(certificate_events::id.asc())
            .select(certificate_events::kind)
            .load(conn)
            .expect("events")
    })
}

pub fn count_events(db: &TestDb) -> i64 {
    with_conn(db, |conn| {
        certificate_events::table
            .count()
            .get_result(conn)
            .expect("count")
    })
}
