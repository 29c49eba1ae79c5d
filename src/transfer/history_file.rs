//! Writes the history download (format: `domain::tlog::histories`): a header naming the log
//! size read before the first page, then one line per certificate in id order with its public
//! history and each event's log index, a page of certificates per read (`db::histories`).

use std::io::Write;

use crate::db::{histories, log, DbPool};
use crate::domain::tlog::histories::{CertificateHistory, Header, HistoryEvent, FORMAT, VERSION};

use super::published::PAGE;

/// Writes the whole file to `out`.
pub fn write_to(pool: &DbPool, out: &mut dyn Write) -> anyhow::Result<()> {
    let log_size = log::head(&mut *pool.get()?)?.map_or(0, |h| h.size);
    let header = Header {
        format: FORMAT.to_owned(),
        version: VERSION,
        log_size,
    };
    serde_json::to_writer(&mut *out, &header)?;
    out.write_all(b"\n")?;
    let mut after = 0;
    loop {
        let page = histories::page_after(&mut *pool.get()?, after, PAGE)?;
        let mut bytes = Vec::with_capacity(page.len() * 600);
        for h in &page {
            serde_json::to_writer(&mut bytes, &line(h))?;
            bytes.push(b'\n');
        }
        out.write_all(&bytes)?;
        match page.last() {
            Some(h) if page.len() as i64 == PAGE => after = h.id,
            _ => break,
        }
    }
    Ok(())
}

fn line(h: &histories::History) -> CertificateHistory {
    let stars = |g: Option<i16>| g.and_then(|g| u8::try_from(g).ok());
    let text = |t: &Option<String>| t.clone().filter(|t| !t.is_empty());
    CertificateHistory {
        number: h.number.clone(),
        history: h
            .events
            .iter()
            .map(|(e, index)| HistoryEvent {
                log_index: index.and_then(|i| u64::try_from(i).ok()),
                kind: e.kind.as_str().to_owned(),
                date: e.occurred_on.format("%Y-%m-%d").to_string(),
                stars_before: stars(e.grade_before),
                stars_after: stars(e.grade_after),
                reason_zh: text(&e.reason_zh),
                reason_en: text(&e.reason_en),
            })
            .collect(),
    }
}
