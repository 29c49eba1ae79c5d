//! A scheme version's indicator tree as the certification body supplies it, from JSON or CSV:
//! first-level indicators, each with optional second-level ones. Checked whole: codes unique,
//! points positive, at most two levels, and a parent's points equal to the sum of its children's.
//!
//! JSON: `[{"code": "1", "name_zh": "…", "name_en": "…", "max_points": 6, "children": [ … ]}]`.
//! CSV (header required): `code,parent_code,name_zh,name_en,max_points`, parents before children.

use serde::Deserialize;
use thiserror::Error;

/// Most indicators in one tree (the 2025 scheme has 18 first-level ones).
pub const MAX_INDICATORS: usize = 500;

/// One indicator of a checked tree.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IndicatorNode {
    pub code: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    pub max_points: f64,
    #[serde(default)]
    pub children: Vec<IndicatorNode>,
}

/// Why a tree is refused; `line` is the CSV line (header = 1) or the indicator's position in
/// JSON order (1-based).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TreeError {
    #[error("the file could not be read: {0}")]
    Syntax(String),
    #[error("the tree has no indicator")]
    Empty,
    #[error("too many indicators (at most {MAX_INDICATORS})")]
    TooMany,
    #[error("indicator {line}: the code is missing or longer than 20 characters")]
    BadCode { line: usize },
    #[error("indicator {line}: the code {code:?} is used twice")]
    DuplicateCode { line: usize, code: String },
    #[error("indicator {line}: the Chinese name is missing")]
    NameMissing { line: usize },
    #[error("indicator {line}: the points must be a number above 0")]
    BadPoints { line: usize },
    #[error("indicator {line}: the parent {parent:?} is not a first-level indicator listed above")]
    UnknownParent { line: usize, parent: String },
    #[error("indicator {code:?}: its children's points add up to {sum}, not {max_points}")]
    PointsMismatch {
        code: String,
        sum: f64,
        max_points: f64,
    },
}

/// Parses and checks a JSON tree.
pub fn from_json(text: &str) -> Result<Vec<IndicatorNode>, TreeError> {
    let tree: Vec<IndicatorNode> =
        serde_json::from_str(text).map_err(|e| TreeError::Syntax(e.to_string()))?;
    check(&tree, |n| n)?;
    Ok(tree)
}

/// Parses and checks a CSV tree.
pub fn from_csv(text: &str) -> Result<Vec<IndicatorNode>, TreeError> {
    #[derive(Deserialize)]
    struct Row {
        code: String,
        #[serde(default)]
        parent_code: String,
        name_zh: String,
        #[serde(default)]
        name_en: String,
        max_points: String,
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut tree: Vec<IndicatorNode> = Vec::new();
    // The CSV line of each node, in the tree's shape (children may come after other parents).
    let mut node_lines: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut count = 0;
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| TreeError::Syntax(format!("line {line}: {e}")))?;
        let max_points = row
            .max_points
            .parse::<f64>()
            .map_err(|_| TreeError::BadPoints { line })?;
        let node = IndicatorNode {
            code: row.code,
            name_zh: row.name_zh,
            name_en: row.name_en,
            max_points,
            children: Vec::new(),
        };
        if row.parent_code.is_empty() {
            tree.push(node);
            node_lines.push((line, Vec::new()));
        } else {
            let index = tree
                .iter()
                .position(|p| p.code == row.parent_code)
                .ok_or_else(|| TreeError::UnknownParent {
                    line,
                    parent: row.parent_code.clone(),
                })?;
            tree[index].children.push(node);
            node_lines[index].1.push(line);
        }
        count += 1;
        if count > MAX_INDICATORS {
            return Err(TreeError::TooMany);
        }
    }
    let lines: Vec<usize> = node_lines
        .into_iter()
        .flat_map(|(parent, children)| std::iter::once(parent).chain(children))
        .collect();
    check(&tree, |n| lines.get(n - 1).copied().unwrap_or(n))?;
    Ok(tree)
}

/// Checks one indicator's own fields.
fn check_node(node: &IndicatorNode, line: usize) -> Result<(), TreeError> {
    let code = node.code.trim();
    if code.is_empty() || code.chars().count() > 20 {
        return Err(TreeError::BadCode { line });
    }
    if node.name_zh.trim().is_empty() {
        return Err(TreeError::NameMissing { line });
    }
    if !node.max_points.is_finite() || node.max_points <= 0.0 {
        return Err(TreeError::BadPoints { line });
    }
    Ok(())
}

