//! Broad name searches (a word in most names, like 有限公司) check the normalised text of the
//! rows they reach; every search counts up to `MAX_LISTED` and lists no deeper, and a search
//! whose matches are rare in its order lists only those among the first `walk_budget` rows. Checked on a generated
//! registry larger than the thresholds, against counts and orders computed by plain SQL.

use crate::common;

use common::{date, get, with_conn};
use diesel::prelude::*;
use sqe_registry::db::schema::certificates;
use sqe_registry::db::search::{
    resolve, search, walk_budget, Matcher, SearchFilters, SearchRequest, SortOrder, BROAD_POSTINGS,
    MAX_LISTED, SORTED_BUDGET,
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

        // 有限公司 is in nearly every name: broad, capped at MAX_LISTED.
        let matcher = resolve(conn, "有限公司").expect("resolve");
        assert!(
            matches!(matcher, Matcher::Name { broad: true, .. }),
            "{matcher:?}"
        );
        let all = exact(conn, "有限公司");
        assert!(all > MAX_LISTED, "the data set must exceed the cap: {all}");
        let page = search(conn, &request(matcher)).expect("search");
        assert!(page.capped);
        assert_eq!(page.total, MAX_LISTED);
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
        let page = search(conn, &request(matcher.clone())).expect("search");
        let normalized = sqe_registry::domain::search_text::normalize(&brand);
        let brand_count = exact(conn, &normalized);
        assert_eq!(page.total, brand_count.min(MAX_LISTED));
        assert_eq!(page.capped, brand_count > MAX_LISTED);
        assert!(brand_count < i64::try_from(BROAD_POSTINGS).expect("small"));
        // Sorted by name, from the ids found (not capped) or by walking the order (capped):
        // the same rows as plain SQL's order.
        let by_name = search(
            conn,
            &SearchRequest {
                sort: SortOrder::Name,
                ..request(matcher)
            },
        )
        .expect("search");
        let expected: Vec<String> = certificates::table
            .filter(certificates::search_text.like(format!("%{normalized}%")))
            .order_by((certificates::sort_name.asc(), certificates::id.asc()))
            .select(certificates::number)
            .limit(20)
            .load(conn)
            .expect("plain order");
        let numbers: Vec<String> = by_name.hits.iter().map(|h| h.number.clone()).collect();
        assert_eq!(numbers, expected);
    });
});

both_backends!(the_deepest_listed_page_follows_the_order, |db| {
    with_conn(&db, |conn| {
        let today = date(2026, 11, 28);
        fill_empty(
            conn,
            &DemoOptions {
                count: 1_500,
                seed: 9,
                today,
            },
        )
        .expect("demo");
        let at_page = |conn: &mut sqe_registry::db::DbConnection, page: u32, per_page: u32| {
            search(
                conn,
                &SearchRequest {
                    matcher: Matcher::All,
                    filters: SearchFilters::default(),
                    sort: SortOrder::Grade,
                    page,
                    per_page,
                    today,
                },
            )
            .expect("search")
        };
        // 1,500 certificates: counted as "more than 1,000"; the 50th page of 20 is the last
        // listed and holds the 981st to 1,000th in grade order; the 51st is empty.
        let last = at_page(conn, 50, 20);
        assert_eq!((last.total, last.capped), (1_000, true));
        let expected: Vec<String> = certificates::table
            .order_by((
                certificates::grade.desc(),
                certificates::score.desc(),
                certificates::id.asc(),
            ))
            .select(certificates::number)
            .limit(20)
            .offset(980)
            .load(conn)
            .expect("plain order");
        let numbers: Vec<String> = last.hits.iter().map(|h| h.number.clone()).collect();
        assert_eq!(numbers, expected);
        assert!(at_page(conn, 51, 20).hits.is_empty());
        // A page that straddles the depth is cut at the 1,000th result.
        assert_eq!(at_page(conn, 11, 99).hits.len(), 10);
    });
});

