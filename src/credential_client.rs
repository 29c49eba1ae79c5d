//! `sqe-registry verify FILE|URL`: checks a credential as a third party would — its proof
//! against the issuer's published keys (the registry's DID document, or a key file for fully
//! offline use), its validity period, its status lists (fetched, or saved files), and with
//! `--log-proof` the C2SP tlog-proof of the log entry it reflects. Prints what it found and a
//! one-line verdict; any failure is an error (exit status 1). The checks themselves are
//! `domain::credentials::check`; this module fetches (GETs only, no redirects, bounded bodies
//! and time-outs).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use crate::domain::credentials::check::{self, Keys, StatusEntry};
use crate::domain::tlog::keyring;
use crate::domain::tlog::note::Verifier;

/// The largest document read (a status list of 2^20 entries, all set, is ~180 KB).
const MAX_BODY: u64 = 4 << 20;

/// What `verify` is asked.
#[derive(Debug, Clone, Default)]
pub struct VerifyRequest {
    /// The credential: a file or an http(s) URL.
    pub source: String,
    /// A DID document (JSON) or verifier keys (as `/log/keys` serves them).
    pub key: Option<PathBuf>,
    /// Saved status list credentials.
    pub status_lists: Vec<PathBuf>,
    /// Fetch nothing.
    pub offline: bool,
    /// The registry's public URL, when not the one the credential's id names.
    pub registry: Option<String>,
    /// Check the log proof of the entry the credential reflects.
    pub log_proof: bool,
}

struct Fetcher {
    agent: ureq::Agent,
    offline: bool,
}

impl Fetcher {
    fn get(&self, url: &str) -> anyhow::Result<Vec<u8>> {
        if self.offline {
            anyhow::bail!("offline: {url} is not fetched");
        }
        crate::outbound::check_url(url).map_err(anyhow::Error::msg)?;
        crate::outbound::get_bounded(&self.agent, url, MAX_BODY)
            .map_err(|e| anyhow::anyhow!("cannot fetch {url}: {e}"))?
            .ok_or_else(|| anyhow::anyhow!("{url}: HTTP status 404"))
    }

    fn json(&self, url: &str) -> anyhow::Result<Value> {
        serde_json::from_slice(&self.get(url)?).with_context(|| format!("{url} is not JSON"))
    }
}

fn read(source: &str, fetcher: &Fetcher) -> anyhow::Result<Vec<u8>> {
    if source.starts_with("http://") || source.starts_with("https://") {
        fetcher.get(source)
    } else {
        std::fs::read(source).with_context(|| format!("cannot read {source}"))
    }
}

/// The keys in a file: a DID document, or verifier keys one per line (`#` lines skipped).
fn keys_from_file(path: &Path) -> anyhow::Result<(Keys, Vec<Verifier>)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if text.trim_start().starts_with('{') {
        let doc: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        return Ok((Keys::from_did_document(&doc)?, Vec::new()));
    }
    let verifiers = parse_verifiers(&text)?;
    Ok((Keys::from_verifiers(&verifiers), verifiers))
}

