//! The transparency log's storage: entries in order, the hash of every complete subtree, and
//! the signed head. [`Appender`] is the one sequencer: it locks the head row for the caller's
//! transaction, appends in memory from the tree's right edge (O(log n) rows read), writes the
//! rows in batches and signs the new checkpoint before the transaction commits.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{log_entries, log_hashes, log_head};
use super::write::insert_batch;
use super::DbConnection;
use crate::domain::tlog::checkpoint::Checkpoint;
use crate::domain::tlog::entry::{hex, EntryError, LogEntry, LogKind};
use crate::domain::tlog::merkle::{self, Hash, HashSource, MissingHash, Subtree};
use crate::domain::tlog::note::{self, NoteError, NoteSigner};

/// Rows per insert statement (SQLite allows 32,766 bound values).
const BATCH: usize = 2_000;

/// Why the log cannot append; every variant rolls the whole change back.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Entry(#[from] EntryError),
    #[error("the log is damaged: {0}")]
    Damaged(#[from] MissingHash),
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("no signing key for the transparency log: set SQE_SIGNING_KEY_FILE (sqe-registry keys generate)")]
    NoKey,
    #[error("the signing key is named {key:?} but the log's origin is {origin:?}")]
    KeyMismatch { key: String, origin: String },
}

/// The signed head of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// The checkpoint note, signed.
    pub checkpoint: String,
    pub signed_at: NaiveDateTime,
}

type HeadRow = (String, i64, Vec<u8>, String, NaiveDateTime);

fn to_head((origin, size, root, checkpoint, signed_at): HeadRow) -> Head {
    let mut hash = [0u8; 32];
    if root.len() == 32 {
        hash.copy_from_slice(&root);
    }
    Head {
        origin,
        size: u64::try_from(size).unwrap_or(0),
        root: hash,
        checkpoint,
        signed_at,
    }
}

const HEAD_COLUMNS: (
    log_head::origin,
    log_head::size,
    log_head::root,
    log_head::checkpoint,
    log_head::signed_at,
) = (
    log_head::origin,
    log_head::size,
    log_head::root,
    log_head::checkpoint,
    log_head::signed_at,
);

/// The current head, if the log has begun.
pub fn head(conn: &mut DbConnection) -> QueryResult<Option<Head>> {
    Ok(log_head::table
        .find(1)
        .select(HEAD_COLUMNS)
        .first::<HeadRow>(conn)
        .optional()?
        .map(to_head))
}

/// The head, locked until the transaction ends (PostgreSQL; a SQLite write transaction
/// already excludes every other writer).
fn lock_head(conn: &mut DbConnection) -> QueryResult<Option<Head>> {
    let row = match conn {
        DbConnection::Pg(c) => log_head::table
            .find(1)
            .select(HEAD_COLUMNS)
            .for_update()
            .first::<HeadRow>(c)
            .optional()?,
        DbConnection::Sqlite(c) => log_head::table
            .find(1)
            .select(HEAD_COLUMNS)
            .first::<HeadRow>(c)
            .optional()?,
    };
    Ok(row.map(to_head))
}

/// The stored hashes of the given subtrees (missing ones are left out).
pub fn subtrees(
    conn: &mut DbConnection,
    wanted: &[Subtree],
) -> QueryResult<BTreeMap<Subtree, Hash>> {
    let mut by_level: BTreeMap<u8, Vec<i64>> = BTreeMap::new();
    for &(level, n) in wanted {
        by_level.entry(level).or_default().push(n as i64);
    }
    let mut out = BTreeMap::new();
    for (level, ids) in by_level {
        for chunk in ids.chunks(BATCH) {
            let rows: Vec<(i64, Vec<u8>)> = log_hashes::table
                .filter(log_hashes::level.eq(i16::from(level)))
                .filter(log_hashes::idx.eq_any(chunk))
                .select((log_hashes::idx, log_hashes::hash))
                .load(conn)?;
            for (idx, hash) in rows {
                if let Ok(hash) = Hash::try_from(hash.as_slice()) {
                    out.insert((level, idx as u64), hash);
                }
            }
        }
    }
    Ok(out)
}

