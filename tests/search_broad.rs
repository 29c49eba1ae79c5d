//! Broad name searches (a word in most names, like 有限公司) walk the sort order with index
//! probes and cap their count; narrow ones count exactly. Checked on a generated registry
//! larger than the thresholds, against counts computed independently.

mod common;

use common::{date, with_conn};
use diesel::prelude::*;
use sqe_registry::db::schema::certificates;
use sqe_registry::db::search::{
    resolve, search, Matcher, SearchFilters, SearchRequest, SortOrder, BROAD_POSTINGS, COUNT_CAP,
};
use sqe_registry::demo::{fill_empty, DemoOptions};

const SIZE: u32 = 10_500;

both_backends!(broad_and_narrow_name_searches, |db| {
    with_conn(&db, |conn| {
        let today = date(2026, 11, 28);
        fill_empty(
            conn,
            &DemoOptions {
                count: SIZE,
                seed: 5,
                today,
            },
        )
        .expect("demo");
        let request = |matcher: Matcher| SearchRequest {
            matcher,
            filters: SearchFilters::default(),
            sort: SortOrder::Grade,
            page: 1,
            per_page: 20,
            today,
        };
        let exact = |conn: &mut sqe_registry::db::DbConnection, needle: &str| -> i64 {
            certificates::table
                .filter(certificates::search_text.like(format!("%{needle}%")))
                .count()
                .get_result(conn)
                .expect("count")
        };

        // 有限公司 is in nearly every name: broad, capped at COUNT_CAP.
        let matcher = resolve(conn, "有限公司").expect("resolve");
        assert!(
            matches!(matcher, Matcher::Name { broad: true, .. }),
            "{matcher:?}"
        );
        let all = exact(conn, "有限公司");
        assert!(all > COUNT_CAP, "the data set must exceed the cap: {all}");
        let page = search(conn, &request(matcher)).expect("search");
        assert!(page.capped);
        assert_eq!(page.total, COUNT_CAP);
        assert_eq!(page.hits.len(), 20);
        let grades: Vec<i16> = page.hits.iter().map(|h| h.grade).collect();
        let mut sorted = grades.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(grades, sorted, "highest grade first");
        let top: i16 = certificates::table
            .select(diesel::dsl::max(certificates::grade))
            .first::<Option<i16>>(conn)
            .expect("max")
            .expect("some");
        assert_eq!(grades[0], top);

        // A brand fragment is narrow: counted exactly, same as a plain substring count.
        let brand: String = certificates::table
            .inner_join(sqe_registry::db::schema::platforms::table)
            .select(sqe_registry::db::schema::platforms::name)
            .first::<String>(conn)
            .expect("a platform")
            .chars()
            .take(2)
            .collect();
        let matcher = resolve(conn, &brand).expect("resolve");
        assert!(
            matches!(matcher, Matcher::Name { broad: false, .. }),
            "{matcher:?}"
        );
        let page = search(conn, &request(matcher)).expect("search");
        assert!(!page.capped);
        let normalized = sqe_registry::domain::search_text::normalize(&brand);
        assert_eq!(page.total, exact(conn, &normalized));
        assert!(page.total < i64::try_from(BROAD_POSTINGS).expect("small"));
    });
});
