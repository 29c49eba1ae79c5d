//! Checking a log from outside, as `sqe-registry log verify` does: the signed checkpoint against
//! pinned keys, every entry bundle (canonical entries, their indexes, each certificate's chain),
//! the root recomputed from the entries, every tile against the recomputed tree, and — given
//! the checkpoint kept from an earlier run — that the log only grew. The fetching is the
//! caller's ([`Fetch`]: HTTP for the command, the app itself for the tests), so this is pure.

use std::collections::HashMap;

use super::checkpoint::{Checkpoint, CheckpointError};
use super::entry::{EntryError, LogEntry};
use super::merkle::{self, Hash, HashSource, MemoryTree};
use super::note::{self, NoteError, Verifier};
use super::tile::{self, TileRef};

/// Reads one resource of the log, by its path below the log's prefix (`checkpoint`,
/// `tile/0/000`): `Ok(None)` when it does not exist.
#[allow(async_fn_in_trait)]
pub trait Fetch {
    async fn get(&mut self, path: &str) -> Result<Option<Vec<u8>>, String>;
}

/// Why a log fails the check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("could not fetch {path}: {why}")]
    Fetch { path: String, why: String },
    #[error("{0} is missing")]
    Missing(String),
    #[error("the checkpoint's signature: {0}")]
    Signature(#[from] NoteError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error("the checkpoint is of log {found:?}, not {expected:?}")]
    Origin { expected: String, found: String },
    #[error("{path} does not hold the entries it should")]
    Bundle { path: String },
    #[error("entry {index}: {error}")]
    Entry { index: u64, error: EntryError },
    #[error("entry {index} says it is entry {said}")]
    Index { index: u64, said: u64 },
    #[error("entry {index} of {certificate} does not follow its previous entry")]
    Chain { index: u64, certificate: String },
    #[error("the entries' root is not the signed root")]
    Root,
    #[error("{path} differs from the tree of the entries")]
    Tile { path: String },
    #[error("the log shrank from {old} to {new} entries")]
    Shrunk { old: u64, new: u64 },
    #[error("the first {old} entries are not those of the checkpoint kept earlier: the log was rewritten (a fork)")]
    Fork { old: u64 },
}

/// What a successful check saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub checkpoint: Checkpoint,
    /// The checkpoint note as served (to keep as the next run's state).
    pub note: String,
    /// Entries per certificate number.
    pub certificates: usize,
    /// Tiles compared with the tree.
    pub tiles: u64,
}

async fn fetch<F: Fetch>(f: &mut F, path: &str) -> Result<Vec<u8>, VerifyError> {
    match f.get(path).await {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(VerifyError::Missing(path.to_owned())),
        Err(why) => Err(VerifyError::Fetch {
            path: path.to_owned(),
            why,
        }),
    }
}

/// Checks the log `f` serves against `keys`, and against `earlier` (a checkpoint body kept
/// from a previous run) when given. `progress` is told entries read so far and the total.
pub async fn verify<F: Fetch>(
    f: &mut F,
    keys: &[Verifier],
    earlier: Option<&Checkpoint>,
    mut progress: impl FnMut(u64, u64),
) -> Result<Verified, VerifyError> {
    let note_bytes = fetch(f, "checkpoint").await?;
    let note_text = String::from_utf8(note_bytes).map_err(|_| VerifyError::Bundle {
        path: "checkpoint".into(),
    })?;
    let (body, _) = note::open(&note_text, keys)?;
    let checkpoint = Checkpoint::parse(&body)?;
    if let Some(old) = earlier {
        if old.origin != checkpoint.origin {
            return Err(VerifyError::Origin {
                expected: old.origin.clone(),
                found: checkpoint.origin.clone(),
            });
        }
        if old.size > checkpoint.size {
            return Err(VerifyError::Shrunk {
                old: old.size,
                new: checkpoint.size,
            });
        }
    }
    let size = checkpoint.size;
    let mut tree = MemoryTree::default();
    let mut last: HashMap<String, Hash> = HashMap::new();
    let bundles = size.div_ceil(tile::WIDTH);
    for n in 0..bundles {
        let width = (size - n * tile::WIDTH).min(tile::WIDTH) as u16;
        let path = TileRef {
            level: None,
            index: n,
            width,
        }
        .path();
        let bytes = fetch(f, &path).await?;
        let entries = tile::unbundle(&bytes)
            .filter(|e| e.len() == usize::from(width))
            .ok_or_else(|| VerifyError::Bundle { path: path.clone() })?;
        for body in entries {
            let index = tree.size();
            let entry =
                LogEntry::parse(body).map_err(|error| VerifyError::Entry { index, error })?;
            if entry.index != index {
                return Err(VerifyError::Index {
                    index,
                    said: entry.index,
                });
            }
            if !entry.follows(last.get(&entry.certificate)) {
                return Err(VerifyError::Chain {
                    index,
                    certificate: entry.certificate,
                });
            }
            let leaf = merkle::leaf_hash(body);
            tree.push_leaf_hash(leaf);
            last.insert(entry.certificate, leaf);
        }
        progress(tree.size(), size);
    }
    if tree.root() != checkpoint.root {
        return Err(VerifyError::Root);
    }
    let tiles = check_tiles(f, &tree).await?;
    if let Some(old) = earlier {
        let old_root = merkle::tree_hash(tree.source(), old.size).map_err(|_| VerifyError::Root)?;
        if old_root != old.root {
            return Err(VerifyError::Fork { old: old.size });
        }
    }
    Ok(Verified {
        checkpoint,
        note: note_text,
        certificates: last.len(),
        tiles,
    })
}

/// Every hash tile of the tree, compared with the tree recomputed from the entries.
async fn check_tiles<F: Fetch>(f: &mut F, tree: &MemoryTree) -> Result<u64, VerifyError> {
    let size = tree.size();
    let mut checked = 0;
    for level in 0u8..64 {
        let merkle_level = u32::from(level) * u32::from(tile::HEIGHT);
        let complete = size.checked_shr(merkle_level).unwrap_or(0);
        if complete == 0 {
            break;
        }
        for n in 0..complete.div_ceil(tile::WIDTH) {
            let mut t = TileRef {
                level: Some(level),
                index: n,
                width: 256,
            };
            t.width = tile::available_width(&t, size) as u16;
            let path = t.path();
            let bytes = fetch(f, &path).await?;
            let expected: Vec<u8> = (0..u64::from(t.width))
                .map(|i| tree.source().subtree(merkle_level as u8, t.first() + i))
                .collect::<Result<Vec<Hash>, _>>()
                .map_err(|_| VerifyError::Tile { path: path.clone() })?
                .concat();
            if bytes != expected {
                return Err(VerifyError::Tile { path });
            }
            checked += 1;
        }
    }
    Ok(checked)
}
