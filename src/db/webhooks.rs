//! Webhook endpoints and their delivery queue (issue 17, §4): registering and listing endpoints,
//! queuing a delivery for each public event in the commit path's transaction, claiming due
//! deliveries for the sender (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so one instance sends
//! each) and recording what an attempt came to.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{certificates, companies, webhook_deliveries, webhook_endpoints};
use super::DbConnection;
use crate::domain::status::{effective_status, CertificateStatus};
use crate::domain::webhook::{DeliveryFacts, TEST_KIND};

/// Delivery states.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";
pub const CANCELLED: &str = "cancelled";

/// An endpoint as the back office shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: i32,
    /// The certificate number, for a certificate's endpoint.
    pub certificate_number: Option<String>,
    /// The company's credit code (of the certificate's holder for a certificate's endpoint).
    pub credit_code: String,
    /// Whether it receives every certificate of the company.
    pub for_company: bool,
    pub url: String,
    pub secret: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub last_success_at: Option<NaiveDateTime>,
}

/// An endpoint's row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
struct EndpointRow {
    id: i32,
    certificate_id: Option<i32>,
    company_id: Option<i32>,
    url: String,
    secret: String,
    enabled: bool,
    disabled_reason: Option<String>,
    created_at: NaiveDateTime,
    created_by: String,
    last_success_at: Option<NaiveDateTime>,
}

/// Gives rows their certificate number and credit code (two small reads).
fn endpoints_of(conn: &mut DbConnection, rows: Vec<EndpointRow>) -> QueryResult<Vec<Endpoint>> {
    let certificate_ids: Vec<i32> = rows.iter().filter_map(|r| r.certificate_id).collect();
    let held: HashMap<i32, (String, String)> = certificates::table
        .inner_join(companies::table)
        .filter(certificates::id.eq_any(&certificate_ids))
        .select((
            certificates::id,
            certificates::number,
            companies::credit_code,
        ))
        .load::<(i32, String, String)>(conn)?
        .into_iter()
        .map(|(id, number, code)| (id, (number, code)))
        .collect();
    let company_ids: Vec<i32> = rows.iter().filter_map(|r| r.company_id).collect();
    let codes: HashMap<i32, String> = companies::table
        .filter(companies::id.eq_any(&company_ids))
        .select((companies::id, companies::credit_code))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let (number, code) = match (r.certificate_id, r.company_id) {
                (Some(c), _) => held
                    .get(&c)
                    .map(|(n, code)| (Some(n.clone()), code.clone()))
                    .unwrap_or_default(),
                (None, Some(co)) => (None, codes.get(&co).cloned().unwrap_or_default()),
                (None, None) => (None, String::new()),
            };
            Endpoint {
                id: r.id,
                certificate_number: number,
                credit_code: code,
                for_company: r.certificate_id.is_none(),
                url: r.url,
                secret: r.secret,
                enabled: r.enabled,
                disabled_reason: r.disabled_reason,
                created_at: r.created_at,
                created_by: r.created_by,
                last_success_at: r.last_success_at,
            }
        })
        .collect())
}

/// Whom an endpoint is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Certificate(i32),
    Company(i32),
}

/// The id of the certificate numbered `number`, or of the company with this credit code.
pub fn find_target(conn: &mut DbConnection, text: &str) -> QueryResult<Option<Target>> {
    if let Some(id) = certificates::table
        .filter(certificates::number.eq(text))
        .select(certificates::id)
        .first::<i32>(conn)
        .optional()?
    {
        return Ok(Some(Target::Certificate(id)));
    }
    Ok(companies::table
        .filter(companies::credit_code.eq(text))
        .select(companies::id)
        .first::<i32>(conn)
        .optional()?
        .map(Target::Company))
}

/// Registers an endpoint; returns its id.
pub fn insert_endpoint(
    conn: &mut DbConnection,
    target: Target,
    url: &str,
    secret: &str,
    now: NaiveDateTime,
    by: &str,
) -> QueryResult<i32> {
    let (certificate_id, company_id) = match target {
        Target::Certificate(id) => (Some(id), None),
        Target::Company(id) => (None, Some(id)),
    };
    diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::certificate_id.eq(certificate_id),
            webhook_endpoints::company_id.eq(company_id),
            webhook_endpoints::url.eq(url),
            webhook_endpoints::secret.eq(secret),
            webhook_endpoints::enabled.eq(true),
            webhook_endpoints::created_at.eq(now),
            webhook_endpoints::created_by.eq(by),
        ))
        .returning(webhook_endpoints::id)
        .get_result(conn)
}