both_backends_async!(past_the_listed_depth_the_page_says_how_to_narrow, |db| {
    with_conn(&db, |conn| {
        fill_empty(
            conn,
            &DemoOptions {
                count: 1_100,
                seed: 3,
                today: date(2026, 11, 28),
            },
        )
        .expect("demo");
    });
    let app = app!(db, common::beijing(2026, 11, 28, 10, 0));
    let last = get(&app, "/search?page=50&lang=en").await;
    assert_eq!(last.status, 200);
    last.assert_contains("At least 1000 results")
        .assert_contains("Only the first 1000 results are listed")
        .assert_contains("href=\"/downloads\"");
    let beyond = get(&app, "/search?page=51&lang=en").await;
    assert_eq!(beyond.status, 400);
    beyond.assert_contains("Narrow the search with a filter");
    let zh = get(&app, "/search?page=51").await;
    assert_eq!(zh.status, 400);
    zh.assert_contains("请用筛选条件");
    // The API lists the same depth and refuses past it, naming the remedy.
    let api = get(&app, "/api/v1/certificates?page=10&per_page=100").await;
    assert_eq!(api.status, 200);
    assert!(api.body.contains("\"total\":1000") && api.body.contains("\"total_capped\":true"));
    assert!(api.body.contains("\"next\":null"), "{}", api.body);
    let api = get(&app, "/api/v1/certificates?page=11&per_page=100").await;
    assert_eq!(api.status, 400);
    assert!(api.body.contains("Narrow the search"), "{}", api.body);
    // A smaller result set still answers an empty page past its end, as before.
    let narrow = get(&app, "/api/v1/certificates?stars=2&status=revoked&page=999").await;
    assert_eq!(narrow.status, 200, "{}", narrow.body);
});

/// The numbers of the cross-border certificates among `rows` (number, platform type), in order.
fn cross_border_numbers(rows: Vec<(String, String)>) -> Vec<String> {
    rows.into_iter()
        .filter(|(_, kind)| kind == "cross-border")
        .map(|(number, _)| number)
        .collect()
}

both_backends!(a_search_rare_in_its_order_is_listed_less_deep, |db| {
    with_conn(&db, |conn| {
        let today = date(2026, 11, 28);
        fill_empty(
            conn,
            &DemoOptions {
                count: SIZE,
                seed: 7,
                today,
            },
        )
        .expect("demo");
        let listed = |conn: &mut sqe_registry::db::DbConnection,
                      filters: SearchFilters,
                      sort: SortOrder,
                      page: u32| {
            search(
                conn,
                &SearchRequest {
                    matcher: Matcher::All,
                    filters,
                    sort,
                    page,
                    per_page: 20,
                    today,
                },
            )
            .expect("search")
        };
        let numbers = |page: &sqe_registry::db::search::SearchPage| -> Vec<String> {
            page.hits.iter().map(|h| h.number.clone()).collect()
        };
        let walk = walk_budget(conn);
        let platform_type = sqe_registry::db::schema::certificates::platform_type;

        // No index holds the cross-border certificates in grade order: the first walk_budget
        // of that order are read, and the cross-border ones among them are listed — fewer than
        // 1,000 although more than 1,000 match.
        let all: i64 = certificates::table
            .filter(platform_type.eq("cross-border"))
            .count()
            .get_result(conn)
            .expect("count");
        assert!(all > MAX_LISTED, "the data set must exceed the cap: {all}");
        let by_grade: Vec<(String, String)> = certificates::table
            .order_by((
                certificates::grade.desc(),
                certificates::score.desc(),
                certificates::id.asc(),
            ))
            .select((certificates::number, platform_type))
            .limit(walk)
            .load(conn)
            .expect("plain order");
        let expected = cross_border_numbers(by_grade);
        assert!(expected.len() > 20 && i64::try_from(expected.len()).expect("n") < MAX_LISTED);
        let cross_border = SearchFilters {
            platform_type: Some(sqe_registry::domain::platform_type::PlatformType::CrossBorder),
            ..SearchFilters::default()
        };
        let first = listed(conn, cross_border.clone(), SortOrder::Grade, 1);
        assert!(first.capped);
        assert_eq!(first.total, i64::try_from(expected.len()).expect("n"));
        assert_eq!(numbers(&first), expected[..20].to_vec());
        let last_page = u32::try_from(expected.len().div_ceil(20)).expect("pages");
        let last = listed(conn, cross_border, SortOrder::Grade, last_page);
        assert_eq!(
            numbers(&last),
            expected[(last_page as usize - 1) * 20..].to_vec()
        );

        // A filter an index reaches directly, with few rows (two-star certificates: more than
        // 1,000, fewer than SORTED_BUDGET): all of them are sorted, 1,000 listed, in name order.
        let two_stars: i64 = certificates::table
            .filter(certificates::grade.eq(2))
            .count()
            .get_result(conn)
            .expect("count");
        assert!(
            two_stars > MAX_LISTED && two_stars <= SORTED_BUDGET,
            "{two_stars}"
        );
        let expected: Vec<String> = certificates::table
            .filter(certificates::grade.eq(2))
            .order_by((certificates::sort_name.asc(), certificates::id.asc()))
            .select(certificates::number)
            .limit(MAX_LISTED)
            .load(conn)
            .expect("plain order");
        let stars = SearchFilters {
            stars: Some(sqe_registry::domain::grade::Grade::Two),
            ..SearchFilters::default()
        };
        let last = listed(conn, stars, SortOrder::Name, 50);
        assert_eq!((last.total, last.capped), (MAX_LISTED, true));
        assert_eq!(numbers(&last), expected[980..].to_vec());

        // Revoked certificates have an index of their own in each order: with most of the
        // registry revoked, the newest revoked ones are listed 1,000 deep, and the cross-border
        // ones among the first walk_budget revoked in name order.
        let ids: Vec<i32> = certificates::table
            .select(certificates::id)
            .load(conn)
            .expect("ids");
        let kept: Vec<i32> = ids.into_iter().filter(|id| id % 10 == 9).collect();
        diesel::update(certificates::table.filter(certificates::id.ne_all(kept)))
            .set(certificates::status.eq("revoked"))
            .execute(conn)
            .expect("revoke");
        let revoked = SearchFilters {
            status: Some(sqe_registry::domain::status::CertificateStatus::Revoked),
            ..SearchFilters::default()
        };
        let expected: Vec<String> = certificates::table
            .filter(certificates::status.eq("revoked"))
            .order_by((certificates::issued_on.desc(), certificates::id.asc()))
            .select(certificates::number)
            .limit(MAX_LISTED)
            .load(conn)
            .expect("plain order");
        let last = listed(conn, revoked.clone(), SortOrder::Newest, 50);
        assert_eq!((last.total, last.capped), (MAX_LISTED, true));
        assert_eq!(numbers(&last), expected[980..].to_vec());
        let by_name: Vec<(String, String)> = certificates::table
            .filter(certificates::status.eq("revoked"))
            .order_by((certificates::sort_name.asc(), certificates::id.asc()))
            .select((certificates::number, platform_type))
            .limit(walk)
            .load(conn)
            .expect("plain order");
        let expected = cross_border_numbers(by_name);
        let revoked_cross_border: i64 = certificates::table
            .filter(certificates::status.eq("revoked"))
            .filter(platform_type.eq("cross-border"))
            .count()
            .get_result(conn)
            .expect("count");
        assert!(revoked_cross_border > MAX_LISTED, "{revoked_cross_border}");
        assert!(i64::try_from(expected.len()).expect("n") < MAX_LISTED);
        let both = SearchFilters {
            platform_type: Some(sqe_registry::domain::platform_type::PlatformType::CrossBorder),
            ..revoked
        };
        let first = listed(conn, both, SortOrder::Name, 1);
        assert_eq!(first.total, i64::try_from(expected.len()).expect("n"));
        assert_eq!(numbers(&first), expected[..20].to_vec());
    });
});

