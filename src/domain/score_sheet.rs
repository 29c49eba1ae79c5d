//! Reading an evaluation's score sheet: the points entered per indicator of a scheme version's
//! two-level tree, into the items the total is computed from (`scoring`) and the rows stored.
//!
//! A first-level indicator is scored either as a whole or through its second-level indicators,
//! never both. Scored through its children, every child needs points or "not applicable", and the
//! parent's stored result is derived: the points earned by its applicable children over the points
//! those children are worth (not applicable when none applies). The public indicator profile reads
//! the first-level rows, so it shows the same thing whichever level was scored.

use std::collections::HashMap;

use thiserror::Error;

use super::scoring::ItemScore;

/// An indicator of the scheme version, with its children (empty at the second level).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetIndicator {
    pub id: i32,
    pub code: String,
    pub max_points: f64,
    pub children: Vec<SheetIndicator>,
}

/// What was entered for one indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Entry {
    Earned(f64),
    NotApplicable,
}

/// A sheet that cannot be read; each names the indicator by its code.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SheetError {
    #[error("{0}: enter the points or mark it not applicable")]
    Missing(String),
    #[error("{code}: {earned} points is outside 0 to {max_points}")]
    OutOfRange {
        code: String,
        earned: f64,
        max_points: f64,
    },
    #[error("{0}: enter the indicator's points or its sub-indicators' points, not both")]
    BothLevels(String),
    #[error("points were entered for an indicator that is not in this scheme version")]
    UnknownIndicator,
}

/// One stored result: indicator id, points earned (`None`: not applicable), points it counts for.
pub type StoredScore = (i32, Option<f64>, f64);

/// A sheet read in full.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The scored items, in tree order: what the total is computed from.
    pub items: Vec<ItemScore>,
    /// Every row to store: scored items and derived first-level results.
    pub stored: Vec<StoredScore>,
}

fn item(indicator: &SheetIndicator, entry: Option<Entry>) -> Result<ItemScore, SheetError> {
    let earned = match entry {
        None => return Err(SheetError::Missing(indicator.code.clone())),
        Some(Entry::NotApplicable) => None,
        Some(Entry::Earned(earned)) => {
            if !earned.is_finite() || earned < 0.0 || earned > indicator.max_points {
                return Err(SheetError::OutOfRange {
                    code: indicator.code.clone(),
                    earned,
                    max_points: indicator.max_points,
                });
            }
            Some(earned)
        }
    };
    Ok(ItemScore {
        max_points: indicator.max_points,
        earned,
    })
}

