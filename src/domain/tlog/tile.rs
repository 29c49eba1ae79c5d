//! C2SP tlog-tiles: tile coordinates and their paths (`tile/<L>/<N>[.p/<W>]`,
//! `tile/entries/<N>[.p/<W>]`, N written as `x001/x234/067`), the subtrees a tile holds, and
//! entry bundles (each entry preceded by its big-endian 16-bit length).

/// Hashes (or entries) in a full tile.
pub const WIDTH: u64 = 256;
/// Merkle levels per tile level: a level-L tile holds hashes of Merkle level 8·L.
pub const HEIGHT: u8 = 8;
/// The largest entry a bundle can hold.
pub const MAX_ENTRY: usize = u16::MAX as usize;

/// Which tile: a hash tile at `level`, or the entry bundle (`level` None).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRef {
    /// `None` for `tile/entries/…`.
    pub level: Option<u8>,
    pub index: u64,
    /// 1..=256; 256 is a full tile (no `.p/` in its path).
    pub width: u16,
}

impl TileRef {
    /// The path below the log's prefix, e.g. `tile/0/x001/x234/067.p/8`.
    pub fn path(&self) -> String {
        let level = match self.level {
            Some(l) => l.to_string(),
            None => "entries".to_owned(),
        };
        let mut path = format!("tile/{level}/{}", index_path(self.index));
        if u64::from(self.width) < WIDTH {
            path.push_str(&format!(".p/{}", self.width));
        }
        path
    }

    /// Parses a path below the prefix (`tile/…`); `None` for anything not exactly a tile path.
    pub fn parse(path: &str) -> Option<TileRef> {
        let rest = path.strip_prefix("tile/")?;
        let (level, rest) = rest.split_once('/')?;
        let level = match level {
            "entries" => None,
            l => Some(
                super::canonical_decimal(l)
                    .filter(|&l| l < 64)
                    .and_then(|l| u8::try_from(l).ok())?,
            ),
        };
        let (index, width) = match rest.split_once(".p/") {
            Some((index, w)) => {
                let w = u16::try_from(super::canonical_decimal(w)?).ok()?;
                if w == 0 || u64::from(w) >= WIDTH {
                    return None;
                }
                (index, w)
            }
            None => (rest, WIDTH as u16),
        };
        Some(TileRef {
            level,
            index: parse_index(index)?,
            width,
        })
    }

    /// The Merkle level of the hashes it holds (0 for the entry bundle's leaves).
    pub fn merkle_level(&self) -> u32 {
        self.level.map_or(0, |l| u32::from(l) * u32::from(HEIGHT))
    }

    /// The first subtree index (at [`merkle_level`](Self::merkle_level)) it holds.
    pub fn first(&self) -> u64 {
        self.index * WIDTH
    }
}