both_backends_async!(a_broad_search_with_nothing_in_the_part_read_says_so, |db| {
    use sqe_registry::db::schema::certificates::{grade, id, platform_type, score};
    with_conn(&db, |conn| {
        fill_empty(
            conn,
            &DemoOptions {
                count: 4_500,
                seed: 11,
                today: date(2026, 11, 28),
            },
        )
        .expect("demo");
        // "Other" platforms only among the ten lowest grades: none among the first rows read
        // in grade order, which is more than either backend reads.
        diesel::update(certificates::table.filter(platform_type.eq("other")))
            .set(platform_type.eq("b2c"))
            .execute(conn)
            .expect("retype");
        let lowest: Vec<i32> = certificates::table
            .order_by((grade.asc(), score.asc(), id.desc()))
            .select(id)
            .limit(10)
            .load(conn)
            .expect("lowest");
        diesel::update(certificates::table.filter(id.eq_any(lowest)))
            .set(platform_type.eq("other"))
            .execute(conn)
            .expect("retype");
        assert!(walk_budget(conn) < 4_490);
    });
    let app = app!(db, common::beijing(2026, 11, 28, 10, 0));
    let page = get(&app, "/search?type=other&lang=en").await;
    assert_eq!(page.status, 200);
    page.assert_contains("No results in the part of the registry read")
        .assert_contains("Nothing found in the part of the registry read")
        .assert_lacks("the mark is not genuine")
        .assert_lacks("No SQE certificate found");
    get(&app, "/search?type=other")
        .await
        .assert_contains("本次搜索在已读取的部分中没有找到结果");
    let api = get(&app, "/api/v1/certificates?type=other").await;
    assert_eq!(api.status, 200);
    assert!(
        api.body.contains("\"total\":0") && api.body.contains("\"total_capped\":true"),
        "{}",
        api.body
    );
});
