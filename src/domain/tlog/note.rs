//! C2SP signed-note v1.0.0 with Ed25519 keys: key IDs, verifier keys (`name+hash+base64`), the
//! private-key form of Go's `golang.org/x/mod/sumdb/note` (`PRIVATE+KEY+name+hash+base64`),
//! signing a note and opening one against known keys. Cosignatures (C2SP tlog-cosignature,
//! key type 0x04) are signed and checked here too, since they share the note's signature lines.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Signature type of a plain Ed25519 note signature.
pub const TYPE_ED25519: u8 = 0x01;
/// Signature type of a C2SP tlog-cosignature/v1 (Ed25519 over a timestamped checkpoint).
pub const TYPE_COSIGNATURE: u8 = 0x04;

/// The most signature lines a note may carry (as Go's note package; the specification asks
/// verifiers to accept at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Why a key or a note is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed key: {0}")]
    MalformedKey(&'static str),
    #[error("malformed note: {0}")]
    MalformedNote(&'static str),
    #[error("the note's text must end with a newline")]
    TextWithoutNewline,
    #[error("a signature by {0} does not verify")]
    InvalidSignature(String),
    #[error("no known key signed this note")]
    UnverifiedNote,
}

/// Whether a key name is allowed: non-empty, no spaces, no `+`, printable.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '+')
}

/// The 4-byte key ID: SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4].
pub fn key_id(name: &str, key_type: u8, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([key_type]);
    h.update(public);
    let digest: [u8; 32] = h.finalize().into();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Splits `name+hash+base64(type ‖ 32 bytes)` (a verifier key, or a private key without its
/// `PRIVATE+KEY+` prefix): the name, the hash as written, the type and the 32 key bytes. The
/// name has no `+`; the base64 may.
fn split_key(text: &str) -> Result<(&str, &str, u8, [u8; 32]), NoteError> {
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(hash), Some(encoded)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::MalformedKey("expected name+hash+key"));
    };
    if !valid_name(name) || hash.len() != 8 {
        return Err(NoteError::MalformedKey("bad name or hash"));
    }
    let bytes = B64
        .decode(encoded)
        .map_err(|_| NoteError::MalformedKey("key is not base64"))?;
    let (&key_type, key) = bytes
        .split_first()
        .ok_or(NoteError::MalformedKey("empty key"))?;
    if key_type != TYPE_ED25519 && key_type != TYPE_COSIGNATURE {
        return Err(NoteError::MalformedKey("unknown key type"));
    }
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| NoteError::MalformedKey("an Ed25519 key has 32 bytes"))?;
    Ok((name, hash, key_type, key))
}

/// A public key that checks signatures of one kind under one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub name: String,
    pub key_type: u8,
    pub id: [u8; 4],
    pub key: VerifyingKey,
}

impl Verifier {
    /// Parses a verifier key `name+hex(id)+base64(type ‖ public key)`; the ID must match.
    pub fn parse(vkey: &str) -> Result<Verifier, NoteError> {
        let (name, hash, key_type, public) = split_key(vkey.trim())?;
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| NoteError::MalformedKey("not an Ed25519 point"))?;
        let id = key_id(name, key_type, &public);
        if hex4(&id) != hash.to_ascii_lowercase() {
            return Err(NoteError::MalformedKey("the hash does not match the key"));
        }
        Ok(Verifier {
            name: name.to_owned(),
            key_type,
            id,
            key,
        })
    }

    /// The verifier key text.
    pub fn vkey(&self) -> String {
        let mut bytes = vec![self.key_type];
        bytes.extend_from_slice(self.key.as_bytes());
        format!("{}+{}+{}", self.name, hex4(&self.id), B64.encode(bytes))
    }
}

/// A key id in lowercase hex, as verifier keys write it.
pub fn hex4(id: &[u8; 4]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// A private key with its name, signing notes (type 0x01) or cosignatures (type 0x04).
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key_type: u8,
    id: [u8; 4],
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        write!(f, "NoteSigner({})", self.verifier().vkey())
    }
}

impl NoteSigner {
    /// A signer from a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, key_type: u8, seed: [u8; 32]) -> Result<NoteSigner, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::MalformedKey("bad name"));
        }
        let key = SigningKey::from_bytes(&seed);
        Ok(NoteSigner {
            name: name.to_owned(),
            key_type,
            id: key_id(name, key_type, key.verifying_key().as_bytes()),
            key,
        })
    }

    /// Parses Go's private key form `PRIVATE+KEY+name+hex(id)+base64(type ‖ seed)`.
    pub fn parse(skey: &str) -> Result<NoteSigner, NoteError> {
        let rest = skey
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(NoteError::MalformedKey("expected PRIVATE+KEY+"))?;
        let (name, hash, key_type, seed) = split_key(rest)?;
        let signer = NoteSigner::from_seed(name, key_type, seed)?;
        if hex4(&signer.id) != hash.to_ascii_lowercase() {
            return Err(NoteError::MalformedKey("the hash does not match the key"));
        }
        Ok(signer)
    }

    /// Go's private key text (a secret: written only to a key file readable by its owner).
    pub fn skey(&self) -> String {
        let mut bytes = vec![self.key_type];
        bytes.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex4(&self.id),
            B64.encode(bytes)
        )
    }

    /// The Ed25519 key itself, for the credentials signed with the log's key.
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The matching public key.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key_type: self.key_type,
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The signature line of `text` (a note signature, type 0x01).
    pub fn signature_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut bytes = self.id.to_vec();
        bytes.extend_from_slice(&sig.to_bytes());
        format!("— {} {}\n", self.name, B64.encode(bytes))
    }

    /// A cosignature line (tlog-cosignature/v1) of a checkpoint body at `time` (Unix seconds).
    pub fn cosignature_line(&self, checkpoint_body: &str, time: u64) -> String {
        let sig = self
            .key
            .sign(cosigned_message(checkpoint_body, time).as_bytes());
        let mut bytes = self.id.to_vec();
        bytes.extend_from_slice(&time.to_be_bytes());
        bytes.extend_from_slice(&sig.to_bytes());
        format!("— {} {}\n", self.name, B64.encode(bytes))
    }
}

