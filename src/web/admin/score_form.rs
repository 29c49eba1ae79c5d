//! The score sheet shared by the evaluation forms (initial, surveillance, special): one row per
//! indicator of the scheme version, first level then its second-level ones; a field `s{id}` for
//! the points and a checkbox `na{id}` for "not applicable" (template `admin/score_sheet.html`).

use std::collections::HashMap;

use crate::db::models::Indicator;
use crate::domain::score_sheet::{Entry, SheetError};
use crate::domain::scoring::ScoringError;
use crate::web::i18n::Lang;
use crate::web::view::localized;

/// The fields of a submitted form, in order.
pub type Fields = [(String, String)];

/// The trimmed value of a form field.
pub fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
}

/// One indicator's row of the sheet, with what was entered.
pub struct ScoreRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub max_points: f64,
    /// A second-level indicator.
    pub child: bool,
    pub value: String,
    pub not_applicable: bool,
}

/// The sheet's rows for `indicators` (in sheet order), filled with what was entered.
pub fn rows_of(indicators: &[Indicator], lang: Lang, entered: &Fields) -> Vec<ScoreRow> {
    indicators
        .iter()
        .map(|i| ScoreRow {
            id: i.id,
            code: i.code.clone(),
            name: localized(&i.name_zh, Some(&i.name_en), lang).to_owned(),
            max_points: i.max_points,
            child: i.parent_id.is_some(),
            value: field(entered, &format!("s{}", i.id))
                .unwrap_or_default()
                .to_owned(),
            not_applicable: field(entered, &format!("na{}", i.id)).is_some(),
        })
        .collect()
}

/// A number as staff type it: a decimal point or comma.
pub fn number(s: &str) -> Option<f64> {
    s.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// What was entered per indicator; blank rows are left out (the sheet's rules say whether that
/// is allowed). A value that is not a number is refused here.
pub fn entries(
    indicators: &[Indicator],
    entered: &Fields,
    lang: Lang,
) -> Result<HashMap<i32, Entry>, String> {
    let mut out = HashMap::new();
    for i in indicators {
        if field(entered, &format!("na{}", i.id)).is_some() {
            out.insert(i.id, Entry::NotApplicable);
            continue;
        }
        match field(entered, &format!("s{}", i.id)) {
            None | Some("") => {}
            Some(s) => {
                let earned =
                    number(s).ok_or_else(|| lang.t1("admin-eval-score-range", "value", &i.code))?;
                out.insert(i.id, Entry::Earned(earned));
            }
        }
    }
    Ok(out)
}

/// The special deduction: blank is none.
pub fn deduction(entered: &Fields, lang: Lang) -> Result<f64, String> {
    match field(entered, "deduction") {
        None | Some("") => Ok(0.0),
        Some(s) => number(s)
            .filter(|d| *d >= 0.0)
            .ok_or_else(|| lang.t("admin-eval-bad-deduction")),
    }
}

/// The message for a sheet that cannot be read.
pub fn sheet_message(e: &SheetError, lang: Lang) -> String {
    match e {
        SheetError::Missing(code) => lang.t1("admin-eval-missing-score", "value", code),
        SheetError::OutOfRange { code, .. } => lang.t1("admin-eval-score-range", "value", code),
        SheetError::BothLevels(code) => lang.t1("admin-eval-both-levels", "value", code),
        SheetError::UnknownIndicator => lang.t("admin-eval-bad-scheme"),
    }
}

/// The message for a total that cannot be computed.
pub fn scoring_message(e: &ScoringError, lang: Lang) -> String {
    match e {
        ScoringError::NoApplicableItems => lang.t("admin-eval-nothing-applies"),
        ScoringError::InvalidDeduction(_) => lang.t("admin-eval-bad-deduction"),
        _ => lang.t("admin-eval-bad-scheme"),
    }
}
