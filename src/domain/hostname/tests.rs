//! Tests of host name parsing, display and matching.

use super::*;
use proptest::prelude::*;

fn h(s: &str) -> Hostname {
    Hostname::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
}

fn ok(s: &str) -> Result<String, HostnameError> {
    Hostname::parse(s).map(|h| h.as_str().to_string())
}

#[test]
fn accepts_bare_and_url_forms() {
    for input in [
        "jd.com",
        "JD.COM",
        "jd.com.",
        "www.jd.com",
        "WWW.JD.com.",
        "  jd.com  ",
        "jd.com:8080",
        "jd.com/item/1?x=y#z",
        "jd.com?x=y",
        "jd.com#frag",
        "http://jd.com",
        "https://www.jd.com/",
        "HTTPS://WWW.JD.COM:443/path?q=1#top",
        "ftp://user:pass@jd.com:21/file",
        "//jd.com/x",
        "user@jd.com",
        "jd。com",
        "jd．com",
        "jd｡com",
        "ｊｄ．ｃｏｍ",
        "https://jd.com\\path",
    ] {
        assert_eq!(ok(input), Ok("jd.com".to_string()), "input {input:?}");
    }
    assert_eq!(ok("Shop.JD.com"), Ok("shop.jd.com".into()));
    assert_eq!(ok("a-b.c-d.com.cn"), Ok("a-b.c-d.com.cn".into()));
    assert_eq!(ok("jd.com/redirect?u=http://evil.cn"), Ok("jd.com".into()));
    // As in a browser, what follows the last '@' of the authority is the host.
    assert_eq!(ok("http://jd.com@evil.cn/"), Ok("evil.cn".into()));
    assert_eq!(ok("https://evil.cn\\@jd.com"), Ok("evil.cn".into()));
    assert_eq!(ok("jd.com:"), Ok("jd.com".into()));
}

#[test]
fn www_is_dropped_only_when_a_domain_remains() {
    assert_eq!(ok("www.www.jd.com"), Ok("jd.com".into()));
    assert_eq!(ok("www.com"), Ok("www.com".into()));
    assert_eq!(ok("www.jd"), Ok("www.jd".into()));
    assert_eq!(ok("www1.jd.com"), Ok("www1.jd.com".into()));
    assert_eq!(ok("shop.www.jd.com"), Ok("shop.www.jd.com".into()));
}

#[test]
fn internationalised_names() {
    let uni = h("例子.中国");
    assert_eq!(uni.as_str(), "xn--fsqu00a.xn--fiqs8s");
    assert_eq!(uni.to_unicode(), "例子.中国");
    assert_eq!(h("xn--fsqu00a.xn--fiqs8s"), uni);
    assert_eq!(h("XN--FSQU00A.XN--FIQS8S"), uni);
    assert_eq!(h("http://www.例子。中国/路径"), uni);
    assert_eq!(h("例子．中国."), uni);
    assert_eq!(h("京东.com").to_unicode(), "京东.com");
    assert_eq!(h("jd.com").to_unicode(), "jd.com");
}

#[test]
fn look_alike_scripts_are_shown_in_punycode() {
    // Cyrillic "а" in place of Latin "a".
    let spoof = h("\u{430}pple.com");
    assert!(spoof.as_str().starts_with("xn--"));
    assert_eq!(spoof.to_unicode(), spoof.as_str());
    assert_ne!(spoof, h("apple.com"));
}

#[test]
fn rejects_bad_input() {
    use HostnameError::*;
    let cases: &[(&str, HostnameError)] = &[
        ("", Empty),
        ("   ", Empty),
        ("https://", Empty),
        ("https:///path", Empty),
        ("localhost", NotQualified),
        ("http://localhost:8080/", NotQualified),
        ("127.0.0.1", IpAddress),
        ("http://192.168.1.1/admin", IpAddress),
        ("0x7f.1", IpAddress),
        ("[::1]", IpAddress),
        ("http://[2001:db8::1]:80/", IpAddress),
        ("::1", IpAddress),
        ("jd.123", IpAddress),
        ("jd..com", EmptyLabel),
        (".jd.com", EmptyLabel),
        ("jd.com..", EmptyLabel),
        ("jd_shop.com", InvalidCharacter('_')),
        ("jd shop.com", InvalidCharacter(' ')),
        ("jd.com:80a", InvalidPort),
        ("-jd.com", BadHyphen),
        ("jd-.com", BadHyphen),
        ("xn--zz.com", InvalidIdn),
        ("jd\u{FF0F}x.com", InvalidIdn),
    ];
    for (input, err) in cases {
        assert_eq!(Hostname::parse(input).as_ref(), Err(err), "input {input:?}");
    }
}

