//! The transparency log's signing key: a file in Go's note form
//! (`PRIVATE+KEY+<name>+<id>+<key>`), readable by its owner only, named by
//! `SQE_SIGNING_KEY_FILE`; and the demo registry's throw-away key, which is published (anyone
//! can sign with it) and says so.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};

use crate::domain::tlog::note::{NoteSigner, TYPE_ED25519};

/// The origin (and key name) of a demo registry's log.
pub const DEMO_ORIGIN: &str = "demo.sqe-registry.invalid/log";

/// The demo key: derived from a published phrase, so every demo instance signs alike and
/// nobody mistakes it for a secret.
pub fn demo_signer() -> NoteSigner {
    demo().clone()
}

/// The demo key, derived once per process (pages that label it ask on every request).
fn demo() -> &'static NoteSigner {
    static DEMO: std::sync::OnceLock<NoteSigner> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let seed: [u8; 32] =
            Sha256::digest(b"sqe-registry demo log key: public, anyone can sign with it").into();
        NoteSigner::from_seed(DEMO_ORIGIN, TYPE_ED25519, seed)
            .unwrap_or_else(|_| unreachable!("the demo origin is a valid key name"))
    })
}

/// Whether `signer` is the published demo key (pages say so).
pub fn is_demo_key(signer: &NoteSigner) -> bool {
    signer.verifier() == demo().verifier()
}

/// The origin a new key is named after: the public URL's host and path, and `/log`
/// (C2SP tlog-tiles: the scheme-less prefix the log is served under).
pub fn origin_for(public_url: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(public_url).context("the public URL is not a URL")?;
    let host = url.host_str().context("the public URL has no host")?;
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    Ok(format!("{host}{port}{path}/log"))
}

/// Writes a new random key named `name` to `path` (which must not exist), readable by its
/// owner only: a log key (`TYPE_ED25519`) or a witness's cosigning key (`TYPE_COSIGNATURE`).
/// Returns the signer.
pub fn generate(name: &str, key_type: u8, path: &Path) -> anyhow::Result<NoteSigner> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    let signer = NoteSigner::from_seed(name, key_type, seed)
        .map_err(|e| anyhow::anyhow!("{name:?} cannot name a key: {e}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    writeln!(file, "{}", signer.skey())?;
    file.sync_all()?;
    Ok(signer)
}

/// Reads the key at `path` (named by the setting `setting`, for messages); refuses a file that
/// others can read.
pub fn load(path: &Path, setting: &str) -> anyhow::Result<NoteSigner> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("{setting} {}", path.display()))?
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "{setting} {} can be read by others (mode {:o}): chmod 600 it",
                path.display(),
                mode & 0o777
            );
        }
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("{setting} {}", path.display()))?;
    // The error never quotes the file: it holds a secret.
    NoteSigner::parse(text.trim())
        .map_err(|e| anyhow::anyhow!("{setting} {} is not a signing key: {e}", path.display()))
}

/// Reads the published keys at `path` (`SQE_LOG_KEYS_FILE`): the signing key must be among
/// them and not retired by `today` (after a rotation, the old key keeps its line with the day
/// its period ended, and the new one is listed from the day it began).
pub fn load_keys(
    path: &Path,
    signer: Option<&NoteSigner>,
    today: chrono::NaiveDate,
) -> anyhow::Result<Vec<crate::domain::tlog::keyring::PublishedKey>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("SQE_LOG_KEYS_FILE {}", path.display()))?;
    let keys = crate::domain::tlog::keyring::parse(&text)
        .map_err(|e| anyhow::anyhow!("SQE_LOG_KEYS_FILE {}: {e}", path.display()))?;
    if let Some(signer) = signer {
        let vkey = signer.verifier().vkey();
        match keys.iter().find(|k| k.vkey() == vkey) {
            None => bail!(
                "SQE_LOG_KEYS_FILE {} does not list the signing key {vkey}: add it with the day it \
                 begins (`{vkey} YYYY-MM-DD`)",
                path.display()
            ),
            Some(k) if k.retired(today) => bail!(
                "the signing key {vkey} was retired on {} (SQE_LOG_KEYS_FILE {}): sign with the \
                 key that follows it",
                k.until.map(|d| d.to_string()).unwrap_or_default(),
                path.display()
            ),
            Some(_) => {}
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_private_to_its_owner_and_loads_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("log.key");
        let made = generate("registry.example.cn/log", TYPE_ED25519, &path).expect("generate");
        let loaded = load(&path, "SQE_SIGNING_KEY_FILE").expect("load");
        assert_eq!(loaded.verifier(), made.verifier());
        assert_eq!(loaded.name(), "registry.example.cn/log");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let err = load(&path, "SQE_SIGNING_KEY_FILE")
                .expect_err("refused")
                .to_string();
            assert!(err.contains("chmod 600"), "{err}");
            assert!(!err.contains("PRIVATE+KEY"), "{err}");
        }
        // Never over an existing file.
        assert!(generate("registry.example.cn/log", TYPE_ED25519, &path).is_err());
    }

    #[test]
    fn the_origin_is_the_scheme_less_prefix_of_the_log() {
        assert_eq!(
            origin_for("https://sqe.example.cn").expect("url"),
            "sqe.example.cn/log"
        );
        assert_eq!(
            origin_for("http://127.0.0.1:8080/").expect("url"),
            "127.0.0.1:8080/log"
        );
        assert_eq!(
            origin_for("https://example.cn/registry").expect("url"),
            "example.cn/registry/log"
        );
        assert!(demo_signer()
            .verifier()
            .vkey()
            .starts_with("demo.sqe-registry.invalid/log+"));
    }
}
