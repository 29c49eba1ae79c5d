//! Back-office forms over the fields of a certificate record (`domain::record`): the text as
//! typed, and each field error in the reader's language.

use crate::domain::credit_code::CreditCodeError;
use crate::domain::record::{Column, FieldError, FieldProblem, RawRecord};
use crate::web::i18n::Lang;

/// The record columns that back-office forms ask for (each has an `admin-field-` label).
pub const FORM_COLUMNS: [Column; 14] = [
    Column::CreditCode,
    Column::CompanyNameZh,
    Column::CompanyNameEn,
    Column::ProvinceCode,
    Column::City,
    Column::Address,
    Column::PlatformName,
    Column::PlatformType,
    Column::Domains,
    Column::AppNames,
    Column::BodyCode,
    Column::SchemeSlug,
    Column::ScopeZh,
    Column::ScopeEn,
];

/// The form field that carries the version of the record the form showed.
pub const VERSION_FIELD: &str = "version";

/// A form's value by name, untrimmed (empty when absent).
pub fn value<'a>(entered: &'a [(String, String)], name: &str) -> &'a str {
    entered
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The record columns of a form (fields named after `Column::name`); other fields are ignored.
pub fn raw_record(entered: &[(String, String)]) -> RawRecord {
    let mut raw = RawRecord::default();
    for (name, text) in entered {
        if let Some(column) = Column::parse(name) {
            raw.set(column, text.as_str());
        }
    }
    raw
}

/// The label of a field in the back-office forms (`admin-field-{column}`).
pub fn label(lang: Lang, column: Column) -> String {
    if FORM_COLUMNS.contains(&column) {
        lang.tp("admin-field-", column.name())
    } else {
        // Not in any form; the column's own name is clear enough to staff.
        column.name().to_owned()
    }
}

/// One field error as a sentence in the reader's language.
pub fn message(lang: Lang, error: &FieldError) -> String {
    // Message arguments use the names `Lang::has` knows: `value` is the field's label.
    let field = || ("value", label(lang, error.column));
    match &error.problem {
        FieldProblem::Missing => lang.tv("admin-field-missing", &[field()]),
        FieldProblem::TooLong(n) => {
            lang.tv("admin-field-too-long", &[field(), ("n", n.to_string())])
        }
        FieldProblem::ControlCharacter => lang.tv("admin-field-control", &[field()]),
        FieldProblem::CreditCode(e) => credit_code_message(lang, e),
        FieldProblem::UnknownProvince(value) => {
            lang.tv("admin-field-province", &[("code", value.clone())])
        }
        FieldProblem::UnknownPlatformType(value) => {
            lang.tv("admin-field-platform-type", &[("code", value.clone())])
        }
        FieldProblem::Host { input, .. } => lang.t1("admin-problem-host", "value", input),
        FieldProblem::NoDomainOrApp => lang.t("admin-problem-no-domain"),
        // The forms raise none of the others; say which field and what, in the import's words.
        other => lang.tv("admin-field-other", &[field(), ("code", other.to_string())]),
    }
}

fn credit_code_message(lang: Lang, error: &CreditCodeError) -> String {
    match error {
        CreditCodeError::WrongLength(n) => {
            lang.tv("admin-field-credit-length", &[("n", n.to_string())])
        }
        CreditCodeError::InvalidCharacter { position, ch } => {
            let args = [("n", position.to_string()), ("code", ch.to_string())];
            lang.tv("admin-field-credit-character", &args)
        }
        CreditCodeError::BadCheckCharacter { expected, found } => {
            let args = [("value", expected.to_string()), ("code", found.to_string())];
            lang.tv("admin-field-credit-check", &args)
        }
    }
}

/// Every error of a form, in the reader's language.
pub fn messages(lang: Lang, errors: &[FieldError]) -> Vec<String> {
    errors.iter().map(|e| message(lang, e)).collect()
}