/// Checks a tree; `line_of` turns a 1-based position in reading order into a line number.
fn check(tree: &[IndicatorNode], line_of: impl Fn(usize) -> usize) -> Result<(), TreeError> {
    if tree.is_empty() {
        return Err(TreeError::Empty);
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut position = 0;
    for node in tree {
        let nodes = std::iter::once(node).chain(node.children.iter());
        for (depth, n) in nodes.enumerate() {
            position += 1;
            if position > MAX_INDICATORS {
                return Err(TreeError::TooMany);
            }
            let line = line_of(position);
            check_node(n, line)?;
            if depth > 0 && !n.children.is_empty() {
                return Err(TreeError::UnknownParent {
                    line: line_of(position + 1),
                    parent: n.code.clone(),
                });
            }
            if seen.contains(&n.code.trim()) {
                return Err(TreeError::DuplicateCode {
                    line,
                    code: n.code.clone(),
                });
            }
            seen.push(n.code.trim());
        }
        if !node.children.is_empty() {
            let sum: f64 = node.children.iter().map(|c| c.max_points).sum();
            if (sum - node.max_points).abs() > 0.005 {
                return Err(TreeError::PointsMismatch {
                    code: node.code.clone(),
                    sum,
                    max_points: node.max_points,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "code,parent_code,name_zh,name_en,max_points
1,,商品质量,Product quality,10
1.1,1,商品信息,Product information,6
1.2,1,质量抽检,Quality checks,4
2,,售后服务,After-sales service,5
";

    #[test]
    fn csv_and_json_give_the_same_tree() {
        let from_csv = from_csv(CSV).expect("csv");
        assert_eq!(from_csv.len(), 2);
        assert_eq!(from_csv[0].children.len(), 2);
        let json = r#"[
          {"code": "1", "name_zh": "商品质量", "name_en": "Product quality", "max_points": 10,
           "children": [
             {"code": "1.1", "name_zh": "商品信息", "name_en": "Product information", "max_points": 6},
             {"code": "1.2", "name_zh": "质量抽检", "name_en": "Quality checks", "max_points": 4}]},
          {"code": "2", "name_zh": "售后服务", "name_en": "After-sales service", "max_points": 5}
        ]"#;
        assert_eq!(from_json(json).expect("json"), from_csv);
    }

    #[test]
    fn errors_name_the_csv_line() {
        let case = |body: &str| {
            from_csv(&format!(
                "code,parent_code,name_zh,name_en,max_points\n{body}"
            ))
        };
        assert_eq!(case(""), Err(TreeError::Empty));
        assert_eq!(case("1,,甲,A,0\n"), Err(TreeError::BadPoints { line: 2 }));
        assert_eq!(case("1,,甲,A,x\n"), Err(TreeError::BadPoints { line: 2 }));
        assert_eq!(case("1,,,A,3\n"), Err(TreeError::NameMissing { line: 2 }));
        assert_eq!(
            case("1,,甲,A,3\n1,,乙,B,3\n"),
            Err(TreeError::DuplicateCode {
                line: 3,
                code: "1".into()
            })
        );
        assert_eq!(
            case("1.1,9,甲,A,3\n"),
            Err(TreeError::UnknownParent {
                line: 2,
                parent: "9".into()
            })
        );
        assert_eq!(
            case("1,,甲,A,10\n1.1,1,乙,B,6\n"),
            Err(TreeError::PointsMismatch {
                code: "1".into(),
                sum: 6.0,
                max_points: 10.0
            })
        );
        assert!(matches!(case("1,甲\n"), Err(TreeError::Syntax(_))));
        // A child listed after another parent still gets its own line in the message.
        assert_eq!(
            case("1,,甲,A,3\n2,,乙,B,3\n1.1,1,丙,C,0\n"),
            Err(TreeError::BadPoints { line: 4 })
        );
    }

    #[test]
    fn json_refuses_a_third_level_and_bad_syntax() {
        let deep = r#"[{"code":"1","name_zh":"甲","max_points":5,"children":[
            {"code":"1.1","name_zh":"乙","max_points":5,"children":[
              {"code":"1.1.1","name_zh":"丙","max_points":5}]}]}]"#;
        assert!(matches!(
            from_json(deep),
            Err(TreeError::UnknownParent { .. })
        ));
        assert!(matches!(from_json("{"), Err(TreeError::Syntax(_))));
        assert_eq!(from_json("[]"), Err(TreeError::Empty));
    }
}
