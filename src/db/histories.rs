//! Each certificate's public history with the transparency-log index of each event, read a page
//! of certificates at a time (three indexed queries per page), for the history download that
//! `log verify` compares with the log's entries.

use std::collections::HashMap;

use diesel::prelude::*;

use super::models::CertificateEvent;
use super::schema::{certificate_events, certificates, log_entries};
use super::DbConnection;

/// One certificate's public history, in the order the verification page shows it.
pub struct History {
    pub id: i32,
    pub number: String,
    /// Each event with its log index (`None` if it has no entry: the log would be incomplete).
    pub events: Vec<(CertificateEvent, Option<i64>)>,
}

/// Up to `limit` certificates with an id above `after`, in id order, with their histories.
pub fn page_after(conn: &mut DbConnection, after: i32, limit: i64) -> QueryResult<Vec<History>> {
    let page: Vec<(i32, String)> = certificates::table
        .filter(certificates::id.gt(after))
        .order(certificates::id)
        .limit(limit)
        .select((certificates::id, certificates::number))
        .load(conn)?;
    let (Some(first), Some(last)) = (page.first(), page.last()) else {
        return Ok(Vec::new());
    };
    let (lo, hi) = (first.0, last.0);
    let events: Vec<CertificateEvent> = certificate_events::table
        .filter(certificate_events::certificate_id.between(lo, hi))
        .order_by((
            certificate_events::certificate_id,
            certificate_events::occurred_on,
            certificate_events::id,
        ))
        .select(CertificateEvent::as_select())
        .load(conn)?;
    let indexes: HashMap<i32, i64> = log_entries::table
        .filter(log_entries::certificate_id.between(lo, hi))
        .filter(log_entries::event_id.is_not_null())
        .select((log_entries::event_id, log_entries::idx))
        .load::<(Option<i32>, i64)>(conn)?
        .into_iter()
        .filter_map(|(event, idx)| event.map(|e| (e, idx)))
        .collect();
    let mut by_certificate: HashMap<i32, Vec<(CertificateEvent, Option<i64>)>> = HashMap::new();
    for event in events {
        let index = indexes.get(&event.id).copied();
        by_certificate
            .entry(event.certificate_id)
            .or_default()
            .push((event, index));
    }
    Ok(page
        .into_iter()
        .map(|(id, number)| History {
            id,
            events: by_certificate.remove(&id).unwrap_or_default(),
            number,
        })
        .collect())
}
