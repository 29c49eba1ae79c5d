//! Look-alike sites: whether a host without a certificate resembles a certified one. A host's
//! *site* is its registrable domain under the Public Suffix List (`psl`, the list compiled into
//! the binary), and the site's *key* is its first label as the Unicode TR39 skeleton reads it
//! (`unicode-security`): `gu0zhen`, `guоzhen` (Cyrillic о) and `guozhen` share a key. A host
//! resembles a certified site when its site has the same key under another suffix
//! (`guozhen.com.cn`, `gu0zhen.com`), spells a certified site inside it
//! (`guozhen.com.example.cn`, `guozhen-com.shop`), or its key is a small edit of the certified
//! key ([`edit_allowance`]). Thresholds are decided by the table in `tests/registry/lookalikes.rs`.

use unicode_security::skeleton;

/// The registrable domain of a host and what it is compared by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The registrable domain in Unicode (`guozhen.com.cn`, `禾云.中国`).
    pub registrable: String,
    /// Its first label (`guozhen`).
    pub label: String,
    /// [`site_key`] of the label.
    pub key: String,
}

impl Site {
    /// The site of a host written in Unicode (`Hostname::to_unicode`), lower case. `None` for
    /// a host that is itself a public suffix (`com.cn`) or has a single label.
    pub fn of(host: &str) -> Option<Site> {
        let host = host.trim_end_matches('.');
        // An address is no site (and the list would read `1.1` of 192.168.1.1 as one).
        if host
            .split('.')
            .all(|l| l.chars().all(|c| c.is_ascii_digit()))
            || host.contains(':')
        {
            return None;
        }
        let registrable = psl::domain_str(host)?;
        let label = registrable.split('.').next()?;
        if label.is_empty() || registrable == label {
            return None;
        }
        Some(Site {
            registrable: registrable.to_owned(),
            label: label.to_owned(),
            key: site_key(label),
        })
    }
}

/// The site key of a bound domain in its normalised ASCII form (punycode for Chinese names),
/// as stored beside it; empty when it has no site.
pub fn site_key_of_host(domain: &str) -> String {
    let unicode = idna::domain_to_unicode(domain).0;
    Site::of(&unicode).map(|s| s.key).unwrap_or_default()
}

/// The TR39 skeleton of a label, lower case, taken twice so that the upper-case prototypes the
/// skeleton maps to (`0` → `O`) fold too: `gu0zhen` and `guozhen` have one key.
pub fn site_key(label: &str) -> String {
    let once: String = skeleton(&label.to_lowercase()).collect();
    let twice: String = skeleton(&once.to_lowercase()).collect();
    twice.to_lowercase()
}

/// How many edits (Levenshtein, on the key) make a label of this many characters resemble a
/// certified one: 2 from 5 characters, 1 for 3 or 4; none for 1 or 2, where one edit reaches
/// too many unrelated names (`jd`, `qq`, two-character Chinese names).
pub fn edit_allowance(label: &str) -> u32 {
    match label.chars().count() {
        0..=2 => 0,
        3..=4 => 1,
        _ => 2,
    }
}

/// How a host resembles a certified site, most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resemblance {
    /// A certified site's name is spelled inside the host (`guozhen.com.example.cn`,
    /// `guozhen-com.shop`).
    Embedded,
    /// The same name under another public suffix (`guozhen.com.cn`, `guozhen.co`).
    OtherSuffix,
    /// The same name to the eye, in other characters (`gu0zhen.com`, Cyrillic `о`).
    Confusable,
    /// A small edit of the name (`guozhem.com`, `guozhenn.com`).
    Typo,
}

impl Resemblance {
    pub fn as_str(self) -> &'static str {
        match self {
            Resemblance::Embedded => "embedded",
            Resemblance::OtherSuffix => "other-suffix",
            Resemblance::Confusable => "confusable",
            Resemblance::Typo => "typo",
        }
    }

    /// How `host`'s site resembles a certified site `certified` whose key is equal to, or
    /// within the edit allowance of, the host's key.
    pub fn between(host: &Site, certified: &Site) -> Option<Resemblance> {
        if host.registrable == certified.registrable {
            None
        } else if host.label == certified.label {
            Some(Resemblance::OtherSuffix)
        } else if host.key == certified.key {
            Some(Resemblance::Confusable)
        } else {
            let allowed = edit_allowance(&host.label).min(edit_allowance(&certified.label));
            let distance = strsim::levenshtein(&host.key, &certified.key);
            (distance <= allowed as usize).then_some(Resemblance::Typo)
        }
    }
}

