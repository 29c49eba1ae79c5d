//! C2SP tlog-witness v1.0.0 `add-checkpoint`, both sides: the request body a log sends (old
//! size, consistency proof, checkpoint), and the witness's decision against what it last
//! cosigned for that origin, with the status code the specification gives each refusal. Pure:
//! the witness server (`crate::witness`) persists and cosigns, the registry's submitter sends.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use super::canonical_decimal;
use super::checkpoint::Checkpoint;
use super::merkle::{self, Hash};
use super::note::{self, NoteError, Verifier};

/// The most consistency-proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// The media type of a 409 response's body (the witness's size, in decimal).
pub const SIZE_MEDIA_TYPE: &str = "text/x.tlog.size";

/// A parsed `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the log believes the witness cosigned last.
    pub old: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint note.
    pub note: String,
}

/// What the witness last cosigned for one origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub size: u64,
    pub root: Hash,
}

/// Why a witness does not cosign, each with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// 400: the body is malformed, or the old size exceeds the checkpoint's.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 403: no trusted key signed the checkpoint, or a trusted key's signature fails.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: the witness knows no log of this origin.
    #[error("unknown origin {0:?}")]
    UnknownOrigin(String),
    /// 409: the old size is not the size the witness cosigned last (which is returned).
    #[error("the witness's size is {0}")]
    Conflict(u64),
    /// 422: a validly signed checkpoint of the size cosigned last with another root — proof
    /// that the log forked, worth keeping.
    #[error("unprocessable: this size was cosigned with another root: a fork")]
    Fork {
        /// The forked checkpoint as the log signed it (text and the verified signatures).
        evidence: String,
    },
    /// 422: the proof does not verify, or the same size comes with another root.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
}

impl Refusal {
    /// The HTTP status the specification gives this refusal.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::BadRequest(_) => 400,
            Refusal::Forbidden(_) => 403,
            Refusal::UnknownOrigin(_) => 404,
            Refusal::Conflict(_) => 409,
            Refusal::Fork { .. } | Refusal::Unprocessable(_) => 422,
        }
    }
}

fn bad(msg: &str) -> Refusal {
    Refusal::BadRequest(msg.to_owned())
}

/// Splits off one line ending in a newline.
fn line(rest: &str) -> Option<(&str, &str)> {
    rest.split_once('\n')
}

/// Parses a request body: `old <size>`, up to 63 base64 hashes, a blank line, the checkpoint.
pub fn parse_request(body: &str) -> Result<AddCheckpoint, Refusal> {
    let (first, mut rest) = line(body).ok_or_else(|| bad("no old size line"))?;
    let old = first
        .strip_prefix("old ")
        .and_then(canonical_decimal)
        .ok_or_else(|| bad("the first line is `old <size>`"))?;
    let mut proof = Vec::new();
    loop {
        let (l, after) = line(rest).ok_or_else(|| bad("no blank line before the checkpoint"))?;
        rest = after;
        if l.is_empty() {
            break;
        }
        if proof.len() == MAX_PROOF_LINES {
            return Err(bad("more than 63 proof lines"));
        }
        let hash: Hash = B64
            .decode(l)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("a proof line is one base64 SHA-256 hash"))?;
        proof.push(hash);
    }
    Ok(AddCheckpoint {
        old,
        proof,
        note: rest.to_owned(),
    })
}

/// The request body for `add-checkpoint`.
pub fn request_body(old: u64, proof: &[Hash], note: &str) -> String {
    let mut body = format!("old {old}\n");
    for h in proof {
        body.push_str(&B64.encode(h));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(note);
    body
}

/// The witness's size from a 409 response body (`<size>\n`).
pub fn parse_conflict(body: &str) -> Option<u64> {
    canonical_decimal(body.strip_suffix('\n')?)
}

/// A checkpoint the witness may cosign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub checkpoint: Checkpoint,
    /// The note's whole text (with any extension lines): what the cosignature signs.
    pub text: String,
    /// The signature lines by the log's trusted keys (all verified), without newlines.
    pub log_signatures: Vec<String>,
}

impl Accepted {
    /// The checkpoint as the witness keeps and serves it: the text, the log's verified
    /// signatures and the witness's cosignature line (nothing else the submitter sent).
    pub fn cosigned_note(&self, cosignature_line: &str) -> String {
        let mut note = format!("{}\n", self.text);
        for line in &self.log_signatures {
            note.push_str(line);
            note.push('\n');
        }
        note.push_str(cosignature_line);
        note
    }
}

/// Decides a request: the checkpoint to cosign, or why not. `keys_for` gives the trusted keys
/// of an origin (None: unknown origin); `recorded` is what the witness cosigned last for it.
pub fn decide<'k>(
    request: &AddCheckpoint,
    keys_for: impl FnOnce(&str) -> Option<&'k [Verifier]>,
    recorded: impl FnOnce(&str) -> Option<Recorded>,
) -> Result<Accepted, Refusal> {
    let parsed = note::parse(&request.note).map_err(|e| Refusal::BadRequest(e.to_string()))?;
    let checkpoint =
        Checkpoint::parse(&parsed.text).map_err(|e| Refusal::BadRequest(e.to_string()))?;
    let keys = keys_for(&checkpoint.origin)
        .ok_or_else(|| Refusal::UnknownOrigin(checkpoint.origin.clone()))?;
    match note::open(&request.note, keys) {
        Ok(_) => {}
        Err(e @ (NoteError::InvalidSignature(_) | NoteError::UnverifiedNote)) => {
            return Err(Refusal::Forbidden(e.to_string()))
        }
        Err(e) => return Err(Refusal::BadRequest(e.to_string())),
    }
    // `open` verified every line of a trusted key.
    let accepted = Accepted {
        log_signatures: parsed
            .signatures
            .iter()
            .filter(|s| keys.iter().any(|k| k.name == s.name && k.id == s.id))
            .map(|s| s.line.clone())
            .collect(),
        text: parsed.text,
        checkpoint,
    };
    let checkpoint = &accepted.checkpoint;
    if request.old > checkpoint.size {
        return Err(bad("the old size exceeds the checkpoint's size"));
    }
    let recorded = recorded(&checkpoint.origin);
    let known_size = recorded.as_ref().map_or(0, |r| r.size);
    if request.old != known_size {
        return Err(Refusal::Conflict(known_size));
    }
    let unprocessable = |msg: &str| Refusal::Unprocessable(msg.to_owned());
    if checkpoint.size == 0 && checkpoint.root != merkle::empty_root() {
        return Err(unprocessable("an empty tree has the empty root"));
    }
    match recorded {
        None => {
            if !request.proof.is_empty() {
                return Err(unprocessable("no proof is needed from the empty tree"));
            }
        }
        Some(r) => merkle::verify_consistency(
            r.size,
            checkpoint.size,
            &request.proof,
            &r.root,
            &checkpoint.root,
        )
        .map_err(|e| match (r.size == checkpoint.size, e) {
            (true, merkle::ProofError::RootMismatch) if request.proof.is_empty() => Refusal::Fork {
                evidence: accepted.cosigned_note(""),
            },
            (_, e) => Refusal::Unprocessable(format!("the consistency proof fails: {e}")),
        })?,
    }
    Ok(accepted)
}

#[cfg(test)]
#[path = "witness_tests.rs"]
mod tests;
