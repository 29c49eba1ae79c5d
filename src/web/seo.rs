//! What a page's `<head>` tells search engines, feed readers and link previews: the canonical
//! URL and its language alternates, the Atom feed, Open Graph tags and schema.org JSON-LD.
//!
//! Canonical URLs: the default language's version of a page is its plain URL; the other
//! language's is the plain URL with `?lang=`. Query parameters that do not change the page
//! (tracking tags, `lang` itself) never appear in it. Each version lists both, and the plain
//! URL as `x-default` (it follows the reader's cookie or `Accept-Language`).

use serde_json::Value;

use crate::config::Config;
use crate::web::i18n::Lang;

/// `<link rel="alternate" hreflang=…>`.
#[derive(Debug, Clone)]
pub struct Alternate {
    pub hreflang: &'static str,
    pub href: String,
}

/// `<link rel="alternate" type="application/atom+xml">` and the visible subscribe link.
#[derive(Debug, Clone)]
pub struct FeedLink {
    pub href: String,
    pub title: String,
}

/// Open Graph tags of a link preview.
#[derive(Debug, Clone)]
pub struct OpenGraph {
    pub site_name: String,
    pub title: String,
    pub description: String,
    pub url: String,
    pub image: String,
    pub image_alt: String,
    /// `zh_CN` or `en_US`.
    pub locale: &'static str,
}

/// `path_and_query` (a local URL without `lang`) in `lang`: with `lang=` unless it is the
/// default language.
pub fn with_lang(path_and_query: &str, lang: Lang, default: Lang) -> String {
    if lang == default {
        return path_and_query.to_owned();
    }
    let sep = if path_and_query.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{path_and_query}{sep}lang={}", lang.tag())
}

/// The absolute URL of a local one.
pub fn absolute(config: &Config, local: &str) -> String {
    format!("{}{local}", config.public_url)
}

/// The canonical URL of `path_and_query` in `lang`.
pub fn canonical(config: &Config, path_and_query: &str, lang: Lang) -> String {
    absolute(
        config,
        &with_lang(path_and_query, lang, config.default_lang),
    )
}

/// Both languages' versions of a page, and `x-default`.
pub fn alternates(config: &Config, path_and_query: &str) -> Vec<Alternate> {
    let mut all: Vec<Alternate> = Lang::ALL
        .iter()
        .map(|&lang| Alternate {
            hreflang: lang.tag(),
            href: canonical(config, path_and_query, lang),
        })
        .collect();
    all.push(Alternate {
        hreflang: "x-default",
        href: absolute(config, path_and_query),
    });
    all
}

/// The Open Graph locale of a language.
pub fn og_locale(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "zh_CN",
        Lang::En => "en_US",
    }
}

/// JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&` are written as
/// JSON escapes, so no text in it (a name containing `</script>`, say) can end the element or
/// open a comment; JSON parsers read the same value.
pub fn json_ld(value: &Value) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_end_its_script_element() {
        let value = serde_json::json!({"name": "A</script><script>alert(1)</script> & <!--"});
        let text = json_ld(&value);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn the_default_language_has_the_plain_url() {
        assert_eq!(with_lang("/a", Lang::ZhCn, Lang::ZhCn), "/a");
        assert_eq!(with_lang("/a", Lang::En, Lang::ZhCn), "/a?lang=en");
        assert_eq!(
            with_lang("/search?q=x", Lang::ZhCn, Lang::En),
            "/search?q=x&lang=zh-CN"
        );
    }
}
