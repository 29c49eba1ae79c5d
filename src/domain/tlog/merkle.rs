//! The RFC 6962 Merkle tree (§2.1): leaf and node hashes, tree heads and inclusion and
//! consistency proofs computed from the hashes of complete subtrees, and their verification
//! (RFC 9162 §2.1.3.2 and §2.1.4.2).
//!
//! A complete subtree is named by its level and index: `(level, n)` covers the leaves
//! `n·2^level .. (n+1)·2^level`. The log stores the hash of every complete subtree when its last
//! leaf is appended (at most ⌈log₂ n⌉ + 1 hashes per leaf), so a tree head and any proof read
//! O(log n) stored hashes. The functions that read hashes take a [`HashSource`]; which hashes a
//! computation needs does not depend on their values, so [`needed`] lists them first and a
//! database reads them all in one query.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The name of a complete subtree: its level (0 for a leaf) and its index at that level.
pub type Subtree = (u8, u64);

/// RFC 6962 leaf hash: SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The stored hashes a source cannot give.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the log has no hash for subtree {0:?}")]
pub struct MissingHash(pub Subtree);

/// Where the hashes of complete subtrees come from (the database, tiles, memory).
pub trait HashSource {
    /// The hash of the complete subtree `(level, n)`.
    fn subtree(&self, level: u8, n: u64) -> Result<Hash, MissingHash>;
}

impl HashSource for BTreeMap<Subtree, Hash> {
    fn subtree(&self, level: u8, n: u64) -> Result<Hash, MissingHash> {
        self.get(&(level, n))
            .copied()
            .ok_or(MissingHash((level, n)))
    }
}

/// Records which subtrees a computation asks for, answering with zeros.
#[derive(Default)]
struct Recorder(std::cell::RefCell<Vec<Subtree>>);

impl HashSource for Recorder {
    fn subtree(&self, level: u8, n: u64) -> Result<Hash, MissingHash> {
        self.0.borrow_mut().push((level, n));
        Ok([0; 32])
    }
}

