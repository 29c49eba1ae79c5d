//! An indicator tree as pasted into a reference form: parsed by `domain::indicator_tree`, and
//! its problem in the reader's language.

use crate::domain::indicator_tree::{self, IndicatorNode, TreeError};
use crate::web::i18n::Lang;

use super::get;

/// The form's tree (`tree`, in the `format` chosen: CSV unless "json"), checked whole; or why
/// it was refused, in the reader's language.
pub fn parse(entered: &[(String, String)], lang: Lang) -> Result<Vec<IndicatorNode>, String> {
    let text = get(entered, "tree");
    let csv = get(entered, "format") != "json";
    let tree = if csv {
        indicator_tree::from_csv(text)
    } else {
        indicator_tree::from_json(text)
    };
    tree.map_err(|e| message(&e, csv, lang))
}

/// The tree's problem in the reader's language; `csv` says whether positions are CSV lines
/// (header = 1) or indicators counted in JSON order.
fn message(e: &TreeError, csv: bool, lang: Lang) -> String {
    let at = |line: &usize| {
        let key = if csv {
            "admin-tree-line"
        } else {
            "admin-tree-item"
        };
        lang.tv(key, &[("line", line.to_string())])
    };
    let code = |code: &String| vec![("code", code.clone())];
    // Chinese punctuation carries its own spacing.
    let sep = if lang.is_zh() { "" } else { " " };
    let detail = match e {
        TreeError::Syntax(detail) => lang.tv("admin-tree-syntax", &[("value", detail.clone())]),
        TreeError::Empty => lang.t("admin-tree-empty"),
        TreeError::TooMany => lang.tv(
            "admin-tree-too-many",
            &[("n", indicator_tree::MAX_INDICATORS.to_string())],
        ),
        TreeError::BadCode { line } => {
            format!("{}{sep}{}", at(line), lang.t("admin-tree-bad-code"))
        }
        TreeError::DuplicateCode { line, code: c } => {
            format!(
                "{}{sep}{}",
                at(line),
                lang.tv("admin-tree-duplicate", &code(c))
            )
        }
        TreeError::NameMissing { line } => {
            format!("{}{sep}{}", at(line), lang.t("admin-tree-name"))
        }
        TreeError::BadPoints { line } => {
            format!("{}{sep}{}", at(line), lang.t("admin-tree-points"))
        }
        TreeError::UnknownParent { line, parent } => {
            format!(
                "{} {}",
                at(line),
                lang.tv("admin-tree-parent", &code(parent))
            )
        }
        TreeError::PointsMismatch {
            code,
            sum,
            max_points,
        } => lang.tv(
            "admin-tree-sum",
            &[
                ("code", code.clone()),
                ("sum", sum.to_string()),
                ("max", max_points.to_string()),
            ],
        ),
    };
    format!("{}{sep}{detail}", lang.t("admin-ref-bad-tree"))
}
