//! Fictional holders of demo certificates: companies with valid, unique credit codes in all 31
//! mainland provinces, and their platforms with app names and unique bound domains.

use std::collections::{HashMap, HashSet};

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::names::{self, City, ProvinceCities, PROVINCES};
use crate::db::models::{NewCompany, NewPlatform};
use crate::domain::credit_code::{check_character, ALPHABET};
use crate::domain::hostname::Hostname;
use crate::domain::province::province_by_code;

/// Share of companies that run a second certified platform.
const TWO_PLATFORMS: f64 = 0.15;
/// 31^9: the number of 9-character organisation parts of a credit code.
const ORG_PARTS: u64 = 26_439_622_160_671;

/// One platform to certify, with its company (new, or the one of the previous platform).
pub struct PlatformDraft {
    pub company_id: i32,
    /// Whether the company row is new (its first platform).
    pub new_company: bool,
    pub company: NewCompany,
    pub platform_id: i32,
    pub platform: NewPlatform,
    /// Bound domains, normalised (punycode).
    pub domains: Vec<String>,
    /// The same domains as people read them (Unicode for internationalised ones).
    pub shown_domains: Vec<String>,
}

/// A company whose second platform comes next.
struct Pending {
    id: i32,
    company: NewCompany,
    brand_zh: String,
    label: String,
    tld: &'static str,
    first_word: &'static str,
}

