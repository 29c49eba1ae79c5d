//! Demo rows with their ids, collected in batches and written one transaction per batch: multi-row
//! inserts on SQLite (under its bind-parameter limit), binary COPY on PostgreSQL. Every row type
//! binds all its columns (`treat_none_as_default_value = false`): a row that might need DEFAULT
//! makes diesel insert row by row on SQLite, and cannot be copied on PostgreSQL.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    certificate_events, certificates, companies, evaluation_scores, evaluations, name_keys,
    pinyin_keys, platform_domains, platforms, search_tokens,
};
use crate::db::write::insert_batch;
use crate::db::DbConnection;
use crate::domain::platform_type::PlatformType;

/// A `companies` row with its id.
#[derive(Insertable)]
#[diesel(table_name = companies, treat_none_as_default_value = false)]
pub struct CompanyRow {
    pub id: i32,
    pub credit_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub province_code: String,
    pub city: String,
    pub address: String,
}

/// A `platforms` row with its id.
#[derive(Insertable)]
#[diesel(table_name = platforms, treat_none_as_default_value = false)]
pub struct PlatformRow {
    pub id: i32,
    pub company_id: i32,
    pub name: String,
    pub platform_type: PlatformType,
    pub app_names: String,
}

/// A `platform_domains` row with its id.
#[derive(Insertable)]
#[diesel(table_name = platform_domains, treat_none_as_default_value = false)]
pub struct DomainRow {
    pub id: i32,
    pub platform_id: i32,
    pub domain: String,
    pub site_key: String,
}

/// A `certificates` row with its id.
#[derive(Insertable)]
#[diesel(table_name = certificates, treat_none_as_default_value = false)]
pub struct CertificateRow {
    pub id: i32,
    pub number: String,
    pub platform_id: i32,
    pub company_id: i32,
    pub body_id: i32,
    pub scheme_version_id: i32,
    pub score: f64,
    pub grade: i16,
    pub status: &'static str,
    pub first_issued_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_assessed_on: NaiveDate,
    pub last_assessment_kind: &'static str,
    pub scope_zh: String,
    pub scope_en: String,
    pub sort_name: String,
    pub search_text: String,
    pub updated_at: NaiveDateTime,
    pub province_code: String,
    pub platform_type: PlatformType,
}

/// An `evaluations` row with its id.
#[derive(Insertable)]
#[diesel(table_name = evaluations, treat_none_as_default_value = false)]
pub struct EvaluationRow {
    pub id: i32,
    pub certificate_id: i32,
    pub kind: &'static str,
    pub assessed_on: NaiveDate,
    pub total_score: f64,
    pub grade: Option<i16>,
}

/// An `evaluation_scores` row with its id.
#[derive(Insertable)]
#[diesel(table_name = evaluation_scores, treat_none_as_default_value = false)]
pub struct ScoreRow {
    pub id: i32,
    pub evaluation_id: i32,
    pub indicator_id: i32,
    pub earned: Option<f64>,
    pub max_points: f64,
}

/// A `certificate_events` row with its id.
#[derive(Insertable)]
#[diesel(table_name = certificate_events, treat_none_as_default_value = false)]
pub struct EventRow {
    pub id: i32,
    pub certificate_id: i32,
    pub kind: &'static str,
    pub occurred_on: NaiveDate,
    pub grade_before: Option<i16>,
    pub grade_after: Option<i16>,
    pub reason_zh: Option<&'static str>,
    pub reason_en: Option<&'static str>,
    pub created_at: NaiveDateTime,
    pub province_code: String,
}

/// A `search_tokens` row.
#[derive(Insertable)]
#[diesel(table_name = search_tokens, treat_none_as_default_value = false)]
pub struct TokenRow {
    pub token: String,
    pub certificate_id: i32,
}

/// A `name_keys` row.
#[derive(Insertable)]
#[diesel(table_name = name_keys, treat_none_as_default_value = false)]
pub struct NameKeyRow {
    pub name_key: String,
    pub certificate_id: i32,
}

