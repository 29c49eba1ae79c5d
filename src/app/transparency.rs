//! Starting the transparency log: the history recorded before the log began is appended once,
//! in the order it was recorded, and the first checkpoint signed, in one transaction — by the
//! server before it serves, by `sqe-registry demo`, or by `sqe-registry log start`. (A change
//! that finds the log not begun does the same first, in its own transaction: `app::commit`.)

use chrono::Utc;

use crate::db::log::{Appender, Head, LogError};
use crate::db::write::write_transaction;
use crate::db::{log, log_entries, DbConnection};
use crate::domain::tlog::note::NoteSigner;

/// What starting the log did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// The log had begun already; its head.
    Already(Head),
    /// The log began now with this many entries of earlier history.
    Began { backfilled: u64, head: Head },
}

/// Begins the log when it has not begun: backfills the history and signs the first
/// checkpoint. `progress` is told the count of entries appended so far.
pub fn start(
    conn: &mut DbConnection,
    signer: &NoteSigner,
    progress: impl FnMut(u64),
) -> Result<Started, LogError> {
    if let Some(head) = log::head(conn)? {
        log::check_origin(&head.origin, signer)?;
        return Ok(Started::Already(head));
    }
    write_transaction(conn, |conn| {
        let mut appender = Appender::begin(conn, signer)?;
        if !appender.is_new() {
            // Another instance began it meanwhile.
            let head = log::head(conn)?.ok_or(diesel::result::Error::NotFound)?;
            return Ok(Started::Already(head));
        }
        let backfilled = log_entries::backfill(conn, &mut appender, progress)?;
        let head = appender
            .finish(conn, signer, Utc::now().naive_utc())?
            .ok_or(diesel::result::Error::NotFound)?;
        Ok(Started::Began { backfilled, head })
    })
}