/// The complete subtrees a computation reads, sorted and without repeats: call the computation
/// once with this to know what to load.
pub fn needed<T>(compute: impl FnOnce(&dyn HashSource) -> Result<T, MissingHash>) -> Vec<Subtree> {
    let recorder = Recorder::default();
    // The recorder never fails, and the result computed from zeros is of no use.
    let _ = compute(&recorder);
    let mut subtrees = recorder.0.into_inner();
    subtrees.sort_unstable();
    subtrees.dedup();
    subtrees
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// MTH(D[lo..hi]) for any range of leaves, from the complete subtrees that make it up.
pub fn range_hash(source: &dyn HashSource, lo: u64, hi: u64) -> Result<Hash, MissingHash> {
    debug_assert!(lo < hi);
    let width = hi - lo;
    if width.is_power_of_two() && lo.is_multiple_of(width) {
        return source.subtree(width.trailing_zeros() as u8, lo / width);
    }
    let k = split_point(width);
    let left = range_hash(source, lo, lo + k)?;
    let right = range_hash(source, lo + k, hi)?;
    Ok(node_hash(&left, &right))
}

/// The root hash of the tree of the first `size` leaves.
pub fn tree_hash(source: &dyn HashSource, size: u64) -> Result<Hash, MissingHash> {
    if size == 0 {
        return Ok(empty_root());
    }
    range_hash(source, 0, size)
}

/// RFC 6962 PATH(index, D[0..size]): the inclusion proof of leaf `index` in the tree of `size`.
pub fn inclusion_proof(
    source: &dyn HashSource,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, MissingHash> {
    debug_assert!(index < size);
    let mut proof = Vec::new();
    path(source, index, 0, size, &mut proof)?;
    Ok(proof)
}

/// PATH(m, D[lo..hi]) with `m` relative to `lo`, appended deepest first.
fn path(
    source: &dyn HashSource,
    m: u64,
    lo: u64,
    hi: u64,
    proof: &mut Vec<Hash>,
) -> Result<(), MissingHash> {
    let n = hi - lo;
    if n <= 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m < k {
        path(source, m, lo, lo + k, proof)?;
        proof.push(range_hash(source, lo + k, hi)?);
    } else {
        path(source, m - k, lo + k, hi, proof)?;
        proof.push(range_hash(source, lo, lo + k)?);
    }
    Ok(())
}

/// RFC 6962 PROOF(old, D[0..new]): the consistency proof between the trees of `old` and `new`
/// leaves (empty when `old` is 0 or equals `new`).
pub fn consistency_proof(
    source: &dyn HashSource,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, MissingHash> {
    debug_assert!(old <= new);
    let mut proof = Vec::new();
    if old > 0 && old < new {
        subproof(source, old, 0, new, true, &mut proof)?;
    }
    Ok(proof)
}

/// SUBPROOF(m, D[lo..hi], b).
fn subproof(
    source: &dyn HashSource,
    m: u64,
    lo: u64,
    hi: u64,
    whole: bool,
    proof: &mut Vec<Hash>,
) -> Result<(), MissingHash> {
    let n = hi - lo;
    if m == n {
        if !whole {
            proof.push(range_hash(source, lo, hi)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        subproof(source, m, lo, lo + k, whole, proof)?;
        proof.push(range_hash(source, lo + k, hi)?);
    } else {
        subproof(source, m - k, lo + k, hi, false, proof)?;
        proof.push(range_hash(source, lo, lo + k)?);
    }
    Ok(())
}

/// Why a proof does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the index is outside the tree")]
    OutOfRange,
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof does not lead to the root")]
    RootMismatch,
}

/// RFC 9162 §2.1.3.2: whether `proof` shows the leaf `leaf` at `index` in the tree of `size`
/// whose root is `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange);
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return Err(ProofError::WrongLength);
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ProofError::WrongLength);
    }
    if &r == root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `old` leaves with root `old_root`
/// is a prefix of the tree of `new` leaves with root `new_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::OutOfRange);
    }
    if old == new {
        return match (proof.is_empty(), old_root == new_root) {
            (false, _) => Err(ProofError::WrongLength),
            (true, true) => Ok(()),
            (true, false) => Err(ProofError::RootMismatch),
        };
    }
    if old == 0 {
        // Every tree extends the empty one; nothing to prove.
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(ProofError::WrongLength)
        };
    }
    // When `old` is an exact power of two the old root is the first hash of the path.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength);
    };
    let (mut f_n, mut s_n) = (old - 1, new - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s_n == 0 {
            return Err(ProofError::WrongLength);
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr == old_root && &sr == new_root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// The complete subtrees whose hashes become known when the leaf `index` is appended: the leaf
/// itself and every subtree it completes, lowest first. `(level, n)` for level ≥ 1 is the node
/// hash of `(level-1, 2n)` and `(level-1, 2n+1)`.
pub fn completed_by(index: u64) -> Vec<Subtree> {
    let mut out = vec![(0, index)];
    let (mut level, mut n) = (0u8, index);
    while n & 1 == 1 {
        level += 1;
        n >>= 1;
        out.push((level, n));
    }
    out
}

/// The hashes to store when appending `leaf` as leaf `index`, given the left siblings it
/// completes (`(level, n-1)` for each completed level, read from the store): `(subtree, hash)`
/// lowest first. `left_siblings` are the hashes of `(l, (index >> l) - 1)` for
/// l = 0 .. the number of completed levels.
pub fn hashes_to_store(
    index: u64,
    leaf: Hash,
    left_siblings: &dyn HashSource,
) -> Result<Vec<(Subtree, Hash)>, MissingHash> {
    let mut out = Vec::new();
    let mut hash = leaf;
    for (level, n) in completed_by(index) {
        if level > 0 {
            let left = left_siblings.subtree(level - 1, 2 * n)?;
            hash = node_hash(&left, &hash);
        }
        out.push(((level, n), hash));
    }
    Ok(out)
}

/// A whole tree in memory: what `log verify` rebuilds from the tiles, and the reference the
/// tests compare the database's tree with.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    hashes: BTreeMap<Subtree, Hash>,
    size: u64,
}

impl MemoryTree {
    /// Appends a leaf by its hash; returns its index.
    pub fn push_leaf_hash(&mut self, leaf: Hash) -> u64 {
        let index = self.size;
        let stored = hashes_to_store(index, leaf, &self.hashes)
            .unwrap_or_else(|_| unreachable!("a memory tree holds every left sibling"));
        self.hashes.extend(stored);
        self.size += 1;
        index
    }

    /// Appends an entry; returns its index.
    pub fn push(&mut self, entry: &[u8]) -> u64 {
        self.push_leaf_hash(leaf_hash(entry))
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        tree_hash(&self.hashes, self.size).unwrap_or_else(|_| unreachable!("complete tree"))
    }

    /// The hashes of complete subtrees.
    pub fn source(&self) -> &BTreeMap<Subtree, Hash> {
        &self.hashes
    }
}

#[cfg(test)]
#[path = "merkle_tests.rs"]
mod tests;
