//! Indicator trees pasted as CSV or JSON: never a panic, and a tree that is accepted has unique
//! codes and parents whose points are their children's sum.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use sqe_registry::domain::indicator_tree::{from_csv, from_json, IndicatorNode};

fn check(tree: &[IndicatorNode]) {
    let mut codes = HashSet::new();
    for node in tree {
        assert!(codes.insert(node.code.clone()), "duplicate {}", node.code);
        if !node.children.is_empty() {
            let sum: f64 = node.children.iter().map(|c| c.max_points).sum();
            assert!((sum - node.max_points).abs() < 1e-6, "{} {sum}", node.code);
        }
        for child in &node.children {
            assert!(codes.insert(child.code.clone()), "duplicate {}", child.code);
            assert!(child.children.is_empty(), "two levels at most");
        }
    }
}

fuzz_target!(|input: &str| {
    if let Ok(tree) = from_csv(input) {
        check(&tree);
    }
    if let Ok(tree) = from_json(input) {
        check(&tree);
    }
});
