//! Instant invalidation across instances on PostgreSQL: every revision bump also sends a
//! `NOTIFY` on [`CHANNEL`] (delivered when its transaction commits), and each instance keeps
//! one connection of its own that `LISTEN`s and reports each notification at once. The
//! once-a-second poll of the revision stays as the fallback (a lost notification, a listener
//! still reconnecting). SQLite has no such thing and needs none: one instance per file, and
//! its own writes already make it read the revision again.
//!
//! libpq hands notifications over when its socket is read, and diesel exposes that read
//! (`PgConnection::notifications_iter`) but not the socket to wait on; so the listener reads
//! every [`POLL_EVERY`] (a read of a local socket buffer, no round trip), and asks the server
//! [`PING_EVERY`] whether the connection still works: after a database restart it connects
//! again and reports a change, since notifications sent meanwhile were lost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::Connection;

use super::pool::{with_connect_timeout, Backend};

/// The channel revision bumps are announced on (payload: the new revision).
pub const CHANNEL: &str = "sqe_registry_revision";
/// `LISTEN` takes no bound parameter: the statement is written out.
const LISTEN: &str = "LISTEN sqe_registry_revision";
/// How often the listening connection's socket is read for notifications.
const POLL_EVERY: Duration = Duration::from_millis(10);
/// How often the listening connection is checked with a query.
const PING_EVERY: Duration = Duration::from_secs(5);
/// The pause between connection attempts while the database does not answer.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// What the listener reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionNews {
    /// A revision bump was committed (the new revision, when the payload says it).
    Bumped(Option<i64>),
    /// The listener (re)connected: bumps sent while it was not listening are unknown.
    Listening,
}

/// A running listener; stops when dropped.
pub struct RevisionListener {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for RevisionListener {
    /// Tells the thread to stop and leaves it: a query stuck on a vanished server must not hold
    /// a stopping instance (the thread ends with the process).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        drop(self.thread.take());
    }
}

/// Starts listening on a thread of its own when `backend` is PostgreSQL; `None` on SQLite.
pub fn spawn(
    backend: &Backend,
    report: impl Fn(RevisionNews) + Send + 'static,
) -> std::io::Result<Option<RevisionListener>> {
    let Backend::Postgres(url) = backend else {
        return Ok(None);
    };
    let stop = Arc::new(AtomicBool::new(false));
    let (url, stopping) = (url.clone(), stop.clone());
    let thread = std::thread::Builder::new()
        .name("revision-listener".to_owned())
        .spawn(move || listen(&url, &stopping, &report))?;
    Ok(Some(RevisionListener {
        stop,
        thread: Some(thread),
    }))
}

/// Connects, listens and reports until `stop`, connecting again whenever the connection fails.
fn listen(url: &str, stop: &AtomicBool, report: &dyn Fn(RevisionNews)) {
    let mut outage_logged = false;
    while !stop.load(Ordering::Acquire) {
        let mut conn = match connect(url) {
            Ok(conn) => conn,
            Err(e) => {
                if !outage_logged {
                    tracing::warn!(error = %e, "revision listener cannot connect; polling only until it can");
                    outage_logged = true;
                }
                pause(stop, RETRY_EVERY);
                continue;
            }
        };
        if outage_logged {
            tracing::info!("revision listener connected again");
            outage_logged = false;
        }
        report(RevisionNews::Listening);
        if let Err(e) = relay(&mut conn, stop, report) {
            tracing::warn!(error = %e, "revision listener lost its connection");
            outage_logged = true;
        }
    }
}

/// Settings of the listening connection, each unless `DATABASE_URL` names it: its name in
/// `pg_stat_activity`, and TCP keepalives with a send time-out, so that a server gone without a
/// reset (a failover, a partition) fails the ping within about 20 s instead of TCP's 15 min.
const LISTENER_SETTINGS: [(&str, &str); 5] = [
    ("application_name", "sqe-revision-listener"),
    ("keepalives_idle", "10"),
    ("keepalives_interval", "5"),
    ("keepalives_count", "3"),
    ("tcp_user_timeout", "20000"),
];

/// The listener's URL: `url` with [`LISTENER_SETTINGS`] appended as text (libpq accepts URLs
/// that `url::Url` refuses, such as a Unix socket in `?host=`).
fn listener_url(url: &str) -> String {
    let mut out = with_connect_timeout(url);
    for (name, value) in LISTENER_SETTINGS {
        if !out.contains(&format!("{name}=")) {
            let separator = if out.contains('?') { '&' } else { '?' };
            out = format!("{out}{separator}{name}={value}");
        }
    }
    out
}

/// The listening connection.
fn connect(url: &str) -> Result<PgConnection, String> {
    let mut conn = PgConnection::establish(&listener_url(url)).map_err(|e| e.to_string())?;
    conn.batch_execute(LISTEN).map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Reports notifications until `stop` or until the connection fails.
fn relay(
    conn: &mut PgConnection,
    stop: &AtomicBool,
    report: &dyn Fn(RevisionNews),
) -> diesel::QueryResult<()> {
    let mut pinged = Instant::now();
    while !stop.load(Ordering::Acquire) {
        for notification in conn.notifications_iter() {
            let notification = notification?;
            report(RevisionNews::Bumped(notification.payload.parse().ok()));
        }
        if pinged.elapsed() >= PING_EVERY {
            conn.batch_execute("SELECT 1")?;
            pinged = Instant::now();
        }
        std::thread::sleep(POLL_EVERY);
    }
    Ok(())
}

/// Sleeps `total`, waking early when `stop` is set.
fn pause(stop: &AtomicBool, total: Duration) {
    let started = Instant::now();
    while started.elapsed() < total && !stop.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listener_url_keeps_what_the_operator_wrote() {
        assert_eq!(
            listener_url("postgres://u@/db?host=/var/run/postgresql&application_name=mine"),
            "postgres://u@/db?host=/var/run/postgresql&application_name=mine&connect_timeout=2\
             &keepalives_idle=10&keepalives_interval=5&keepalives_count=3&tcp_user_timeout=20000"
        );
        assert!(listener_url("postgres://h/db").starts_with(
            "postgres://h/db?connect_timeout=2&application_name=sqe-revision-listener"
        ));
    }
}
