//! Bulk-load mode for large demos: the secondary indexes and foreign keys of the tables the demo
//! fills are set aside during the load and rebuilt once at the end, as both databases advise for
//! populating a database (one sort per index instead of millions of random inserts, one join per
//! foreign key instead of a look-up per row). Their definitions are read from the database
//! itself, so they always match the migrations. Primary keys and unique constraints stay.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::DbConnection;

/// Tables the demo fills with many rows.
const TABLES: &str = "'companies', 'platforms', 'platform_domains', 'certificates', \
     'search_tokens', 'name_keys', 'pinyin_keys', 'evaluations', 'evaluation_scores', 'certificate_events'";

/// SQLite page cache during the load (KiB, negative as the pragma wants it): 256 MiB.
const SQLITE_LOAD_CACHE: i64 = -262_144;

#[derive(QueryableByName)]
struct Definition {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct Constraint {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    def: String,
}

#[derive(QueryableByName)]
struct CacheSize {
    #[diesel(sql_type = BigInt)]
    cache_size: i64,
}

/// What was set aside, to be rebuilt by [`SetAside::restore`].
pub struct SetAside {
    /// `CREATE INDEX` statements.
    indexes: Vec<String>,
    /// (table, constraint name, definition) of the foreign keys (PostgreSQL).
    foreign_keys: Vec<(String, String, String)>,
    /// The SQLite page cache size before the load.
    cache_size: Option<i64>,
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Drops the secondary indexes and turns foreign-key checks off (SQLite) or drops the
/// foreign keys (PostgreSQL); SQLite also gets a larger page cache.
pub fn set_aside(conn: &mut DbConnection) -> QueryResult<SetAside> {
    match conn {
        DbConnection::Sqlite(c) => {
            let indexes: Vec<Definition> = diesel::sql_query(format!(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                 AND sql IS NOT NULL AND tbl_name IN ({TABLES})"
            ))
            .load(c)?;
            let cache: CacheSize =
                diesel::sql_query("SELECT cache_size FROM pragma_cache_size()").get_result(c)?;
            let mut sql =
                format!("PRAGMA foreign_keys = OFF; PRAGMA cache_size = {SQLITE_LOAD_CACHE};");
            for ix in &indexes {
                sql.push_str(&format!("DROP INDEX {};", quote(&ix.name)));
            }
            c.batch_execute(&sql)?;
            Ok(SetAside {
                indexes: indexes.into_iter().map(|ix| ix.sql).collect(),
                foreign_keys: Vec::new(),
                cache_size: Some(cache.cache_size),
            })
        }
        DbConnection::Pg(c) => {
            let foreign_keys: Vec<Constraint> = diesel::sql_query(format!(
                "SELECT conrelid::regclass::text AS tbl, conname::text AS name, \
                 pg_get_constraintdef(oid) AS def FROM pg_constraint \
                 WHERE contype = 'f' AND conrelid::regclass::text IN ({TABLES})"
            ))
            .load(c)?;
            let indexes: Vec<Definition> = diesel::sql_query(format!(
                "SELECT indexname::text AS name, indexdef AS sql FROM pg_indexes \
                 WHERE schemaname = current_schema() AND tablename IN ({TABLES}) \
                 AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            ))
            .load(c)?;
            let mut sql = String::new();
            for fk in &foreign_keys {
                sql.push_str(&format!(
                    "ALTER TABLE {} DROP CONSTRAINT {};",
                    fk.tbl,
                    quote(&fk.name)
                ));
            }
            for ix in &indexes {
                sql.push_str(&format!("DROP INDEX {};", quote(&ix.name)));
            }
            c.batch_execute(&sql)?;
            Ok(SetAside {
                indexes: indexes.into_iter().map(|ix| ix.sql).collect(),
                foreign_keys: foreign_keys
                    .into_iter()
                    .map(|fk| (fk.tbl, fk.name, fk.def))
                    .collect(),
                cache_size: None,
            })
        }
    }
}

impl SetAside {
    /// Rebuilds the indexes and foreign keys (PostgreSQL checks every row again) and turns
    /// SQLite's foreign-key checks and page cache back to what they were.
    pub fn restore(self, conn: &mut DbConnection) -> QueryResult<()> {
        let mut sql = String::new();
        if let DbConnection::Pg(_) = conn {
            sql.push_str("SET maintenance_work_mem = '256MB';");
        }
        for ix in &self.indexes {
            sql.push_str(ix);
            sql.push(';');
        }
        for (tbl, name, def) in &self.foreign_keys {
            sql.push_str(&format!(
                "ALTER TABLE {tbl} ADD CONSTRAINT {} {def};",
                quote(name)
            ));
        }
        match conn {
            DbConnection::Pg(c) => {
                sql.push_str("RESET maintenance_work_mem;");
                c.batch_execute(&sql)
            }
            DbConnection::Sqlite(c) => {
                if let Some(size) = self.cache_size {
                    sql.push_str(&format!("PRAGMA cache_size = {size};"));
                }
                sql.push_str("PRAGMA foreign_keys = ON;");
                c.batch_execute(&sql)
            }
        }
    }
}
