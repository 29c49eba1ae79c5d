//! The "best match" order of a name search: certificates whose platform or company is named
//! exactly as asked, then those whose name starts with it (a company's also after its opening
//! place names), then every other match; within each band those in force first, then by grade.

use std::cmp::Ordering;

use chrono::NaiveDate;

use super::place_names::strip_place_prefix;
use super::search_text::normalize;
use super::status::{effective_status, CertificateStatus};

/// The names a certificate is matched against for the bands, folded like the search folds
/// text ([`normalize`]). Stored as rows of their own (`name_keys`, one per distinct key), so
/// both bands are one index range.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameKeys {
    /// The platform's name.
    pub platform: String,
    /// The company's Chinese name.
    pub company: String,
    /// The company's Chinese name after its opening place names (北京京东… → 京东…), or
    /// empty when it opens with none.
    pub company_brand: String,
}

impl NameKeys {
    /// The keys of a certificate of this platform and company.
    pub fn of(platform_name: &str, company_name_zh: &str) -> NameKeys {
        let company = normalize(company_name_zh);
        let brand = normalize(strip_place_prefix(company_name_zh));
        NameKeys {
            platform: normalize(platform_name),
            company_brand: if brand == company {
                String::new()
            } else {
                brand
            },
            company,
        }
    }

    /// The pinyin spellings of the platform's name and of the company's name after its place
    /// (`domain::pinyin`), what a query in Latin letters also finds.
    pub fn pinyin_spellings(&self) -> std::collections::BTreeSet<String> {
        let company = if self.company_brand.is_empty() {
            &self.company
        } else {
            &self.company_brand
        };
        let mut out = super::pinyin::spellings(&self.platform);
        out.extend(super::pinyin::spellings(company));
        out
    }

    /// The distinct keys stored for a certificate: empty ones left out, one row each.
    pub fn stored(&self) -> std::collections::BTreeSet<&str> {
        [&self.platform, &self.company, &self.company_brand]
            .into_iter()
            .map(String::as_str)
            .filter(|k| !k.is_empty())
            .collect()
    }

    /// The band of these names for a query folded by [`normalize`]: the closest of its keys'.
    pub fn band(&self, query: &str) -> MatchBand {
        self.stored()
            .into_iter()
            .map(|key| MatchBand::of_key(key, query))
            .min()
            .unwrap_or(MatchBand::Other)
    }
}

/// How closely a certificate's names match a query; the bands are listed in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchBand {
    /// The platform or the company (with or without its place names) is named as asked.
    Exact,
    /// One of those names starts with the query.
    Prefix,
    /// The query is elsewhere in its names (or in its apps or English name).
    Other,
}

impl MatchBand {
    /// The band one stored name key puts its certificate in for a query folded by
    /// [`normalize`].
    pub fn of_key(key: &str, query: &str) -> MatchBand {
        if query.is_empty() {
            MatchBand::Other
        } else if key == query {
            MatchBand::Exact
        } else if key.starts_with(query) {
            MatchBand::Prefix
        } else {
            MatchBand::Other
        }
    }
}

/// Whether a stored certificate is in force on `today`: its effective status is valid (as
/// `db::status_sql::in_force` selects).
pub fn is_in_force(status: CertificateStatus, expires_on: NaiveDate, today: NaiveDate) -> bool {
    effective_status(status, expires_on, today) == CertificateStatus::Valid
}

/// What orders the certificates of one band: in force before ended (or suspended), then the
/// higher grade and score, then the older certificate id, so that pages never overlap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankInBand {
    pub in_force: bool,
    pub grade: i16,
    pub score: f64,
    pub id: i32,
}

impl RankInBand {
    /// The rank of a stored certificate on `today`: in force means an effective status of
    /// valid (stored valid, not past its expiry date), as `db::status_sql::in_force` selects.
    pub fn of(
        id: i32,
        status: CertificateStatus,
        expires_on: NaiveDate,
        grade: i16,
        score: f64,
        today: NaiveDate,
    ) -> RankInBand {
        RankInBand {
            in_force: is_in_force(status, expires_on, today),
            grade,
            score,
            id,
        }
    }

    /// The listing order: first comes first.
    pub fn cmp_listed(&self, other: &RankInBand) -> Ordering {
        other
            .in_force
            .cmp(&self.in_force)
            .then(other.grade.cmp(&self.grade))
            .then(other.score.total_cmp(&self.score))
            .then(self.id.cmp(&other.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn keys_fold_like_the_search_and_drop_the_place() {
        let k = NameKeys::of("禾云直供", "北京禾云直供科技有限公司");
        assert_eq!(k.platform, "禾云直供");
        assert_eq!(k.company, "北京禾云直供科技有限公司");
        assert_eq!(k.company_brand, "禾云直供科技有限公司");
        let k = NameKeys::of("優選 Mall", "禾云科技有限公司");
        assert_eq!(k.platform, "优选mall");
        assert_eq!(
            k.company_brand, "",
            "no place names: nothing to store twice"
        );
        assert_eq!(
            k.stored().into_iter().collect::<Vec<_>>(),
            ["优选mall", "禾云科技有限公司"]
        );
        let same = NameKeys::of("禾云科技有限公司", "禾云科技有限公司");
        assert_eq!(
            same.stored().len(),
            1,
            "a key shared by two names is one row"
        );
    }

    #[test]
    fn bands_exact_then_prefix_then_other() {
        let direct = NameKeys::of("禾云直供", "杭州禾云直供网络科技有限公司");
        let middle = NameKeys::of("茂禾云仓", "茂禾云仓贸易有限公司");
        let exact = NameKeys::of("禾云", "禾云电子商务有限公司");
        assert_eq!(direct.band("禾云"), MatchBand::Prefix);
        assert_eq!(middle.band("禾云"), MatchBand::Other);
        assert_eq!(exact.band("禾云"), MatchBand::Exact);
        // The company's name, whole or after its place, is a name too.
        assert_eq!(
            direct.band("杭州禾云直供网络科技有限公司"),
            MatchBand::Exact
        );
        assert_eq!(direct.band("禾云直供网络科技有限公司"), MatchBand::Exact);
        assert_eq!(direct.band("禾云直供网络"), MatchBand::Prefix);
        assert_eq!(direct.band(""), MatchBand::Other);
        assert!(MatchBand::Exact < MatchBand::Prefix && MatchBand::Prefix < MatchBand::Other);
    }

    #[test]
    fn in_force_before_grade() {
        let today = day("2026-12-07");
        let revoked_five = RankInBand::of(
            1,
            CertificateStatus::Revoked,
            day("2027-01-01"),
            5,
            99.0,
            today,
        );
        let valid_three = RankInBand::of(
            2,
            CertificateStatus::Valid,
            day("2027-01-01"),
            3,
            80.0,
            today,
        );
        let lapsed_five = RankInBand::of(
            3,
            CertificateStatus::Valid,
            day("2026-12-06"),
            5,
            99.0,
            today,
        );
        let last_day = RankInBand::of(4, CertificateStatus::Valid, today, 2, 70.0, today);
        let valid_five = RankInBand::of(
            5,
            CertificateStatus::Valid,
            day("2027-01-01"),
            5,
            90.0,
            today,
        );
        let mut v = [revoked_five, valid_three, lapsed_five, last_day, valid_five];
        v.sort_by(RankInBand::cmp_listed);
        let ids: Vec<i32> = v.iter().map(|r| r.id).collect();
        assert_eq!(ids, [5, 2, 4, 1, 3]);
    }
}
