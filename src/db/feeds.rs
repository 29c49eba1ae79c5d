//! Public certificate events for the Atom feeds: the whole registry's, one company's, one
//! certificate's. Only events dated up to today (in Beijing) are public.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::*;
use super::{Db, DbConnection};

/// Whose events a feed carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedScope {
    Registry,
    /// A company, by id: the events of all its certificates.
    Company(i32),
    /// A certificate, by id.
    Certificate(i32),
}

/// One public event, with what a feed entry says about it.
#[derive(Debug, Clone, Queryable)]
pub struct FeedEvent {
    pub id: i32,
    pub kind: crate::domain::event::EventKind,
    pub occurred_on: NaiveDate,
    pub grade_before: Option<i16>,
    pub grade_after: Option<i16>,
    pub reason_zh: Option<String>,
    pub reason_en: Option<String>,
    pub number: String,
    pub company_name_zh: String,
    pub company_name_en: Option<String>,
    pub platform_name: String,
}

/// The newest public events of `scope` (of the given kinds; all kinds when `kinds` is empty),
/// newest first, at most `limit`.
pub fn public_events(
    conn: &mut DbConnection,
    scope: FeedScope,
    kinds: &[&str],
    today: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<FeedEvent>> {
    let mut query = certificate_events::table
        .inner_join(
            certificates::table
                .inner_join(companies::table)
                .inner_join(platforms::table),
        )
        .select((
            certificate_events::id,
            certificate_events::kind,
            certificate_events::occurred_on,
            certificate_events::grade_before,
            certificate_events::grade_after,
            certificate_events::reason_zh,
            certificate_events::reason_en,
            certificates::number,
            companies::name_zh,
            companies::name_en,
            platforms::name,
        ))
        .filter(certificate_events::occurred_on.le(today))
        .into_boxed::<Db>();
    match scope {
        FeedScope::Registry => {}
        FeedScope::Company(id) => query = query.filter(certificates::company_id.eq(id)),
        FeedScope::Certificate(id) => {
            query = query.filter(certificate_events::certificate_id.eq(id))
        }
    }
    if !kinds.is_empty() {
        query = query.filter(certificate_events::kind.eq_any(kinds.to_vec()));
    }
    query
        .order_by(certificate_events::occurred_on.desc())
        .then_order_by(certificate_events::id.desc())
        .limit(limit)
        .load(conn)
}

/// A company a feed is about: its id and names.
#[derive(Debug, Clone, Queryable)]
pub struct FeedCompany {
    pub id: i32,
    pub name_zh: String,
    pub name_en: Option<String>,
}

/// The company with this (normalised) credit code, if any.
pub fn company(conn: &mut DbConnection, credit_code: &str) -> QueryResult<Option<FeedCompany>> {
    companies::table
        .filter(companies::credit_code.eq(credit_code))
        .select((companies::id, companies::name_zh, companies::name_en))
        .first(conn)
        .optional()
}

/// The certificate with this exact number, with its holder's names (id, names), if any.
pub fn certificate(conn: &mut DbConnection, number: &str) -> QueryResult<Option<FeedCompany>> {
    certificates::table
        .inner_join(companies::table)
        .filter(certificates::number.eq(number))
        .select((certificates::id, companies::name_zh, companies::name_en))
        .first(conn)
        .optional()
}