/// The hashes of `count` consecutive subtrees of one level from `first`, concatenated (a tile).
pub fn hash_run(
    conn: &mut DbConnection,
    level: u32,
    first: u64,
    count: u64,
) -> QueryResult<Vec<u8>> {
    let Ok(level) = i16::try_from(level) else {
        return Ok(Vec::new());
    };
    let rows: Vec<Vec<u8>> = log_hashes::table
        .filter(log_hashes::level.eq(level))
        .filter(log_hashes::idx.ge(first as i64))
        .filter(log_hashes::idx.lt((first + count) as i64))
        .order(log_hashes::idx)
        .select(log_hashes::hash)
        .load(conn)?;
    Ok(rows.concat())
}

/// The log index of each of a certificate's history events in the log, by event id.
pub fn event_indexes(
    conn: &mut DbConnection,
    certificate_id: i32,
) -> QueryResult<HashMap<i32, i64>> {
    let rows: Vec<(Option<i32>, i64)> = log_entries::table
        .filter(log_entries::certificate_id.eq(certificate_id))
        .filter(log_entries::event_id.is_not_null())
        .select((log_entries::event_id, log_entries::idx))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(event, idx)| event.map(|e| (e, idx)))
        .collect())
}

/// The bodies of `count` consecutive entries from `first`.
pub fn entry_run(conn: &mut DbConnection, first: u64, count: u64) -> QueryResult<Vec<Vec<u8>>> {
    log_entries::table
        .filter(log_entries::idx.ge(first as i64))
        .filter(log_entries::idx.lt((first + count) as i64))
        .order(log_entries::idx)
        .select(log_entries::body)
        .load(conn)
}

/// A source of stored hashes read from the database on demand, for proofs: the subtrees a
/// computation needs are listed first and read in one query.
pub fn with_subtrees<T>(
    conn: &mut DbConnection,
    compute: impl Fn(&dyn HashSource) -> Result<T, MissingHash>,
) -> Result<Result<T, MissingHash>, diesel::result::Error> {
    let wanted = merkle::needed(&compute);
    let hashes = subtrees(conn, &wanted)?;
    Ok(compute(&hashes))
}

/// The index of a certificate's last entry and its leaf hash.
fn last_of_certificate(conn: &mut DbConnection, certificate_id: i32) -> QueryResult<Option<Hash>> {
    let last: Option<i64> = log_entries::table
        .filter(log_entries::certificate_id.eq(certificate_id))
        .select(diesel::dsl::max(log_entries::idx))
        .first(conn)?;
    let Some(idx) = last else { return Ok(None) };
    Ok(subtrees(conn, &[(0, idx as u64)])?
        .get(&(0, idx as u64))
        .copied())
}

#[derive(Insertable)]
#[diesel(table_name = log_entries)]
struct EntryRow {
    idx: i64,
    certificate_id: i32,
    event_id: Option<i32>,
    kind: String,
    body: Vec<u8>,
}

#[derive(Insertable)]
#[diesel(table_name = log_hashes)]
struct HashRow {
    level: i16,
    idx: i64,
    hash: Vec<u8>,
}

/// Refuses a key that is not the log's: its name must be the origin the log began with.
pub fn check_origin(origin: &str, signer: &NoteSigner) -> Result<(), LogError> {
    if origin == signer.name() {
        Ok(())
    } else {
        Err(LogError::KeyMismatch {
            key: signer.name().to_owned(),
            origin: origin.to_owned(),
        })
    }
}

/// Appends entries in the caller's transaction: [`begin`](Appender::begin), then
/// [`push`](Appender::push) each entry, then [`finish`](Appender::finish), which signs.
pub struct Appender {
    origin: String,
    size: u64,
    /// The right edge of the tree and every hash computed since the last flush.
    hashes: BTreeMap<Subtree, Hash>,
    /// Each certificate's last leaf hash, once known.
    last_leaf: HashMap<i32, Hash>,
    entries: Vec<EntryRow>,
    new_hashes: Vec<HashRow>,
    /// Entries pushed by this appender.
    pushed: u64,
    begun_empty: bool,
}

