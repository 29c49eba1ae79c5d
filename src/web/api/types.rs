//! Response types shared by several endpoints: the enumerations (written as their stored
//! names, with the list of values taken from the domain's `ALL`), provinces, and a certificate
//! as a list shows it.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::db::models::Platform;
use crate::db::search::{SearchHit, SortOrder};
use crate::domain::event::EventKind;
use crate::domain::platform_type::PlatformType;
use crate::domain::province::province_by_code;
use crate::domain::status::{effective_status, CertificateStatus};
use crate::domain::surveillance::AssessmentKind;
use crate::web::paths;
use crate::web::view::display_domains;

/// A domain enumeration serialised as its stored name (`as_str`), documented with every value.
macro_rules! string_enum {
    ($name:ident, $inner:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub $inner);

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.0.as_str())
            }
        }

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($doc))
                    .enum_values(Some(<$inner>::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

string_enum!(
    Status,
    CertificateStatus,
    "The status the public sees on today's date in Beijing: a certificate stored as valid or \
     suspended whose expiry date has passed is `expired`."
);
string_enum!(
    PlatformKind,
    PlatformType,
    "The kind of e-commerce platform."
);
string_enum!(
    AssessmentName,
    AssessmentKind,
    "The kind of an assessment by the certification body."
);
string_enum!(EventName, EventKind, "The kind of a public history event.");
string_enum!(
    SortName,
    SortOrder,
    "Result order: `best` (the default: for a name, platforms and companies named exactly as \
     asked, then names that start with it, then other matches, each band in force first, then \
     by grade; for a number, credit code or host, in force first, then by grade; with no \
     text, by grade), `grade` (highest grade and score \
     first), `name` (holder name), `newest` (most recently issued first), `expiry` (soonest \
     expiry first); ties by certificate id."
);

/// The `province` parameter as the schema gives it: one of the canonical spellings the server
/// accepts — a six-digit code, its two-digit prefix, the full or short Chinese name, the
/// English name. (It accepts more: English names in any case, spaces and dashes ignored.)
pub struct ProvinceParam;

impl PartialSchema for ProvinceParam {
    fn schema() -> RefOr<Schema> {
        let spellings: Vec<&str> = crate::domain::province::PROVINCES
            .iter()
            .flat_map(|p| [p.code, &p.code[..2], p.name_zh, p.short_zh, p.name_en])
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A province, autonomous region or municipality: six-digit GB/T 2260 code \
                 (`440000`), two-digit prefix (`44`), Chinese name (`广东省`, `广东`) or \
                 English name (`Guangdong`, any case)",
            ))
            .enum_values(Some(spellings))
            .into()
    }
}

impl ToSchema for ProvinceParam {}

/// A host name as `lookup` takes it (IDN labels in their `xn--` form or in Unicode are both
/// accepted; the pattern describes the ASCII form).
pub struct HostParam;

/// One to three dot-separated labels of letters and digits (single dashes between them), then a
/// letter-only top level: a subset of the names the server takes (no `xn--` labels, which must
/// also be valid punycode), short enough never to pass 253 characters.
pub const HOST_PATTERN: &str =
    r"^([A-Za-z0-9]{1,20}(-[A-Za-z0-9]{1,20}){0,2}\.){1,3}[A-Za-z]{2,20}$";

impl PartialSchema for HostParam {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(HOST_PATTERN))
            .max_length(Some(253))
            .into()
    }
}

impl ToSchema for HostParam {}

/// A URL or host as `lookup` takes it: an http(s) URL of such a host, or the host alone.
pub struct UrlParam;

/// [`HOST_PATTERN`], optionally after `http://` or `https://`, optionally followed by a path of
/// printable ASCII.
pub const URL_PATTERN: &str = r"^(https?://)?([A-Za-z0-9]{1,20}(-[A-Za-z0-9]{1,20}){0,2}\.){1,3}[A-Za-z]{2,20}(/[!-~]{0,200})?$";

impl PartialSchema for UrlParam {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(URL_PATTERN))
            .max_length(Some(2000))
            .into()
    }
}

impl ToSchema for UrlParam {}

/// A scheme version's slug as the search takes it: letters, digits and dashes (a slug the
/// registry does not hold finds nothing).
pub struct SchemeParam;

impl PartialSchema for SchemeParam {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[A-Za-z0-9-]{1,40}$"))
            .into()
    }
}

impl ToSchema for SchemeParam {}