/// One endpoint.
pub fn endpoint(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Endpoint>> {
    let rows = webhook_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .load(conn)?;
    Ok(endpoints_of(conn, rows)?.pop())
}

/// The newest endpoints (at most `limit`), only those of `target` and, for a certificate, of
/// its company when given.
pub fn list_endpoints(
    conn: &mut DbConnection,
    target: Option<Target>,
    limit: i64,
) -> QueryResult<Vec<Endpoint>> {
    let mut query = webhook_endpoints::table
        .select(EndpointRow::as_select())
        .order(webhook_endpoints::id.desc())
        .limit(limit)
        .into_boxed();
    match target {
        Some(Target::Certificate(id)) => {
            let company: i32 = certificates::table
                .find(id)
                .select(certificates::company_id)
                .first(conn)?;
            query = query.filter(
                webhook_endpoints::certificate_id
                    .eq(id)
                    .or(webhook_endpoints::company_id.eq(company)),
            );
        }
        Some(Target::Company(id)) => {
            let held = certificates::table
                .filter(certificates::company_id.eq(id))
                .select(certificates::id);
            query = query.filter(
                webhook_endpoints::company_id
                    .eq(id)
                    .or(webhook_endpoints::certificate_id.eq_any(held.nullable())),
            );
        }
        None => {}
    }
    let rows: Vec<EndpointRow> = query.load(conn)?;
    endpoints_of(conn, rows)
}

/// Enables an endpoint, or disables it for `reason` and cancels what was queued for it.
pub fn set_enabled(
    conn: &mut DbConnection,
    id: i32,
    enabled: bool,
    reason: Option<&str>,
) -> QueryResult<usize> {
    let changed = diesel::update(webhook_endpoints::table.find(id))
        .set((
            webhook_endpoints::enabled.eq(enabled),
            webhook_endpoints::disabled_reason.eq(if enabled { None } else { reason }),
        ))
        .execute(conn)?;
    if !enabled {
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::endpoint_id.eq(id))
                .filter(webhook_deliveries::state.eq(PENDING)),
        )
        .set((
            webhook_deliveries::state.eq(CANCELLED),
            webhook_deliveries::next_attempt_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    }
    Ok(changed)
}

/// A public change to tell endpoints of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToldChange {
    pub certificate_id: i32,
    pub event_id: Option<i32>,
    pub log_index: u64,
    pub kind: &'static str,
}

/// A message id: `msg_` and 128 random bits.
fn message_id() -> String {
    format!("msg_{:032x}", rand::Rng::random::<u128>(&mut rand::rng()))
}

struct Told {
    certificate_id: i32,
    number: String,
    credit_code: String,
    company_id: i32,
    status: CertificateStatus,
    expires_on: NaiveDate,
    grade: i16,
}

