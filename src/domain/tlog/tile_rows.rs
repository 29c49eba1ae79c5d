//! The tree of a log kept as its tiles' right edge only, for checking a log as its entries
//! stream: at each tile level the hashes beyond the last full tile (fewer than 256); a row that
//! fills is handed out once, to be compared with the served full tile, and its root moves up a
//! level. Memory is at most 256 hashes per level — kilobytes for any log — where a whole tree of
//! six million entries kept in memory took over a gigabyte.

use super::merkle::{empty_root, node_hash, Hash};
use super::tile::{TileRef, WIDTH};

/// A row of a hash tile (full, or the partial one at the right edge), to compare with the
/// served tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileRow {
    pub tile: TileRef,
    /// Its 256 hashes, concatenated as a tile is served.
    pub bytes: Vec<u8>,
}

/// The right edge of a tree, by tile level.
#[derive(Debug, Clone, Default)]
pub struct TileRows {
    /// `levels[l]`: the hashes of Merkle level 8·l beyond the last full tile of level l.
    levels: Vec<Vec<Hash>>,
    /// Full rows not yet taken.
    full: Vec<TileRow>,
    size: u64,
}

/// The root of a perfect subtree over `hashes` (a power of two of them, all of one level).
fn perfect_root(hashes: &[Hash]) -> Hash {
    match hashes {
        [one] => *one,
        _ => {
            let (left, right) = hashes.split_at(hashes.len() / 2);
            node_hash(&perfect_root(left), &perfect_root(right))
        }
    }
}

impl TileRows {
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash.
    pub fn push_leaf_hash(&mut self, leaf: Hash) {
        self.size += 1;
        let mut hash = leaf;
        for level in 0u8.. {
            if self.levels.len() == usize::from(level) {
                self.levels.push(Vec::with_capacity(WIDTH as usize));
            }
            let row = &mut self.levels[usize::from(level)];
            row.push(hash);
            if row.len() < WIDTH as usize {
                break;
            }
            hash = perfect_root(row);
            // The tile's index: subtrees of Merkle level 8·(l+1) completed before this one.
            let index = (self.size >> (8 * (u32::from(level) + 1))) - 1;
            self.full.push(TileRow {
                tile: TileRef {
                    level: Some(level),
                    index,
                    width: WIDTH as u16,
                },
                bytes: row.concat(),
            });
            row.clear();
        }
    }

    /// The full rows completed since the last call, lowest level first.
    pub fn take_full_rows(&mut self) -> Vec<TileRow> {
        std::mem::take(&mut self.full)
    }

    /// The partial tiles at the right edge (none at a level whose last tile is full).
    pub fn partial_rows(&self) -> Vec<TileRow> {
        self.levels
            .iter()
            .enumerate()
            .filter(|(_, row)| !row.is_empty())
            .map(|(level, row)| TileRow {
                tile: TileRef {
                    level: Some(level as u8),
                    index: self.size >> (8 * (level as u32 + 1)),
                    width: row.len() as u16,
                },
                bytes: row.concat(),
            })
            .collect()
    }

    /// The root of the tree (RFC 6962): the size's binary decomposition into perfect subtrees,
    /// largest (leftmost) first, folded from the right.
    pub fn root(&self) -> Hash {
        let mut subtrees = Vec::new();
        for row in self.levels.iter().rev() {
            let mut rest: &[Hash] = row;
            while !rest.is_empty() {
                let take = 1usize << rest.len().ilog2();
                subtrees.push(perfect_root(&rest[..take]));
                rest = &rest[take..];
            }
        }
        let mut hashes = subtrees.into_iter().rev();
        let Some(mut root) = hashes.next() else {
            return empty_root();
        };
        for left in hashes {
            root = node_hash(&left, &root);
        }
        root
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tlog::merkle::{leaf_hash, HashSource, MemoryTree};
    use crate::domain::tlog::tile;

    fn leaf(i: u64) -> Hash {
        leaf_hash(&i.to_be_bytes())
    }

    /// Every root, full row and partial row agrees with the whole tree kept in memory, across
    /// the sizes where tiles fill and levels appear (65,536 = a full level-1 tile).
    #[test]
    fn agrees_with_the_whole_tree_at_every_size() {
        let mut rows = TileRows::default();
        let mut tree = MemoryTree::default();
        assert_eq!(rows.root(), empty_root());
        let mut full_seen = 0;
        for i in 0..65_800u64 {
            rows.push_leaf_hash(leaf(i));
            tree.push_leaf_hash(leaf(i));
            let size = i + 1;
            let tile_bytes = |t: &TileRef| -> Vec<u8> {
                let level = t.merkle_level() as u8;
                (0..u64::from(t.width))
                    .map(|k| tree.source().subtree(level, t.first() + k).expect("hash"))
                    .collect::<Vec<Hash>>()
                    .concat()
            };
            for row in rows.take_full_rows() {
                assert_eq!(row.tile.width, 256);
                assert_eq!(row.bytes, tile_bytes(&row.tile), "{:?}", row.tile);
                full_seen += 1;
            }
            if size < 600 || size % 4099 == 0 || (65_530..65_540).contains(&size) {
                assert_eq!(rows.root(), tree.root(), "size {size}");
                for row in rows.partial_rows() {
                    assert_eq!(
                        u64::from(row.tile.width),
                        tile::available_width(&row.tile, size),
                        "size {size}"
                    );
                    assert_eq!(row.bytes, tile_bytes(&row.tile), "{:?}", row.tile);
                }
            }
        }
        // 257 full level-0 tiles and one full level-1 tile.
        assert_eq!(full_seen, 257 + 1);
        assert_eq!(rows.root(), tree.root());
    }
}
