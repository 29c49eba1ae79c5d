//! `sqe-registry witness serve`: a C2SP tlog-witness for registries' transparency logs, which a
//! consumer association, a university or a newspaper can run. It trusts the log keys it is
//! given, keeps the last checkpoint it cosigned for each origin in a state file (written and
//! synced before it answers, under one lock, so two requests can never roll it back), and
//! cosigns (C2SP tlog-cosignature/v1, Ed25519) only checkpoints consistent with it.
//! The decisions themselves are `domain::tlog::witness`; the registry's side is
//! `witness::submitter`.

pub mod submitter;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use actix_web::{web, HttpResponse};
use anyhow::Context;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::tlog::note::{NoteSigner, Verifier, TYPE_COSIGNATURE, TYPE_ED25519};
use crate::domain::tlog::witness::{self, Recorded, Refusal};

/// The largest request body: 63 proof lines and a checkpoint with a hundred signatures, even
/// post-quantum ones of a few kilobytes, fit in it.
pub const MAX_REQUEST: usize = 1024 * 1024;

/// Forked checkpoints kept as evidence of a log's misbehaviour (validly signed by the log, of a
/// size cosigned before, with another root).
const MAX_EVIDENCE: usize = 100;

/// What the witness keeps between runs.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct WitnessState {
    /// By origin: the last checkpoint cosigned.
    logs: BTreeMap<String, Cosigned>,
    /// Forks: validly signed checkpoints of a size cosigned before with another root, as the
    /// log signed them (text and its verified signatures), oldest first.
    #[serde(default)]
    evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cosigned {
    size: u64,
    /// Base64 of the root hash.
    root: String,
    /// The checkpoint's text, the log's verified signatures and this witness's cosignature.
    checkpoint: String,
    /// The cosignature's time (Unix seconds): never earlier than the one before.
    #[serde(default)]
    time: u64,
}

/// Why a request is not answered with a cosignature.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("cannot keep the witness state: {0}")]
    Storage(#[from] std::io::Error),
}

/// A running witness.
pub struct Witness {
    signer: NoteSigner,
    /// Held while the witness runs: a second process on the same state file could roll it
    /// back (each would check against its own copy).
    _lock: std::fs::File,
    /// Trusted keys by origin (a log key's name is its origin).
    logs: HashMap<String, Vec<Verifier>>,
    state_path: PathBuf,
    state: Mutex<WitnessState>,
}

