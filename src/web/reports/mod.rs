//! Reports from the public (issue 15): the form, the reporter's private follow-up page and the
//! privacy notice. The triage screens are in `web::admin::cases`.

pub mod erasure;
pub mod figures;
pub mod follow;
pub mod form;
pub mod privacy;

use crate::domain::report::ReportKind;
use crate::domain::report_case::CaseStatus;
use crate::web::i18n::Lang;

/// What the report form's token is signed for.
pub const FORM_PURPOSE: &str = "report-form";

/// A kind of report in the reader's language.
pub fn kind_label(kind: ReportKind, lang: Lang) -> String {
    lang.t(&format!("report-kind-{}", kind.as_str()))
}

/// A case's status in the reader's language.
pub fn status_label(status: CaseStatus, lang: Lang) -> String {
    lang.t(&format!("case-status-{}", status.as_str()))
}
