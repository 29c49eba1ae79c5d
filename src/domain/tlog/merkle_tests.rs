//! The tree against RFC 6962 vectors (transparency-dev/merkle's test data, in
//! `tests/vectors/rfc6962.json`) and against itself for any shape (property tests).

use proptest::prelude::*;
use serde_json::Value;

use super::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn hash(v: &Value) -> Hash {
    hex(v.as_str().expect("hex string"))
        .try_into()
        .expect("32 bytes")
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array().expect("array").iter().map(hash).collect()
}

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../../tests/vectors/rfc6962.json")).expect("json")
}

/// The published leaves' data.
fn leaves(v: &Value) -> Vec<Vec<u8>> {
    v["leaves_hex"]
        .as_array()
        .expect("leaves")
        .iter()
        .map(|l| hex(l.as_str().expect("hex")))
        .collect()
}

fn tree_of(leaves: &[Vec<u8>], size: usize) -> MemoryTree {
    let mut tree = MemoryTree::default();
    for leaf in &leaves[..size] {
        tree.push(leaf);
    }
    tree
}

#[test]
fn roots_of_the_published_tree_match_at_every_size() {
    let v = vectors();
    assert_eq!(empty_root(), hash(&v["empty_root_hex"]));
    let leaves = leaves(&v);
    for (leaf, expected) in leaves.iter().zip(hashes(&v["leaf_hashes_hex"])) {
        assert_eq!(leaf_hash(leaf), expected);
    }
    let roots = hashes(&v["roots_hex"]);
    assert_eq!(roots.len(), leaves.len() + 1);
    for (size, root) in roots.iter().enumerate() {
        assert_eq!(&tree_of(&leaves, size).root(), root, "size {size}");
    }
}

#[test]
fn inclusion_proofs_match_the_published_ones_and_verify() {
    let v = vectors();
    let leaves = leaves(&v);
    let tree = tree_of(&leaves, leaves.len());
    let cases = v["inclusion"].as_array().expect("inclusion");
    assert!(cases.len() >= 5);
    for case in cases {
        let index = case["leaf_index"].as_u64().expect("index");
        let size = case["tree_size"].as_u64().expect("size");
        let expected = hashes(&case["proof_hex"]);
        let root = hash(&case["root_hex"]);
        let leaf = hash(&case["leaf_hash_hex"]);
        let proof = inclusion_proof(tree.source(), index, size).expect("proof");
        assert_eq!(proof, expected, "leaf {index} of {size}");
        assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));
        if let Some((first, rest)) = proof.split_first() {
            let mut bad = vec![node_hash(first, first)];
            bad.extend_from_slice(rest);
            assert_eq!(
                verify_inclusion(&leaf, index, size, &bad, &root),
                Err(ProofError::RootMismatch)
            );
            assert_eq!(
                verify_inclusion(&leaf, index, size, rest, &root),
                Err(ProofError::WrongLength)
            );
        }
    }
}

#[test]
fn consistency_proofs_match_the_published_ones_and_verify() {
    let v = vectors();
    let leaves = leaves(&v);
    let tree = tree_of(&leaves, leaves.len());
    let cases = v["consistency"].as_array().expect("consistency");
    assert!(cases.len() >= 4);
    for case in cases {
        let old = case["size1"].as_u64().expect("size1");
        let new = case["size2"].as_u64().expect("size2");
        let expected = hashes(&case["proof_hex"]);
        let (r1, r2) = (hash(&case["root1_hex"]), hash(&case["root2_hex"]));
        let proof = consistency_proof(tree.source(), old, new).expect("proof");
        assert_eq!(proof, expected, "{old} -> {new}");
        assert_eq!(verify_consistency(old, new, &proof, &r1, &r2), Ok(()));
        if old < new && !proof.is_empty() {
            assert!(verify_consistency(old, new, &proof, &r2, &r1).is_err());
        }
    }
}

#[test]
fn needed_lists_exactly_what_a_proof_reads() {
    let mut tree = MemoryTree::default();
    for i in 0u32..1000 {
        tree.push(&i.to_be_bytes());
    }
    let wanted = needed(|s| inclusion_proof(s, 517, 1000));
    // Only what was listed: a source holding just these gives the same proof.
    let partial: BTreeMap<Subtree, Hash> = wanted.iter().map(|&k| (k, tree.source()[&k])).collect();
    assert_eq!(
        inclusion_proof(&partial, 517, 1000),
        inclusion_proof(tree.source(), 517, 1000)
    );
    // A tree head of 1000 leaves is the hash of 512 + 256 + 128 + 64 + 32 + 8 leaves.
    assert_eq!(
        needed(|s| tree_hash(s, 1000)),
        vec![(3, 124), (5, 30), (6, 14), (7, 6), (8, 2), (9, 0)]
    );
}

#[test]
fn appending_stores_the_leaf_and_every_subtree_it_completes() {
    assert_eq!(completed_by(0), vec![(0, 0)]);
    assert_eq!(completed_by(1), vec![(0, 1), (1, 0)]);
    assert_eq!(completed_by(6), vec![(0, 6)]);
    assert_eq!(completed_by(7), vec![(0, 7), (1, 3), (2, 1), (3, 0)]);
    assert_eq!(completed_by(255).len(), 9);
}

proptest! {
    #[test]
    fn any_tree_proves_inclusion_and_consistency(
        size in 1u64..600,
        pick in any::<u64>(),
        old_pick in any::<u64>(),
        flip in any::<usize>(),
    ) {
        let mut tree = MemoryTree::default();
        let mut roots = vec![empty_root()];
        for i in 0..size {
            tree.push(format!("entry {i}").as_bytes());
            roots.push(tree.root());
        }
        let index = pick % size;
        let leaf = leaf_hash(format!("entry {index}").as_bytes());
        let proof = inclusion_proof(tree.source(), index, size).expect("proof");
        prop_assert_eq!(verify_inclusion(&leaf, index, size, &proof, &tree.root()), Ok(()));
        let other = leaf_hash(b"another entry");
        prop_assert!(verify_inclusion(&other, index, size, &proof, &tree.root()).is_err());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let at = flip % bad.len();
            bad[at][0] ^= 1;
            prop_assert!(verify_inclusion(&leaf, index, size, &bad, &tree.root()).is_err());
        }

        let old = old_pick % (size + 1);
        let proof = consistency_proof(tree.source(), old, size).expect("proof");
        prop_assert_eq!(
            verify_consistency(old, size, &proof, &roots[old as usize], &tree.root()),
            Ok(())
        );
        if 0 < old && old < size {
            // A fork: the same old size with another root is refused.
            prop_assert!(verify_consistency(old, size, &proof, &other, &tree.root()).is_err());
            let mut bad = proof.clone();
            let at = flip % bad.len();
            bad[at][31] ^= 0x80;
            prop_assert!(
                verify_consistency(old, size, &bad, &roots[old as usize], &tree.root()).is_err()
            );
        }
        // The root of every older size, recomputed from the stored hashes.
        let some = old.max(1);
        prop_assert_eq!(tree_hash(tree.source(), some).expect("root"), roots[some as usize]);
    }
}
