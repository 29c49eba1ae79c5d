//! Inserts of registry records, used by the demo generator, the import, the tests and the back
//! office. Each function keeps the derived columns (search tokens, sort name, the province and
//! platform type a certificate is counted by, its name keys and pinyin spellings) in step
//! with the record; [`reindex_certificates`] brings them back in step after a name changed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::*;
use super::schema::*;
use super::DbConnection;
use crate::domain::best_match::NameKeys;
use crate::domain::search_text;

/// Inserts many rows in one statement, on either backend (the multi-backend type has no batch
/// insert of its own).
macro_rules! insert_batch {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Pg(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}
pub(crate) use insert_batch;

/// Inserts one row and returns its new id, on either backend.
macro_rules! insert_returning_id {
    ($conn:expr, $table:expr, $values:expr, $id:expr) => {
        match $conn {
            DbConnection::Pg(c) => diesel::insert_into($table)
                .values($values)
                .returning($id)
                .get_result::<i32>(c),
            DbConnection::Sqlite(c) => diesel::insert_into($table)
                .values($values)
                .returning($id)
                .get_result::<i32>(c),
        }
    };
}
pub(crate) use insert_returning_id;

pub fn insert_body(conn: &mut DbConnection, body: &NewCertificationBody) -> QueryResult<i32> {
    insert_returning_id!(
        conn,
        certification_bodies::table,
        body,
        certification_bodies::id
    )
}

pub fn insert_scheme_version(conn: &mut DbConnection, v: &NewSchemeVersion) -> QueryResult<i32> {
    insert_returning_id!(conn, scheme_versions::table, v, scheme_versions::id)
}

pub fn insert_indicator(conn: &mut DbConnection, i: &NewIndicator) -> QueryResult<i32> {
    insert_returning_id!(conn, indicators::table, i, indicators::id)
}

pub fn insert_company(conn: &mut DbConnection, c: &NewCompany) -> QueryResult<i32> {
    insert_returning_id!(conn, companies::table, c, companies::id)
}

/// Inserts a platform and its bound domains (already normalised by `domain::hostname`).
pub fn insert_platform(
    conn: &mut DbConnection,
    p: &NewPlatform,
    domains: &[String],
) -> QueryResult<i32> {
    let id = insert_returning_id!(conn, platforms::table, p, platforms::id)?;
    let rows: Vec<NewPlatformDomain> = domains
        .iter()
        .map(|d| NewPlatformDomain::bound(id, d))
        .collect();
    if !rows.is_empty() {
        insert_batch!(conn, platform_domains::table, &rows)?;
    }
    Ok(id)
}

/// The text a certificate is found by: holder names, platform name and app names.
pub fn searchable_text(company: &NewCompany, platform: &NewPlatform) -> String {
    joined_text(
        &company.name_zh,
        company.name_en.as_deref(),
        &platform.name,
        &platform.app_names,
    )
}

/// [`searchable_text`] from the parts (app names one per line).
pub(super) fn joined_text(
    name_zh: &str,
    name_en: Option<&str>,
    platform: &str,
    app_names: &str,
) -> String {
    let mut text = name_zh.to_owned();
    for part in [name_en.unwrap_or(""), platform] {
        text.push(' ');
        text.push_str(part);
    }
    for app in app_names.lines() {
        text.push(' ');
        text.push_str(app);
    }
    text
}

/// [`searchable_text`] of a certificate's company and platform as stored.
pub(super) fn stored_text(company: &Company, platform: &Platform) -> String {
    joined_text(
        &company.name_zh,
        company.name_en.as_deref(),
        &platform.name,
        &platform.app_names,
    )
}

/// Rows of search tokens per insert statement (two bound values each, far below SQLite's limit).
const TOKEN_ROWS_PER_INSERT: usize = 2_000;

/// Recomputes what the certificates `ids` are found, sorted and counted by (`search_text`,
/// `sort_name`, their search tokens, `province_code` and `platform_type`) from their company
/// and platform as stored now. Call it in the
/// transaction that changed a name.
pub fn reindex_certificates(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<()> {
    let rows: Vec<(i32, Company, Platform)> = certificates::table
        .inner_join(companies::table)
        .inner_join(platforms::table)
        .filter(certificates::id.eq_any(ids))
        .select((
            certificates::id,
            Company::as_select(),
            Platform::as_select(),
        ))
        .load(conn)?;
    diesel::delete(search_tokens::table.filter(search_tokens::certificate_id.eq_any(ids)))
        .execute(conn)?;
    KeyRows::delete_of(conn, ids)?;
    let mut tokens: Vec<NewSearchToken> = Vec::new();
    let mut key_rows = KeyRows::default();
    for (id, company, platform) in &rows {
        let text = stored_text(company, platform);
        let keys = NameKeys::of(&platform.name, &company.name_zh);
        diesel::update(certificates::table.filter(certificates::id.eq(id)))
            .set((
                certificates::search_text.eq(search_text::normalize(&text)),
                certificates::sort_name.eq(&company.name_zh),
                certificates::province_code.eq(&company.province_code),
                certificates::platform_type.eq(&platform.platform_type),
            ))
            .execute(conn)?;
        key_rows.add(&keys, *id);
        diesel::update(certificate_events::table.filter(certificate_events::certificate_id.eq(id)))
            .set(certificate_events::province_code.eq(&company.province_code))
            .execute(conn)?;
        tokens.extend(
            search_text::index_tokens(&text)
                .into_iter()
                .map(|token| NewSearchToken {
                    token,
                    certificate_id: *id,
                }),
        );
    }
    for chunk in tokens.chunks(TOKEN_ROWS_PER_INSERT) {
        insert_batch!(conn, search_tokens::table, chunk)?;
    }
    key_rows.insert(conn)
}

/// The rows certificates are found by in the best-match order: their distinct name keys
/// (`name_keys`) and their pinyin spellings (`pinyin_keys`), both derived from
/// [`NameKeys`].
#[derive(Debug, Default)]
pub struct KeyRows {
    pub names: Vec<NewNameKey>,
    pub spellings: Vec<NewPinyinKey>,
}

impl KeyRows {
    /// Adds the rows of a certificate with these name keys.
    pub fn add(&mut self, keys: &NameKeys, certificate_id: i32) {
        self.names
            .extend(keys.stored().into_iter().map(|name_key| NewNameKey {
                name_key: name_key.to_owned(),
                certificate_id,
            }));
        self.spellings.extend(
            keys.pinyin_spellings()
                .into_iter()
                .map(|spelling| NewPinyinKey {
                    spelling,
                    certificate_id,
                }),
        );
    }

    /// Inserts the rows added, in statements of bounded size.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        for chunk in self.names.chunks(TOKEN_ROWS_PER_INSERT) {
            insert_batch!(conn, name_keys::table, chunk)?;
        }
        for chunk in self.spellings.chunks(TOKEN_ROWS_PER_INSERT) {
            insert_batch!(conn, pinyin_keys::table, chunk)?;
        }
        Ok(())
    }

    /// Deletes the rows of these certificates.
    pub fn delete_of(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<()> {
        diesel::delete(name_keys::table.filter(name_keys::certificate_id.eq_any(ids)))
            .execute(conn)?;
        diesel::delete(pinyin_keys::table.filter(pinyin_keys::certificate_id.eq_any(ids)))
            .execute(conn)?;
        Ok(())
    }
}

/// A certificate as inserted: the record and what it is counted by on the statistics page,
/// copied from its company and platform.
#[derive(Insertable)]
#[diesel(table_name = certificates)]
struct CertificateInsert {
    #[diesel(embed)]
    record: NewCertificate,
    province_code: String,
    platform_type: String,
}

/// Inserts a certificate and its name-search tokens. `text` is what it is found by
/// (see [`searchable_text`]); `search_text` of `c` is filled from it here, and the province
/// and platform type from its company and platform as stored.
pub fn insert_certificate(
    conn: &mut DbConnection,
    c: &NewCertificate,
    text: &str,
) -> QueryResult<i32> {
    let mut record = c.clone();
    record.search_text = search_text::normalize(text);
    let (province_code, company_name): (String, String) = companies::table
        .find(c.company_id)
        .select((companies::province_code, companies::name_zh))
        .first(conn)?;
    let (platform_type, platform_name): (String, String) = platforms::table
        .find(c.platform_id)
        .select((platforms::platform_type, platforms::name))
        .first(conn)?;
    let keys = NameKeys::of(&platform_name, &company_name);
    let row = CertificateInsert {
        province_code,
        platform_type,
        record,
    };
    let id = insert_returning_id!(conn, certificates::table, &row, certificates::id)?;
    let tokens: Vec<NewSearchToken> = search_text::index_tokens(text)
        .into_iter()
        .map(|token| NewSearchToken {
            token,
            certificate_id: id,
        })
        .collect();
    if !tokens.is_empty() {
        insert_batch!(conn, search_tokens::table, &tokens)?;
    }
    let mut key_rows = KeyRows::default();
    key_rows.add(&keys, id);
    key_rows.insert(conn)?;
    Ok(id)
}

/// Records an evaluation and its per-indicator scores.
pub fn insert_evaluation(
    conn: &mut DbConnection,
    e: &NewEvaluation,
    scores: &[(i32, Option<f64>, f64)],
) -> QueryResult<i32> {
    let id = insert_returning_id!(conn, evaluations::table, e, evaluations::id)?;
    let rows: Vec<NewEvaluationScore> = scores
        .iter()
        .map(|&(indicator_id, earned, max_points)| NewEvaluationScore {
            evaluation_id: id,
            indicator_id,
            earned,
            max_points,
        })
        .collect();
    if !rows.is_empty() {
        insert_batch!(conn, evaluation_scores::table, &rows)?;
    }
    Ok(id)
}

/// An event as inserted: the record, and the province it is counted in (its certificate's).
#[derive(Insertable)]
#[diesel(table_name = certificate_events)]
struct EventInsert {
    #[diesel(embed)]
    record: NewCertificateEvent,
    province_code: String,
}

/// Inserts a public event of a certificate; its province is copied from the certificate.
pub fn insert_event(conn: &mut DbConnection, e: &NewCertificateEvent) -> QueryResult<i32> {
    let row = EventInsert {
        record: e.clone(),
        province_code: certificates::table
            .find(e.certificate_id)
            .select(certificates::province_code)
            .first(conn)?,
    };
    insert_returning_id!(
        conn,
        certificate_events::table,
        &row,
        certificate_events::id
    )
}

/// Sets a key of the registry's metadata (for example `demo_data`).
pub fn set_meta(conn: &mut DbConnection, key: &str, value: &str) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::delete(registry_meta::table.filter(registry_meta::key.eq(key))).execute(conn)?;
        diesel::insert_into(registry_meta::table)
            .values((registry_meta::key.eq(key), registry_meta::value.eq(value)))
            .execute(conn)?;
        Ok(())
    })
}

