//! The delivery queue's sender side: claiming due deliveries (one statement; on PostgreSQL its
//! rows are locked `FOR UPDATE SKIP LOCKED`, so instances never claim the same delivery), and
//! recording what an attempt came to, with its consequences for the endpoint.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, SmallInt, Text, Timestamp};

use super::{set_enabled, CANCELLED, DELIVERED, FAILED, PENDING};
use crate::db::schema::{webhook_deliveries, webhook_endpoints};
use crate::db::DbConnection;
use crate::domain::webhook::{Answer, DeliveryFacts, Verdict, LEASE, MAX_KEPT_ANSWER};

/// A delivery claimed for an attempt, with where it goes and how it is signed.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i32,
    pub endpoint_id: i32,
    /// This attempt's number (1 for the first).
    pub attempts: u32,
    pub facts: DeliveryFacts,
    pub url: String,
    pub secret: String,
}

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    endpoint_id: i32,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Text)]
    message_id: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Integer>)]
    event_id: Option<i32>,
    #[diesel(sql_type = Nullable<BigInt>)]
    log_index: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    certificate_number: Option<String>,
    #[diesel(sql_type = Text)]
    credit_code: String,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    stars: Option<i16>,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
}

/// The claim: the due deliveries of enabled endpoints, oldest due first, each leased for
/// [`LEASE`] with its attempt counted. `{lock}` is the backend's row-locking clause.
fn claim_sql(lock: &str) -> String {
    format!(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $1, \
         last_attempt_at = $2 \
         WHERE id IN (SELECT d.id FROM webhook_deliveries d \
         JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.state = 'pending' AND d.next_attempt_at <= $2 AND e.enabled \
         ORDER BY d.next_attempt_at, d.id LIMIT $3 {lock}) \
         RETURNING id, endpoint_id, attempts, message_id, kind, event_id, log_index, \
         certificate_number, credit_code, status, stars, created_at"
    )
}

/// Claims at most `limit` deliveries due at `now` for this process to attempt.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    let lease_until = now + LEASE;
    let rows: Vec<ClaimedRow> = match conn {
        DbConnection::Pg(c) => diesel::sql_query(claim_sql("FOR UPDATE OF d SKIP LOCKED"))
            .bind::<Timestamp, _>(lease_until)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c)?,
        // One writer at a time: the statement itself is the claim.
        DbConnection::Sqlite(c) => diesel::sql_query(claim_sql(""))
            .bind::<Timestamp, _>(lease_until)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c)?,
    };
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let endpoint_ids: Vec<i32> = rows.iter().map(|r| r.endpoint_id).collect();
    let targets: std::collections::HashMap<i32, (String, String)> = webhook_endpoints::table
        .filter(webhook_endpoints::id.eq_any(&endpoint_ids))
        .select((
            webhook_endpoints::id,
            webhook_endpoints::url,
            webhook_endpoints::secret,
        ))
        .load::<(i32, String, String)>(conn)?
        .into_iter()
        .map(|(id, url, secret)| (id, (url, secret)))
        .collect();
    let mut claimed: Vec<Claimed> = rows
        .into_iter()
        .filter_map(|r| {
            let (url, secret) = targets.get(&r.endpoint_id)?.clone();
            Some(Claimed {
                id: r.id,
                endpoint_id: r.endpoint_id,
                attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
                facts: DeliveryFacts {
                    message_id: r.message_id,
                    kind: r.kind,
                    event_id: r.event_id,
                    log_index: r.log_index,
                    certificate_number: r.certificate_number,
                    credit_code: r.credit_code,
                    status: r.status,
                    stars: r.stars,
                    created_at: r.created_at,
                },
                url,
                secret,
            })
        })
        .collect();
    // RETURNING gives no order: the oldest first.
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// What [`record`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Delivered,
    WillRetry,
    GaveUp,
    /// The endpoint was disabled (a 410, or a delivery given up with no success since it was
    /// queued), and what it had queued cancelled.
    EndpointDisabled,
}