impl Appender {
    /// Locks the head and reads the tree's right edge. A log that has not begun begins with
    /// the signer's name as its origin.
    pub fn begin(conn: &mut DbConnection, signer: &NoteSigner) -> Result<Appender, LogError> {
        let head = lock_head(conn)?;
        let (origin, size, begun_empty) = match head {
            Some(h) => (h.origin, h.size, false),
            None => (signer.name().to_owned(), 0, true),
        };
        check_origin(&origin, signer)?;
        let edge = merkle::needed(|s| merkle::tree_hash(s, size));
        let hashes = subtrees(conn, &edge)?;
        Ok(Appender {
            origin,
            size,
            hashes,
            last_leaf: HashMap::new(),
            entries: Vec::new(),
            new_hashes: Vec::new(),
            pushed: 0,
            begun_empty,
        })
    }

    /// Whether the log begins with this appender (and the history before it is to be
    /// backfilled first).
    pub fn is_new(&self) -> bool {
        self.begun_empty
    }

    /// The number of entries, counting those pushed.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one entry of a certificate: its index and the certificate's previous entry are
    /// filled in here. Returns its index.
    pub fn push(
        &mut self,
        conn: &mut DbConnection,
        certificate_id: i32,
        event_id: Option<i32>,
        kind: LogKind,
        mut entry: LogEntry,
    ) -> Result<u64, LogError> {
        let previous = match self.last_leaf.get(&certificate_id) {
            Some(h) => Some(*h),
            // A log begun by this appender has nothing stored before it.
            None if self.begun_empty => None,
            None => last_of_certificate(conn, certificate_id)?,
        };
        let index = self.size;
        entry.index = index;
        entry.kind = kind.as_str().to_owned();
        entry.previous = previous.as_ref().map(hex);
        let body = entry.to_bytes()?;
        let leaf = merkle::leaf_hash(&body);
        for (subtree, hash) in merkle::hashes_to_store(index, leaf, &self.hashes)? {
            self.hashes.insert(subtree, hash);
            self.new_hashes.push(HashRow {
                level: i16::from(subtree.0),
                idx: subtree.1 as i64,
                hash: hash.to_vec(),
            });
        }
        self.last_leaf.insert(certificate_id, leaf);
        self.entries.push(EntryRow {
            idx: index as i64,
            certificate_id,
            event_id,
            kind: kind.as_str().to_owned(),
            body,
        });
        self.size += 1;
        self.pushed += 1;
        if self.entries.len() >= BATCH {
            self.flush(conn)?;
        }
        Ok(index)
    }

    /// Writes the rows pushed so far and forgets every hash but the right edge.
    pub fn flush(&mut self, conn: &mut DbConnection) -> Result<(), LogError> {
        for chunk in self.entries.chunks(BATCH) {
            insert_batch!(conn, log_entries::table, chunk)?;
        }
        for chunk in self.new_hashes.chunks(BATCH) {
            insert_batch!(conn, log_hashes::table, chunk)?;
        }
        self.entries.clear();
        self.new_hashes.clear();
        let edge = merkle::needed(|s| merkle::tree_hash(s, self.size));
        self.hashes.retain(|k, _| edge.binary_search(k).is_ok());
        Ok(())
    }

    /// Writes what is left, then signs and stores the new head. Nothing is signed when nothing
    /// was appended to a log that has begun.
    pub fn finish(
        mut self,
        conn: &mut DbConnection,
        signer: &NoteSigner,
        now: NaiveDateTime,
    ) -> Result<Option<Head>, LogError> {
        self.flush(conn)?;
        if self.pushed == 0 && !self.begun_empty {
            return Ok(None);
        }
        let root = merkle::tree_hash(&self.hashes, self.size)?;
        let body = Checkpoint {
            origin: self.origin.clone(),
            size: self.size,
            root,
        }
        .body();
        let checkpoint = note::sign(&body, &[signer])?;
        let values = (
            log_head::origin.eq(&self.origin),
            log_head::size.eq(self.size as i64),
            log_head::root.eq(root.to_vec()),
            log_head::checkpoint.eq(&checkpoint),
            log_head::signed_at.eq(now),
        );
        if self.begun_empty {
            diesel::insert_into(log_head::table)
                .values((log_head::id.eq(1), values))
                .execute(conn)?;
        } else {
            diesel::update(log_head::table.find(1))
                .set(values)
                .execute(conn)?;
        }
        Ok(Some(Head {
            origin: self.origin,
            size: self.size,
            root,
            checkpoint,
            signed_at: now,
        }))
    }
}
