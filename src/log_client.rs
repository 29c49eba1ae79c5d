//! `sqe-registry log verify`: a registry's transparency log and history download read over
//! HTTP (GETs below `<url>/log/` and the download, no redirects followed, bounded bodies and
//! time-outs), the state kept between runs (the pinned keys and the last checkpoint verified),
//! and the command itself with its progress bar and one-line verdict.

use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::domain::tlog::checkpoint::Checkpoint;
use crate::domain::tlog::keyring;
use crate::domain::tlog::note::{self, Verifier};
use crate::domain::tlog::verify::{Fetch, HISTORY_PATH};

/// The largest response read (an entry bundle is at most 256 entries of 64 KiB).
const MAX_BODY: u64 = 17 << 20;

/// The log of the registry at `base` (its public URL).
pub struct HttpLog {
    agent: ureq::Agent,
    /// For the history download: the same, with time for a file of hundreds of megabytes.
    download_agent: ureq::Agent,
    base: String,
}

impl HttpLog {
    pub fn new(base: &str) -> anyhow::Result<HttpLog> {
        crate::outbound::check_url(base).map_err(|e| anyhow::anyhow!("--url: {e}"))?;
        let agent = |timeout: u64| -> ureq::Agent {
            ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(timeout)))
                .timeout_connect(Some(Duration::from_secs(10)))
                .max_redirects(0)
                .http_status_as_error(false)
                .user_agent(concat!(
                    "sqe-registry/",
                    env!("CARGO_PKG_VERSION"),
                    " log-verify"
                ))
                .build()
                .into()
        };
        Ok(HttpLog {
            agent: agent(60),
            download_agent: agent(3600),
            base: base.trim_end_matches('/').to_owned(),
        })
    }
}

impl Fetch for HttpLog {
    async fn get(&mut self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let url = format!("{}/log/{path}", self.base);
        crate::outbound::get_bounded(&self.agent, &url, MAX_BODY)
    }

    async fn history(&mut self) -> Result<Option<Box<dyn BufRead>>, String> {
        let url = format!("{}{HISTORY_PATH}", self.base);
        // ureq asks for gzip and inflates it as it reads.
        let response = self
            .download_agent
            .get(&url)
            .call()
            .map_err(|e| e.to_string())?;
        match response.status().as_u16() {
            200 => Ok(Some(Box::new(std::io::BufReader::with_capacity(
                1 << 16,
                response.into_body().into_reader(),
            )))),
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

/// `log verify`: the outside check of a registry's log, with a progress bar on a terminal.
pub fn verify_command(
    url: &str,
    keys: &[String],
    state_file: Option<&Path>,
    histories: bool,
) -> anyhow::Result<()> {
    let state = match state_file {
        Some(path) => VerifyState::read(path)?,
        None => None,
    };
    // A --key may hold several lines, as /log/keys serves them (comments are skipped).
    let mut pinned: Vec<String> = keys
        .iter()
        .flat_map(|k| keyring::bare_keys(k))
        .map(str::to_owned)
        .collect();
    if let Some(s) = &state {
        pinned.extend(s.keys.iter().cloned());
    }
    pinned.sort();
    pinned.dedup();
    if pinned.is_empty() {
        anyhow::bail!("no key to check against: give --key (the registry's /log/keys lists them)");
    }
    let verifiers = pinned
        .iter()
        .map(|k| Verifier::parse(k).map_err(|e| anyhow::anyhow!("--key {k}: {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let earlier = match &state {
        Some(s) => Some(s.checkpoint(&verifiers)?),
        None => None,
    };
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(0);
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(4));
    let mut log = HttpLog::new(url)?;
    let outcome = actix_web::rt::System::new().block_on(crate::domain::tlog::verify::verify(
        &mut log,
        &verifiers,
        earlier.as_ref(),
        histories,
        |n, of| {
            bar.set_length(of);
            bar.set_position(n);
        },
    ));
    bar.finish_and_clear();
    match outcome {
        Ok(verified) => {
            if let Some(path) = state_file {
                VerifyState {
                    keys: pinned,
                    checkpoint: verified.note.clone(),
                }
                .write(path)?;
            }
            println!(
                "OK: {} holds {} entries of {} certificates; root, chains and {} tiles check out{}{} ({:.1} s)",
                verified.checkpoint.origin,
                verified.checkpoint.size,
                verified.certificates,
                verified.tiles,
                match &verified.histories {
                    Some(h) => format!(
                        "; the public histories of {} certificates match their {} event entries",
                        h.certificates, h.events
                    ),
                    None => "; histories not compared".to_owned(),
                },
                match &earlier {
                    Some(old) => format!("; it extends the {} entries kept before", old.size),
                    None => String::new(),
                },
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(e) => anyhow::bail!("FAILED: {e}"),
    }
}
