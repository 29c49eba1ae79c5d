//! `src/db/schema.rs` must describe exactly what the SQLite and the PostgreSQL migrations create:
//! same tables, same columns, same types (as diesel sees them), same nullability.

use crate::common;

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use sqe_registry::db::DbConnection;

/// table → column → (diesel type, nullable)
type Shape = BTreeMap<String, BTreeMap<String, (String, bool)>>;

/// Reads the `diesel::table!` blocks of schema.rs.
fn declared() -> Shape {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs"))
        .expect("schema.rs");
    let mut shape = Shape::new();
    let mut table: Option<String> = None;
    for line in src.lines().map(str::trim) {
        if let Some(name) = line
            .strip_suffix('{')
            .and_then(|l| l.split_once(" ("))
            .map(|(n, _)| n)
        {
            if !name.contains("table!") {
                table = Some(name.trim().to_owned());
                continue;
            }
        }
        if line == "}" {
            table = None;
            continue;
        }
        if let (Some(t), Some((col, ty))) = (&table, line.trim_end_matches(',').split_once(" -> "))
        {
            let (ty, nullable) = match ty
                .strip_prefix("Nullable<")
                .and_then(|t| t.strip_suffix('>'))
            {
                Some(inner) => (inner.to_owned(), true),
                None => (ty.to_owned(), false),
            };
            shape
                .entry(t.clone())
                .or_default()
                .insert(col.to_owned(), (ty, nullable));
        }
    }
    assert!(shape.len() >= 10, "parsed too few tables: {shape:?}");
    shape
}

#[derive(QueryableByName, Debug)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

fn diesel_type(sql: &str) -> String {
    match sql.to_ascii_lowercase().as_str() {
        "integer" => "Integer",
        "smallint" => "SmallInt",
        "bigint" => "BigInt",
        "text" => "Text",
        "double" | "double precision" => "Double",
        "real" => "Float",
        "boolean" => "Bool",
        "date" => "Date",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        "blob" | "bytea" => "Binary",
        other => panic!("type {other} is not shared by both backends"),
    }
    .to_owned()
}

fn actual(conn: &mut DbConnection) -> Shape {
    let rows: Vec<ColumnRow> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
             CAST(p.\"notnull\" OR p.pk AS INTEGER) AS not_null \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'",
        )
        .load(c),
        DbConnection::Pg(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type, \
             CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END AS not_null \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
        )
        .load(c),
    }
    .expect("introspection");
    let mut shape = Shape::new();
    for r in rows {
        shape
            .entry(r.table_name)
            .or_default()
            .insert(r.column_name, (diesel_type(&r.data_type), r.not_null == 0));
    }
    shape
}

both_backends!(migrations_match_schema_rs, |db| {
    let found = common::with_conn(&db, actual);
    let expected = declared();
    for (table, columns) in &expected {
        assert_eq!(found.get(table), Some(columns), "table {table} differs");
    }
    assert_eq!(
        found.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
});

#[test]
fn both_migration_sets_have_the_same_names() {
    let list = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(format!(
            "{}/migrations/{backend}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("migrations folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
        names.sort();
        names
    };
    assert_eq!(list("sqlite"), list("postgres"));
}

// The migration that copies each certificate's province and platform type (and each event's
// province) for the statistics page fills them for the rows already there: run down and up
// again over a registry, the copies match their companies and platforms.
both_backends!(the_facets_migration_fills_existing_rows, |db| {
    use common::fixtures::{credit_code, seed_reference, CertificateBuilder};
    use sqe_registry::db::schema::{certificate_events, certificates, companies, platforms};

    let on = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
    common::with_conn(&db, |conn| {
        let refs = seed_reference(conn);
        for (i, (province, kind)) in [("110000", "b2c"), ("440000", "b2b"), ("650000", "c2c")]
            .into_iter()
            .enumerate()
        {
            CertificateBuilder::new(&format!("F-{i}"))
                .company(
                    &format!("迁移测试{i}有限公司"),
                    None,
                    &credit_code(&format!("91440300MA5G{i:05}")),
                )
                .province(province)
                .platform(&format!("迁移平台{i}"), kind)
                .event("issued", on, (None, Some(3)), None)
                .event("upgraded", on, (Some(3), Some(4)), None)
                .insert(conn, &refs);
        }
    });
    let backend = if db.url().starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let sql = |file: &str| {
        std::fs::read_to_string(format!(
            "{}/migrations/{backend}/2026-11-29-120000_certificate_facets/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("migration file")
    };
    common::with_conn(&db, |conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(&sql("down.sql")).expect("down");
        conn.batch_execute(&sql("up.sql")).expect("up");
        let rows: Vec<(String, String, String, String)> = certificates::table
            .inner_join(companies::table)
            .inner_join(platforms::table)
            .select((
                certificates::province_code,
                companies::province_code,
                certificates::platform_type,
                platforms::platform_type,
            ))
            .load(conn)
            .expect("certificates");
        assert_eq!(rows.len(), 3);
        for (copied, company, copied_type, platform) in &rows {
            assert_eq!((copied, copied_type), (company, platform));
        }
        let events: Vec<(String, String)> = certificate_events::table
            .inner_join(certificates::table)
            .select((
                certificate_events::province_code,
                certificates::province_code,
            ))
            .load(conn)
            .expect("events");
        assert_eq!(events.len(), 6);
        assert!(events.iter().all(|(e, c)| e == c), "{events:?}");
        assert_eq!(
            events.iter().filter(|(e, _)| e == "650000").count(),
            2,
            "{events:?}"
        );
    });
});
