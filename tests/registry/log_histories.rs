//! The history download and the outside check's comparison of it with the log, on both
//! backends: the file lists each certificate's public history with log indexes under a header
//! naming the log size; `log verify` accepts an honest registry and catches an insider who edits
//! an event the page shows, adds one outside the commit path, or hides one.

use crate::common;

use chrono::NaiveDate;
use diesel::prelude::*;
use sqe_registry::app::certificates::apply;
use sqe_registry::config::log_key::demo_signer;
use sqe_registry::db::schema::{certificate_events, certificates, log_entries};
use sqe_registry::db::write::bump_revision;
use sqe_registry::db::DbConnection;
use sqe_registry::domain::lifecycle::{ActionInput, ActionKind};
use sqe_registry::domain::tlog::histories::{CertificateHistory, Header, HistoryError};
use sqe_registry::domain::tlog::verify::{verify, HistoriesCompared, VerifyError, HISTORY_PATH};

use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
use common::{beijing, cli_actor, with_conn, Served};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Two certificates: C-1 issued, upgraded and then suspended through the app; C-2 issued.
fn seed(db: &common::TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        CertificateBuilder::new("C-1")
            .event("issued", day(2024, 3, 1), (None, Some(4)), None)
            .event("upgraded", day(2025, 3, 1), (Some(4), Some(5)), None)
            .insert(conn, &refs);
        CertificateBuilder::new("C-2")
            .company("第二公司", None, &credit_code("91330100MA2B00002"))
            .event("issued", day(2024, 5, 1), (None, Some(3)), None)
            .insert(conn, &refs);
        let actor = cli_actor("ops", beijing(2026, 12, 2, 10, 30));
        let input = ActionInput {
            reason_zh: "监督中发现问题".into(),
            reason_en: "Problems found in surveillance".into(),
            until: Some(day(2027, 1, 31)),
        };
        apply(conn, &actor, "C-1", ActionKind::Suspend, &input).expect("suspended");
    });
}

both_backends_async!(
    the_history_download_lists_each_event_with_its_log_index,
    |db| {
        seed(&db);
        let app = common::TestApp::new(&db, beijing(2026, 12, 2, 11, 0)).await;
        let page = app.get(HISTORY_PATH).await;
        assert_eq!(page.status, 200);
        assert!(
            page.header("content-type")
                .is_some_and(|t| t.starts_with("application/x-ndjson")),
            "{:?}",
            page.header("content-type")
        );
        let mut lines = page.body.lines();
        let header: Header = serde_json::from_str(lines.next().expect("header")).expect("header");
        assert_eq!(header.format, "sqe-registry-history");
        assert_eq!(header.log_size, 4);
        let histories: Vec<CertificateHistory> = lines
            .map(|l| serde_json::from_str(l).expect("a certificate"))
            .collect();
        let numbers: Vec<&str> = histories.iter().map(|h| h.number.as_str()).collect();
        assert_eq!(numbers, ["C-1", "C-2"]);
        let c1: Vec<(Option<u64>, &str, &str)> = histories[0]
            .history
            .iter()
            .map(|e| (e.log_index, e.kind.as_str(), e.date.as_str()))
            .collect();
        // The backfill appends the recorded history in event order (C-1's two, then C-2's),
        // then the suspension.
        assert_eq!(
            c1,
            [
                (Some(0), "issued", "2024-03-01"),
                (Some(1), "upgraded", "2025-03-01"),
                (Some(3), "suspended", "2026-12-02"),
            ]
        );
        assert_eq!(histories[0].history[1].stars_before, Some(4));
        assert_eq!(histories[0].history[1].stars_after, Some(5));
        let suspension = &histories[0].history[2];
        assert_eq!(suspension.reason_zh.as_deref(), Some("监督中发现问题"));
        assert_eq!(
            suspension.reason_en.as_deref(),
            Some("Problems found in surveillance")
        );
        assert_eq!(histories[1].history[0].log_index, Some(2));

        let listed = app.get("/downloads").await;
        listed.assert_contains("/downloads/sqe-registry-history.jsonl");
        let readme = app.get("/downloads/README.txt").await;
        readme.assert_contains("/downloads/sqe-registry-history.jsonl");
    }
);