fn parse_verifiers(text: &str) -> anyhow::Result<Vec<Verifier>> {
    let verifiers = keyring::bare_keys(text)
        .map(|l| Verifier::parse(l).map_err(|e| anyhow::anyhow!("key {l}: {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if verifiers.is_empty() {
        anyhow::bail!("no key in the key file");
    }
    Ok(verifiers)
}

/// The registry's public URL: given, or the credential id's before `/credentials/`.
fn registry_of(request: &VerifyRequest, credential_id: &str) -> Option<String> {
    request
        .registry
        .clone()
        .or_else(|| {
            credential_id
                .rsplit_once("/credentials/")
                .map(|(base, _)| base.to_owned())
        })
        .map(|r| r.trim_end_matches('/').to_owned())
}

/// Runs `sqe-registry verify`.
pub fn verify_command(request: &VerifyRequest) -> anyhow::Result<()> {
    let fetcher = Fetcher {
        agent: crate::outbound::agent(
            Duration::from_secs(20),
            true,
            concat!("sqe-registry/", env!("CARGO_PKG_VERSION"), " verify"),
        ),
        offline: request.offline,
    };
    let mut bytes = read(&request.source, &fetcher)?;
    // A baked badge (Open Badges 3.0): the credential is its `openbadgecredential` chunk.
    if crate::domain::credentials::baking::is_png(&bytes) {
        bytes = crate::domain::credentials::baking::unbake(&bytes)
            .map_err(anyhow::Error::msg)
            .and_then(|c| c.ok_or_else(|| anyhow::anyhow!("the PNG carries no credential")))
            .with_context(|| request.source.clone())?
            .into_bytes();
    }
    let doc: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON", request.source))?;
    let id = doc["id"].as_str().unwrap_or_default().to_owned();
    let registry = registry_of(request, &id);
    let (keys, mut log_keys) = match &request.key {
        Some(path) => keys_from_file(path)?,
        None => {
            let Some(base) = &registry else {
                anyhow::bail!("no registry to ask for its keys: give --key or --registry");
            };
            let did = fetcher
                .json(&format!("{base}/.well-known/did.json"))
                .context("the issuer's keys (use --key FILE offline)")?;
            (Keys::from_did_document(&did)?, Vec::new())
        }
    };
    let credential =
        check::check_credential(&doc, &keys).map_err(|e| anyhow::anyhow!("FAILED: {e}"))?;
    println!(
        "signature: valid, by {} ({})",
        credential.method, credential.name
    );
    let mut unchecked = Vec::new();
    for entry in &credential.status {
        match status_of(entry, request, &fetcher, &keys)? {
            Some(false) => println!("{}: not set", entry.purpose),
            Some(true) => {
                let why = superseded_by(&credential, registry.as_deref(), &fetcher, &keys)
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                anyhow::bail!("NOT VALID: the credential is marked {}{why}", entry.purpose);
            }
            None => unchecked.push(entry.purpose.clone()),
        }
    }
    // After the status: a revoked credential is said revoked even when it has also expired.
    let now = chrono::Utc::now();
    if !check::in_validity(&credential, now)? {
        anyhow::bail!(
            "NOT VALID: outside its validity, {} to {}",
            credential.valid_from,
            credential.valid_until
        );
    }
    println!(
        "validity: {} to {}",
        credential.valid_from, credential.valid_until
    );
    let mut logged = String::new();
    if request.log_proof {
        let Some(index) = credential.log_index else {
            anyhow::bail!("FAILED: the credential names no log entry");
        };
        let Some(base) = &registry else {
            anyhow::bail!("no registry to ask for the log proof: give --registry");
        };
        if log_keys.is_empty() {
            let text = String::from_utf8(fetcher.get(&format!("{base}/log/keys"))?)?;
            log_keys = parse_verifiers(&text)?;
        }
        let entry = fetcher.get(&format!("{base}/log/entries/{index}"))?;
        let proof = String::from_utf8(fetcher.get(&format!("{base}/log/proof/{index}"))?)?;
        let size =
            check::check_log_proof(&proof, &entry, index, &credential.certificate, &log_keys)
                .map_err(|e| anyhow::anyhow!("FAILED: {e}"))?;
        println!("log: entry {index} is in the signed log of {size} entries");
        logged = format!("; log entry {index} included");
    }
    let status = if unchecked.is_empty() {
        "not revoked, not suspended".to_owned()
    } else {
        format!(
            "status NOT CHECKED ({}: no list given offline)",
            unchecked.join(", ")
        )
    };
    println!(
        "VALID: {} of certificate {}, signed by the registry; {status}{logged}",
        credential.id, credential.certificate
    );
    Ok(())
}

/// The entry's bit: from a saved list naming it, or fetched; `None` offline without one.
fn status_of(
    entry: &StatusEntry,
    request: &VerifyRequest,
    fetcher: &Fetcher,
    keys: &Keys,
) -> anyhow::Result<Option<bool>> {
    for path in &request.status_lists {
        let list: Value = serde_json::from_slice(
            &std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        )
        .with_context(|| format!("{} is not JSON", path.display()))?;
        if list["id"].as_str() == Some(entry.list.as_str()) {
            return Ok(Some(
                check::check_status(&list, entry, keys)
                    .map_err(|e| anyhow::anyhow!("FAILED: {e}"))?,
            ));
        }
    }
    if request.offline {
        return Ok(None);
    }
    let list = fetcher.json(&entry.list)?;
    Ok(Some(
        check::check_status(&list, entry, keys).map_err(|e| anyhow::anyhow!("FAILED: {e}"))?,
    ))
}

/// When a revoked credential's certificate has a newer one: what its signed status.json says.
fn superseded_by(
    credential: &check::Credential,
    registry: Option<&str>,
    fetcher: &Fetcher,
    keys: &Keys,
) -> Option<String> {
    let base = registry?;
    let url = format!(
        "{base}{}",
        crate::web::paths::status_json(&credential.certificate)
    );
    let status = fetcher.json(&url).ok()?;
    crate::domain::credentials::data_integrity::verify(&status, |m| keys.key_for(m)).ok()?;
    let current = status["credential"].as_str()?;
    let now = format!(
        "the certificate is now {}, {} stars",
        status["status"].as_str()?,
        status["stars"]
    );
    Some(if current == credential.id {
        now
    } else {
        format!("superseded by {current}; {now}")
    })
}
