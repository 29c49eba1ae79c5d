//! A report from the public about a mark (issue 15): its kinds, the rules a submitted form must
//! meet (each error tied to its field, so the form comes back with every message beside what was
//! typed), and the key that folds reports about the same site and kind into one case.

use std::collections::BTreeMap;

use super::hostname::Hostname;
use super::lookalike::Site;

/// The longest account of what happened, in characters.
pub const MAX_WHAT: usize = 2_000;
/// Evidence links at most, and the longest one.
pub const MAX_EVIDENCE: usize = 5;
const MAX_EVIDENCE_LEN: usize = 500;
/// The longest certificate number accepted (the registry's are 19 characters).
const MAX_NUMBER_LEN: usize = 40;
/// Reports about the same site and kind within this many days fold into one case.
pub const FOLD_DAYS: i64 = 7;

/// What the reporter saw.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum ReportKind {
    /// A mark whose certificate does not exist.
    FakeMark,
    /// A real certificate's mark on a site it does not cover.
    WrongSite,
    /// A mark shown while its certificate is suspended, revoked, cancelled or expired.
    NotValid,
    /// A problem with the service of a certified platform.
    ServiceProblem,
    /// Something the registry shows wrongly.
    WrongData,
}

impl ReportKind {
    pub const ALL: [ReportKind; 5] = [
        ReportKind::FakeMark,
        ReportKind::WrongSite,
        ReportKind::NotValid,
        ReportKind::ServiceProblem,
        ReportKind::WrongData,
    ];

    /// As stored and sent by the form.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::FakeMark => "fake_mark",
            ReportKind::WrongSite => "wrong_site",
            ReportKind::NotValid => "not_valid",
            ReportKind::ServiceProblem => "service_problem",
            ReportKind::WrongData => "wrong_data",
        }
    }

    pub fn parse(s: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the report is about a mark on a site, which must then be named.
    pub fn needs_site(self) -> bool {
        matches!(
            self,
            ReportKind::FakeMark | ReportKind::WrongSite | ReportKind::NotValid
        )
    }
}

/// How the reporter may be reached (never published).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    Email(String),
    /// A mainland mobile number, 11 digits.
    Mobile(String),
}

impl Contact {
    /// An e-mail address (one `@`, a domain with a dot, no spaces) or a mainland mobile number
    /// (`1[3-9]` and nine digits, optionally after `+86`, spaces and hyphens ignored).
    pub fn parse(input: &str) -> Option<Contact> {
        let input = input.trim();
        if let Some((local, domain)) = input.split_once('@') {
            let fits = !local.is_empty()
                && local.len() <= 64
                && domain.len() <= 253
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !input.chars().any(|c| c.is_whitespace() || c.is_control());
            // The domain is case-blind; the local part may not be.
            return fits.then(|| Contact::Email(format!("{local}@{}", domain.to_lowercase())));
        }
        let digits: String = input
            .strip_prefix("+86")
            .unwrap_or(input)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let bytes = digits.as_bytes();
        let mobile = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        mobile.then_some(Contact::Mobile(digits))
    }
}

/// The form as submitted, every field as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportForm {
    pub kind: String,
    pub site: String,
    pub number: String,
    pub what: String,
    /// One link per line.
    pub evidence: String,
    pub contact: String,
    pub consent: bool,
}

/// A field of the form, where its errors are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Kind,
    Site,
    Number,
    What,
    Evidence,
    Contact,
    Consent,
}

/// A report that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub kind: ReportKind,
    /// The host as the search normalises it (`Hostname`: ASCII, lower case, no `www.`), when
    /// given.
    pub site: Option<String>,
    pub number: Option<String>,
    pub what: String,
    pub evidence: Vec<String>,
    pub contact: Option<Contact>,
}

impl Report {
    /// What folds reports into one case: the kind, and the site's registrable domain (so
    /// `www.shop.com` and `m.shop.com` are one site), or its host when it has none; `None`
    /// for a report about no site (each is a case of its own).
    pub fn fold_key(&self) -> Option<(ReportKind, String)> {
        Some((self.kind, fold_site(self.site.as_deref()?)))
    }
}

