//! A registry's transparency log read over HTTP, for `sqe-registry log verify`: GETs below
//! `<url>/log/`, no redirects followed, bounded bodies and time-outs; and the state kept
//! between runs (the pinned keys and the last checkpoint verified).

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::domain::tlog::checkpoint::Checkpoint;
use crate::domain::tlog::note::{self, Verifier};
use crate::domain::tlog::verify::Fetch;

/// The largest response read (an entry bundle is at most 256 entries of 64 KiB).
const MAX_BODY: u64 = 17 << 20;

/// The log of the registry at `base` (its public URL).
pub struct HttpLog {
    agent: ureq::Agent,
    base: String,
}

impl HttpLog {
    pub fn new(base: &str) -> anyhow::Result<HttpLog> {
        crate::outbound::check_url(base).map_err(|e| anyhow::anyhow!("--url: {e}"))?;
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!(
                "sqe-registry/",
                env!("CARGO_PKG_VERSION"),
                " log-verify"
            ))
            .build();
        Ok(HttpLog {
            agent: config.into(),
            base: base.trim_end_matches('/').to_owned(),
        })
    }
}

impl Fetch for HttpLog {
    async fn get(&mut self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let url = format!("{}/log/{path}", self.base);
        let mut response = self.agent.get(&url).call().map_err(|e| e.to_string())?;
        match response.status().as_u16() {
            200 => response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map(Some)
                .map_err(|e| e.to_string()),
            404 => Ok(None),
            other => Err(format!("HTTP status {other}")),
        }
    }
}

/// What `--state` keeps: the pinned verifier keys and the last checkpoint verified.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VerifyState {
    pub keys: Vec<String>,
    /// The checkpoint note as served.
    pub checkpoint: String,
}

impl VerifyState {
    /// The state file, if it exists.
    pub fn read(path: &Path) -> anyhow::Result<Option<VerifyState>> {
        match std::fs::read(path) {
            Ok(bytes) => {
                Ok(Some(serde_json::from_slice(&bytes).with_context(|| {
                    format!("{} is not a state file", path.display())
                })?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Writes the state (a new file moved into place: a crash leaves the old one).
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// The kept checkpoint's body (its signature was checked when it was kept).
    pub fn checkpoint(&self, keys: &[Verifier]) -> anyhow::Result<Checkpoint> {
        let (body, _) = note::open(&self.checkpoint, keys).context("the kept checkpoint")?;
        Ok(Checkpoint::parse(&body)?)
    }
}
