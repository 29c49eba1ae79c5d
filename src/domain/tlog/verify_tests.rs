//! The outside check on logs built in memory: an honest log of any size checks out (its tiles
//! built by the whole in-memory tree, checked by the streaming one), and any single changed
//! byte of any entry bundle, hash tile or the checkpoint is caught.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::BufRead;
use std::task::{Context, Poll, Waker};

use proptest::prelude::*;

use super::*;
use crate::domain::tlog::entry::{hex, LogEntry, VERSION};
use crate::domain::tlog::merkle::{HashSource, MemoryTree};
use crate::domain::tlog::note::{NoteSigner, TYPE_ED25519};

const ORIGIN: &str = "test.example/log";

/// A log's resources by path below `/log/`.
struct MemoryLog(BTreeMap<String, Vec<u8>>);

impl Fetch for MemoryLog {
    async fn get(&mut self, path: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.0.get(path).cloned())
    }

    async fn history(&mut self) -> Result<Option<Box<dyn BufRead>>, String> {
        Ok(None)
    }
}

fn signer() -> NoteSigner {
    NoteSigner::from_seed(ORIGIN, TYPE_ED25519, [7; 32]).expect("key")
}

/// The future's output: the in-memory log never waits.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => unreachable!("nothing to wait for"),
    }
}

/// A log of `size` entries over three certificates, served as tlog-tiles.
fn build(size: u64) -> MemoryLog {
    let mut tree = MemoryTree::default();
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    let mut bodies = Vec::new();
    for index in 0..size {
        let certificate = format!("C-{}", index % 3);
        let entry = LogEntry {
            version: VERSION,
            index,
            kind: if index < 3 {
                "issued"
            } else {
                "surveillance_passed"
            }
            .into(),
            certificate: certificate.clone(),
            holder: "91440300MA5F000010".into(),
            platform: "平台".into(),
            domains: vec!["shop.example.cn".into()],
            grade_before: (index >= 3).then_some(4),
            grade_after: Some(4),
            date: "2026-12-02".into(),
            reason_zh: None,
            reason_en: None,
            site: None,
            previous: last.get(&certificate).cloned(),
        };
        let body = entry.to_bytes().expect("entry");
        last.insert(certificate, hex(&merkle::leaf_hash(&body)));
        tree.push(&body);
        bodies.push(body);
    }
    let mut files = BTreeMap::new();
    for (n, chunk) in bodies.chunks(tile::WIDTH as usize).enumerate() {
        let t = TileRef {
            level: None,
            index: n as u64,
            width: chunk.len() as u16,
        };
        files.insert(t.path(), tile::bundle(chunk.iter().map(|b| b.as_slice())));
    }
    for level in 0u8..8 {
        let hashes = size >> (8 * u32::from(level));
        for n in 0..hashes.div_ceil(tile::WIDTH) {
            let mut t = TileRef {
                level: Some(level),
                index: n,
                width: 256,
            };
            t.width = tile::available_width(&t, size) as u16;
            let bytes: Vec<u8> = (0..u64::from(t.width))
                .map(|k| {
                    tree.source()
                        .subtree(t.merkle_level() as u8, t.first() + k)
                        .expect("hash")
                })
                .collect::<Vec<Hash>>()
                .concat();
            files.insert(t.path(), bytes);
        }
    }
    let body = Checkpoint {
        origin: ORIGIN.into(),
        size,
        root: tree.root(),
    }
    .body();
    let note = note::sign(&body, &[&signer()]).expect("signed");
    files.insert("checkpoint".into(), note.into_bytes());
    MemoryLog(files)
}

fn check(log: &mut MemoryLog) -> Result<Verified, VerifyError> {
    ready(verify(log, &[signer().verifier()], None, false, |_, _| {}))
}

#[test]
fn honest_logs_check_out_across_tile_boundaries() {
    for size in [0, 1, 255, 256, 257, 511, 512, 513, 65_537] {
        let verified = check(&mut build(size)).expect("checks out");
        assert_eq!(verified.checkpoint.size, size);
        assert_eq!(verified.certificates, size.min(3) as usize);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_changed_byte_of_a_bundle_tile_or_checkpoint_is_caught(
        size in 1u64..700,
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        xor in 1u8..=255,
    ) {
        let mut log = build(size);
        prop_assert!(check(&mut log).is_ok());
        let path = which.get(&log.0.keys().cloned().collect::<Vec<_>>()).clone();
        let bytes = log.0.get_mut(&path).expect("file");
        let i = at.index(bytes.len());
        bytes[i] ^= xor;
        prop_assert!(check(&mut log).is_err(), "{} byte {} ^ {:#x} went unseen", path, i, xor);
    }
}
