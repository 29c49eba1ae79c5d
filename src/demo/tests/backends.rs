//! The bulk-load mode of large demos, and the demo on PostgreSQL (the server of
//! `SQE_TEST_PG_URL`, as in the integration tests; skipped when it is not reachable, unless
//! `SQE_TEST_REQUIRE_PG=1` or `CI=true`).

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::PgConnection;

use super::{check_default_demo, empty_db, opts};
use crate::db::models::NewCompany;
use crate::db::schema::{evaluation_scores, evaluations};
use crate::db::{build_pool, run_migrations, write, DbConnection, DbPool};
use crate::demo::{fill, fill_empty, DEFAULT_COUNT, DEFAULT_SEED};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Index and foreign-key definitions of the database.
fn definitions(conn: &mut DbConnection) -> Vec<String> {
    let rows: Vec<Line> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT sql AS line FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             ORDER BY name",
        )
        .load(c),
        DbConnection::Pg(c) => diesel::sql_query(
            "SELECT indexdef AS line FROM pg_indexes WHERE schemaname = current_schema() \
             UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE contype = 'f' ORDER BY 1",
        )
        .load(c),
    }
    .expect("definitions");
    rows.into_iter().map(|r| r.line).collect()
}

/// Fills 60 certificates in bulk-load mode; the indexes and foreign keys come back, every row
/// satisfies them, only the latest evaluations keep indicator scores, and new rows get new ids.
fn check_bulk_mode(conn: &mut DbConnection) {
    let before = definitions(conn);
    fill(conn, &opts(60, 3), true).expect("bulk demo");
    assert_eq!(definitions(conn), before);
    if let DbConnection::Sqlite(c) = conn {
        let on: Count = diesel::sql_query("SELECT foreign_keys AS n FROM pragma_foreign_keys()")
            .get_result(c)
            .expect("pragma");
        assert_eq!(on.n, 1);
        let bad: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM pragma_foreign_key_check()")
            .get_result(c)
            .expect("check");
        assert_eq!(bad.n, 0);
    }
    let scored: i64 = evaluations::table
        .filter(diesel::dsl::exists(
            evaluation_scores::table.filter(evaluation_scores::evaluation_id.eq(evaluations::id)),
        ))
        .count()
        .get_result(conn)
        .expect("count");
    assert_eq!(scored, 60);
    let company = NewCompany {
        credit_code: "91371323760038087M".into(),
        name_zh: "测试公司".into(),
        name_en: None,
        province_code: "370000".into(),
        city: "临沂市".into(),
        address: "山东省临沂市".into(),
    };
    let id = write::insert_company(conn, &company).expect("a new company after the demo");
    assert!(id > 1, "{id}");
}

#[test]
fn bulk_mode_on_sqlite() {
    let (_dir, pool) = empty_db();
    check_bulk_mode(&mut pool.get().expect("connection"));
}

/// A new database on the test server, dropped with the value.
struct PgDb {
    admin: PgConnection,
    name: String,
    pool: Option<DbPool>,
}

impl PgDb {
    fn create() -> Option<PgDb> {
        let admin_url = std::env::var("SQE_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let required = std::env::var("SQE_TEST_REQUIRE_PG").is_ok_and(|v| v == "1")
            || std::env::var("CI").is_ok_and(|v| v == "true");
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(conn) => conn,
            Err(e) if !required => {
                eprintln!("SKIPPED PostgreSQL demo test: {admin_url}: {e}");
                return None;
            }
            Err(e) => panic!("PostgreSQL is required but {admin_url} is unreachable: {e}"),
        };
        let name = format!(
            "sqe_demo_test_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_subsec_nanos()
        );
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0"))
            .expect("create database");
        let (base, _) = admin_url.rsplit_once('/').expect("URL ends with /database");
        let pool = build_pool(&format!("{base}/{name}"), 2).expect("pool");
        run_migrations(&mut pool.get().expect("connection")).expect("migrations");
        Some(PgDb {
            admin,
            name,
            pool: Some(pool),
        })
    }

    fn conn(&self) -> diesel::r2d2::PooledConnection<crate::db::ConnectionManager> {
        self.pool.as_ref().expect("pool").get().expect("connection")
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        self.pool = None;
        let _ = self.admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

#[test]
fn demo_on_postgres() {
    let Some(db) = PgDb::create() else { return };
    let summary = fill_empty(&mut db.conn(), &opts(DEFAULT_COUNT, DEFAULT_SEED)).expect("demo");
    check_default_demo(&mut db.conn(), &summary);
    let Some(bulk) = PgDb::create() else { return };
    check_bulk_mode(&mut bulk.conn());
}
