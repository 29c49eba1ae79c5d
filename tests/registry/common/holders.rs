//! The registry the company and platform correction tests act on: three holders, an evaluator
//! and a viewer; readers of what is stored; the public search as a visitor uses it.

use diesel::prelude::*;
use sqe_registry::db::schema::{audit_log, certificate_events, certificates, companies, platforms};

use super::fixtures::{credit_code, seed_reference, yunhe};
use super::staff::account;
use super::{get, with_conn, AppService, Page, TestDb};

/// The name every seeded holder starts with (C-2 and C-3 get their own).
pub const OLD_NAME: &str = "杭州云禾网络科技有限公司";

/// A valid credit code; `n` is one digit (C-`n` holds code `n`).
pub fn code(n: u32) -> String {
    credit_code(&format!("91330100MA2B0000{n}"))
}

/// Three holders: C-1 (bound to yunhe.com), C-2 of another company, C-3 whose platform has
/// only an app; an evaluator and a viewer.
pub fn seed(db: &TestDb) {
    with_conn(db, |conn| {
        let refs = seed_reference(conn);
        yunhe("C-1", "91330100MA2B00001")
            .domains(&["yunhe.com"])
            .insert(conn, &refs);
        yunhe("C-2", "91330100MA2B00002")
            .company("宁波海蓝贸易有限公司", None, &code(2))
            .platform("海蓝优选", "b2b")
            .domains(&["hailan.example.cn"])
            .insert(conn, &refs);
        yunhe("C-3", "91330100MA2B00003")
            .company("温州小鹿文化传媒有限公司", None, &code(3))
            .platform("小鹿商城", "c2c")
            .apps(&["小鹿"])
            .insert(conn, &refs);
    });
    account(db, "eve", "evaluator");
    account(db, "vic", "viewer");
}

/// The value of the hidden `version` field of the first form that has one.
pub fn version_of(page: &Page) -> String {
    let marker = "name=\"version\" value=\"";
    let start = page.body.find(marker).expect("version field") + marker.len();
    page.body[start..]
        .split('"')
        .next()
        .expect("value")
        .to_owned()
}

/// A company's Chinese name and city, if the code is stored.
pub fn stored_company(db: &TestDb, code: &str) -> Option<(String, String)> {
    with_conn(db, |conn| {
        companies::table
            .filter(companies::credit_code.eq(code))
            .select((companies::name_zh, companies::city))
            .first(conn)
            .optional()
            .expect("company")
    })
}

/// The name, type and app names of a certificate's platform.
pub fn stored_platform(db: &TestDb, number: &str) -> (String, String, String) {
    with_conn(db, |conn| {
        certificates::table
            .inner_join(platforms::table)
            .filter(certificates::number.eq(number))
            .select((
                platforms::name,
                platforms::platform_type,
                platforms::app_names,
            ))
            .first(conn)
            .expect("platform")
    })
}

/// The audit entries of an action: (entity id, before, after), oldest first.
pub fn audits(db: &TestDb, action: &str) -> Vec<(String, String, String)> {
    with_conn(db, |conn| {
        audit_log::table
            .filter(audit_log::action.eq(action))
            .order_by(audit_log::id.asc())
            .select((
                audit_log::entity_id,
                audit_log::before_json.assume_not_null(),
                audit_log::after_json.assume_not_null(),
            ))
            .load(conn)
            .expect("audit")
    })
}

/// How a search result links to a certificate.
pub fn search_href(number: &str) -> String {
    format!("href=\"/certificates/{number}\"")
}

/// The public search for `q`.
pub async fn search<S, B>(app: &S, q: &str) -> Page
where
    S: AppService<B>,
    B: actix_web::body::MessageBody,
{
    let q = serde_urlencoded::to_string([("q", q)]).expect("query");
    let page = get(app, &format!("/search?{q}")).await;
    assert_eq!(page.status, 200);
    page
}

/// The in-force count of one row of a statistics chart by province or type (`chart` is
/// `provinces` or `types`, `key` a province code or platform type); 0 when it has no row.
pub async fn in_force<S, B>(app: &S, chart: &str, key: &str) -> i64
where
    S: AppService<B>,
    B: actix_web::body::MessageBody,
{
    let page = get(app, &format!("/statistics/{chart}.csv")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(','))
        .find(|(k, _)| *k == key)
        .and_then(|(_, rest)| rest.rsplit(',').next()?.trim().parse().ok())
        .unwrap_or(0)
}

/// The provinces of a certificate and of each of its public events, as stored.
pub fn stored_provinces(db: &TestDb, number: &str) -> (String, Vec<String>) {
    with_conn(db, |conn| {
        let (id, province): (i32, String) = certificates::table
            .filter(certificates::number.eq(number))
            .select((certificates::id, certificates::province_code))
            .first(conn)
            .expect("certificate");
        let events = certificate_events::table
            .filter(certificate_events::certificate_id.eq(id))
            .select(certificate_events::province_code)
            .load(conn)
            .expect("events");
        (province, events)
    })
}
