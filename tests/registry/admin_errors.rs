//! Error pages under `/admin` keep the back office's layout (its header and navigation, a way
//! back to the dashboard), their status, and `no-store`/`noindex`; the public site's and the
//! login form's errors keep the public layout.

use crate::common;

use common::backoffice::{seed, stored};
use common::staff::{account, Browser};
use common::{beijing, get, Page};

/// The back office's header with its navigation (shown to someone signed in).
const ADMIN_NAV: &str = "href=\"/admin/audit\"";
const ADMIN_HEADER: &str = "admin-header";

fn assert_back_office(page: &Page, status: u16) {
    assert_eq!(page.status, status, "{}", page.body);
    page.assert_contains(ADMIN_HEADER)
        .assert_contains("href=\"/admin\"")
        .assert_lacks("href=\"/search\"");
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    assert!(page
        .header("x-robots-tag")
        .is_some_and(|v| v.contains("noindex")));
}

both_backends_async!(back_office_errors_keep_the_back_office_layout, |db| {
    seed(&db);
    account(&db, "vic", "viewer");
    let app = app!(db, beijing(2026, 11, 28, 12, 0));

    // 403: a viewer may not suspend.
    let mut vic = Browser::login(&app, "vic").await;
    let token = vic.token(&app).await;
    let forbidden = vic
        .post(
            &app,
            "/admin/certificates/L-1/suspend",
            &[
                ("csrf", token.as_str()),
                ("reason_zh", "测试"),
                ("until", "2026-12-20"),
            ],
        )
        .await;
    assert_back_office(&forbidden, 403);
    forbidden
        .assert_contains(ADMIN_NAV)
        .assert_contains("vic (")
        .assert_contains("需要“evaluator”或更高角色")
        .assert_contains("返回后台首页");
    assert_eq!(stored(&db, "L-1").0, "valid");

    // The same in English, from the reader's language.
    let english = vic
        .post(
            &app,
            "/admin/certificates/L-1/suspend?lang=en",
            &[("csrf", token.as_str()), ("reason_zh", "测试")],
        )
        .await;
    assert_back_office(&english, 403);
    english.assert_contains("Back to the back-office dashboard");

    // 409: a correction from a form that is no longer current.
    let mut eve = Browser::login(&app, "eve").await;
    let token = eve.token(&app).await;
    let code = common::fixtures::credit_code("91330100MA2A00001");
    let stale = eve
        .post(
            &app,
            &format!("/admin/companies/{code}"),
            &[
                ("csrf", token.as_str()),
                ("version", "0000000000000000"),
                ("credit_code", code.as_str()),
                ("company_name_zh", "新名称有限公司"),
                ("province_code", "330000"),
                ("city", "杭州市"),
            ],
        )
        .await;
    assert_back_office(&stale, 409);
    stale.assert_contains(ADMIN_NAV);

    // 404 and a missing CSRF token, still inside the back office.
    assert_back_office(&eve.get(&app, "/admin/certificates/NOPE").await, 404);
    let no_token = eve.post(&app, "/admin/logout", &[]).await;
    assert_back_office(&no_token, 403);
    // Not signed in: the back office's header without its navigation.
    let anonymous = Browser::default().get(&app, "/admin/no/such/page").await;
    assert_back_office(&anonymous, 404);
    anonymous.assert_lacks(ADMIN_NAV);

    // The public site and the login form keep the public layout.
    let public = get(&app, "/no/such/page").await;
    assert_eq!(public.status, 404);
    public
        .assert_lacks(ADMIN_HEADER)
        .assert_contains("href=\"/search\"");
    let login = Browser::default().post(&app, "/admin/login", &[]).await;
    assert_eq!(login.status, 403);
    login.assert_lacks(ADMIN_HEADER);
});
