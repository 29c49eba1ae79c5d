//! Starting the credentials (issue 17): every certificate recorded without a credential (before
//! credentials existed, or by the demo generator) gets one for its current state, and each
//! credential whose event the log holds learns that entry's index — after the log has begun,
//! by the server before it serves, by `sqe-registry demo` and by `sqe-registry log start`.
//! Afterwards the commit path issues them.

use crate::db::credentials;
use crate::db::write::write_transaction;
use crate::db::DbConnection;

/// What starting the credentials did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    /// Credentials issued to certificates that had none.
    pub issued: usize,
    /// Credentials that learnt their log index.
    pub indexed: usize,
}

/// Issues the missing credentials and fills in their log indexes, in one transaction.
pub fn start(conn: &mut DbConnection) -> diesel::QueryResult<Started> {
    write_transaction(conn, |conn| {
        let issued = credentials::issue_missing(conn)?;
        let indexed = credentials::fill_log_indexes(conn)?;
        Ok(Started { issued, indexed })
    })
}
