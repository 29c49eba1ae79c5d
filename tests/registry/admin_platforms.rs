//! Correcting a certified platform from its certificate's back-office page: its certificates
//! are re-indexed (found by the new names at once), bad input is refused with what was typed,
//! a platform without domains keeps an app, and every correction is audited.

use crate::common;

use common::holders::{
    audits, code, in_force, search, search_href, seed, stored_platform, version_of,
};
use common::staff::{csrf_of, Browser};
use common::{beijing, get};

both_backends_async!(a_platform_correction_reindexes_its_certificates, |db| {
    seed(&db);
    let app = app!(db, beijing(2026, 11, 28, 12, 0));
    get(&app, "/certificates/C-1")
        .await
        .assert_contains("云禾商城");
    let mut eve = Browser::login(&app, "eve").await;
    let page = eve.get(&app, "/admin/certificates/C-1").await;
    page.assert_contains("action=\"/admin/certificates/C-1/platform\"")
        .assert_contains(&format!("href=\"/admin/companies/{}\"", code(1)));
    let (token, version) = (csrf_of(&page), version_of(&page));
    let uri = "/admin/certificates/C-1/platform";
    let form = |name: &'static str, kind: &'static str, apps: &'static str| {
        vec![
            ("csrf", token.clone()),
            ("version", version.clone()),
            ("platform_name", name.to_owned()),
            ("platform_type", kind.to_owned()),
            ("app_names", apps.to_owned()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let mut eve = eve.clone();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            eve.post(app, uri, &pairs).await
        }
    };
    for (form, message) in [
        (form("", "b2c", ""), "必须填写“平台名称”"),
        (form("青禾优品", "b2b2c", ""), "“b2b2c”不是平台类型"),
    ] {
        let page = send(form).await;
        assert_eq!(page.status, 422, "{}", page.body);
        page.assert_contains(message)
            .assert_contains("action=\"/admin/certificates/C-1/platform\"");
    }
    let typed = send(form("青禾优品", "b2b2c", "")).await;
    typed.assert_contains("value=\"青禾优品\"");
    assert_eq!(stored_platform(&db, "C-1").0, "云禾商城");

    let saved = send(form("青禾优品", "cross-border", "青禾 App\r\n青禾极速版\n")).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        stored_platform(&db, "C-1"),
        (
            "青禾优品".into(),
            "cross-border".into(),
            "青禾 App\n青禾极速版".into()
        )
    );
    for q in ["青禾优品", "极速版"] {
        search(&app, q).await.assert_contains(&search_href("C-1"));
    }
    search(&app, "云禾商城")
        .await
        .assert_lacks(&search_href("C-1"));
    get(&app, "/certificates/C-1")
        .await
        .assert_contains("青禾优品")
        .assert_lacks("云禾商城</");
    // The statistics count the certificate under its platform's new type at once.
    assert_eq!(in_force(&app, "types", "cross-border").await, 1);
    let entries = audits(&db, "platform.update");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, "C-1");
    assert!(entries[0].1.contains("云禾商城") && entries[0].2.contains("青禾极速版"));
    // Saved again unchanged: nothing more in the audit log.
    let page = eve.get(&app, "/admin/certificates/C-1").await;
    let current = version_of(&page);
    let unchanged = vec![
        ("csrf", token.as_str()),
        ("version", &current),
        ("platform_name", "青禾优品"),
        ("platform_type", "cross-border"),
        ("app_names", "青禾 App\n青禾极速版"),
    ];
    let answer = eve.post(&app, uri, &unchanged).await;
    assert_eq!(answer.status, 303);
    assert_eq!(audits(&db, "platform.update").len(), 1);
    // A form opened before the correction is stale: refused, nothing written.
    let stale = [
        ("csrf", token.as_str()),
        ("version", version.as_str()),
        ("platform_name", "别的名称"),
        ("platform_type", "b2c"),
    ];
    let page = eve.post(&app, uri, &stale).await;
    assert_eq!(page.status, 409);
    page.assert_contains("其他人修改了这条记录");
    assert_eq!(stored_platform(&db, "C-1").0, "青禾优品");

    // A platform bound to no domain keeps at least one app.
    let page = eve.get(&app, "/admin/certificates/C-3").await;
    let version = version_of(&page);
    let no_app = [
        ("csrf", token.as_str()),
        ("version", &version),
        ("platform_name", "小鹿商城"),
        ("platform_type", "c2c"),
        ("app_names", " \n "),
    ];
    let page = eve
        .post(&app, "/admin/certificates/C-3/platform", &no_app)
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("至少需要一个应用名称");
    assert_eq!(stored_platform(&db, "C-3").2, "小鹿");
    let missing = eve
        .post(&app, "/admin/certificates/NOPE/platform", &no_app)
        .await;
    assert_eq!(missing.status, 404);
});
