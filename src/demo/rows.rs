//! Demo rows with their ids, collected in batches and written with multi-row inserts: one
//! transaction per batch, statements split under each backend's bind-parameter limit.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::models::NewSearchToken;
use crate::db::schema::{
    certificate_events, certificates, companies, evaluation_scores, evaluations, platform_domains,
    platforms, search_tokens,
};
use crate::db::write::insert_batch;
use crate::db::DbConnection;

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

#[derive(Insertable)]
#[diesel(table_name = platforms)]
pub struct PlatformRow {
    pub id: i32,
    pub company_id: i32,
    pub name: String,
    pub platform_type: String,
    pub app_names: String,
}

#[derive(Insertable)]
#[diesel(table_name = platform_domains)]
pub struct DomainRow {
    pub id: i32,
    pub platform_id: i32,
    pub domain: String,
}

#[derive(Insertable)]
#[diesel(table_name = certificates)]
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
}

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

#[derive(Insertable)]
#[diesel(table_name = evaluation_scores, treat_none_as_default_value = false)]
pub struct ScoreRow {
    pub id: i32,
    pub evaluation_id: i32,
    pub indicator_id: i32,
    pub earned: Option<f64>,
    pub max_points: f64,
}

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
}

/// Rows of a batch of certificates, in foreign-key order.
#[derive(Default)]
pub struct Batch {
    pub companies: Vec<CompanyRow>,
    pub platforms: Vec<PlatformRow>,
    pub domains: Vec<DomainRow>,
    pub certificates: Vec<CertificateRow>,
    pub tokens: Vec<NewSearchToken>,
    pub evaluations: Vec<EvaluationRow>,
    pub scores: Vec<ScoreRow>,
    pub events: Vec<EventRow>,
}

/// Rows per statement for rows of `columns` values: SQLite binds at most 32,766 parameters,
/// PostgreSQL 65,535.
fn rows_per_statement(conn: &DbConnection, columns: usize) -> usize {
    let limit = match conn {
        DbConnection::Pg(_) => 65_535,
        DbConnection::Sqlite(_) => 32_766,
    };
    (limit / columns).max(1)
}

/// Inserts `$rows` (a Vec) in statements of at most the backend's parameter limit.
macro_rules! insert_chunked {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {{
        let per = rows_per_statement($conn, $columns);
        for chunk in $rows.chunks(per) {
            insert_batch!(&mut *$conn, $table, chunk)?;
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
            insert_chunked!(conn, companies::table, self.companies, 7);
            insert_chunked!(conn, platforms::table, self.platforms, 5);
            insert_chunked!(conn, platform_domains::table, self.domains, 3);
            insert_chunked!(conn, certificates::table, self.certificates, 19);
            insert_chunked!(conn, search_tokens::table, self.tokens, 2);
            insert_chunked!(conn, evaluations::table, self.evaluations, 6);
            insert_chunked!(conn, evaluation_scores::table, self.scores, 5);
            insert_chunked!(conn, certificate_events::table, self.events, 9);
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
