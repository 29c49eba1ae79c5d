//! The rules of one record: each field on its own, then the fields against each other.

use chrono::NaiveDate;

use super::{
    CertificateRecord, Column, CompanyRecord, FieldError, FieldProblem, PlatformFields,
    PlatformRecord, RawRecord,
};
use crate::domain::credit_code::CreditCode;
use crate::domain::grade::{grade_for, Score};
use crate::domain::hostname::Hostname;
use crate::domain::numbering::validate_number;
use crate::domain::platform_type::PlatformType;
use crate::domain::province::find_province;
use crate::domain::status::CertificateStatus;
use crate::domain::surveillance::AssessmentKind;

/// Longest company or platform name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest city.
pub const MAX_CITY_CHARS: usize = 100;
/// Longest address.
pub const MAX_ADDRESS_CHARS: usize = 300;
/// Longest app name.
pub const MAX_APP_CHARS: usize = 100;
/// Longest body code or scheme slug.
pub const MAX_CODE_CHARS: usize = 50;
/// Longest scope text.
pub const MAX_SCOPE_CHARS: usize = 1000;

/// Date spellings accepted; the first is the canonical one.
const DATE_FORMATS: [&str; 3] = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"];

/// The domains of a field: separated by `;`, `,`, `、` (ASCII or full-width) or whitespace.
pub fn split_domains(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| matches!(c, ';' | ',' | '、' | '；' | '，') || c.is_whitespace())
        .filter(|d| !d.is_empty())
}

/// The app names of a field: separated by `;` (ASCII or full-width) or line breaks; names may
/// contain spaces.
pub fn split_app_names(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', '；', '\n', '\r'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
}

