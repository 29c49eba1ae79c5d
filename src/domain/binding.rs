//! Domain binding: an SQE mark is valid only on its certificate's bound domains and their
//! subdomains. Requests for a badge or a verification page tell, through `Referer` (or `Origin`),
//! which site showed the mark; this decides whether that site may.

use super::hostname::Hostname;

/// Sites whose links to us are not a display of the mark: search engines. A visitor who found a
/// verification page through one is not warned, and no sighting is recorded.
const NEUTRAL: &[&str] = &[
    "baidu.com",
    "so.com",
    "sogou.com",
    "sm.cn",
    "bing.com",
    "google.com",
    "google.com.hk",
    "google.cn",
    "duckduckgo.com",
    "yandex.com",
    "yandex.ru",
    "search.yahoo.com",
];

/// Where a request for a mark came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// No usable referrer: typed, scanned, bookmarked, a privacy setting, an IP address.
    Unknown,
    /// This registry itself, or a search engine.
    Neutral,
    /// One of the certificate's bound domains or their subdomains.
    Bound,
    /// Any other site: the mark is not valid there.
    Foreign(Hostname),
}

/// The host (and port) that showed the mark: the authority of the http(s) URL in the
/// `Referer` header, or else in the `Origin` header. Cut out without parsing, so callers can
/// remember what they made of it; [`Hostname::parse`] normalises it.
pub fn referring_authority<'a>(
    referer: Option<&'a str>,
    origin: Option<&'a str>,
) -> Option<&'a str> {
    fn authority(value: Option<&str>) -> Option<&str> {
        let v = value?.trim();
        let rest = v
            .strip_prefix("https://")
            .or_else(|| v.strip_prefix("http://"))?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        Some(&rest[..end]).filter(|a| !a.is_empty())
    }
    authority(referer).or_else(|| authority(origin))
}

/// Classifies a referring host against the certificate's bound domains and our own hosts.
pub fn classify(host: Option<Hostname>, bound: &[Hostname], own: &[Hostname]) -> Origin {
    let Some(host) = host else {
        return Origin::Unknown;
    };
    if bound.iter().any(|b| host.is_same_or_subdomain_of(b)) {
        return Origin::Bound;
    }
    let neutral = own.iter().any(|o| host.is_same_or_subdomain_of(o))
        || NEUTRAL
            .iter()
            .any(|n| Hostname::parse(n).is_ok_and(|n| host.is_same_or_subdomain_of(&n)));
    if neutral {
        Origin::Neutral
    } else {
        Origin::Foreign(host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn referring_host(referer: Option<&str>, origin: Option<&str>) -> Option<Hostname> {
        referring_authority(referer, origin).and_then(|a| Hostname::parse(a).ok())
    }

    fn h(s: &str) -> Hostname {
        Hostname::parse(s).expect("host")
    }

    fn check(referer: &str) -> Origin {
        let bound = [h("jd.com"), h("jd.hk")];
        let own = [h("sqe-registry.cn")];
        classify(referring_host(Some(referer), None), &bound, &own)
    }

    #[test]
    fn bound_domains_subdomains_www_and_ports_are_bound() {
        for r in [
            "https://jd.com/",
            "https://www.jd.com/item/1",
            "http://item.m.jd.com:8443/x?y=1",
            "https://JD.HK./",
        ] {
            assert_eq!(check(r), Origin::Bound, "{r}");
        }
    }

    #[test]
    fn other_hosts_are_foreign_even_when_they_look_alike() {
        for (r, host) in [
            ("https://fake-shop.com/", "fake-shop.com"),
            ("https://notjd.com/", "notjd.com"),
            ("https://jd.com.evil.cn/page", "jd.com.evil.cn"),
            ("https://www.shop.example:8080/", "shop.example"),
        ] {
            assert_eq!(check(r), Origin::Foreign(h(host)), "{r}");
        }
    }

    #[test]
    fn our_own_pages_and_search_engines_are_neutral() {
        for r in [
            "https://sqe-registry.cn/search?q=jd",
            "https://www.baidu.com/s?wd=x",
            "https://cn.bing.com/",
        ] {
            assert_eq!(check(r), Origin::Neutral, "{r}");
        }
    }

    #[test]
    fn the_authority_is_cut_from_a_url() {
        fn a(r: &str) -> Option<&str> {
            referring_authority(Some(r), None)
        }
        assert_eq!(
            a("https://a.example.com:8443/p?q#f"),
            Some("a.example.com:8443")
        );
        assert_eq!(a("http://b.cn"), Some("b.cn"));
        assert_eq!(a("http://c.cn?x"), Some("c.cn"));
        assert_eq!(a("android-app://com.x/"), None);
        assert_eq!(a("https:///x"), None);
        assert_eq!(
            referring_authority(Some("null"), Some("https://d.cn")),
            Some("d.cn")
        );
    }

    #[test]
    fn missing_or_unusable_referrers_are_unknown() {
        let bound = [h("jd.com")];
        for (referer, origin) in [
            (None, None),
            (Some(""), None),
            (Some("null"), Some("null")),
            (Some("http://127.0.0.1:8080/"), None),
            (Some("http://localhost/"), None),
            (Some("android-app://com.tencent.mm/"), None),
        ] {
            assert_eq!(
                classify(referring_host(referer, origin), &bound, &[]),
                Origin::Unknown,
                "{referer:?}"
            );
        }
        assert_eq!(
            classify(referring_host(None, Some("https://evil.cn")), &bound, &[]),
            Origin::Foreign(h("evil.cn")),
            "Origin stands in for a missing Referer"
        );
    }
}