/// A `pinyin_keys` row.
#[derive(Insertable)]
#[diesel(table_name = pinyin_keys, treat_none_as_default_value = false)]
pub struct PinyinRow {
    pub spelling: String,
    pub certificate_id: i32,
}

/// Rows of a batch of certificates, in foreign-key order.
#[derive(Default)]
pub struct Batch {
    pub companies: Vec<CompanyRow>,
    pub platforms: Vec<PlatformRow>,
    pub domains: Vec<DomainRow>,
    pub certificates: Vec<CertificateRow>,
    pub tokens: Vec<TokenRow>,
    pub names: Vec<NameKeyRow>,
    pub spellings: Vec<PinyinRow>,
    pub evaluations: Vec<EvaluationRow>,
    pub scores: Vec<ScoreRow>,
    pub events: Vec<EventRow>,
}

/// Most parameters one SQLite statement binds.
const SQLITE_MAX_PARAMS: usize = 32_766;

/// Writes `$rows` (a Vec of rows of `$columns` values each) to `$table`. PostgreSQL gets one
/// binary COPY: with its foreign keys set aside it loads 100,000 certificates in about 18 s,
/// against 39 s with multi-row inserts of up to 65,535 parameters. SQLite gets multi-row
/// inserts of at most 32,766 parameters.
macro_rules! write_rows {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {{
        match &mut *$conn {
            DbConnection::Pg(pg) => {
                if !$rows.is_empty() {
                    diesel::copy_from($table)
                        .from_insertable($rows.as_slice())
                        .execute(pg)?;
                }
            }
            conn @ DbConnection::Sqlite(_) => {
                for chunk in $rows.chunks((SQLITE_MAX_PARAMS / $columns).max(1)) {
                    insert_batch!(&mut *conn, $table, chunk)?;
                }
            }
        }
    }};
}

impl Batch {
    /// Certificates in the batch.
    pub fn certificate_count(&self) -> usize {
        self.certificates.len()
    }

    /// Writes the batch in one transaction and empties it.
    pub fn write(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        if self.certificates.is_empty() && self.companies.is_empty() {
            return Ok(());
        }
        conn.transaction(|conn| {
            write_rows!(conn, companies::table, self.companies, 7);
            write_rows!(conn, platforms::table, self.platforms, 5);
            write_rows!(conn, platform_domains::table, self.domains, 4);
            write_rows!(conn, certificates::table, self.certificates, 21);
            write_rows!(conn, search_tokens::table, self.tokens, 2);
            write_rows!(conn, name_keys::table, self.names, 2);
            write_rows!(conn, pinyin_keys::table, self.spellings, 2);
            write_rows!(conn, evaluations::table, self.evaluations, 6);
            write_rows!(conn, evaluation_scores::table, self.scores, 5);
            write_rows!(conn, certificate_events::table, self.events, 10);
            QueryResult::Ok(())
        })?;
        *self = Batch::default();
        Ok(())
    }
}

/// Tables with a SERIAL id that the demo fills with ids of its own.
const SERIAL_TABLES: [&str; 10] = [
    "certification_bodies",
    "scheme_versions",
    "indicators",
    "companies",
    "platforms",
    "platform_domains",
    "certificates",
    "evaluations",
    "evaluation_scores",
    "certificate_events",
];

/// On PostgreSQL, moves each SERIAL sequence past the highest id, so that later inserts that
/// let the database pick the id do not collide with the demo's. SQLite needs nothing.
pub fn reset_sequences(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Pg(pg) = conn {
        use diesel::connection::SimpleConnection;
        let sql: String = SERIAL_TABLES
            .iter()
            .map(|t| {
                format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
                     COALESCE(MAX(id), 0) + 1, false) FROM {t};"
                )
            })
            .collect();
        pg.batch_execute(&sql)?;
    }
    Ok(())
}
