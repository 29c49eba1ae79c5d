//! Small view models shared by pages: stars, statuses, labels, dates, links.

use chrono::NaiveDate;

use super::i18n::Lang;
use super::paths;
use crate::db::search::SearchHit;
use crate::domain::platform_type::PlatformType;
use crate::domain::province::province_by_code;
use crate::domain::status::{effective_status, CertificateStatus};

/// "★★★★☆": filled stars for the grade out of five (text, so it needs no image or colour).
pub fn star_string(stars: u8) -> String {
    let filled = usize::from(stars.min(5));
    "★".repeat(filled) + &"☆".repeat(5 - filled)
}

/// How a status is shown: a word, a symbol and a style, never colour alone.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub status: CertificateStatus,
    /// CSS modifier: `valid`, `suspended`, `revoked`, `cancelled`, `expired`.
    pub css: &'static str,
    /// A symbol shown next to the word (hidden from screen readers).
    pub icon: &'static str,
    pub label: String,
}

impl StatusView {
    pub fn new(status: CertificateStatus, lang: Lang) -> StatusView {
        let icon = match status {
            CertificateStatus::Valid => "✓",
            CertificateStatus::Suspended => "!",
            CertificateStatus::Revoked => "✕",
            CertificateStatus::Cancelled | CertificateStatus::Expired => "–",
        };
        StatusView {
            status,
            css: status.as_str(),
            icon,
            label: lang.t(&format!("status-{}", status.as_str())),
        }
    }

    pub fn is_valid(&self) -> bool {
        self.status == CertificateStatus::Valid
    }
}

pub fn platform_type_label(t: &str, lang: Lang) -> String {
    match PlatformType::parse(t) {
        Some(t) => lang.t(&format!("type-{}", t.as_str())),
        None => t.to_owned(),
    }
}

pub fn province_label(code: &str, lang: Lang) -> String {
    match province_by_code(code) {
        Some(p) if lang.is_zh() => p.name_zh.to_owned(),
        Some(p) => p.name_en.to_owned(),
        None => code.to_owned(),
    }
}

/// Bound domains for display: Unicode for CJK names, punycode for look-alike scripts.
pub fn display_domains(domains: &[String]) -> Vec<String> {
    domains
        .iter()
        .map(|h| {
            crate::domain::hostname::Hostname::parse(h)
                .map(|h| h.to_unicode())
                .unwrap_or_else(|_| h.clone())
        })
        .collect()
}

/// A name in the reader's language, falling back to Chinese.
pub fn localized<'a>(zh: &'a str, en: Option<&'a str>, lang: Lang) -> &'a str {
    match en {
        Some(en) if !lang.is_zh() && !en.trim().is_empty() => en,
        _ => zh,
    }
}

/// A row of a certificate list.
#[derive(Debug, Clone)]
pub struct HitView {
    pub number: String,
    pub href: String,
    pub company: String,
    pub platform: String,
    pub platform_type: String,
    pub province: String,
    pub stars: u8,
    pub star_string: String,
    pub score: String,
    pub status: StatusView,
    pub expires_on: NaiveDate,
}

impl HitView {
    pub fn new(hit: &SearchHit, today: NaiveDate, lang: Lang) -> HitView {
        let stars = u8::try_from(hit.grade).unwrap_or(0);
        HitView {
            number: hit.number.clone(),
            href: paths::certificate(&hit.number),
            company: localized(&hit.company_name_zh, hit.company_name_en.as_deref(), lang)
                .to_owned(),
            platform: hit.platform_name.clone(),
            platform_type: platform_type_label(hit.platform_type.as_str(), lang),
            province: province_label(&hit.province_code, lang),
            stars,
            star_string: star_string(stars),
            score: format!("{:.1}", hit.score),
            status: StatusView::new(effective_status(hit.status, hit.expires_on, today), lang),
            expires_on: hit.expires_on,
        }
    }
}

/// A count as people read it, in digit groups of three: `1,000,000` (both languages group
/// so). CSV and JSON keep plain digits.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A table cell with its digits grouped when it is a whole number, else as it is.
pub fn grouped_cell(cell: &str) -> String {
    match cell.parse::<i64>() {
        Ok(n) if !cell.starts_with('+') => grouped(n),
        _ => cell.to_owned(),
    }
}

/// "★★★ → ★★★★" for grade changes, empty when there is none.
pub fn grade_change(before: Option<i16>, after: Option<i16>) -> String {
    let stars = |g: i16| star_string(u8::try_from(g).unwrap_or(0));
    match (before, after) {
        (Some(b), Some(a)) if a != b => format!("{} → {}", stars(b), stars(a)),
        (None, Some(a)) => stars(a),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_are_drawn_out_of_five() {
        assert_eq!(star_string(2), "★★☆☆☆");
        assert_eq!(star_string(5), "★★★★★");
        assert_eq!(star_string(9), "★★★★★");
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(
            paths::encode_segment("CQM-SQE-2026-000001"),
            "CQM-SQE-2026-000001"
        );
        assert_eq!(paths::encode_segment("A B/测"), "A%20B%2F%E6%B5%8B");
    }

    #[test]
    fn english_name_falls_back_to_chinese() {
        assert_eq!(localized("京东", Some("JD"), Lang::En), "JD");
        assert_eq!(localized("京东", Some(" "), Lang::En), "京东");
        assert_eq!(localized("京东", Some("JD"), Lang::ZhCn), "京东");
    }

    #[test]
    fn counts_are_grouped_by_three_digits() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (726_917, "726,917"),
            (1_000_000, "1,000,000"),
            (-12_345, "-12,345"),
            (i64::MIN, "-9,223,372,036,854,775,808"),
        ] {
            assert_eq!(grouped(n), text);
        }
        assert_eq!(grouped_cell("80137"), "80,137");
        for kept in ["72.5", "2026-01", "", "+5", "五星", "1e6"] {
            assert_eq!(grouped_cell(kept), kept);
        }
    }
}