/// What an insider changes in the database directly, once the history download shows it.
async fn publish(app: &common::TestApp, db: &common::TestDb, sql: impl FnOnce(&mut DbConnection)) {
    let before = app.get(HISTORY_PATH).await.body;
    with_conn(db, |conn| {
        sql(conn);
        bump_revision(conn).expect("revision");
    });
    app.state.revision.force_check();
    for _ in 0..200 {
        if app.get(HISTORY_PATH).await.body != before {
            return;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the new history file never came");
}

both_backends_async!(
    the_outside_check_compares_each_history_with_the_log_both_ways,
    |db| {
        seed(&db);
        let app = common::TestApp::new(&db, beijing(2026, 12, 2, 11, 0)).await;
        let keys = [demo_signer().verifier()];
        let check = || async { verify(&mut Served(&app), &keys, None, true, |_, _| {}).await };
        let ok = check().await.expect("an honest registry checks out");
        assert_eq!(
            ok.histories,
            Some(HistoriesCompared {
                certificates: 2,
                events: 4,
                log_size: 4
            })
        );

        let suspension: i32 = with_conn(&db, |conn| {
            log_entries::table
                .find(3i64)
                .select(log_entries::event_id)
                .first::<Option<i32>>(conn)
                .expect("entry")
                .expect("an event")
        });
        let set_reason = |reason: &'static str| {
            move |conn: &mut DbConnection| {
                diesel::update(certificate_events::table.find(suspension))
                    .set(certificate_events::reason_zh.eq(reason))
                    .execute(conn)
                    .expect("edited");
            }
        };

        // The page now tells another reason than the log.
        publish(&app, &db, set_reason("例行检查")).await;
        assert_eq!(
            check().await.map(|_| ()),
            Err(VerifyError::History(HistoryError::Differs {
                index: 3,
                certificate: "C-1".into()
            }))
        );
        publish(&app, &db, set_reason("监督中发现问题")).await;
        check().await.expect("as it was");

        // An event added outside the commit path: the page shows it, the log never had it.
        let c2: i32 = with_conn(&db, |conn| {
            certificates::table
                .filter(certificates::number.eq("C-2"))
                .select(certificates::id)
                .first(conn)
                .expect("C-2")
        });
        let added = std::cell::Cell::new(0);
        publish(&app, &db, |conn| {
            diesel::insert_into(certificate_events::table)
                .values((
                    certificate_events::certificate_id.eq(c2),
                    certificate_events::kind.eq("upgraded"),
                    certificate_events::occurred_on.eq(day(2026, 1, 5)),
                    certificate_events::grade_before.eq(Some(3i16)),
                    certificate_events::grade_after.eq(Some(5i16)),
                    certificate_events::created_at.eq(beijing(2026, 1, 5, 9, 0).naive_utc()),
                    certificate_events::province_code.eq("110000"),
                ))
                .execute(conn)
                .expect("inserted");
            added.set(
                certificate_events::table
                    .select(diesel::dsl::max(certificate_events::id))
                    .first::<Option<i32>>(conn)
                    .expect("id")
                    .expect("an event"),
            );
        })
        .await;
        assert_eq!(
            check().await.map(|_| ()),
            Err(VerifyError::History(HistoryError::Unlogged {
                certificate: "C-2".into(),
                kind: "upgraded".into(),
                date: "2026-01-05".into()
            }))
        );
        publish(&app, &db, |conn| {
            diesel::delete(certificate_events::table.find(added.get()))
                .execute(conn)
                .expect("deleted");
        })
        .await;
        check().await.expect("as it was");

        // The suspension hidden from the page: its entry is in no history.
        publish(&app, &db, |conn| {
            diesel::update(log_entries::table.find(3i64))
                .set(log_entries::event_id.eq(None::<i32>))
                .execute(conn)
                .expect("unlinked");
            diesel::delete(certificate_events::table.find(suspension))
                .execute(conn)
                .expect("deleted");
        })
        .await;
        assert_eq!(
            check().await.map(|_| ()),
            Err(VerifyError::History(HistoryError::Missing {
                index: 3,
                certificate: "C-1".into()
            }))
        );
        // The log alone still checks out: only the comparison sees it.
        verify(&mut Served(&app), &keys, None, false, |_, _| {})
            .await
            .expect("the log is intact");
    }
);
