//! Evaluations and bindings through the back office: the preview, a downgrade, a fail that
//! suspends, the restore, each as the public page and the badge show it; bound domains and scope.

use crate::common;

use common::backoffice::{count_events, event_kinds, seed, stored};
use common::staff::Browser;
use common::{beijing, get, with_conn, TestDb};
use diesel::prelude::*;
use sqe_registry::db::schema::{audit_log, certificates};

both_backends_async!(
    an_evaluation_downgrades_then_a_fail_suspends_then_restore,
    |db| {
        seed(&db);
        let app = app!(db, beijing(2026, 11, 28, 12, 0));
        let zh = sqe_registry::web::i18n::Lang::ZhCn;
        let mut eve = Browser::login(&app, "eve").await;
        let form = eve.get(&app, "/admin/certificates/L-1/evaluate").await;
        assert_eq!(form.status, 200);
        let token = common::staff::csrf_of(&form);
        let ids: Vec<i32> = with_conn(&db, |conn| {
            use sqe_registry::db::schema::indicators;
            indicators::table
                .filter(indicators::parent_id.is_null())
                .filter(
                    indicators::scheme_version_id.eq(certificates::table
                        .filter(certificates::number.eq("L-1"))
                        .select(certificates::scheme_version_id)
                        .single_value()
                        .assume_not_null()),
                )
                .order_by(indicators::position.asc())
                .select(indicators::id)
                .load(conn)
                .expect("indicators")
        });
        assert_eq!(ids.len(), 3);
        let fields = |date: &str, scores: [&str; 3], intent: &str| {
            let mut f: Vec<(String, String)> = vec![
                ("csrf".into(), token.clone()),
                ("kind".into(), "surveillance".into()),
                ("assessed_on".into(), date.into()),
                ("deduction".into(), "0".into()),
                ("intent".into(), intent.into()),
            ];
            for (id, s) in ids.iter().zip(scores) {
                if s == "na" {
                    f.push((format!("na{id}"), "1".into()));
                } else {
                    f.push((format!("s{id}"), s.into()));
                }
            }
            f
        };
        let post = |f: Vec<(String, String)>| {
            let mut eve = eve.clone();
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> =
                    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                eve.post(app, "/admin/certificates/L-1/evaluate", &pairs)
                    .await
            }
        };
        // The preview computes 24/30 = 80 (three stars, down from four) and saves nothing.
        let preview = post(fields("2026-11-20", ["8", "8", "8"], "preview")).await;
        assert_eq!(preview.status, 200);
        preview
            .assert_contains("80.00")
            .assert_contains(&zh.t("event-downgraded"));
        assert_eq!(stored(&db, "L-1").0, "valid");
        let events_before = count_events(&db);
        // Bad input: a missing score, a score above its maximum.
        let missing = post(fields("2026-11-20", ["8", "", "8"], "save")).await;
        assert_eq!(missing.status, 422);
        let over = post(fields("2026-11-20", ["8", "11", "8"], "save")).await;
        assert_eq!(over.status, 422);
        assert_eq!(count_events(&db), events_before);

        let saved = post(fields("2026-11-20", ["8", "8", "8"], "save")).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let grade: i16 = with_conn(&db, |conn| {
            certificates::table
                .filter(certificates::number.eq("L-1"))
                .select(certificates::grade)
                .first(conn)
                .expect("grade")
        });
        assert_eq!(grade, 3);
        get(&app, "/certificates/L-1")
            .await
            .assert_contains("status-valid")
            .assert_contains(&zh.t("event-downgraded"))
            .assert_contains("2026-11-20");
        // A second evaluation on the same day is refused (it must follow the last one).
        let same_day = post(fields("2026-11-20", ["8", "8", "8"], "save")).await;
        assert_eq!(same_day.status, 422);

        // 12 of 20 applicable points = 60: a fail suspends, with the public reason.
        let failed = post(fields("2026-11-27", ["6", "6", "na"], "save")).await;
        assert_eq!(failed.status, 303);
        assert_eq!(stored(&db, "L-1").0, "suspended");
        get(&app, "/certificates/L-1")
            .await
            .assert_contains("status-suspended")
            .assert_contains(sqe_registry::domain::evaluation::FAIL_REASON_ZH);
        get(&app, "/badge/L-1.svg").await.assert_contains("暂停");

        // Restored after corrective action: valid again, at the grade it last earned.
        let restored = eve
            .post(&app, "/admin/certificates/L-1/restore", &[("csrf", &token)])
            .await;
        assert_eq!(restored.status, 303);
        get(&app, "/badge/L-1.svg").await.assert_contains("有效");
        let kinds = event_kinds(&db, "L-1");
        assert_eq!(
            kinds[kinds.len() - 3..],
            ["downgraded", "suspended", "restored"]
        );
        let audit: i64 = with_conn(&db, |conn| {
            audit_log::table
                .filter(audit_log::action.eq("evaluation.surveillance"))
                .count()
                .get_result(conn)
                .expect("audit")
        });
        assert_eq!(audit, 2);
    }
);

both_backends_async!(bound_domains_and_scope_change_with_the_rules, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    let mut eve = Browser::login(&app, "eve").await;
    let token = eve.token(&app).await;
    let post = |domains: &'static str, scope: &'static str| {
        let mut eve = eve.clone();
        let token = token.clone();
        let app = &app;
        async move {
            eve.post(
                app,
                "/admin/certificates/L-2/binding",
                &[("csrf", &token), ("domains", domains), ("scope_zh", scope)],
            )
            .await
        }
    };
    let bound = |db: &TestDb| {
        with_conn(db, |conn| {
            sqe_registry::db::certificates::find_detail(conn, "L-2")
                .expect("read")
                .expect("certificate")
                .domains
        })
    };
    // yunhe.com belongs to L-1's platform.
    let taken = post("l2.example.cn\nyunhe.com", "网络零售").await;
    assert_eq!(taken.status, 409);
    taken.assert_contains("yunhe.com");
    assert_eq!(post("not a host!", "网络零售").await.status, 422);
    assert_eq!(post("l2.example.cn", " ").await.status, 422);
    assert_eq!(bound(&db), ["l2.example.cn"]);

    let saved = post(
        "https://www.L2-new.example.cn/shop\nl2.example.cn",
        "网络零售平台服务",
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(bound(&db), ["l2-new.example.cn", "l2.example.cn"]);
    get(&app, "/certificates/L-2")
        .await
        .assert_contains("l2-new.example.cn")
        .assert_contains("网络零售平台服务");

    set_revoked(&db, "L-2");
    assert_eq!(post("l2.example.cn", "网络零售").await.status, 409);
    assert_eq!(bound(&db), ["l2-new.example.cn", "l2.example.cn"]);
});

fn set_revoked(db: &TestDb, number: &str) {
    common::set_status(db, number, "revoked");
}
