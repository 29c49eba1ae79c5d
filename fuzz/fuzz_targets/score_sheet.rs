//! Score sheets: any entries (any numbers, NaN and infinities included, unknown indicators,
//! parents and children both) against a fixed two-level tree never panic, and a sheet that
//! reads gives a total within 0–100 (or a clear error), with any special deduction.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use sqe_registry::domain::score_sheet::{read, Entry, SheetIndicator};
use sqe_registry::domain::scoring::total_score;

fn tree() -> Vec<SheetIndicator> {
    let leaf = |id, code: &str, max_points| SheetIndicator {
        id,
        code: code.into(),
        max_points,
        children: Vec::new(),
    };
    vec![
        SheetIndicator {
            children: vec![leaf(11, "1.1", 24.0), leaf(12, "1.2", 16.0)],
            ..leaf(1, "1", 40.0)
        },
        leaf(2, "2", 35.0),
        SheetIndicator {
            children: vec![leaf(31, "3.1", 25.0)],
            ..leaf(3, "3", 25.0)
        },
    ]
}

fuzz_target!(|data: &[u8]| {
    let ids = [1, 11, 12, 2, 3, 31, 99];
    let mut entries = HashMap::new();
    for chunk in data.chunks_exact(9) {
        let id = ids[usize::from(chunk[0]) % ids.len()];
        let bytes: [u8; 8] = chunk[1..9].try_into().expect("8 bytes");
        let entry = if chunk[0] >= 200 {
            Entry::NotApplicable
        } else {
            Entry::Earned(f64::from_le_bytes(bytes))
        };
        entries.insert(id, entry);
    }
    let deduction = data
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map_or(0.0, f64::from_le_bytes);
    let tree = tree();
    if let Ok(sheet) = read(&tree, &entries) {
        if let Ok(score) = total_score(&sheet.items, deduction) {
            assert!((0.0..=100.0).contains(&score.value()), "{}", score.value());
        }
    }
});
