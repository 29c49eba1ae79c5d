//! The webhook sender (issue 17, §4): a background thread of every `serve` instance that claims
//! due deliveries from the database queue, posts each to its endpoint signed per Standard
//! Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature` with `v1` HMAC under the
//! endpoint's secret and `v1a` Ed25519 under the registry's key), and records the answer: done,
//! retried later with backoff, or given up, the endpoint disabled after a 410 or three days of
//! failures. Requests go through `outbound` (public addresses only after DNS, no redirects,
//! no proxy) with a 5 s limit; at most 1 KB of an answer is read.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::db::webhooks::{self, Claimed, Recorded};
use crate::db::DbPool;
use crate::domain::tlog::note::NoteSigner;
use crate::domain::webhook::{judge, payload, Answer, MAX_KEPT_ANSWER};
use crate::domain::webhook_signature::{sign_v1, sign_v1a, Secret};

/// How often an idle sender looks at the queue.
pub const POLL: Duration = Duration::from_secs(1);
/// A request's whole time limit.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Deliveries claimed and sent at once (each leased for `domain::webhook::LEASE`, 60 s; a
/// batch takes at most one time-out, 5 s).
const BATCH: i64 = 32;

/// Sends queued deliveries.
pub struct Sender {
    pool: DbPool,
    agent: ureq::Agent,
    public_url: String,
    signer: Option<Arc<NoteSigner>>,
}

/// One attempt: the delivery, what came back and what was recorded.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub claimed: Claimed,
    pub answer: Answer,
    pub recorded: Recorded,
}

impl Sender {
    /// A sender for the registry at `public_url` whose `v1a` signatures use `signer`'s key;
    /// loopback addresses only with `allow_loopback` (tests).
    pub fn new(
        pool: DbPool,
        public_url: &str,
        signer: Option<Arc<NoteSigner>>,
        allow_loopback: bool,
    ) -> Sender {
        Sender {
            pool,
            agent: crate::outbound::agent(
                TIMEOUT,
                allow_loopback,
                concat!("sqe-registry/", env!("CARGO_PKG_VERSION"), " webhooks"),
            ),
            public_url: public_url.trim_end_matches('/').to_owned(),
            signer,
        }
    }

    /// Runs in a thread of its own until the process ends.
    pub fn spawn(self) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("webhook-sender".to_owned())
            .spawn(move || loop {
                let now = chrono::Utc::now().naive_utc();
                match self.round(now) {
                    Ok(attempts) if !attempts.is_empty() => {
                        for a in &attempts {
                            log_attempt(a);
                        }
                    }
                    Ok(_) => std::thread::sleep(POLL),
                    Err(error) => {
                        tracing::warn!(%error, "webhook sender cannot read the queue");
                        std::thread::sleep(POLL * 5);
                    }
                }
            })
    }

    /// Claims the deliveries due at `now` (at most a batch) and attempts each, all at once (a
    /// receiver that hangs holds up the others for one time-out, not one each).
    pub fn round(&self, now: NaiveDateTime) -> Result<Vec<Attempt>, String> {
        let claimed = {
            let mut conn = self.pool.get().map_err(|e| e.to_string())?;
            webhooks::claim_due(&mut conn, now, BATCH).map_err(|e| e.to_string())?
        };
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let answers: Vec<Answer> = std::thread::scope(|scope| {
            let sending: Vec<_> = claimed
                .iter()
                .map(|c| scope.spawn(move || self.send(c, now)))
                .collect();
            sending
                .into_iter()
                .map(|s| {
                    s.join()
                        .unwrap_or_else(|_| Answer::Unreachable("the sender failed".to_owned()))
                })
                .collect()
        });
        let verdicts: Vec<_> = claimed
            .iter()
            .zip(&answers)
            .map(|(c, a)| (c, a, judge(a, c.attempts)))
            .collect();
        let mut conn = self.pool.get().map_err(|e| e.to_string())?;
        let recorded =
            webhooks::record_all(&mut conn, &verdicts, now).map_err(|e| e.to_string())?;
        Ok(claimed
            .into_iter()
            .zip(answers)
            .zip(recorded)
            .map(|((claimed, answer), recorded)| Attempt {
                claimed,
                answer,
                recorded,
            })
            .collect())
    }

    /// Posts the delivery, signed for this attempt's time.
    fn send(&self, claimed: &Claimed, now: NaiveDateTime) -> Answer {
        let body = payload(&claimed.facts, &self.public_url);
        let timestamp = now.and_utc().timestamp();
        let id = &claimed.facts.message_id;
        let mut signatures = Vec::with_capacity(2);
        match Secret::parse(&claimed.secret) {
            Ok(secret) => signatures.push(sign_v1(&secret, id, timestamp, body.as_bytes())),
            Err(e) => return Answer::Unreachable(format!("the endpoint's secret: {e}")),
        }
        if let Some(signer) = &self.signer {
            signatures.push(sign_v1a(
                signer.signing_key(),
                id,
                timestamp,
                body.as_bytes(),
            ));
        }
        let sent = self
            .agent
            .post(&claimed.url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signatures.join(" "))
            .send(body.as_bytes());
        match sent {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let mut kept = Vec::with_capacity(256);
                let limit = u64::try_from(MAX_KEPT_ANSWER).unwrap_or(1024);
                // An answer that cannot be read is kept as what was read of it.
                let _ = response
                    .body_mut()
                    .as_reader()
                    .take(limit)
                    .read_to_end(&mut kept);
                Answer::Status(status, String::from_utf8_lossy(&kept).into_owned())
            }
            Err(ureq::Error::HostNotFound) => Answer::Unreachable(
                "refused: the name has no public address (or does not resolve)".to_owned(),
            ),
            Err(e) => Answer::Unreachable(e.to_string()),
        }
    }
}

fn log_attempt(a: &Attempt) {
    let (endpoint, message, attempt) = (
        a.claimed.endpoint_id,
        a.claimed.facts.message_id.as_str(),
        a.claimed.attempts,
    );
    let answer = match &a.answer {
        Answer::Status(code, _) => code.to_string(),
        Answer::Unreachable(e) => e.clone(),
    };
    match a.recorded {
        Recorded::Delivered => {
            tracing::info!(endpoint, message, attempt, "webhook delivered")
        }
        Recorded::WillRetry => {
            tracing::warn!(endpoint, message, attempt, %answer, "webhook failed; will retry")
        }
        Recorded::GaveUp => {
            tracing::warn!(endpoint, message, attempt, %answer, "webhook given up")
        }
        Recorded::EndpointDisabled => {
            tracing::error!(endpoint, message, attempt, %answer, "webhook endpoint disabled")
        }
    }
}
