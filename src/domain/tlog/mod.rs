//! The transparency log's pure parts: the RFC 6962 tree and its proofs, C2SP signed notes,
//! checkpoints, tiles and cosignatures, and the log entry. Storage is in `db::log`, appending
//! in the one commit path (`app::commit`), serving in `web::log`.

pub mod checkpoint;
pub mod entry;
pub mod histories;
pub mod keyring;
pub mod merkle;
pub mod note;
pub mod policy;
pub mod tile;
pub mod tile_rows;
pub mod verify;
pub mod witness;

/// A number as the C2SP formats write it (sizes, indexes, widths): ASCII decimal digits with no
/// sign and no leading zero (except `0` itself).
pub fn canonical_decimal(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    canonical.then(|| s.parse().ok()).flatten()
}

#[cfg(test)]
mod tessera {
    //! A whole tiled log published by transparency-dev/tessera (`tests/vectors/tessera-log`):
    //! our tree, checkpoints, tiles and bundles reproduce it byte for byte.

    use std::path::PathBuf;

    use super::checkpoint::Checkpoint;
    use super::merkle::{HashSource, MemoryTree};
    use super::note::{self, NoteSigner, Verifier};
    use super::tile::{bundle, TileRef};

    const WORDS: [&str; 15] = [
        "one", "two", "three", "four", "five", "six", "seven", "eit", "nain", "ten", "ileven",
        "twelf", "threeten", "fourten", "fivten",
    ];

    fn read(path: &str) -> Vec<u8> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/tessera-log");
        std::fs::read(dir.join(path)).expect("vector file")
    }

    #[test]
    fn every_published_checkpoint_tile_and_bundle_is_reproduced() {
        let signer = NoteSigner::parse(
            "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg",
        )
        .expect("skey");
        let verifier = Verifier::parse(
            "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
        )
        .expect("vkey");
        let mut tree = MemoryTree::default();
        for size in 0..=WORDS.len() {
            if size > 0 {
                tree.push(WORDS[size - 1].as_bytes());
            }
            let published = String::from_utf8(read(&format!("checkpoint.{size}"))).expect("utf-8");
            let (body, _) =
                note::open(&published, std::slice::from_ref(&verifier)).expect("verifies");
            let checkpoint = Checkpoint {
                origin: "example.com/log/testdata".into(),
                size: size as u64,
                root: tree.root(),
            };
            assert_eq!(checkpoint.body(), body, "size {size}");
            assert_eq!(note::sign(&body, &[&signer]).expect("sign"), published);
            if size == 0 {
                continue;
            }
            let tile = TileRef {
                level: Some(0),
                index: 0,
                width: size as u16,
            };
            let hashes: Vec<u8> = (0..size as u64)
                .flat_map(|i| tree.source().subtree(0, i).expect("leaf"))
                .collect();
            assert_eq!(hashes, read(&tile.path()), "{}", tile.path());
            let entries = TileRef {
                level: None,
                ..tile
            };
            let bundled = bundle(WORDS[..size].iter().map(|w| w.as_bytes()));
            assert_eq!(bundled, read(&entries.path()), "{}", entries.path());
        }
    }
}