/// The registrable domains spelled inside a host other than its own site: runs of two or more
/// of its labels before the site's (`guozhen.com` in `guozhen.com.example.cn`), and runs of
/// two or more hyphen-separated parts of one label read as labels (`guozhen.com` in
/// `guozhen-com.shop`). Only runs that are a registrable domain under a known public suffix
/// count, each once.
pub fn embedded_sites(host: &str) -> Vec<Site> {
    let host = host.trim_end_matches('.');
    let Some(own) = Site::of(host) else {
        return Vec::new();
    };
    let labels: Vec<&str> = host.split('.').collect();
    let own_labels = own.registrable.split('.').count();
    let before_site = labels.len().saturating_sub(own_labels);
    let mut runs: Vec<String> = Vec::new();
    for start in 0..before_site {
        for end in start + 2..=before_site {
            runs.push(labels[start..end].join("."));
        }
    }
    for label in &labels {
        let parts: Vec<&str> = label.split('-').filter(|p| !p.is_empty()).collect();
        for start in 0..parts.len() {
            for end in start + 2..=parts.len() {
                runs.push(parts[start..end].join("."));
            }
        }
    }
    let mut out: Vec<Site> = Vec::new();
    for run in runs {
        let known = psl::suffix(run.as_bytes()).is_some_and(|s| s.is_known());
        let Some(site) = Site::of(&run).filter(|s| known && s.registrable == run) else {
            continue;
        };
        if site.registrable != own.registrable && !out.contains(&site) {
            out.push(site);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_under_the_public_suffix_list() {
        let s = Site::of("www.guozhen.com.cn").expect("site");
        assert_eq!(s.registrable, "guozhen.com.cn");
        assert_eq!(s.label, "guozhen");
        assert_eq!(
            Site::of("guozhen.co").expect("site").registrable,
            "guozhen.co"
        );
        assert_eq!(Site::of("禾云.中国").expect("site").label, "禾云");
        assert_eq!(Site::of("com.cn"), None);
        assert_eq!(Site::of("localhost"), None);
    }

    #[test]
    fn keys_fold_confusable_characters() {
        assert_eq!(site_key("guozhen"), site_key("gu0zhen"));
        assert_eq!(site_key("guozhen"), site_key("gu\u{043E}zhen")); // Cyrillic о
        assert_eq!(site_key("paypal"), site_key("paypa1"));
        assert_ne!(site_key("guozhen"), site_key("guozhem"));
    }

    #[test]
    fn resemblances() {
        let certified = Site::of("guozhen.com").expect("site");
        let kind = |h: &str| Resemblance::between(&Site::of(h).expect("site"), &certified);
        assert_eq!(kind("guozhen.com.cn"), Some(Resemblance::OtherSuffix));
        assert_eq!(kind("www.guozhen.co"), Some(Resemblance::OtherSuffix));
        assert_eq!(kind("gu0zhen.com"), Some(Resemblance::Confusable));
        assert_eq!(kind("guozhem.com"), Some(Resemblance::Typo));
        assert_eq!(kind("gouzhen.com"), Some(Resemblance::Typo)); // two edits
        assert_eq!(kind("gozen.com"), Some(Resemblance::Typo));
        assert_eq!(kind("guozhen.com"), None);
        assert_eq!(kind("guozhenxiaodian.com"), None);
        // Short names: one edit for 3 or 4 characters, none for 1 or 2.
        let jd = Site::of("jd.com").expect("site");
        let jdl = Site::of("jdl.com").expect("site");
        let vip = Site::of("vip.com").expect("site");
        assert_eq!(Resemblance::between(&jdl, &jd), None);
        assert_eq!(
            Resemblance::between(&Site::of("vlp.com").expect("site"), &vip),
            Some(Resemblance::Typo)
        );
        assert_eq!(
            Resemblance::between(&Site::of("vipp.com").expect("site"), &vip),
            Some(Resemblance::Typo)
        );
    }

    #[test]
    fn sites_spelled_inside_a_host() {
        let names = |h: &str| -> Vec<String> {
            embedded_sites(h)
                .into_iter()
                .map(|s| s.registrable)
                .collect()
        };
        assert_eq!(names("guozhen.com.example.cn"), ["guozhen.com"]);
        assert_eq!(names("guozhen-com.shop"), ["guozhen.com"]);
        assert_eq!(
            names("www-guozhen-com-cn.top"),
            ["guozhen.com", "guozhen.com.cn"]
        );
        assert_eq!(names("login.guozhen.com.evil.top"), ["guozhen.com"]);
        // Its own site and its parents are not "inside".
        assert!(names("www.guozhen.com").is_empty());
        assert!(
            names("guozhen-tea.com").is_empty(),
            "tea is no public suffix"
        );
        assert!(names("example.com").is_empty());
    }
}