/// Queues a delivery of each change to every enabled endpoint of its certificate or company,
/// stating the certificate as it is now (in the change's transaction). Returns how many.
pub fn enqueue_changes(
    conn: &mut DbConnection,
    changes: &[ToldChange],
    now: NaiveDateTime,
    today: NaiveDate,
) -> QueryResult<usize> {
    // The common case, no endpoint at all, costs one indexed read.
    let any: bool = diesel::select(diesel::dsl::exists(
        webhook_endpoints::table.filter(webhook_endpoints::enabled.eq(true)),
    ))
    .get_result(conn)?;
    if !any || changes.is_empty() {
        return Ok(0);
    }
    let mut ids: Vec<i32> = changes.iter().map(|c| c.certificate_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut queued = 0;
    for chunk in ids.chunks(5_000) {
        let told: HashMap<i32, Told> = certificates::table
            .inner_join(companies::table)
            .filter(certificates::id.eq_any(chunk))
            .select((
                certificates::id,
                certificates::number,
                companies::credit_code,
                companies::id,
                certificates::status,
                certificates::expires_on,
                certificates::grade,
            ))
            .load::<(i32, String, String, i32, CertificateStatus, NaiveDate, i16)>(conn)?
            .into_iter()
            .map(|r| {
                let t = Told {
                    certificate_id: r.0,
                    number: r.1,
                    credit_code: r.2,
                    company_id: r.3,
                    status: r.4,
                    expires_on: r.5,
                    grade: r.6,
                };
                (t.certificate_id, t)
            })
            .collect();
        let company_ids: Vec<i32> = told.values().map(|t| t.company_id).collect();
        let endpoints: Vec<(i32, Option<i32>, Option<i32>)> = webhook_endpoints::table
            .filter(webhook_endpoints::enabled.eq(true))
            .filter(
                webhook_endpoints::certificate_id
                    .eq_any(chunk)
                    .or(webhook_endpoints::company_id.eq_any(&company_ids)),
            )
            .select((
                webhook_endpoints::id,
                webhook_endpoints::certificate_id,
                webhook_endpoints::company_id,
            ))
            .load(conn)?;
        if endpoints.is_empty() {
            continue;
        }
        let mut rows = Vec::new();
        for change in changes
            .iter()
            .filter(|c| told.contains_key(&c.certificate_id))
        {
            let t = &told[&change.certificate_id];
            for (endpoint, certificate, company) in &endpoints {
                if *certificate != Some(t.certificate_id) && *company != Some(t.company_id) {
                    continue;
                }
                rows.push(new_row(
                    *endpoint,
                    &DeliveryFacts {
                        message_id: message_id(),
                        kind: change.kind.to_owned(),
                        event_id: change.event_id,
                        log_index: i64::try_from(change.log_index).ok(),
                        certificate_number: Some(t.number.clone()),
                        credit_code: t.credit_code.clone(),
                        status: Some(
                            effective_status(t.status, t.expires_on, today)
                                .as_str()
                                .to_owned(),
                        ),
                        stars: Some(t.grade),
                        created_at: now,
                    },
                ));
            }
        }
        // One statement each (a multi-connection cannot batch); an event has few endpoints.
        for row in rows {
            queued += diesel::insert_into(webhook_deliveries::table)
                .values(row)
                .execute(conn)?;
        }
    }
    Ok(queued)
}

/// A delivery row to insert: due now.
type NewDelivery = (
    diesel::dsl::Eq<webhook_deliveries::endpoint_id, i32>,
    diesel::dsl::Eq<webhook_deliveries::message_id, String>,
    diesel::dsl::Eq<webhook_deliveries::kind, String>,
    diesel::dsl::Eq<webhook_deliveries::event_id, Option<i32>>,
    diesel::dsl::Eq<webhook_deliveries::log_index, Option<i64>>,
    diesel::dsl::Eq<webhook_deliveries::certificate_number, Option<String>>,
    diesel::dsl::Eq<webhook_deliveries::credit_code, String>,
    diesel::dsl::Eq<webhook_deliveries::status, Option<String>>,
    diesel::dsl::Eq<webhook_deliveries::stars, Option<i16>>,
    diesel::dsl::Eq<webhook_deliveries::created_at, NaiveDateTime>,
    diesel::dsl::Eq<webhook_deliveries::state, &'static str>,
    diesel::dsl::Eq<webhook_deliveries::next_attempt_at, Option<NaiveDateTime>>,
);

fn new_row(endpoint: i32, f: &DeliveryFacts) -> NewDelivery {
    (
        webhook_deliveries::endpoint_id.eq(endpoint),
        webhook_deliveries::message_id.eq(f.message_id.clone()),
        webhook_deliveries::kind.eq(f.kind.clone()),
        webhook_deliveries::event_id.eq(f.event_id),
        webhook_deliveries::log_index.eq(f.log_index),
        webhook_deliveries::certificate_number.eq(f.certificate_number.clone()),
        webhook_deliveries::credit_code.eq(f.credit_code.clone()),
        webhook_deliveries::status.eq(f.status.clone()),
        webhook_deliveries::stars.eq(f.stars),
        webhook_deliveries::created_at.eq(f.created_at),
        webhook_deliveries::state.eq(PENDING),
        webhook_deliveries::next_attempt_at.eq(Some(f.created_at)),
    )
}

/// Queues a test delivery to an endpoint, stating its certificate as it is now (none for a
/// company's endpoint). Returns the message id.
pub fn enqueue_test(
    conn: &mut DbConnection,
    endpoint: &Endpoint,
    now: NaiveDateTime,
    today: NaiveDate,
) -> QueryResult<String> {
    let certificate = match &endpoint.certificate_number {
        Some(number) => Some(
            certificates::table
                .filter(certificates::number.eq(number))
                .select((
                    certificates::status,
                    certificates::expires_on,
                    certificates::grade,
                ))
                .first::<(CertificateStatus, NaiveDate, i16)>(conn)?,
        ),
        None => None,
    };
    let facts = DeliveryFacts {
        message_id: message_id(),
        kind: TEST_KIND.to_owned(),
        event_id: None,
        log_index: None,
        certificate_number: endpoint.certificate_number.clone(),
        credit_code: endpoint.credit_code.clone(),
        status: certificate.map(|(s, e, _)| effective_status(s, e, today).as_str().to_owned()),
        stars: certificate.map(|c| c.2),
        created_at: now,
    };
    diesel::insert_into(webhook_deliveries::table)
        .values(new_row(endpoint.id, &facts))
        .execute(conn)?;
    Ok(facts.message_id)
}

#[path = "webhook_queue.rs"]
mod queue;
pub use queue::{claim_due, deliveries_of, record_all, Claimed, Delivery, Recorded};