/// `1234067` → `x001/x234/067`: groups of three digits, all but the last prefixed with `x`.
pub fn index_path(index: u64) -> String {
    let mut groups = Vec::new();
    let mut n = index;
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    groups
        .iter()
        .rev()
        .enumerate()
        .map(|(i, g)| {
            if i + 1 < groups.len() {
                format!("x{g:03}")
            } else {
                format!("{g:03}")
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn parse_index(path: &str) -> Option<u64> {
    let parts: Vec<&str> = path.split('/').collect();
    let (last, init) = parts.split_last()?;
    let mut n: u64 = 0;
    for (i, part) in init.iter().enumerate() {
        let digits = part.strip_prefix('x')?;
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // No leading all-zero group: x000/… would be a second name for the same tile.
        if i == 0 && digits == "000" {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(digits.parse().ok()?)?;
    }
    if last.len() != 3 || !last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.checked_mul(1000)?.checked_add(last.parse().ok()?)
}

/// Whether the tile exists in a tree of `size` leaves: how many of its hashes are complete
/// there. A tile is served at its `width` only if that many are.
pub fn available_width(tile: &TileRef, size: u64) -> u64 {
    let complete = size.checked_shr(tile.merkle_level()).unwrap_or(0);
    complete.saturating_sub(tile.first()).min(WIDTH)
}

/// An entry bundle: each entry preceded by its length as a big-endian u16.
pub fn bundle<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let len = u16::try_from(e.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&e[..usize::from(len)]);
    }
    out
}

/// The entries of a bundle, or `None` when it is cut short.
pub fn unbundle(mut bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_at_checked(2)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let (entry, rest) = rest.split_at_checked(len)?;
        out.push(entry);
        bytes = rest;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_specification_examples() {
        // C2SP tlog-tiles: "1234067 will be encoded as x001/x234/067".
        assert_eq!(index_path(1_234_067), "x001/x234/067");
        assert_eq!(index_path(0), "000");
        assert_eq!(index_path(67), "067");
        assert_eq!(index_path(1000), "x001/000");
        assert_eq!(index_path(455_667), "x455/667");
        assert_eq!(index_path(123_456_078), "x123/x456/078");
        let path = |level, index, width| {
            TileRef {
                level,
                index,
                width,
            }
            .path()
        };
        assert_eq!(path(Some(0), 0, 255), "tile/0/000.p/255");
        assert_eq!(path(Some(15), 455_667, 256), "tile/15/x455/667");
        assert_eq!(
            path(Some(15), 123_456_789, 41),
            "tile/15/x123/x456/789.p/41"
        );
        assert_eq!(path(None, 255, 253), "tile/entries/255.p/253");
        let t = TileRef {
            level: Some(0),
            index: 1_234_067,
            width: 8,
        };
        assert_eq!(t.path(), "tile/0/x001/x234/067.p/8");
        let e = TileRef {
            level: None,
            index: 1,
            width: 256,
        };
        assert_eq!(e.path(), "tile/entries/001");
    }

    #[test]
    fn paths_parse_back_and_odd_spellings_do_not() {
        for t in [
            TileRef {
                level: Some(2),
                index: 1_234_067,
                width: 256,
            },
            TileRef {
                level: Some(0),
                index: 0,
                width: 1,
            },
            TileRef {
                level: None,
                index: 999_999,
                width: 255,
            },
            TileRef {
                level: Some(63),
                index: 999_999_999_999_999_999,
                width: 255,
            },
        ] {
            assert_eq!(TileRef::parse(&t.path()), Some(t));
        }
        for bad in [
            "tile/0/1",
            "tile/0/0001",
            "tile/0/x000/001",
            "tile/0/x1/001",
            "tile/0/001.p/0",
            "tile/0/001.p/256",
            "tile/0/001.p/08",
            "tile/00/001",
            "tile/64/001",
            "tile/0/x001/x234/067.p/",
            "tile/0/x001/x234/067.p",
            "tile/0/x001/",
            "tile/0/x001",
            "tile/1/x001/.p/abc",
            "tile/8/x001/-002",
            "tile/8/x001/0002",
            "tile/-1/001",
            "tile/0/001/",
            "tile/entries/x001",
            "tiles/0/001",
            "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
        ] {
            assert_eq!(TileRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_tile_is_available_only_as_far_as_the_tree_has_complete_hashes() {
        let level0 = |index, width| TileRef {
            level: Some(0),
            index,
            width,
        };
        assert_eq!(available_width(&level0(0, 256), 10), 10);
        assert_eq!(available_width(&level0(1, 256), 300), 44);
        assert_eq!(available_width(&level0(2, 256), 300), 0);
        let level1 = TileRef {
            level: Some(1),
            index: 0,
            width: 256,
        };
        // The specification's example: 70,000 leaves give tile/0/273.p/112, tile/1/001.p/17
        // and tile/2/000.p/1.
        assert_eq!(available_width(&level0(273, 256), 70_000), 112);
        assert_eq!(
            available_width(
                &TileRef {
                    level: Some(2),
                    index: 0,
                    width: 256
                },
                70_000
            ),
            1
        );
        assert_eq!(available_width(&level1, 70_000), 256);
        assert_eq!(available_width(&TileRef { index: 1, ..level1 }, 70_000), 17);
    }

    #[test]
    fn bundles_prefix_each_entry_with_its_length() {
        let b = bundle([b"ab".as_slice(), b"".as_slice(), b"xyz".as_slice()]);
        assert_eq!(b, b"\x00\x02ab\x00\x00\x00\x03xyz");
        assert_eq!(
            unbundle(&b),
            Some(vec![b"ab".as_slice(), b"".as_slice(), b"xyz".as_slice()])
        );
        assert_eq!(unbundle(b"\x00\x05ab"), None);
        assert_eq!(unbundle(b"\x00"), None);
    }
}
