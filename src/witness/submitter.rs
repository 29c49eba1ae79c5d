//! The registry's side of witnessing: a background thread of `serve` that submits each new
//! checkpoint to the witnesses of the configured policy (C2SP tlog-witness `add-checkpoint`,
//! with the consistency proof from the size each witness cosigned last), verifies the
//! cosignatures they return and stores them. It never holds up a write: it reads the signed
//! head after the change has committed, and a witness that is down or refuses is tried again
//! later with a growing pause. Outbound requests go only to the policy's URLs (`outbound`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::db::log_cosignatures::{self, Cosignature, CosignedHead, Stored};
use crate::db::{log, DbPool};
use crate::domain::tlog::merkle;
use crate::domain::tlog::note::{self, Verifier};
use crate::domain::tlog::policy::{Policy, PolicyWitness};
use crate::domain::tlog::witness::{parse_conflict, request_body};

/// How often the head is looked at for a checkpoint to submit.
pub const POLL: Duration = Duration::from_secs(2);
/// A request's whole time limit.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest pause after failures.
const MAX_PAUSE: Duration = Duration::from_secs(600);
/// The largest answer read (a few cosignature lines).
const MAX_ANSWER: u64 = 64 * 1024;

/// What one submission to one witness came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The witness cosigned the checkpoint of this size (now stored).
    Cosigned { witness: String, size: u64 },
    /// The witness's cosignature of the current checkpoint is stored already.
    UpToDate { witness: String },
    /// The witness answered but did not cosign.
    Refused { witness: String, reason: String },
    /// The witness could not be reached.
    Unreachable { witness: String, error: String },
    /// Not due yet after earlier failures.
    Waiting { witness: String },
}

struct Slot {
    /// The size the witness last cosigned, as learnt from it.
    known_size: Option<u64>,
    failures: u32,
    next_try: Instant,
}

/// Submits checkpoints to the policy's witnesses.
pub struct Submitter {
    pool: DbPool,
    policy: Arc<Policy>,
    agent: ureq::Agent,
    slots: Vec<Slot>,
}

impl Submitter {
    pub fn new(pool: DbPool, policy: Arc<Policy>, allow_loopback: bool) -> Submitter {
        let now = Instant::now();
        let slots = policy
            .witnesses
            .iter()
            .map(|_| Slot {
                known_size: None,
                failures: 0,
                next_try: now,
            })
            .collect();
        Submitter {
            pool,
            policy,
            agent: crate::outbound::agent(
                TIMEOUT,
                allow_loopback,
                concat!(
                    "sqe-registry/",
                    env!("CARGO_PKG_VERSION"),
                    " witness-submitter"
                ),
            ),
            slots,
        }
    }

