//! The certified sites a host without a certificate resembles (`db::lookalikes`), for the
//! search page's warning and the API's look-up. Each instance keeps the index of site keys in
//! memory; after a change of the registry it checks whether the bound domains changed (one
//! count) and, only then, builds it again while the previous one goes on serving.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use crate::db::lookalikes::{self, KeyIndex, ResemblingSite};
use crate::domain::hostname::Hostname;
use crate::error::AppError;
use crate::web::state::FeatureState;
use crate::web::AppState;

/// The per-instance index of site keys.
#[derive(Default)]
pub struct LookalikeKeys {
    index: RwLock<Option<Arc<KeyIndex>>>,
    /// The registry changed since the index was checked.
    stale: AtomicBool,
    /// One rebuild at a time: readers meanwhile use the previous index.
    building: tokio::sync::Mutex<()>,
}

impl FeatureState for LookalikeKeys {
    fn registry_changed(&self) {
        self.stale.store(true, Ordering::Release);
    }
}

impl LookalikeKeys {
    fn current(&self) -> Option<Arc<KeyIndex>> {
        self.index.read().ok().and_then(|slot| slot.clone())
    }

    fn put(&self, index: Arc<KeyIndex>) {
        if let Ok(mut slot) = self.index.write() {
            *slot = Some(index);
        }
    }
}

/// The index to search, built on first use and rebuilt when the bound domains changed.
pub async fn index(state: &AppState) -> Result<Arc<KeyIndex>, AppError> {
    state.sync_revision().await;
    let keys = state.feature::<LookalikeKeys>();
    let current = keys.current();
    let due = current.is_none() || keys.stale.load(Ordering::Acquire);
    if !due {
        if let Some(index) = current {
            return Ok(index);
        }
    }
    // Only one reader checks or rebuilds; the others use what there is, if anything.
    let guard = match (&current, keys.building.try_lock()) {
        (_, Ok(guard)) => guard,
        (Some(index), Err(_)) => return Ok(index.clone()),
        (None, Err(_)) => keys.building.lock().await,
    };
    if let Some(index) = keys
        .current()
        .filter(|_| !keys.stale.load(Ordering::Acquire))
    {
        return Ok(index);
    }
    keys.stale.store(false, Ordering::Release);
    let known = keys.current();
    let rebuilt = state
        .db(move |conn| {
            if let Some(index) = known {
                if lookalikes::fingerprint(conn)? == index.fingerprint {
                    return Ok(index);
                }
            }
            Ok(Arc::new(KeyIndex::build(conn)?))
        })
        .await;
    let rebuilt = match rebuilt {
        Ok(index) => index,
        Err(e) => {
            keys.stale.store(true, Ordering::Release);
            return Err(e);
        }
    };
    keys.put(rebuilt.clone());
    drop(guard);
    Ok(rebuilt)
}

/// Builds the index before the first reader needs it; a failure is only logged (the first
/// look-up tries again).
pub async fn prewarm(state: &AppState) {
    let started = std::time::Instant::now();
    match index(state).await {
        Ok(index) => tracing::info!(
            keys = index.len(),
            ms = started.elapsed().as_millis(),
            "look-alike site keys indexed"
        ),
        Err(e) => tracing::warn!(error = %e, "could not index the look-alike site keys"),
    }
}

/// The certified sites `host` resembles (see `db::lookalikes::resembling`).
pub async fn resembling(
    state: &AppState,
    host: &Hostname,
) -> Result<Vec<ResemblingSite>, AppError> {
    let index = index(state).await?;
    let host = host.clone();
    let today = state.today();
    state
        .db(move |conn| Ok(lookalikes::resembling(conn, &index, &host, today)?))
        .await
}

/// A resembled site as the search page shows it.
pub struct ResemblingView {
    /// The certified site, in Unicode.
    pub site: String,
    /// How it is resembled, in the page's language.
    pub how: String,
    /// Its certificates: number and verification page.
    pub certificates: Vec<(String, String)>,
}

impl ResemblingView {
    pub fn new(found: &ResemblingSite, lang: crate::web::i18n::Lang) -> ResemblingView {
        ResemblingView {
            site: found.site.clone(),
            how: lang.t(&format!("lookalike-kind-{}", found.resemblance.as_str())),
            certificates: found
                .certificates
                .iter()
                .map(|n| (n.clone(), crate::web::paths::certificate(n)))
                .collect(),
        }
    }
}