/// A status by its stored name (any case) or its Chinese name (有效, 暂停, 撤销, 注销, 过期).
fn parse_status(s: &str) -> Option<CertificateStatus> {
    use CertificateStatus::*;
    match s {
        "有效" => Some(Valid),
        "暂停" => Some(Suspended),
        "撤销" => Some(Revoked),
        "注销" => Some(Cancelled),
        "过期" => Some(Expired),
        _ => CertificateStatus::parse(&s.to_ascii_lowercase()),
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

/// Collects the errors of one record while its fields are read.
struct Checker<'a> {
    raw: &'a RawRecord,
    errors: Vec<FieldError>,
}

impl Checker<'_> {
    fn fail(&mut self, column: Column, problem: FieldProblem) {
        self.errors.push(FieldError { column, problem });
    }

    /// Free text, trimmed: at most `max` characters and no control characters; empty is an
    /// error when `required`.
    fn text(&mut self, column: Column, required: bool, max: usize) -> Option<String> {
        let s = self.raw.get(column).trim();
        if s.is_empty() && required {
            self.fail(column, FieldProblem::Missing);
            return None;
        }
        check_text(s, max)
            .map(|()| s.to_owned())
            .map_err(|p| self.fail(column, p))
            .ok()
    }

    /// A required field read by `parse` from its trimmed text.
    fn parse<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, FieldProblem>,
    ) -> Option<T> {
        let s = self.raw.get(column).trim();
        if s.is_empty() {
            self.fail(column, FieldProblem::Missing);
            return None;
        }
        parse(s).map_err(|p| self.fail(column, p)).ok()
    }

    fn date(&mut self, column: Column, today: NaiveDate) -> Option<NaiveDate> {
        let date = self.parse(column, |s| {
            parse_date(s).ok_or_else(|| FieldProblem::NotADate(s.to_owned()))
        })?;
        if column != Column::ExpiresOn && date > today {
            self.fail(column, FieldProblem::InFuture(date));
        }
        Some(date)
    }

    /// `later` must come after `earlier` (or on the same day when `same_day_ok`).
    fn order(
        &mut self,
        earlier: (Column, Option<NaiveDate>),
        later: (Column, Option<NaiveDate>),
        same_day_ok: bool,
    ) {
        let ((ec, Some(e)), (lc, Some(l))) = (earlier, later) else {
            return;
        };
        if l < e || (l == e && !same_day_ok) {
            let relation = if same_day_ok { "on or after" } else { "after" };
            self.fail(
                lc,
                FieldProblem::DateOrder {
                    date: l,
                    relation,
                    other: ec,
                    other_date: e,
                },
            );
        }
    }

    fn domains(&mut self) -> Vec<Hostname> {
        let mut out = Vec::new();
        for d in split_domains(self.raw.get(Column::Domains)) {
            match Hostname::parse(d) {
                Ok(h) => out.push(h),
                Err(error) => {
                    let input = d.to_owned();
                    self.fail(Column::Domains, FieldProblem::Host { input, error });
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn app_names(&mut self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for app in split_app_names(self.raw.get(Column::AppNames)) {
            if let Err(p) = check_text(app, MAX_APP_CHARS) {
                self.fail(Column::AppNames, p);
            } else if !out.iter().any(|a| a == app) {
                out.push(app.to_owned());
            }
        }
        out
    }

    /// The holder's fields (every one is read, so every error is reported).
    fn company(&mut self) -> Option<CompanyRecord> {
        use Column as C;
        let credit_code = self.parse(C::CreditCode, |s| {
            CreditCode::parse(s).map_err(FieldProblem::CreditCode)
        });
        let name_zh = self.text(C::CompanyNameZh, true, MAX_NAME_CHARS);
        let name_en = self.text(C::CompanyNameEn, false, MAX_NAME_CHARS);
        let province = self.parse(C::ProvinceCode, |s| {
            find_province(s).ok_or_else(|| FieldProblem::UnknownProvince(s.to_owned()))
        });
        let city = self.text(C::City, true, MAX_CITY_CHARS);
        let address = self.text(C::Address, false, MAX_ADDRESS_CHARS);
        Some(CompanyRecord {
            credit_code: credit_code?,
            name_zh: name_zh?,
            name_en: name_en.filter(|s| !s.is_empty()),
            province_code: province?.code,
            city: city?,
            address: address?,
        })
    }

    /// The platform's name and type.
    fn platform_head(&mut self) -> (Option<String>, Option<PlatformType>) {
        let name = self.text(Column::PlatformName, true, MAX_NAME_CHARS);
        let platform_type = self.parse(Column::PlatformType, |s| {
            PlatformType::parse(s).ok_or_else(|| FieldProblem::UnknownPlatformType(s.to_owned()))
        });
        (name, platform_type)
    }
}

/// The company columns of `raw` alone (a correction in the back office), by the import's rules.
pub fn validate_company(raw: &RawRecord) -> Result<CompanyRecord, Vec<FieldError>> {
    let mut c = Checker {
        raw,
        errors: Vec::new(),
    };
    match c.company() {
        Some(company) if c.errors.is_empty() => Ok(company),
        _ => Err(c.errors),
    }
}

/// The platform's name, type and app names in `raw` (a correction in the back office; the bound
/// domains have a form of their own), by the import's rules.
pub fn validate_platform(raw: &RawRecord) -> Result<PlatformFields, Vec<FieldError>> {
    let mut c = Checker {
        raw,
        errors: Vec::new(),
    };
    let (name, platform_type) = c.platform_head();
    let app_names = c.app_names();
    match (name, platform_type) {
        (Some(name), Some(platform_type)) if c.errors.is_empty() => Ok(PlatformFields {
            name,
            platform_type,
            app_names,
        }),
        _ => Err(c.errors),
    }
}

fn check_text(s: &str, max: usize) -> Result<(), FieldProblem> {
    if s.chars().count() > max {
        return Err(FieldProblem::TooLong(max));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldProblem::ControlCharacter);
    }
    Ok(())
}

/// The scope a certificate gets when none is given: the platform and what it covers.
fn default_scopes(name: &str, domains: &[Hostname], apps: &[String]) -> (String, String) {
    let covered: Vec<String> = domains
        .iter()
        .map(Hostname::to_unicode)
        .chain(apps.iter().cloned())
        .collect();
    (
        format!("{name}（{}）的电子商务平台服务", covered.join("、")),
        format!(
            "E-commerce platform services of {name} ({})",
            covered.join(", ")
        ),
    )
}

/// Checks every field of `raw` and the dates against each other and against `today` (a Beijing
/// calendar date): the typed record, or every error found (never just the first).
pub fn validate(raw: &RawRecord, today: NaiveDate) -> Result<CertificateRecord, Vec<FieldError>> {
    use Column as C;
    let mut c = Checker {
        raw,
        errors: Vec::new(),
    };
    let number = c.parse(C::Number, |s| {
        validate_number(s).map_err(FieldProblem::Number)
    });
    let company = c.company();
    let (platform_name, platform_type) = c.platform_head();
    let errors_before = c.errors.len();
    let domains = c.domains();
    let app_names = c.app_names();
    let covered_ok = c.errors.len() == errors_before;
    if covered_ok && domains.is_empty() && app_names.is_empty() {
        c.fail(C::Domains, FieldProblem::NoDomainOrApp);
    }
    let body_code = c.text(C::BodyCode, true, MAX_CODE_CHARS);
    let scheme_slug = c.text(C::SchemeSlug, true, MAX_CODE_CHARS);
    let score = c.parse(C::Score, |s| {
        let v: f64 = s
            .parse()
            .map_err(|_| FieldProblem::NotANumber(s.to_owned()))?;
        Score::new(v).map_err(FieldProblem::Score)
    });
    let grade = match score {
        Some(s) => grade_for(s).or_else(|| {
            c.fail(C::Score, FieldProblem::NoGrade(s.value()));
            None
        }),
        None => None,
    };
    let status = c.parse(C::Status, |s| {
        parse_status(s).ok_or_else(|| FieldProblem::UnknownStatus(s.to_owned()))
    });
    let first_issued_on = c.date(C::FirstIssuedOn, today);
    let issued_on = c.date(C::IssuedOn, today);
    let expires_on = c.date(C::ExpiresOn, today);
    let last_assessed_on = c.date(C::LastAssessedOn, today);
    let last_kind = c.parse(C::LastAssessmentKind, |s| {
        AssessmentKind::parse(&s.to_ascii_lowercase())
            .ok_or_else(|| FieldProblem::UnknownAssessmentKind(s.to_owned()))
    });
    c.order(
        (C::FirstIssuedOn, first_issued_on),
        (C::IssuedOn, issued_on),
        true,
    );
    c.order((C::IssuedOn, issued_on), (C::ExpiresOn, expires_on), false);
    c.order(
        (C::LastAssessedOn, last_assessed_on),
        (C::ExpiresOn, expires_on),
        true,
    );
    if let (Some(CertificateStatus::Expired), Some(exp)) = (status, expires_on) {
        if exp >= today {
            c.fail(C::Status, FieldProblem::ExpiredTooEarly(exp));
        }
    }
    let scope_zh = c.text(C::ScopeZh, false, MAX_SCOPE_CHARS);
    let scope_en = c.text(C::ScopeEn, false, MAX_SCOPE_CHARS);
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    // Every field parsed: the options below are all Some.
    let fields = (|| {
        let platform_name = platform_name?;
        let (default_zh, default_en) = default_scopes(&platform_name, &domains, &app_names);
        let or_default = |s: String, d: String| if s.is_empty() { d } else { s };
        Some(CertificateRecord {
            number: number?,
            company: company?,
            platform: PlatformRecord {
                name: platform_name,
                platform_type: platform_type?,
                domains,
                app_names,
            },
            body_code: body_code?,
            scheme_slug: scheme_slug?,
            score: score?,
            grade: grade?,
            status: status?,
            first_issued_on: first_issued_on?,
            issued_on: issued_on?,
            expires_on: expires_on?,
            last_assessed_on: last_assessed_on?,
            last_assessment_kind: last_kind?,
            scope_zh: or_default(scope_zh?, default_zh),
            scope_en: or_default(scope_en?, default_en),
        })
    })();
    fields.ok_or_else(|| {
        vec![FieldError {
            column: C::Number,
            problem: FieldProblem::Missing,
        }]
    })
}