impl Witness {
    /// A witness with its cosigning key, the log keys it trusts and its state file (created on
    /// the first cosignature).
    pub fn open(
        signer: NoteSigner,
        log_keys: Vec<Verifier>,
        state_path: &Path,
    ) -> anyhow::Result<Witness> {
        if signer.verifier().key_type != TYPE_COSIGNATURE {
            anyhow::bail!("a witness key is a cosigning key (keys generate --witness)");
        }
        let mut logs: HashMap<String, Vec<Verifier>> = HashMap::new();
        for key in log_keys {
            if key.key_type != TYPE_ED25519 {
                anyhow::bail!("{} is not a log key (type 0x01)", key.vkey());
            }
            logs.entry(key.name.clone()).or_default().push(key);
        }
        let lock_path = state_path.with_extension("lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot open {}", lock_path.display()))?;
        lock.try_lock().map_err(|_| {
            anyhow::anyhow!(
                "another witness uses {} (its lock {} is held)",
                state_path.display(),
                lock_path.display()
            )
        })?;
        let state: WitnessState = match std::fs::read_to_string(state_path) {
            Ok(text) => serde_json::from_str(&text)
                .with_context(|| format!("{} is not a witness state", state_path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => WitnessState::default(),
            Err(e) => return Err(e).context(format!("cannot read {}", state_path.display())),
        };
        for (origin, cosigned) in &state.logs {
            if decode_root(&cosigned.root).is_none() {
                anyhow::bail!(
                    "{}: the root kept for {origin} is not a base64 SHA-256 hash",
                    state_path.display()
                );
            }
        }
        Ok(Witness {
            signer,
            _lock: lock,
            logs,
            state_path: state_path.to_owned(),
            state: Mutex::new(state),
        })
    }

    /// The witness's verifier key.
    pub fn vkey(&self) -> String {
        self.signer.verifier().vkey()
    }

    /// Handles one `add-checkpoint` body: the cosignature line, or why not. The check and the
    /// update happen under one lock, and the state is on disk before the line is returned.
    /// `now` gives the time (Unix seconds), read under the lock.
    pub fn add_checkpoint(
        &self,
        body: &str,
        now: impl FnOnce() -> u64,
    ) -> Result<String, WitnessError> {
        let request = witness::parse_request(body)?;
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let decided = witness::decide(
            &request,
            |origin| self.logs.get(origin).map(Vec::as_slice),
            |origin| {
                state.logs.get(origin).map(|c| Recorded {
                    size: c.size,
                    root: decode_root(&c.root).unwrap_or_default(),
                })
            },
        );
        let accepted = match decided {
            Ok(accepted) => accepted,
            Err(Refusal::Fork { evidence }) => {
                tracing::warn!("a forked checkpoint refused and kept as evidence");
                {
                    let fork = evidence.clone();
                    if !state.evidence.contains(&fork) {
                        let mut next = state.clone();
                        next.evidence.push(fork);
                        let excess = next.evidence.len().saturating_sub(MAX_EVIDENCE);
                        next.evidence.drain(..excess);
                        // The answer is 422 whether or not the evidence could be written.
                        match persist(&self.state_path, &next) {
                            Ok(()) => *state = next,
                            Err(e) => tracing::error!(error = %e, "evidence of a fork not written"),
                        }
                    }
                }
                return Err(Refusal::Fork { evidence }.into());
            }
            Err(refusal) => return Err(refusal.into()),
        };
        let checkpoint = &accepted.checkpoint;
        let last_time = state.logs.get(&checkpoint.origin).map_or(0, |c| c.time);
        let time = now().max(last_time).max(1);
        let line = self.signer.cosignature_line(&accepted.text, time);
        let mut next = state.clone();
        next.logs.insert(
            checkpoint.origin.clone(),
            Cosigned {
                size: checkpoint.size,
                root: B64.encode(checkpoint.root),
                checkpoint: accepted.cosigned_note(&line),
                time,
            },
        );
        persist(&self.state_path, &next)?;
        *state = next;
        tracing::info!(origin = %checkpoint.origin, size = checkpoint.size, "cosigned");
        Ok(line)
    }

    /// The last cosigned checkpoint of the log whose origin hashes (SHA-256, lowercase hex) to
    /// `origin_hash`.
    pub fn latest(&self, origin_hash: &str) -> Option<String> {
        let state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state
            .logs
            .iter()
            .find(|(origin, _)| origin_hash_of(origin) == origin_hash)
            .map(|(_, c)| c.checkpoint.clone())
    }

    /// The checkpoints kept as evidence.
    pub fn evidence(&self) -> Vec<String> {
        let state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.evidence.clone()
    }
}

fn decode_root(text: &str) -> Option<crate::domain::tlog::merkle::Hash> {
    B64.decode(text).ok().and_then(|r| r.try_into().ok())
}

/// The name of a log in the monitoring URL: SHA-256 of its origin, in lowercase hex.
pub fn origin_hash_of(origin: &str) -> String {
    let digest: [u8; 32] = Sha256::digest(origin.as_bytes()).into();
    crate::domain::tlog::entry::hex(&digest)
}

/// Writes the state to a new file, syncs it and renames it over the old one (a crash leaves
/// either the old state or the new, never half of one).
fn persist(path: &Path, state: &WitnessState) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(&serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn text(status: actix_web::http::StatusCode, content_type: &str, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(content_type)
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

/// `POST /add-checkpoint`.
async fn add_checkpoint(
    witness: web::Data<Witness>,
    body: web::Bytes,
) -> Result<HttpResponse, actix_web::Error> {
    use actix_web::http::StatusCode;
    let Ok(body) = String::from_utf8(body.to_vec()) else {
        return Ok(text(
            StatusCode::BAD_REQUEST,
            "text/plain; charset=utf-8",
            "the body is not UTF-8\n".to_owned(),
        ));
    };
    let outcome = web::block(move || {
        witness.add_checkpoint(&body, || chrono::Utc::now().timestamp().max(1) as u64)
    })
    .await?;
    Ok(match outcome {
        Ok(line) => text(StatusCode::OK, "text/plain; charset=utf-8", line),
        Err(WitnessError::Refused(Refusal::Conflict(size))) => text(
            StatusCode::CONFLICT,
            witness::SIZE_MEDIA_TYPE,
            format!("{size}\n"),
        ),
        Err(WitnessError::Refused(refusal)) => text(
            StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::BAD_REQUEST),
            "text/plain; charset=utf-8",
            format!("{refusal}\n"),
        ),
        Err(e @ WitnessError::Storage(_)) => {
            tracing::error!(error = %e, "witness state not written");
            text(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain; charset=utf-8",
                "the witness cannot keep its state; try again later\n".to_owned(),
            )
        }
    })
}

/// `GET /<origin hash>/checkpoint`: the last checkpoint cosigned for that log.
async fn latest(witness: web::Data<Witness>, origin_hash: web::Path<String>) -> HttpResponse {
    use actix_web::http::StatusCode;
    match witness.latest(&origin_hash) {
        Some(checkpoint) => text(StatusCode::OK, "text/plain; charset=utf-8", checkpoint),
        None => text(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "this witness has cosigned no checkpoint of that log\n".to_owned(),
        ),
    }
}

/// `GET /`: who this witness is.
async fn about(witness: web::Data<Witness>) -> HttpResponse {
    let mut origins: Vec<&String> = witness.logs.keys().collect();
    origins.sort();
    let mut body = format!(
        "C2SP tlog-witness (sqe-registry {})\nkey {}\n",
        env!("CARGO_PKG_VERSION"),
        witness.vkey()
    );
    for origin in origins {
        body.push_str(&format!("log {origin}\n"));
    }
    text(
        actix_web::http::StatusCode::OK,
        "text/plain; charset=utf-8",
        body,
    )
}

/// The witness's routes: submission and monitoring prefix are both the root.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(MAX_REQUEST))
        .route("/add-checkpoint", web::post().to(add_checkpoint))
        .route("/{origin_hash}/checkpoint", web::get().to(latest))
        .route("/", web::get().to(about));
}

/// `sqe-registry witness serve`: loads the key and the trusted log keys, then serves.
pub fn serve_command(
    listen: &str,
    key_file: &Path,
    state_file: &Path,
    log_keys: &[String],
) -> anyhow::Result<()> {
    let signer = crate::config::log_key::load(key_file, "--key")?;
    let keys = log_keys
        .iter()
        .map(|k| Verifier::parse(k).map_err(|e| anyhow::anyhow!("--log {k:?}: {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let witness = Witness::open(signer, keys, state_file)?;
    actix_web::rt::System::new().block_on(serve(witness, listen))
}

/// Serves `witness` on `listen` until stopped.
pub async fn serve(witness: Witness, listen: &str) -> anyhow::Result<()> {
    let witness = web::Data::new(witness);
    tracing::info!(%listen, key = %witness.vkey(), "witness listening");
    actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(witness.clone())
            .configure(routes)
    })
    .workers(2)
    .bind(listen)
    .with_context(|| format!("cannot listen on {listen}"))?
    .run()
    .await?;
    Ok(())
}

#[cfg(test)]
#[path = "witness_tests.rs"]
mod tests;
