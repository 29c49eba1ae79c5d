//! The witnesses the registry asks to cosign its checkpoints: a C2SP tlog-policy file named by
//! `SQE_WITNESS_POLICY_FILE` (`witness <name> <vkey> <url>` lines, groups and the quorum; `log`
//! lines are ignored: the registry publishes its own key). Every witness needs its submission
//! URL, and the registry calls only those URLs, never a non-public address — loopback only with
//! `SQE_WITNESS_ALLOW_LOOPBACK=1` (a witness on the same machine, tests).

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};

use crate::domain::tlog::policy::Policy;

/// Witnessing as configured.
#[derive(Debug, Clone)]
pub struct Witnessing {
    pub policy: Arc<Policy>,
    pub allow_loopback: bool,
}

impl Witnessing {
    /// Reads `SQE_WITNESS_POLICY_FILE` and `SQE_WITNESS_ALLOW_LOOPBACK`; None without a file.
    pub fn from_env() -> anyhow::Result<Option<Witnessing>> {
        let Some(path) = std::env::var_os("SQE_WITNESS_POLICY_FILE") else {
            return Ok(None);
        };
        let allow_loopback = match std::env::var("SQE_WITNESS_ALLOW_LOOPBACK").as_deref() {
            Ok("1" | "true") => true,
            Ok("0" | "false" | "") | Err(_) => false,
            Ok(other) => bail!("SQE_WITNESS_ALLOW_LOOPBACK is 1 or 0, not {other:?}"),
        };
        Witnessing::read(Path::new(&path), allow_loopback).map(Some)
    }

    /// Reads and checks a policy file.
    pub fn read(path: &Path, allow_loopback: bool) -> anyhow::Result<Witnessing> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("SQE_WITNESS_POLICY_FILE {}", path.display()))?;
        let policy = Policy::parse(&text)
            .with_context(|| format!("SQE_WITNESS_POLICY_FILE {}", path.display()))?;
        for w in &policy.witnesses {
            let Some(url) = &w.url else {
                bail!(
                    "witness {} has no URL: the registry submits checkpoints to it",
                    w.name
                );
            };
            crate::outbound::check_url(url)
                .map_err(|e| anyhow::anyhow!("witness {}: {e}", w.name))?;
        }
        Ok(Witnessing {
            policy: Arc::new(policy),
            allow_loopback,
        })
    }
}
