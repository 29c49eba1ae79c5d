//! A request's query string, parsed once: the language middleware, the `Lang` extractor, the
//! layout and the page's own parameters all read the same pairs, kept in the request's
//! extensions.

use std::rc::Rc;

use actix_web::{HttpMessage, HttpRequest};

use crate::error::AppError;
use crate::web::i18n::Lang;

/// The decoded `name=value` pairs of a query string, in order.
#[derive(Debug, Default)]
pub struct Query {
    /// `None` when the query string could not be decoded.
    pairs: Option<Vec<(String, String)>>,
}

impl Query {
    /// The request's query, parsed on first use.
    pub fn of(req: &HttpRequest) -> Rc<Query> {
        if let Some(query) = req.extensions().get::<Rc<Query>>() {
            return query.clone();
        }
        let query = Rc::new(Query::parse(req.query_string()));
        req.extensions_mut().insert(query.clone());
        query
    }

    /// Parses a query string (`a=1&b=2`, form-encoded).
    pub fn parse(query: &str) -> Query {
        Query {
            pairs: serde_urlencoded::from_str(query).ok(),
        }
    }

    /// The pairs; a query that could not be decoded is a 400.
    pub fn pairs(&self) -> Result<&[(String, String)], AppError> {
        self.pairs
            .as_deref()
            .ok_or_else(|| AppError::bad_request("error-bad-query"))
    }

    /// The pairs, none if the query could not be decoded.
    pub fn pairs_or_none(&self) -> &[(String, String)] {
        self.pairs.as_deref().unwrap_or_default()
    }

    /// The language named by the last valid `lang=`.
    pub fn lang(&self) -> Option<Lang> {
        self.pairs_or_none()
            .iter()
            .rev()
            .filter(|(k, _)| k == "lang")
            .find_map(|(_, v)| Lang::from_tag(v))
    }

    /// Whether the query holds nothing but `lang` (a page's plain URL, which may be cached).
    pub fn only_lang(&self) -> bool {
        self.pairs
            .as_ref()
            .is_some_and(|pairs| pairs.iter().all(|(k, _)| k == "lang"))
    }

    /// Whether the query, `lang` aside, is exactly `pairs` in that order: a URL spelled as the
    /// site's own links spell it, which may be cached (made-up tags and other orders are not).
    pub fn spelled_as(&self, pairs: &[(&str, String)]) -> bool {
        self.pairs.as_ref().is_some_and(|given| {
            given
                .iter()
                .filter(|(k, _)| k != "lang")
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .eq(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        })
    }

    /// The pairs other than `lang`.
    pub fn without_lang(&self) -> Vec<(String, String)> {
        self.pairs_or_none()
            .iter()
            .filter(|(k, _)| k != "lang")
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn pairs_are_decoded_in_order() {
        let q = Query::parse("q=%E4%BA%AC%E4%B8%9C&lang=en&page=2&lang=zh-CN");
        assert_eq!(
            q.pairs().expect("pairs"),
            [
                ("q".to_owned(), "京东".to_owned()),
                ("lang".to_owned(), "en".to_owned()),
                ("page".to_owned(), "2".to_owned()),
                ("lang".to_owned(), "zh-CN".to_owned()),
            ]
        );
        assert_eq!(q.lang(), Some(Lang::ZhCn), "the last lang wins");
        assert_eq!(Query::parse("lang=en&lang=xx").lang(), Some(Lang::En));
        assert_eq!(q.without_lang().len(), 2);
    }

    #[test]
    fn only_a_plain_url_counts_as_plain() {
        assert!(Query::parse("").only_lang());
        assert!(Query::parse("lang=en").only_lang());
        assert!(!Query::parse("lang=en&utm_source=x").only_lang());
        assert!(!Query::parse("x").only_lang());
    }

    #[test]
    fn the_own_spelling_is_the_same_pairs_in_the_same_order() {
        let own = [("q", "京东".to_owned()), ("page", "2".to_owned())];
        assert!(Query::parse("q=%E4%BA%AC%E4%B8%9C&page=2").spelled_as(&own));
        assert!(Query::parse("q=%E4%BA%AC%E4%B8%9C&lang=en&page=2").spelled_as(&own));
        assert!(!Query::parse("page=2&q=%E4%BA%AC%E4%B8%9C").spelled_as(&own));
        assert!(!Query::parse("q=%E4%BA%AC%E4%B8%9C&page=2&utm_source=x").spelled_as(&own));
        assert!(!Query::parse("q=%E4%BA%AC%E4%B8%9C").spelled_as(&own));
        assert!(Query::parse("lang=en").spelled_as(&[]));
    }

    #[test]
    fn a_request_is_parsed_once() {
        let req = TestRequest::with_uri("/search?q=a&lang=en").to_http_request();
        let first = Query::of(&req);
        let second = Query::of(&req);
        assert!(Rc::ptr_eq(&first, &second));
        assert_eq!(second.lang(), Some(Lang::En));
    }
}
