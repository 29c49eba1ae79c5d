//! What anonymous clients can make us store of sightings: a day's new hosts per certificate,
//! a cap on unconfirmed sightings (oldest dropped, confirmed kept), a few client networks per
//! sighting, counted on the dashboard.

use crate::common::fixtures::{seed_reference, yunhe};
use crate::common::staff::{account, Browser};
use crate::common::{beijing, send, with_conn, TestApp, TestDb};
use actix_web::test::TestRequest;
use diesel::prelude::*;
use sqe_registry::db::marks::{record_sightings_within, NewSighting, SightingLimits};
use sqe_registry::db::schema::{mark_sightings, sighting_networks};

fn seed(db: &TestDb) -> i32 {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe("M-1", "91330100MA2A00001")
            .domains(&["yunhe.com"])
            .insert(conn, &refs)
    })
}

fn hosts(db: &TestDb) -> Vec<String> {
    with_conn(db, |conn| {
        mark_sightings::table
            .order_by(mark_sightings::host)
            .select(mark_sightings::host)
            .load(conn)
            .expect("hosts")
    })
}

/// A badge request from `peer` with this referrer.
async fn badge_from(app: &TestApp, peer: &str, referer: &str) {
    let req = TestRequest::get()
        .uri("/badge/M-1.svg")
        .peer_addr(peer.parse().expect("peer"))
        .insert_header(("Referer", referer))
        .to_request();
    assert_eq!(send(app, req).await.status, 200);
}

both_backends_async!(
    a_certificate_gets_a_bounded_number_of_new_hosts_a_day,
    |db| {
        seed(&db);
        let day = beijing(2026, 12, 3, 10, 0);
        let app_on = |at| {
            let db = &db;
            async move {
                let state =
                    crate::common::state_with(db, at, |c| c.sighting_limits.new_hosts_per_day = 5);
                TestApp::on_state(state).await
            }
        };
        let app = app_on(day).await;
        for i in 0..20 {
            badge_from(
                &app,
                "203.0.113.9:1",
                &format!("https://shop{i:02}.example/"),
            )
            .await;
        }
        app.state.flush_sightings().await.expect("flush");
        let first = hosts(&db);
        assert_eq!(first.len(), 5, "{first:?}");
        // A known host is still counted; a sixth new one still not.
        badge_from(&app, "203.0.113.9:1", &format!("https://{}/", first[0])).await;
        badge_from(&app, "203.0.113.9:1", "https://late.example/").await;
        app.state.flush_sightings().await.expect("flush");
        assert_eq!(hosts(&db), first);
        let hits: i64 = with_conn(&db, |conn| {
            mark_sightings::table
                .filter(mark_sightings::host.eq(&first[0]))
                .select(mark_sightings::hits)
                .first(conn)
                .expect("hits")
        });
        assert_eq!(hits, 2);
        // A day later there is room again.
        let tomorrow = app_on(day + chrono::Duration::hours(25)).await;
        badge_from(&tomorrow, "203.0.113.9:1", "https://late.example/").await;
        tomorrow.state.flush_sightings().await.expect("flush");
        assert_eq!(hosts(&db).len(), 6);
    }
);

both_backends!(unconfirmed_sightings_are_capped_oldest_first, |db| {
    let id = seed(&db);
    let at = |minute: u32| beijing(2026, 12, 3, 10, minute).naive_utc();
    let row = |host: &str, minute| NewSighting {
        certificate_id: id,
        host: host.to_owned(),
        first_seen: at(minute),
        last_seen: at(minute),
        hits: 1,
        networks: vec![format!("{minute:016x}")],
    };
    let limits = SightingLimits {
        new_hosts_per_day: 100,
        max_unconfirmed: 3,
        networks_per_sighting: 2,
    };
    with_conn(&db, |conn| {
        record_sightings_within(conn, &[row("confirmed.example", 0)], limits).expect("write");
        diesel::update(mark_sightings::table)
            .set(mark_sightings::confirmed_at.eq(at(1)))
            .execute(conn)
            .expect("confirm");
        let batch: Vec<NewSighting> = (1..=5).map(|m| row(&format!("h{m}.example"), m)).collect();
        let written = record_sightings_within(conn, &batch, limits).expect("write");
        assert_eq!(written.oldest_dropped, 2);
        // The networks of a sighting are bounded too, and dropped with it.
        let more = NewSighting {
            networks: (10..20).map(|n| format!("{n:016x}")).collect(),
            ..row("h5.example", 9)
        };
        record_sightings_within(conn, &[more], limits).expect("write");
        let nets: Vec<(i32, String)> = sighting_networks::table
            .select((sighting_networks::sighting_id, sighting_networks::network))
            .load(conn)
            .expect("networks");
        assert_eq!(
            nets.len(),
            1 + 1 + 1 + 2,
            "confirmed, h3, h4, h5 (capped at 2): {nets:?}"
        );
    });
    assert_eq!(
        hosts(&db),
        [
            "confirmed.example",
            "h3.example",
            "h4.example",
            "h5.example"
        ]
    );
});

both_backends_async!(the_dashboard_counts_distinct_client_networks, |db| {
    seed(&db);
    account(&db, "eve", "evaluator");
    let app = app!(db, beijing(2026, 12, 3, 10, 0));
    // Three reports of fake-shop.com from two networks (an IPv6 /64 is one), one of copy.cn.
    badge_from(&app, "203.0.113.9:1", "https://fake-shop.com/").await;
    badge_from(&app, "[2001:db8:1:2::10]:1", "https://fake-shop.com/a").await;
    badge_from(&app, "[2001:db8:1:2::99]:1", "https://fake-shop.com/b").await;
    badge_from(&app, "198.51.100.1:1", "https://copy.cn/").await;
    app.state.flush_sightings().await.expect("flush");
    // Reported again from a known network in a later batch: still two.
    badge_from(&app, "203.0.113.9:7", "https://fake-shop.com/").await;
    app.state.flush_sightings().await.expect("flush");
    let mut eve = Browser::login(&app, "eve").await;
    let dashboard = eve.get(&app, "/admin").await;
    let row = |host: &str| {
        let start = dashboard
            .body
            .find(&format!("<td>{host}</td>"))
            .expect("host row");
        let rest = &dashboard.body[start..];
        rest[..rest.find("</tr>").expect("row end")].to_owned()
    };
    assert!(
        row("fake-shop.com").contains("<td class=\"small\">2</td>"),
        "{}",
        row("fake-shop.com")
    );
    assert!(
        row("copy.cn").contains("<td class=\"small\">1</td>"),
        "{}",
        row("copy.cn")
    );
    dashboard.assert_contains("Referer");
    // No address is stored, only digests.
    let stored: Vec<String> = with_conn(&db, |conn| {
        sighting_networks::table
            .select(sighting_networks::network)
            .load(conn)
            .expect("networks")
    });
    assert!(stored
        .iter()
        .all(|n| n.len() == 16 && !n.contains('.') && !n.contains(':')));
});