/// The message a cosignature signs: `cosignature/v1\ntime <t>\n` and the checkpoint body.
pub fn cosigned_message(checkpoint_body: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{checkpoint_body}")
}

/// Signs `text` (which ends with a newline) with each signer: the text, a blank line, and one
/// signature line per signer.
pub fn sign(text: &str, signers: &[&NoteSigner]) -> Result<String, NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::TextWithoutNewline);
    }
    let mut note = format!("{text}\n");
    for s in signers {
        note.push_str(&s.signature_line(text));
    }
    Ok(note)
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLine {
    pub name: String,
    pub id: [u8; 4],
    /// What follows the key ID (a signature, or a timestamp and a signature).
    pub payload: Vec<u8>,
    /// The line as written, without its newline.
    pub line: String,
}

/// A note split into its text and its signature lines (nothing verified yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedNote {
    pub text: String,
    pub signatures: Vec<SignatureLine>,
}

/// Splits a note at its last blank line into text and signature lines.
pub fn parse(note: &str) -> Result<ParsedNote, NoteError> {
    if !note.ends_with('\n') {
        return Err(NoteError::MalformedNote("a note ends with a newline"));
    }
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::MalformedNote("control characters"));
    }
    let split = note.rfind("\n\n").ok_or(NoteError::MalformedNote(
        "no blank line before the signatures",
    ))?;
    let text = &note[..split + 1];
    let block = &note[split + 2..];
    let mut signatures = Vec::new();
    for line in block.lines() {
        let rest = line.strip_prefix("— ").ok_or(NoteError::MalformedNote(
            "a signature line starts with an em dash",
        ))?;
        let (name, encoded) = rest.split_once(' ').ok_or(NoteError::MalformedNote(
            "a signature line has a name and a signature",
        ))?;
        if !valid_name(name) {
            return Err(NoteError::MalformedNote("bad key name"));
        }
        let bytes = B64
            .decode(encoded)
            .map_err(|_| NoteError::MalformedNote("a signature is base64"))?;
        if bytes.len() < 5 {
            return Err(NoteError::MalformedNote("a signature is too short"));
        }
        signatures.push(SignatureLine {
            name: name.to_owned(),
            id: [bytes[0], bytes[1], bytes[2], bytes[3]],
            payload: bytes[4..].to_vec(),
            line: line.to_owned(),
        });
    }
    if signatures.is_empty() {
        return Err(NoteError::MalformedNote(
            "a note has at least one signature",
        ));
    }
    if signatures.len() > MAX_SIGNATURES {
        return Err(NoteError::MalformedNote("too many signatures"));
    }
    Ok(ParsedNote {
        text: text.to_owned(),
        signatures,
    })
}

impl Verifier {
    /// Whether this key made the signature line over `text` (for a cosignature, over the
    /// timestamped message; the time is returned).
    pub fn check(&self, text: &str, sig: &SignatureLine) -> Result<Option<u64>, NoteError> {
        let invalid = || NoteError::InvalidSignature(self.name.clone());
        match self.key_type {
            TYPE_COSIGNATURE => {
                let payload: &[u8; 72] =
                    sig.payload.as_slice().try_into().map_err(|_| invalid())?;
                let mut t = [0u8; 8];
                t.copy_from_slice(&payload[..8]);
                let time = u64::from_be_bytes(t);
                let signature = Signature::from_slice(&payload[8..]).map_err(|_| invalid())?;
                self.key
                    .verify_strict(cosigned_message(text, time).as_bytes(), &signature)
                    .map_err(|_| invalid())?;
                Ok(Some(time))
            }
            _ => {
                let signature = Signature::from_slice(&sig.payload).map_err(|_| invalid())?;
                self.key
                    .verify_strict(text.as_bytes(), &signature)
                    .map_err(|_| invalid())?;
                Ok(None)
            }
        }
    }
}

/// Opens a note: its text when at least one of `known` keys signed it. Signatures by unknown
/// keys are ignored; a signature by a known key that does not verify refuses the note.
/// Returns the text and the names of the keys that verified.
pub fn open(note: &str, known: &[Verifier]) -> Result<(String, Vec<String>), NoteError> {
    let parsed = parse(note)?;
    let mut verified = Vec::new();
    for sig in &parsed.signatures {
        if let Some(key) = known.iter().find(|k| k.name == sig.name && k.id == sig.id) {
            key.check(&parsed.text, sig)?;
            verified.push(key.name.clone());
        }
    }
    if verified.is_empty() {
        return Err(NoteError::UnverifiedNote);
    }
    Ok((parsed.text, verified))
}

#[cfg(test)]
#[path = "note_tests.rs"]
mod tests;