/// Reads `entries` (indicator id → entry; absent = left blank) against the first-level
/// indicators `tree`.
pub fn read(tree: &[SheetIndicator], entries: &HashMap<i32, Entry>) -> Result<Sheet, SheetError> {
    let known = tree
        .iter()
        .flat_map(|p| std::iter::once(p.id).chain(p.children.iter().map(|c| c.id)))
        .collect::<std::collections::HashSet<i32>>();
    if entries.keys().any(|id| !known.contains(id)) {
        return Err(SheetError::UnknownIndicator);
    }
    let mut sheet = Sheet {
        items: Vec::new(),
        stored: Vec::new(),
    };
    for parent in tree {
        let own = entries.get(&parent.id).copied();
        let by_children = parent.children.iter().any(|c| entries.contains_key(&c.id));
        if !by_children {
            let scored = item(parent, own)?;
            sheet.items.push(scored);
            sheet
                .stored
                .push((parent.id, scored.earned, parent.max_points));
            continue;
        }
        if own.is_some() {
            return Err(SheetError::BothLevels(parent.code.clone()));
        }
        let (mut earned, mut applicable) = (0.0, 0.0);
        let mut children = Vec::with_capacity(parent.children.len());
        for child in &parent.children {
            let scored = item(child, entries.get(&child.id).copied())?;
            if let Some(e) = scored.earned {
                earned += e;
                applicable += child.max_points;
            }
            sheet.items.push(scored);
            children.push((child.id, scored.earned, child.max_points));
        }
        let derived = if applicable > 0.0 {
            (parent.id, Some(earned), applicable)
        } else {
            (parent.id, None, parent.max_points)
        };
        sheet.stored.push(derived);
        sheet.stored.extend(children);
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::total_score;

    fn leaf(id: i32, code: &str, max_points: f64) -> SheetIndicator {
        SheetIndicator {
            id,
            code: code.to_owned(),
            max_points,
            children: Vec::new(),
        }
    }

    /// A (40, children A1 25 + A2 15) and B (60, no children).
    fn tree() -> Vec<SheetIndicator> {
        let mut a = leaf(1, "A", 40.0);
        a.children = vec![leaf(11, "A1", 25.0), leaf(12, "A2", 15.0)];
        vec![a, leaf(2, "B", 60.0)]
    }

    fn entries(pairs: &[(i32, Entry)]) -> HashMap<i32, Entry> {
        pairs.iter().copied().collect()
    }

    use Entry::{Earned, NotApplicable as Na};

    #[test]
    fn first_level_scores_are_the_items() {
        let sheet = read(&tree(), &entries(&[(1, Earned(30.0)), (2, Earned(45.0))])).expect("ok");
        assert_eq!(
            sheet.stored,
            vec![(1, Some(30.0), 40.0), (2, Some(45.0), 60.0)]
        );
        assert_eq!(total_score(&sheet.items, 0.0).expect("ok").value(), 75.0);
    }

    #[test]
    fn children_are_the_items_and_the_parent_is_derived() {
        let sheet = read(
            &tree(),
            &entries(&[(11, Earned(20.0)), (12, Earned(10.0)), (2, Earned(45.0))]),
        )
        .expect("ok");
        assert_eq!(
            sheet.stored,
            vec![
                (1, Some(30.0), 40.0),
                (11, Some(20.0), 25.0),
                (12, Some(10.0), 15.0),
                (2, Some(45.0), 60.0)
            ]
        );
        assert_eq!(sheet.items.len(), 3);
        assert_eq!(total_score(&sheet.items, 0.0).expect("ok").value(), 75.0);
    }

    #[test]
    fn a_child_not_applicable_leaves_its_points_out_of_the_parent_and_the_total() {
        let sheet = read(
            &tree(),
            &entries(&[(11, Earned(20.0)), (12, Na), (2, Earned(60.0))]),
        )
        .expect("ok");
        assert_eq!(sheet.stored[0], (1, Some(20.0), 25.0));
        // (20 + 60) / (25 + 60) × 100
        assert_eq!(total_score(&sheet.items, 0.0).expect("ok").value(), 94.12);
        let none = read(&tree(), &entries(&[(11, Na), (12, Na), (2, Earned(60.0))])).expect("ok");
        assert_eq!(none.stored[0], (1, None, 40.0));
        assert_eq!(total_score(&none.items, 0.0).expect("ok").value(), 100.0);
    }

    #[test]
    fn every_child_must_be_entered_once_one_is() {
        assert_eq!(
            read(&tree(), &entries(&[(11, Earned(20.0)), (2, Earned(45.0))])),
            Err(SheetError::Missing("A2".into()))
        );
        assert_eq!(
            read(&tree(), &entries(&[(1, Earned(20.0))])),
            Err(SheetError::Missing("B".into()))
        );
    }

    #[test]
    fn both_levels_at_once_are_refused() {
        assert_eq!(
            read(
                &tree(),
                &entries(&[(1, Earned(30.0)), (11, Na), (12, Na), (2, Na)])
            ),
            Err(SheetError::BothLevels("A".into()))
        );
    }

    #[test]
    fn points_outside_the_range_are_refused_by_code() {
        for bad in [-0.5, 25.5, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                read(&tree(), &entries(&[(11, Earned(bad)), (12, Na), (2, Na)])),
                Err(SheetError::OutOfRange { ref code, .. }) if code == "A1"
            ));
        }
        assert!(read(
            &tree(),
            &entries(&[(11, Earned(25.0)), (12, Earned(0.0)), (2, Na)])
        )
        .is_ok());
    }

    #[test]
    fn an_unknown_indicator_is_refused() {
        assert_eq!(
            read(&tree(), &entries(&[(1, Na), (2, Na), (99, Na)])),
            Err(SheetError::UnknownIndicator)
        );
    }
}