#[test]
fn length_limits() {
    let label63 = "a".repeat(63);
    assert!(Hostname::parse(&format!("{label63}.com")).is_ok());
    assert_eq!(
        Hostname::parse(&format!("{}.com", "a".repeat(64))),
        Err(HostnameError::LabelTooLong)
    );
    // 4 × 63 + 3 dots = 255 > 253.
    let long = [label63.as_str(); 4].join(".");
    assert_eq!(Hostname::parse(&long), Err(HostnameError::NameTooLong));
    // 3 × 63 + 61 + 3 dots = 253: the longest name accepted.
    let max = format!("{0}.{0}.{0}.{1}", label63, "b".repeat(61));
    assert_eq!(max.len(), 253);
    assert!(Hostname::parse(&max).is_ok());
    let huge = format!("https://jd.com/{}", "x".repeat(2000));
    assert_eq!(Hostname::parse(&huge), Err(HostnameError::InputTooLong));
    let just_fits = format!("https://jd.com/{}", "x".repeat(2000 - 15));
    assert_eq!(just_fits.len(), 2000);
    assert!(Hostname::parse(&just_fits).is_ok());
}

#[test]
fn lookup_candidates_walk_up_to_two_labels() {
    assert_eq!(
        h("a.b.jd.com").lookup_candidates(),
        vec!["a.b.jd.com", "b.jd.com", "jd.com"]
    );
    assert_eq!(h("jd.com").lookup_candidates(), vec!["jd.com"]);
    assert_eq!(h("www.jd.com").lookup_candidates(), vec!["jd.com"]);
}

#[test]
fn subdomain_matching() {
    let jd = h("jd.com");
    assert!(h("jd.com").is_same_or_subdomain_of(&jd));
    assert!(h("shop.jd.com").is_same_or_subdomain_of(&jd));
    assert!(h("a.b.jd.com").is_same_or_subdomain_of(&jd));
    assert!(!h("notjd.com").is_same_or_subdomain_of(&jd));
    assert!(!h("jd.com.evil.cn").is_same_or_subdomain_of(&jd));
    assert!(!jd.is_same_or_subdomain_of(&h("shop.jd.com")));
    assert!(!h("jd.cn").is_same_or_subdomain_of(&jd));
}

#[test]
fn display_is_ascii() {
    assert_eq!(h("例子.中国").to_string(), "xn--fsqu00a.xn--fiqs8s");
    assert_eq!(format!("{}", h("WWW.JD.COM")), "jd.com");
}

#[test]
fn looks_like_host_heuristic() {
    for yes in [
        "jd.com",
        " JD.com ",
        "https://jd.com",
        "例子。中国",
        "shop.jd.com/x?q=a",
        "http://例子.中国/a b",
    ] {
        assert!(looks_like_host(yes), "{yes:?}");
    }
    for no in [
        "京东",
        "JD Mall",
        "jd",
        ".com",
        "jd.",
        "localhost",
        "北京京东世纪贸易有限公司",
        "Amazon.com, Inc.",
        "shop.jd.com/x y",
        "127.0.0.1",
        "https://localhost",
        "",
    ] {
        assert!(!looks_like_host(no), "{no:?}");
    }
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?",
        "[京东例子中国商城]{1,4}",
        Just("www".to_string()),
        Just("WWW".to_string()),
        Just("xn--fiqs8s".to_string()),
    ]
}

proptest! {
    #[test]
    fn parse_is_idempotent(
        labels in proptest::collection::vec(label(), 1..5),
        dot in prop_oneof![Just("."), Just("。"), Just("．")],
        decoration in prop_oneof![Just(("", "")), Just(("https://", "/p?q#f")), Just(("", ".")), Just(("HTTP://u@", ":81"))],
    ) {
        let input = format!("{}{}{}", decoration.0, labels.join(dot), decoration.1);
        if let Ok(host) = Hostname::parse(&input) {
            prop_assert_eq!(Hostname::parse(host.as_str()), Ok(host.clone()));
            prop_assert_eq!(Hostname::parse(&host.to_unicode()), Ok(host.clone()));
            prop_assert!(host.as_str().is_ascii());
            prop_assert!(host.as_str().contains('.'));
            prop_assert!(!host.as_str().ends_with('.'));
            let cands = host.lookup_candidates();
            prop_assert_eq!(cands.first().map(String::as_str), Some(host.as_str()));
            for c in cands {
                prop_assert!(host.is_same_or_subdomain_of(&h(&c)));
            }
        }
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,60}") {
        let _ = Hostname::parse(&s);
        let _ = looks_like_host(&s);
    }
}