/// Runs `work` in a transaction whose first statement takes the registry's write lock (a no-op
/// update of the revision row). Every transaction that writes goes through here:
/// - SQLite: a transaction that reads first and writes later cannot wait for another writer
///   (its snapshot is stale; it fails at once with "database is locked"). Writing first makes it
///   wait its turn within the busy timeout instead.
/// - PostgreSQL: writers queue on the row lock, so checks made inside the transaction (a number
///   still free, a domain still unbound, a status still current) hold until it commits.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        diesel::sql_query("UPDATE registry_meta SET value = value WHERE key = 'revision'")
            .execute(conn)?;
        work(conn)
    })
}

/// Bumps the registry revision; call it in the transaction of every change a public page shows,
/// so that every instance drops its cached pages. The increment happens in the database (a
/// row lock on PostgreSQL), so concurrent writers never lose a bump. On PostgreSQL the bump
/// is also announced (`NOTIFY`, sent when the transaction commits) to every instance's
/// `db::revision_listener`.
pub fn bump_revision(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Pg(_) => {
            diesel::sql_query(
                "WITH bumped AS (UPDATE registry_meta \
                 SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) \
                 WHERE key = 'revision' RETURNING value) \
                 SELECT pg_notify($1, value) FROM bumped",
            )
            .bind::<diesel::sql_types::Text, _>(super::revision_listener::CHANNEL)
            .execute(conn)?;
        }
        DbConnection::Sqlite(_) => {
            diesel::sql_query(
                "UPDATE registry_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) \
                 WHERE key = 'revision'",
            )
            .execute(conn)?;
        }
    }
    Ok(())
}

/// The current UTC time as stored in timestamp columns.
pub fn now_utc() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