fn clip(text: &str) -> String {
    let mut end = text.len().min(MAX_KEPT_ANSWER);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Records the attempts of one round, each `(claimed, answer, verdict)` made at `now`, in one
/// transaction (one commit for the round).
pub fn record_all(
    conn: &mut DbConnection,
    attempts: &[(&Claimed, &Answer, Verdict)],
    now: NaiveDateTime,
) -> QueryResult<Vec<Recorded>> {
    conn.transaction(|conn| {
        attempts
            .iter()
            .map(|(claimed, answer, verdict)| record_one(conn, claimed, answer, *verdict, now))
            .collect()
    })
}

/// Records an attempt of `claimed` made at `now` that came to `answer`.
fn record_one(
    conn: &mut DbConnection,
    claimed: &Claimed,
    answer: &Answer,
    verdict: Verdict,
    now: NaiveDateTime,
) -> QueryResult<Recorded> {
    let (status, body, error) = match answer {
        Answer::Status(code, body) => (Some(i32::from(*code)), Some(clip(body)), None),
        Answer::Unreachable(e) => (None, None, Some(clip(e))),
    };
    let (state, next) = match verdict {
        Verdict::Delivered => (DELIVERED, None),
        Verdict::Retry(pause) => (PENDING, Some(now + pause)),
        Verdict::GiveUp | Verdict::Gone => (FAILED, None),
    };
    // Written first: on SQLite the transaction holds the write lock from here on.
    diesel::update(
        webhook_deliveries::table
            .find(claimed.id)
            .filter(webhook_deliveries::state.ne(CANCELLED)),
    )
    .set((
        webhook_deliveries::state.eq(state),
        webhook_deliveries::next_attempt_at.eq(next),
        webhook_deliveries::last_status.eq(status),
        webhook_deliveries::last_response.eq(body),
        webhook_deliveries::last_error.eq(error),
    ))
    .execute(conn)?;
    match verdict {
        Verdict::Delivered => {
            diesel::update(webhook_endpoints::table.find(claimed.endpoint_id))
                .set(webhook_endpoints::last_success_at.eq(Some(now)))
                .execute(conn)?;
            Ok(Recorded::Delivered)
        }
        Verdict::Retry(_) => Ok(Recorded::WillRetry),
        Verdict::Gone => {
            set_enabled(conn, claimed.endpoint_id, false, Some("410 Gone"))?;
            Ok(Recorded::EndpointDisabled)
        }
        Verdict::GiveUp => {
            let last_success: Option<NaiveDateTime> = webhook_endpoints::table
                .find(claimed.endpoint_id)
                .select(webhook_endpoints::last_success_at)
                .first(conn)?;
            if last_success.is_none_or(|at| at < claimed.facts.created_at) {
                set_enabled(
                    conn,
                    claimed.endpoint_id,
                    false,
                    Some("no delivery succeeded for three days"),
                )?;
                Ok(Recorded::EndpointDisabled)
            } else {
                Ok(Recorded::GaveUp)
            }
        }
    }
}

/// A delivery as the endpoint's log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Delivery {
    pub id: i32,
    pub message_id: String,
    pub kind: String,
    pub certificate_number: Option<String>,
    pub log_index: Option<i64>,
    pub created_at: NaiveDateTime,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_response: Option<String>,
}

/// The newest `limit` deliveries to an endpoint.
pub fn deliveries_of(
    conn: &mut DbConnection,
    endpoint_id: i32,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select((
            webhook_deliveries::id,
            webhook_deliveries::message_id,
            webhook_deliveries::kind,
            webhook_deliveries::certificate_number,
            webhook_deliveries::log_index,
            webhook_deliveries::created_at,
            webhook_deliveries::state,
            webhook_deliveries::attempts,
            webhook_deliveries::next_attempt_at,
            webhook_deliveries::last_attempt_at,
            webhook_deliveries::last_status,
            webhook_deliveries::last_error,
            webhook_deliveries::last_response,
        ))
        .load(conn)
}
