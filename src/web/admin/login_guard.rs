//! What keeps a flood of login attempts from costing public pages: Argon2 runs under a small
//! gate (half the cores) holding no database connection ([`gated`]), and the logins the
//! throttle refused lately are refused again from memory, counted, and written as one row every
//! few seconds ([`RefusedLogins`], [`flush_refused`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::State;
use crate::app::sessions::LoginAttempt;
use crate::domain::throttle::{network_key, pair_key};
use crate::error::AppError;
use crate::web::state::FeatureState;
use crate::web::AppState;

/// Logins verifying a password at once: Argon2 is CPU work, so a flood of attempts waits here
/// instead of taking every core (and, as before, every pooled connection) from public pages.
pub struct LoginGate(tokio::sync::Semaphore);

impl Default for LoginGate {
    /// Half the cores (at least one): a flood of logins leaves the rest to public pages.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        LoginGate(tokio::sync::Semaphore::new((cores / 2).max(1)))
    }
}

impl FeatureState for LoginGate {}

/// Runs Argon2 work (verifying or hashing a password) on the CPU pool under the gate, holding
/// no database connection.
pub async fn gated<T, F>(state: &State, work: F) -> Result<T, AppError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let gate = state.feature::<LoginGate>();
    let _permit = gate
        .0
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("login gate: {e}")))?;
    state.cpu(move || Ok(work())).await
}

/// Logins the throttle refused recently, remembered by this instance for a minute: a flood
/// of attempts from a refused network (or for a refused name from it) is then refused without
/// a query, its refusals counted here and written as one row every few seconds
/// ([`flush_refused`]). The database stays the authority: nothing is refused here that it did
/// not refuse a minute ago, when its window is fifteen.
#[derive(Default)]
pub struct RefusedLogins {
    until: Mutex<HashMap<String, Instant>>,
    unrecorded: AtomicU32,
}

impl FeatureState for RefusedLogins {}

/// How long a refusal is remembered, and how many at most (a flood from many networks cannot
/// grow the map: past it, it is emptied).
const REMEMBER_REFUSAL: Duration = Duration::from_secs(60);
const MAX_REMEMBERED: usize = 10_000;

impl RefusedLogins {
    /// Refusals counted but not yet written to the database.
    pub fn unrecorded(&self) -> u32 {
        self.unrecorded.load(Ordering::Relaxed)
    }

    /// The keys of an attempt: its network, and its name from its network.
    /// The throttle's own keys (`domain::throttle`), so a name counts here as it does there.
    fn keys(attempt: &LoginAttempt) -> [String; 2] {
        [
            network_key(&attempt.network),
            pair_key(&attempt.username, &attempt.network),
        ]
    }

    /// Whether the attempt was refused lately (counted as refused again if so).
    pub fn refuses(&self, attempt: &LoginAttempt) -> bool {
        let now = Instant::now();
        let refused = self.until.lock().is_ok_and(|until| {
            Self::keys(attempt)
                .iter()
                .any(|k| until.get(k).is_some_and(|t| *t > now))
        });
        if refused {
            self.unrecorded.fetch_add(1, Ordering::Relaxed);
        }
        refused
    }

    pub fn remember(&self, attempt: &LoginAttempt, whole_network: bool) {
        let [network, pair] = Self::keys(attempt);
        if let Ok(mut until) = self.until.lock() {
            let now = Instant::now();
            if until.len() >= MAX_REMEMBERED {
                until.retain(|_, t| *t > now);
                if until.len() >= MAX_REMEMBERED {
                    until.clear();
                }
            }
            until.insert(
                if whole_network { network } else { pair },
                now + REMEMBER_REFUSAL,
            );
        }
    }
}

/// Writes the refusals counted in memory as one row (the server calls it every few seconds
/// and at shutdown); on failure they are counted again next time.
pub async fn flush_refused(state: &AppState) -> Result<(), AppError> {
    let refused = state.feature::<RefusedLogins>();
    let n = refused.unrecorded.swap(0, Ordering::Relaxed);
    if n == 0 {
        return Ok(());
    }
    let at = state.clock.now().naive_utc();
    let attempts = i32::try_from(n).unwrap_or(i32::MAX);
    let written = state
        .db(move |conn| Ok(crate::db::sessions::record_refused(conn, attempts, at)?))
        .await;
    if written.is_err() {
        refused.unrecorded.fetch_add(n, Ordering::Relaxed);
    }
    written
}