/// Makes companies and platforms one after the other; ids start at 1.
pub struct Holders {
    rng: ChaCha8Rng,
    org_parts: HashSet<u64>,
    labels: HashMap<String, u32>,
    companies: i32,
    platforms: i32,
    pending: Option<Pending>,
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut pick = rng.random_range(0..total.max(1));
    for item in items {
        let w = weight(item);
        if pick < w {
            return item;
        }
        pick -= w;
    }
    &items[0]
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Holders {
    /// A maker drawing from `rng`.
    pub fn new(rng: ChaCha8Rng) -> Holders {
        Holders {
            rng,
            org_parts: HashSet::new(),
            labels: HashMap::new(),
            companies: 0,
            platforms: 0,
            pending: None,
        }
    }

    /// Companies made so far.
    pub fn companies(&self) -> i32 {
        self.companies
    }

    /// The next platform: the second one of the previous company, or the first of a new one.
    pub fn next_platform(&mut self) -> PlatformDraft {
        if let Some(p) = self.pending.take() {
            let (platform, _, domains) =
                self.platform(&p.brand_zh, &p.label, p.tld, Some(p.first_word), false);
            return self.draft(p.id, false, p.company, platform, domains);
        }
        let province = if self.companies < 31 {
            &PROVINCES[usize::try_from(self.companies).unwrap_or(0) % PROVINCES.len()]
        } else {
            weighted(&mut self.rng, &PROVINCES, |p| p.weight)
        };
        let city = province
            .cities
            .choose(&mut self.rng)
            .unwrap_or(&province.cities[0]);
        let (brand_zh, brand_py) = self.brand();
        let count = self.labels.entry(brand_py.clone()).or_insert(0);
        *count += 1;
        let label = match *count {
            1 => brand_py.clone(),
            n => format!("{brand_py}{n}"),
        };
        let idn_ok = *count == 1;
        let company = self.company(province, city, &brand_zh, &brand_py);
        let tld = *[".com", ".com", ".com", ".cn", ".cn", ".com.cn"]
            .choose(&mut self.rng)
            .unwrap_or(&".com");
        self.companies += 1;
        let id = self.companies;
        let (platform, first_word, domains) = self.platform(&brand_zh, &label, tld, None, idn_ok);
        if self.rng.random_bool(TWO_PLATFORMS) {
            self.pending = Some(Pending {
                id,
                company: company.clone(),
                brand_zh,
                label,
                tld,
                first_word,
            });
        }
        self.draft(id, true, company, platform, domains)
    }

    fn draft(
        &mut self,
        company_id: i32,
        new_company: bool,
        company: NewCompany,
        mut platform: NewPlatform,
        (domains, shown_domains): (Vec<String>, Vec<String>),
    ) -> PlatformDraft {
        self.platforms += 1;
        platform.company_id = company_id;
        PlatformDraft {
            company_id,
            new_company,
            company,
            platform_id: self.platforms,
            platform,
            domains,
            shown_domains,
        }
    }

    /// Two different brand syllables that do not make a blocked (real) name.
    fn brand(&mut self) -> (String, String) {
        loop {
            let a = self.rng.random_range(0..names::BRAND_SYLLABLES.len());
            let b = self.rng.random_range(0..names::BRAND_SYLLABLES.len());
            let (za, pa) = names::BRAND_SYLLABLES[a];
            let (zb, pb) = names::BRAND_SYLLABLES[b];
            let zh = format!("{za}{zb}");
            if a != b && !names::BLOCKED_BRANDS.contains(&zh.as_str()) {
                return (zh, format!("{pa}{pb}"));
            }
        }
    }

    fn company(
        &mut self,
        p: &ProvinceCities,
        city: &City,
        brand_zh: &str,
        brand_py: &str,
    ) -> NewCompany {
        let province = province_by_code(p.code);
        let (short_zh, short_en, full_zh) =
            province.map_or(("", "", ""), |v| (v.short_zh, v.name_en, v.name_zh));
        let (prefix_zh, prefix_en) = if p.municipality || self.rng.random_bool(0.2) {
            (short_zh, short_en)
        } else {
            (city.zh, city.en)
        };
        let (ind_zh, ind_en, _) = *weighted(&mut self.rng, &names::INDUSTRIES, |i| i.2);
        let (suf_zh, suf_en, _) = *weighted(&mut self.rng, &names::SUFFIXES, |s| s.2);
        let division = if self.rng.random_bool(0.7) {
            city.code
        } else {
            p.code
        };
        let city_name = if p.municipality {
            city.zh.to_owned()
        } else {
            format!("{}市", city.zh)
        };
        let road = names::ROADS.choose(&mut self.rng).unwrap_or(&"人民路");
        let number = self.rng.random_range(1..=999);
        let zone = match self.rng.random_range(0..6) {
            0..=2 if !p.municipality => names::ZONES[self.rng.random_range(0..names::ZONES.len())],
            _ => "",
        };
        let unit = match self.rng.random_range(0..4) {
            0 => format!(
                "{}幢{}室",
                self.rng.random_range(1..=20),
                self.rng.random_range(101..=2208)
            ),
            1 => format!(
                "{}号楼{}层",
                self.rng.random_range(1..=12),
                self.rng.random_range(1..=30)
            ),
            2 => format!("{}楼", self.rng.random_range(2..=28)),
            _ => String::new(),
        };
        NewCompany {
            credit_code: self.credit_code(division),
            name_zh: format!("{prefix_zh}{brand_zh}{ind_zh}{suf_zh}"),
            name_en: Some(format!(
                "{prefix_en} {} {ind_en} {suf_en}",
                capitalise(brand_py)
            )),
            province_code: p.code.to_owned(),
            address: format!("{full_zh}{city_name}{zone}{road}{number}号{unit}"),
            city: city_name,
        }
    }

    /// "91" + division code + 9 characters not used before + check character.
    fn credit_code(&mut self, division: &str) -> String {
        let alphabet = ALPHABET.as_bytes();
        loop {
            let mut v = self.rng.random_range(0..ORG_PARTS);
            if !self.org_parts.insert(v) {
                continue;
            }
            let mut org = [b'0'; 9];
            for slot in org.iter_mut().rev() {
                *slot = alphabet[usize::try_from(v % 31).unwrap_or(0)];
                v /= 31;
            }
            let first17 = format!("91{division}{}", String::from_utf8_lossy(&org));
            if let Some(check) = check_character(&first17) {
                return format!("{first17}{check}");
            }
        }
    }

    /// A platform of the brand and its domains; `avoid` is the word of the company's first
    /// platform (then this is the second one and its domains are subdomains named by its word).
    fn platform(
        &mut self,
        brand_zh: &str,
        label: &str,
        tld: &str,
        avoid: Option<&str>,
        idn_ok: bool,
    ) -> (NewPlatform, &'static str, (Vec<String>, Vec<String>)) {
        let (ptype, (word_zh, word_py)) = loop {
            let t = weighted(&mut self.rng, &names::PLATFORM_TYPES, |t| t.1).0;
            let w = *names::platform_words(t)
                .choose(&mut self.rng)
                .unwrap_or(&("商城", "shangcheng"));
            if avoid != Some(w.0) {
                break (t, w);
            }
        };
        let name = format!("{brand_zh}{word_zh}");
        let other_tld = if tld == ".cn" { ".com" } else { ".cn" };
        let mut raw = Vec::new();
        if avoid.is_some() {
            raw.push(format!("{word_py}.{label}{tld}"));
            if self.rng.random_bool(0.3) {
                raw.push(format!("{word_py}.{label}{other_tld}"));
            }
        } else {
            let sub = if self.rng.random_bool(0.2) {
                "mall."
            } else {
                ""
            };
            raw.push(format!("{sub}{label}{tld}"));
            if self.rng.random_bool(0.35) {
                raw.push(format!("m.{label}{tld}"));
            }
            if self.rng.random_bool(0.25) {
                raw.push(format!("{label}{other_tld}"));
            }
            if idn_ok && self.rng.random_bool(0.05) {
                raw.push(format!("{name}.中国"));
            }
        }
        raw.truncate(3);
        let mut apps = vec![format!("{name} App")];
        if self.rng.random_bool(0.4) {
            apps.push(format!("{name}小程序"));
        }
        let platform = NewPlatform {
            company_id: 0,
            name,
            platform_type: ptype,
            app_names: apps.join("\n"),
        };
        let parsed: Vec<(String, String)> = raw
            .into_iter()
            .filter_map(|r| Hostname::parse(&r).ok().map(|h| (h.as_str().to_owned(), r)))
            .collect();
        (platform, word_zh, parsed.into_iter().unzip())
    }
}