/// The search's words: at most [`MAX_QUERY_CHARS`](crate::web::pages::search::MAX_QUERY_CHARS)
/// characters.
pub struct SearchText;

impl PartialSchema for SearchText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(crate::web::pages::search::MAX_QUERY_CHARS))
            .into()
    }
}

impl ToSchema for SearchText {}

/// A province, autonomous region or municipality (GB/T 2260).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Province {
    /// Six-digit code, e.g. `110000`.
    pub code: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
}

impl Province {
    pub fn from_code(code: &str) -> Province {
        let p = province_by_code(code);
        Province {
            code: code.to_owned(),
            name_zh: p.map(|p| p.name_zh.to_owned()),
            name_en: p.map(|p| p.name_en.to_owned()),
        }
    }
}

/// The holder of a certificate, as a list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompanyRef {
    /// Unified social credit code (18 characters).
    pub credit_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub province: Province,
    /// The API resource of the company.
    pub api_url: String,
}

/// The platform a certificate covers, as a list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlatformRef {
    pub name: String,
    #[serde(rename = "type")]
    pub platform_type: Option<PlatformKind>,
}

/// A certificate in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificateSummary {
    pub number: String,
    pub status: Status,
    /// The grade, 2 to 5 stars.
    pub stars: u8,
    /// The score of the latest passing evaluation, 0–100.
    pub score: f64,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub company: CompanyRef,
    pub platform: PlatformRef,
    /// The public verification page (what the mark links to).
    pub url: String,
    /// This certificate in the API.
    pub api_url: String,
}

impl CertificateSummary {
    pub fn new(hit: &SearchHit, today: NaiveDate, base: &str) -> CertificateSummary {
        CertificateSummary {
            number: hit.number.clone(),
            status: Status(effective_status(hit.status, hit.expires_on, today)),
            stars: u8::try_from(hit.grade).unwrap_or(0),
            score: hit.score,
            issued_on: hit.issued_on,
            expires_on: hit.expires_on,
            company: CompanyRef {
                credit_code: hit.credit_code.clone(),
                name_zh: hit.company_name_zh.clone(),
                name_en: hit.company_name_en.clone(),
                province: Province::from_code(&hit.province_code),
                api_url: format!("{base}/api/v1/companies/{}", hit.credit_code),
            },
            platform: PlatformRef {
                name: hit.platform_name.clone(),
                platform_type: Some(PlatformKind(hit.platform_type)),
            },
            url: format!("{base}{}", paths::certificate(&hit.number)),
            api_url: format!("{base}/api/v1{}", paths::certificate(&hit.number)),
        }
    }
}

/// A platform with what binds a mark to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlatformDetail {
    pub name: String,
    #[serde(rename = "type")]
    pub platform_type: Option<PlatformKind>,
    /// Bound domains, normalised ASCII (punycode) form, sorted; a subdomain of one is bound too.
    pub domains: Vec<String>,
    /// The same domains for display (Unicode for Chinese names).
    pub domains_display: Vec<String>,
    /// App names the certificate covers.
    pub apps: Vec<String>,
}

impl PlatformDetail {
    pub fn new(platform: &Platform, domains: &[String]) -> PlatformDetail {
        PlatformDetail {
            name: platform.name.clone(),
            platform_type: Some(PlatformKind(platform.platform_type)),
            domains: domains.to_vec(),
            domains_display: display_domains(domains),
            apps: platform.apps().into_iter().map(str::to_owned).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hostname::Hostname;
    use crate::domain::province::find_province;
    use proptest::prelude::*;

    #[test]
    fn every_province_spelling_in_the_schema_is_accepted() {
        let RefOr::T(Schema::Object(schema)) = ProvinceParam::schema() else {
            panic!("an object schema");
        };
        let values = schema.enum_values.expect("an enum");
        assert!(values.len() >= 34 * 4, "{}", values.len());
        for v in values {
            let v = v.as_str().expect("a string");
            assert!(
                find_province(v).is_some(),
                "{v:?} is in the schema but refused"
            );
        }
    }

    proptest! {
        #[test]
        fn every_host_the_pattern_allows_is_a_host(host in HOST_PATTERN.trim_start_matches('^').trim_end_matches('$')) {
            prop_assert!(Hostname::parse(&host).is_ok(), "{host:?}");
        }

        #[test]
        fn every_url_the_pattern_allows_names_a_host(url in URL_PATTERN.trim_start_matches('^').trim_end_matches('$')) {
            prop_assert!(Hostname::parse(&url).is_ok(), "{url:?}");
        }
    }
}
