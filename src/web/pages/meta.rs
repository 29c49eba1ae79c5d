//! What the certificate and company pages say to link previews and search engines: Open Graph
//! tags and schema.org JSON-LD (`Certification`, `Organization`).

use serde_json::{json, Value};

use crate::config::Config;
use crate::db::certificates::CertificateDetail;
use crate::domain::status::CertificateStatus;
use crate::web::i18n::Lang;
use crate::web::paths;
use crate::web::seo::{self, absolute, OpenGraph};
use crate::web::view::{localized, star_string, HitView};

/// The PNG badge of a certificate (the preview image), in the page's language.
fn badge_url(config: &Config, number: &str, lang: Lang) -> String {
    let path = paths::badge(number, "png", "");
    match lang {
        Lang::ZhCn => absolute(config, &path),
        Lang::En => absolute(config, &format!("{path}?lang=en")),
    }
}

/// What a certificate's link preview says: the verdict, with the stars only while the
/// certificate is valid (stars next to "revoked" would read as an endorsement).
pub struct CertificateFacts<'a> {
    pub detail: &'a CertificateDetail,
    pub status: CertificateStatus,
    pub verdict_title: &'a str,
    pub verdict_detail: &'a str,
    pub canonical: &'a str,
    pub lang: Lang,
}

impl CertificateFacts<'_> {
    pub fn open_graph(&self, config: &Config) -> OpenGraph {
        let c = &self.detail.certificate;
        let lang = self.lang;
        let company = localized(
            &self.detail.company.name_zh,
            self.detail.company.name_en.as_deref(),
            lang,
        );
        let stars = u8::try_from(c.grade).unwrap_or(0);
        let title = if self.status == CertificateStatus::Valid {
            format!("{} {} · {company}", self.verdict_title, star_string(stars))
        } else {
            format!("{} · {company}", self.verdict_title)
        };
        OpenGraph {
            site_name: lang.t("site-name"),
            title,
            description: format!(
                "{} {} · {} · {}",
                lang.t("certificate-number"),
                c.number,
                self.detail.platform.name,
                self.verdict_detail
            ),
            url: self.canonical.to_owned(),
            image: badge_url(config, &c.number, lang),
            image_alt: lang.t1("og-badge-alt", "number", &c.number),
            locale: seo::og_locale(lang),
        }
    }

    /// A schema.org `Certification` about the holder.
    pub fn json_ld(&self, config: &Config) -> String {
        let d = self.detail;
        let c = &d.certificate;
        let lang = self.lang;
        let status = if self.status == CertificateStatus::Valid {
            "https://schema.org/CertificationActive"
        } else {
            "https://schema.org/CertificationInactive"
        };
        let value = json!({
            "@context": "https://schema.org",
            "@type": "Certification",
            "name": lang.t1("jsonld-certificate-name", "number", &c.number),
            "url": self.canonical,
            "inLanguage": lang.tag(),
            "certificationIdentification": c.number,
            "certificationStatus": status,
            "certificationRating": {
                "@type": "Rating",
                "ratingValue": c.grade,
                "bestRating": 5,
                "worstRating": 1,
                "ratingExplanation": lang.t(&format!("grade-{}", c.grade)),
            },
            "issuedBy": {
                "@type": "Organization",
                "name": localized(&d.body.name_zh, Some(&d.body.name_en), lang),
                "identifier": d.body.approval_number,
            },
            "about": {
                "@type": "Organization",
                "name": d.company.name_zh,
                "identifier": d.company.credit_code,
                "url": absolute(config, &paths::company(&d.company.credit_code)),
            },
            "validFrom": c.issued_on.to_string(),
            "expires": c.expires_on.to_string(),
            "auditDate": c.last_assessed_on.to_string(),
            "logo": badge_url(config, &c.number, lang),
        });
        seo::json_ld(&value)
    }
}

/// A company as a schema.org `Organization`, identified by its unified social credit code.
pub struct CompanyFacts<'a> {
    pub name_zh: &'a str,
    pub name_en: Option<&'a str>,
    pub credit_code: &'a str,
    pub province: &'a str,
    pub city: &'a str,
    pub address: &'a str,
    pub canonical: &'a str,
    pub certificates: &'a [HitView],
}

impl CompanyFacts<'_> {
    pub fn json_ld(&self, config: &Config) -> String {
        let mut value = json!({
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": self.name_zh,
            "url": self.canonical,
            "identifier": {
                "@type": "PropertyValue",
                "propertyID": "CN-USCC",
                "name": "统一社会信用代码 (Unified Social Credit Code)",
                "value": self.credit_code,
            },
            "taxID": self.credit_code,
            "address": {
                "@type": "PostalAddress",
                "addressCountry": "CN",
                "addressRegion": self.province,
                "addressLocality": self.city,
                "streetAddress": self.address,
            },
            "hasCertification": self.certificates.iter().map(|h| json!({
                "@type": "Certification",
                "certificationIdentification": h.number,
                "url": absolute(config, &h.href),
            })).collect::<Vec<Value>>(),
        });
        if let (Some(en), Some(map)) = (
            self.name_en.filter(|n| !n.trim().is_empty()),
            value.as_object_mut(),
        ) {
            map.insert("alternateName".to_owned(), Value::from(en));
        }
        seo::json_ld(&value)
    }
}