/// The site a host's reports fold by: its registrable domain (`m.shop.com` → `shop.com`), or
/// the host itself when it has none.
pub fn fold_site(host: &str) -> String {
    Hostname::parse(host)
        .ok()
        .and_then(|h| Site::of(&h.to_unicode()))
        .map_or_else(|| host.to_owned(), |s| s.registrable)
}

/// The message key of each field's error (`report-error-…` in `locales/`).
pub type Errors = BTreeMap<Field, &'static str>;

/// Checks a submitted form: the report, or every field's error at once.
pub fn check(form: &ReportForm) -> Result<Report, Errors> {
    let mut errors = Errors::new();
    let kind = ReportKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.insert(Field::Kind, "report-error-kind");
    }
    let site = match form.site.trim() {
        "" => {
            if kind.is_some_and(ReportKind::needs_site) {
                errors.insert(Field::Site, "report-error-site-needed");
            }
            None
        }
        typed => match Hostname::parse(typed) {
            Ok(host) => Some(host.as_str().to_owned()),
            Err(_) => {
                errors.insert(Field::Site, "report-error-site");
                None
            }
        },
    };
    let number = match form.number.trim() {
        "" => None,
        typed => {
            let number = typed.to_ascii_uppercase();
            let fits = number.len() <= MAX_NUMBER_LEN
                && number
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
            if !fits {
                errors.insert(Field::Number, "report-error-number");
            }
            Some(number)
        }
    };
    let what = form.what.trim().to_owned();
    if what.is_empty() {
        errors.insert(Field::What, "report-error-what-needed");
    } else if what.chars().count() > MAX_WHAT {
        errors.insert(Field::What, "report-error-what-long");
    } else if what
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        // NUL and the like: PostgreSQL refuses them in text, and no one types them.
        errors.insert(Field::What, "report-error-what-control");
    }
    let evidence: Vec<String> = form
        .evidence
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let links_fit = evidence.len() <= MAX_EVIDENCE
        && evidence.iter().all(|l| {
            l.len() <= MAX_EVIDENCE_LEN
                && url::Url::parse(l)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        });
    if !links_fit {
        errors.insert(Field::Evidence, "report-error-evidence");
    }
    let contact = match form.contact.trim() {
        "" => None,
        typed => {
            let contact = Contact::parse(typed);
            if contact.is_none() {
                errors.insert(Field::Contact, "report-error-contact");
            } else if !form.consent {
                errors.insert(Field::Consent, "report-error-consent");
            }
            contact
        }
    };
    match kind {
        Some(kind) if errors.is_empty() => Ok(Report {
            kind,
            site,
            number,
            what,
            evidence,
            contact,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str, site: &str, what: &str) -> ReportForm {
        ReportForm {
            kind: kind.to_owned(),
            site: site.to_owned(),
            what: what.to_owned(),
            ..ReportForm::default()
        }
    }

    #[test]
    fn a_good_report_is_normalised() {
        let mut f = form(
            "wrong_site",
            " https://WWW.Shop-Mall.com/item/1 ",
            " 标识挂在别的网站上 ",
        );
        f.number = "cqm-sqe-2025-000101".to_owned();
        f.evidence = "https://img.example.cn/1.png\n\n  http://example.net/a  ".to_owned();
        f.contact = "+86 138-0013-8000".to_owned();
        f.consent = true;
        let r = check(&f).expect("valid");
        assert_eq!(r.kind, ReportKind::WrongSite);
        // As the search normalises a host: lower case, no path, no `www.`.
        assert_eq!(r.site.as_deref(), Some("shop-mall.com"));
        assert_eq!(r.number.as_deref(), Some("CQM-SQE-2025-000101"));
        assert_eq!(r.what, "标识挂在别的网站上");
        assert_eq!(r.evidence.len(), 2);
        assert_eq!(r.contact, Some(Contact::Mobile("13800138000".to_owned())));
    }

    #[test]
    fn every_error_is_reported_at_once_beside_its_field() {
        let mut f = form("", "not a host!", "");
        f.number = "CQM SQE".to_owned();
        f.evidence = "javascript:alert(1)".to_owned();
        f.contact = "someone@".to_owned();
        let errors = check(&f).expect_err("invalid");
        assert_eq!(
            errors.keys().copied().collect::<Vec<_>>(),
            [
                Field::Kind,
                Field::Site,
                Field::Number,
                Field::What,
                Field::Evidence,
                Field::Contact
            ]
        );
        assert_eq!(errors[&Field::What], "report-error-what-needed");
    }

    #[test]
    fn a_site_is_needed_only_for_a_mark_on_a_site() {
        for kind in ReportKind::ALL {
            let result = check(&form(kind.as_str(), "", "说明"));
            assert_eq!(result.is_err(), kind.needs_site(), "{kind:?}");
        }
        let errors = check(&form("fake_mark", "", "说明")).expect_err("no site");
        assert_eq!(errors[&Field::Site], "report-error-site-needed");
    }

    #[test]
    fn limits_and_consent() {
        let long = "字".repeat(MAX_WHAT + 1);
        assert_eq!(
            check(&form("wrong_data", "", &long)).expect_err("long")[&Field::What],
            "report-error-what-long"
        );
        assert!(check(&form("wrong_data", "", &"字".repeat(MAX_WHAT))).is_ok());
        assert_eq!(
            check(&form("wrong_data", "", "a\u{0}b")).expect_err("NUL")[&Field::What],
            "report-error-what-control"
        );
        assert!(check(&form("wrong_data", "", "第一行\n第二行")).is_ok());
        let mut f = form("wrong_data", "", "说明");
        f.evidence = (0..=MAX_EVIDENCE)
            .map(|i| format!("https://e.cn/{i}"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(check(&f)
            .expect_err("six links")
            .contains_key(&Field::Evidence));
        let mut f = form("wrong_data", "", "说明");
        f.contact = "a@b.cn".to_owned();
        assert_eq!(
            check(&f).expect_err("no consent")[&Field::Consent],
            "report-error-consent"
        );
        f.consent = true;
        assert_eq!(
            check(&f).expect("consented").contact,
            Some(Contact::Email("a@b.cn".to_owned()))
        );
    }

    #[test]
    fn contacts() {
        assert_eq!(
            Contact::parse("Li.Lei@Example.COM"),
            Some(Contact::Email("Li.Lei@example.com".to_owned())),
            "the local part keeps its case"
        );
        for good in [
            "13800138000",
            "+8613800138000",
            "199 1234 5678",
            "Li.Lei@Example.COM",
        ] {
            assert!(Contact::parse(good).is_some(), "{good}");
        }
        for bad in [
            "12800138000",
            "1380013800",
            "138001380001",
            "a@b",
            "@b.cn",
            "a b@c.cn",
            "a@@b.cn",
            "a@.cn",
        ] {
            assert_eq!(Contact::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn reports_fold_by_kind_and_registrable_domain() {
        let key =
            |kind: &str, site: &str| check(&form(kind, site, "说明")).expect("valid").fold_key();
        assert_eq!(
            key("fake_mark", "www.shop.com.cn"),
            key("fake_mark", "https://m.shop.com.cn/x")
        );
        assert_eq!(
            key("fake_mark", "www.shop.com.cn"),
            Some((ReportKind::FakeMark, "shop.com.cn".to_owned()))
        );
        assert_ne!(
            key("fake_mark", "shop.com.cn"),
            key("not_valid", "shop.com.cn")
        );
        assert_ne!(
            key("fake_mark", "shop.com.cn"),
            key("fake_mark", "shop.com")
        );
        assert_eq!(key("wrong_data", ""), None, "no site: a case of its own");
    }
}
