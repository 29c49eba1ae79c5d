//! `src/db/schema.rs` must describe exactly what the SQLite and the PostgreSQL migrations create:
//! same tables, same columns, same types (as diesel sees them), same nullability.

mod common;

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
