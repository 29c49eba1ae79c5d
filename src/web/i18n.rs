//! Languages: zh-CN (the default) and English. Strings live in Fluent files under `locales/`,
//! compiled into the binary by fluent-templates (Mozilla's Fluent: plurals and arguments handled
//! by a maintained standard rather than ad-hoc string tables).

use std::borrow::Cow;
use std::collections::HashMap;

use actix_web::dev::Payload;
use actix_web::http::header::{self, AcceptLanguage, Header};
use actix_web::{web, FromRequest, HttpRequest};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, Loader};
use std::future::{ready, Ready};
use unic_langid::{langid, LanguageIdentifier};

use super::AppState;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // Bidi isolation marks are noise in CJK and Latin text.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ZH_CN: LanguageIdentifier = langid!("zh-CN");
static EN: LanguageIdentifier = langid!("en");

/// The cookie that remembers an explicit language choice.
pub const LANG_COOKIE: &str = "lang";

pub use crate::domain::language::Lang;

/// Each language's messages, as Fluent finds them.
impl Lang {
    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::ZhCn => &ZH_CN,
            Lang::En => &EN,
        }
    }

    /// The message `key` in this language.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// The message `prefix` + `name` (for keys named after a stored value: a role, an action).
    pub fn tp(&self, prefix: &str, name: &str) -> String {
        self.t(&format!("{prefix}{name}"))
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_string()));
        LOCALES.lookup_complete(self.id(), key, Some(&args))
    }

    /// The message `key` with several arguments.
    pub fn tv(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
            .collect();
        LOCALES.lookup_complete(self.id(), key, Some(&args))
    }

    /// The message `key` with a number argument (for plural rules).
    pub fn tn<N: Into<i64> + Copy>(&self, key: &str, name: &'static str, n: &N) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from((*n).into()));
        LOCALES.lookup_complete(self.id(), key, Some(&args))
    }

    /// Whether a message exists (tests use this to find keys missing in one language).
    /// Arguments are filled with placeholders: a message whose variables are missing does not
    /// resolve at all.
    pub fn has(&self, key: &str) -> bool {
        let args: HashMap<&str, FluentValue<'_>> = [
            "n", "value", "date", "grade", "host", "size", "number", "status", "variant", "line",
            "code", "sum", "max", "time", "site", "case", "days",
        ]
        .into_iter()
        .map(|name| (name, FluentValue::from(1)))
        .collect();
        LOCALES
            .lookup_no_default_fallback(self.id(), key, Some(&args))
            .is_some()
    }
}

/// The language requested explicitly by `?lang=`, if valid.
pub fn query_lang(req: &HttpRequest) -> Option<Lang> {
    crate::web::query::Query::of(req).lang()
}

/// Chooses the language: `?lang=`, then the cookie, then `Accept-Language`, then the default.
pub fn negotiate(req: &HttpRequest) -> Lang {
    if let Some(lang) = query_lang(req) {
        return lang;
    }
    if let Some(lang) = req
        .cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_tag(c.value()))
    {
        return lang;
    }
    if let Ok(accept) = AcceptLanguage::parse(req) {
        for tag in accept.ranked() {
            if let Some(lang) = Lang::from_tag(&tag.to_string()) {
                return lang;
            }
        }
    }
    req.app_data::<web::Data<AppState>>()
        .map(|s| s.config.default_lang)
        .unwrap_or(Lang::ZhCn)
}

impl FromRequest for Lang {
    type Error = actix_web::Error;
    type Future = Ready<Result<Lang, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(negotiate(req)))
    }
}

/// Whether the response must vary on `Accept-Language` and the cookie (all localised pages).
pub const VARY: (header::HeaderName, &str) = (header::VARY, "Accept-Language, Cookie");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_understood() {
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("zh"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("ZH-hans-cn"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn messages_resolve_in_both_languages() {
        assert_eq!(Lang::ZhCn.t("site-name"), "SQE 服务质量评价证书查询");
        assert_eq!(Lang::En.t("site-name"), "SQE Certificate Registry");
    }
}
