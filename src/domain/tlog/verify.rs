//! Checking a log from outside, as `sqe-registry log verify` does: the signed checkpoint against
//! pinned keys, every entry bundle (canonical entries, their indexes, each certificate's chain),
//! the root recomputed from the entries, every tile against the recomputed tree, each
//! certificate's public history (the history download) against its entries and back, and —
//! given the checkpoint kept from an earlier run — that the log only grew. The fetching is the
//! caller's ([`Fetch`]: HTTP for the command, the app itself for the tests), so this is pure.

use std::collections::HashMap;
use std::io::BufRead;

use super::checkpoint::{Checkpoint, CheckpointError};
use super::entry::{EntryError, LogEntry};
use super::histories::{Claims, HistoryError};
use super::merkle::{self, Hash};
use super::note::{self, NoteError, Verifier};
use super::tile::{self, TileRef};
use super::tile_rows::{TileRow, TileRows};

/// The history download's path on the registry's site.
pub const HISTORY_PATH: &str = "/downloads/sqe-registry-history.jsonl";

/// Reads the log's resources and the registry's history download: `Ok(None)` when one does
/// not exist.
#[allow(async_fn_in_trait)]
pub trait Fetch {
    /// One resource of the log, by its path below the log's prefix (`checkpoint`, `tile/0/000`).
    async fn get(&mut self, path: &str) -> Result<Option<Vec<u8>>, String>;
    /// The history download ([`HISTORY_PATH`]), decompressed, to be read line by line.
    async fn history(&mut self) -> Result<Option<Box<dyn BufRead>>, String>;
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
    #[error(transparent)]
    History(#[from] HistoryError),
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
    /// What the comparison with the history download saw, when asked for.
    pub histories: Option<HistoriesCompared>,
}

/// The history download compared with the entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoriesCompared {
    pub certificates: u64,
    /// Events of the histories found at their entries.
    pub events: u64,
    /// The log size the file covers.
    pub log_size: u64,
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
/// from a previous run) when given; with `histories`, compares the history download with the
/// entries both ways (`domain::tlog::histories`). `progress` is told entries read so far and
/// the total. Entries stream through: the tree is kept as its tiles' right edge
/// (`tile_rows`), each tile compared as it fills.
pub async fn verify<F: Fetch>(
    f: &mut F,
    keys: &[Verifier],
    earlier: Option<&Checkpoint>,
    histories: bool,
    mut progress: impl FnMut(u64, u64),
) -> Result<Verified, VerifyError> {
    // The history file first: it then covers no more of the log than the checkpoint does.
    let mut claims = if histories {
        Some(read_histories(f).await?)
    } else {
        None
    };
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
    let mut rows = TileRows::default();
    let mut tiles = 0;
    let mut old_root = earlier
        .filter(|old| old.size == 0)
        .map(|_| merkle::empty_root());
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
            let index = rows.size();
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
            if let Some(claims) = &mut claims {
                claims.entry(index, &entry)?;
            }
            let leaf = merkle::leaf_hash(body);
            rows.push_leaf_hash(leaf);
            last.insert(entry.certificate, leaf);
            if earlier.is_some_and(|old| old.size == rows.size()) {
                old_root = Some(rows.root());
            }
        }
        for row in rows.take_full_rows() {
            compare_tile(f, &row).await?;
            tiles += 1;
        }
        progress(rows.size(), size);
    }
    if rows.root() != checkpoint.root {
        return Err(VerifyError::Root);
    }
    for row in rows.partial_rows() {
        compare_tile(f, &row).await?;
        tiles += 1;
    }
    if let Some(old) = earlier {
        if old_root != Some(old.root) {
            return Err(VerifyError::Fork { old: old.size });
        }
    }
    Ok(Verified {
        checkpoint,
        note: note_text,
        certificates: last.len(),
        tiles,
        histories: claims.map(|c| HistoriesCompared {
            certificates: c.certificates,
            events: c.compared,
            log_size: c.log_size,
        }),
    })
}

/// The history download, read through.
async fn read_histories<F: Fetch>(f: &mut F) -> Result<Claims, VerifyError> {
    let reader = match f.history().await {
        Ok(Some(reader)) => reader,
        Ok(None) => return Err(VerifyError::Missing(HISTORY_PATH.to_owned())),
        Err(why) => {
            return Err(VerifyError::Fetch {
                path: HISTORY_PATH.to_owned(),
                why,
            })
        }
    };
    Ok(Claims::read(reader)?)
}

/// A tile as served, compared with the same tile of the tree recomputed from the entries.
async fn compare_tile<F: Fetch>(f: &mut F, row: &TileRow) -> Result<(), VerifyError> {
    let path = row.tile.path();
    if fetch(f, &path).await? != row.bytes {
        return Err(VerifyError::Tile { path });
    }
    Ok(())
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