    /// Runs in a thread of its own until the process ends.
    pub fn spawn(mut self) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("witness-submitter".to_owned())
            .spawn(move || loop {
                for outcome in self.round(Instant::now()) {
                    match &outcome {
                        Outcome::Cosigned { witness, size } => {
                            tracing::info!(%witness, size, "checkpoint cosigned")
                        }
                        Outcome::Refused { witness, reason } => {
                            tracing::error!(%witness, %reason, "witness refused the checkpoint")
                        }
                        Outcome::Unreachable { witness, error } => {
                            tracing::warn!(%witness, %error, "witness unreachable; will retry")
                        }
                        Outcome::UpToDate { .. } | Outcome::Waiting { .. } => {}
                    }
                }
                std::thread::sleep(POLL);
            })
    }

    /// Submits the current checkpoint to every witness that is due and has not cosigned it.
    pub fn round(&mut self, now: Instant) -> Vec<Outcome> {
        // The head and the cosignatures stored for it, read once for every witness.
        let cosigned = match self
            .pool
            .get()
            .map_err(|e| e.to_string())
            .and_then(|mut c| log_cosignatures::cosigned_head(&mut c).map_err(|e| e.to_string()))
        {
            Ok(Some(cosigned)) => cosigned,
            Ok(None) => return Vec::new(),
            Err(error) => {
                tracing::warn!(%error, "witness submitter cannot read the log head");
                return Vec::new();
            }
        };
        let policy = Arc::clone(&self.policy);
        let mut outcomes = Vec::new();
        for (i, witness) in policy.witnesses.iter().enumerate() {
            let name = witness.name.clone();
            if self.slots[i].next_try > now {
                outcomes.push(Outcome::Waiting { witness: name });
                continue;
            }
            let outcome = self.submit(i, witness, &cosigned);
            let slot = &mut self.slots[i];
            match outcome {
                Outcome::Refused { .. } | Outcome::Unreachable { .. } => {
                    slot.failures += 1;
                    let pause = Duration::from_secs(5 << slot.failures.min(7)).min(MAX_PAUSE);
                    slot.next_try = now + pause;
                }
                _ => {
                    slot.failures = 0;
                    slot.next_try = now;
                }
            }
            outcomes.push(outcome);
        }
        outcomes
    }

    fn submit(&mut self, i: usize, witness: &PolicyWitness, cosigned: &CosignedHead) -> Outcome {
        let name = witness.name.clone();
        let refused = |reason: String| Outcome::Refused {
            witness: witness.name.clone(),
            reason,
        };
        let head = &cosigned.head;
        if cosigned.cosigned_by(&witness.key.vkey()) {
            self.slots[i].known_size = Some(head.size);
            return Outcome::UpToDate { witness: name };
        }
        let Some(url) = witness.url.as_deref() else {
            return refused("the policy gives this witness no URL".to_owned());
        };
        let url = format!("{}/add-checkpoint", url.trim_end_matches('/'));
        // At most twice: a 409 tells the size to prove from.
        for _ in 0..2 {
            let old = self.slots[i].known_size.unwrap_or(0);
            if old > head.size {
                return refused(format!(
                    "the witness cosigned {old} entries, more than this log's {}: another log under our name?",
                    head.size
                ));
            }
            // The connection goes back to the pool before the request: a slow witness must
            // not hold one the pages need.
            let proof =
                self.pool.get().map_err(|e| e.to_string()).and_then(
                    |mut c| match log::with_subtrees(&mut c, |s| {
                        merkle::consistency_proof(s, old, head.size)
                    }) {
                        Ok(Ok(proof)) => Ok(proof),
                        Ok(Err(e)) => Err(format!("the log is damaged: {e}")),
                        Err(e) => Err(e.to_string()),
                    },
                );
            let proof = match proof {
                Ok(proof) => proof,
                Err(e) => return refused(format!("database: {e}")),
            };
            let body = request_body(old, &proof, &head.checkpoint);
            let mut response = match self.agent.post(&url).send(body.as_bytes()) {
                Ok(r) => r,
                Err(e) => {
                    return Outcome::Unreachable {
                        witness: name,
                        error: e.to_string(),
                    }
                }
            };
            let status = response.status().as_u16();
            let answer = response
                .body_mut()
                .with_config()
                .limit(MAX_ANSWER)
                .read_to_string()
                .unwrap_or_default();
            match status {
                200 => {
                    let now = chrono::Utc::now().timestamp();
                    let cosignature = match verified(&witness.key, head, &answer, now) {
                        Ok(c) => c,
                        Err(reason) => return refused(reason),
                    };
                    let stored = self
                        .pool
                        .get()
                        .map_err(|e| e.to_string())
                        .and_then(|mut c| {
                            log_cosignatures::store(&mut c, &cosignature).map_err(|e| e.to_string())
                        });
                    match stored {
                        Ok(Stored::New | Stored::Already) => {}
                        Ok(Stored::OtherRoot) => {
                            return refused(format!(
                            "a cosignature of another root of size {} is stored: the log forked?",
                            head.size
                        ))
                        }
                        Err(e) => return refused(format!("database: {e}")),
                    }
                    self.slots[i].known_size = Some(head.size);
                    return Outcome::Cosigned {
                        witness: name,
                        size: head.size,
                    };
                }
                409 => match parse_conflict(&answer) {
                    Some(size) if Some(size) != self.slots[i].known_size => {
                        self.slots[i].known_size = Some(size);
                    }
                    _ => return refused(format!("409 {}", first_line(&answer))),
                },
                _ => return refused(format!("{status} {}", first_line(&answer))),
            }
        }
        refused("the witness's size keeps changing".to_owned())
    }
}

/// The first line of an answer, at most 200 characters (for the log).
fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

/// The most a cosignature's time may run ahead of ours.
const MAX_CLOCK_AHEAD: i64 = 3_600;

/// The witness's cosignature of the head in its answer, checked against its key. The answer
/// must be signature lines only; each is checked on its own against the checkpoint's text (so
/// an answer cannot change what the text is).
pub(crate) fn verified(
    key: &Verifier,
    head: &log::Head,
    answer: &str,
    now: i64,
) -> Result<Cosignature, String> {
    let text = note::parse(&head.checkpoint)
        .map_err(|e| format!("our own checkpoint: {e}"))?
        .text;
    if answer.is_empty() || !answer.ends_with('\n') {
        return Err("the answer is not signature lines".to_owned());
    }
    for line in answer.lines() {
        if !line.starts_with("— ") {
            return Err("the answer is not signature lines".to_owned());
        }
        let Ok(one) = note::parse(&format!("{text}\n{line}\n")) else {
            return Err("a line of the answer is not a signature".to_owned());
        };
        let Some(sig) = one.signatures.first() else {
            continue;
        };
        if sig.name != key.name || sig.id != key.id {
            continue;
        }
        let time = match key.check(&text, sig) {
            Ok(Some(time)) => time,
            _ => return Err("the witness's cosignature does not verify".to_owned()),
        };
        let time = i64::try_from(time).unwrap_or(i64::MAX);
        if time == 0 || time > now + MAX_CLOCK_AHEAD {
            return Err(format!(
                "the cosignature's time {time} is zero or in the future"
            ));
        }
        return Ok(Cosignature {
            witness: key.vkey(),
            size: i64::try_from(head.size).map_err(|e| e.to_string())?,
            root: head.root.to_vec(),
            line: sig.line.clone(),
            cosigned_at: chrono::DateTime::from_timestamp(time, 0)
                .ok_or("a time out of range")?
                .naive_utc(),
        });
    }
    Err("the answer holds no cosignature by the witness's key".to_owned())
}

#[cfg(test)]
#[path = "submitter_tests.rs"]
mod tests;
