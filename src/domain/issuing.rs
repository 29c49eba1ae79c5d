//! Rules of issuing a certificate on an initial evaluation: the record a form's draft is checked
//! as before it has a number or a score.

use chrono::NaiveDate;

use super::dates::validity_end;
use super::record::{Column, RawRecord};
use super::status::CertificateStatus;
use super::surveillance::AssessmentKind;

/// The number a record carries until it is issued (the next free number is taken at saving).
pub const UNNUMBERED: &str = "UNNUMBERED";

/// The score a draft is checked with until its score sheet is read: the lowest passing score,
/// so that the other fields are checked as those of a certificate that will be issued.
pub const PLACEHOLDER_SCORE: &str = "70";

/// The record an initial evaluation would issue, from the form's company, platform, body,
/// scheme and scope columns: unnumbered, valid from `today` for `validity_years`, assessed on
/// `assessed_on` (a date after today is left for the validation to refuse, and recorded as
/// today meanwhile), with the placeholder score.
pub fn initial_draft(
    form: &RawRecord,
    assessed_on: NaiveDate,
    today: NaiveDate,
    validity_years: u32,
) -> RawRecord {
    let mut raw = form.clone();
    raw.set(Column::Number, UNNUMBERED);
    raw.set(Column::Score, PLACEHOLDER_SCORE);
    raw.set(Column::Status, CertificateStatus::Valid.as_str());
    raw.set(Column::FirstIssuedOn, today.to_string());
    raw.set(Column::IssuedOn, today.to_string());
    raw.set(
        Column::ExpiresOn,
        validity_end(today, validity_years).to_string(),
    );
    raw.set(Column::LastAssessedOn, assessed_on.min(today).to_string());
    raw.set(Column::LastAssessmentKind, AssessmentKind::Initial.as_str());
    raw
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::validate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    /// What the issue form enters: no number, score, status or dates.
    fn form() -> RawRecord {
        RawRecord::default()
            .with(Column::CreditCode, "91371323760038087M")
            .with(Column::CompanyNameZh, "示例网络科技有限公司")
            .with(Column::ProvinceCode, "370000")
            .with(Column::City, "临沂市")
            .with(Column::Address, "示例路 1 号")
            .with(Column::PlatformName, "示例商城")
            .with(Column::PlatformType, "b2c")
            .with(Column::Domains, "shop.example.cn")
            .with(Column::BodyCode, "CQM")
            .with(Column::SchemeSlug, "31526-2015")
            .with(Column::ScopeZh, "网络零售平台服务")
    }

    #[test]
    fn the_draft_of_a_complete_form_passes_validation() {
        let today = day(2026, 12, 2);
        let draft = initial_draft(&form(), day(2026, 11, 20), today, 3);
        let record = validate(&draft, today).expect("a complete form validates");
        assert_eq!(record.number, "UNNUMBERED");
        assert_eq!(record.score.value(), 70.0);
        assert_eq!(record.status, CertificateStatus::Valid);
        assert_eq!(record.issued_on, today);
        assert_eq!(record.first_issued_on, today);
        // Three years from 2026-12-02 end the day before its anniversary.
        assert_eq!(record.expires_on, day(2029, 12, 1));
        assert_eq!(record.last_assessed_on, day(2026, 11, 20));
        assert_eq!(record.last_assessment_kind, AssessmentKind::Initial);
    }

    #[test]
    fn an_assessment_after_today_is_recorded_as_today_until_refused() {
        let today = day(2026, 12, 2);
        let draft = initial_draft(&form(), day(2027, 1, 5), today, 3);
        assert_eq!(draft.get(Column::LastAssessedOn), "2026-12-02");
    }

    #[test]
    fn the_forms_own_fields_are_kept_and_still_checked() {
        let today = day(2026, 12, 2);
        let mut bad = form();
        bad.set(Column::CreditCode, "not a code");
        let draft = initial_draft(&bad, today, today, 3);
        assert_eq!(draft.get(Column::CompanyNameZh), "示例网络科技有限公司");
        let errors = validate(&draft, today).expect_err("a bad credit code is refused");
        assert!(
            errors.iter().all(|e| e.column == Column::CreditCode),
            "{errors:?}"
        );
    }
}
