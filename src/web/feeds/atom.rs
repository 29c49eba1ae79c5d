//! One feed as an Atom document, built and written by atom_syndication.

use atom_syndication::{Category, Content, Entry, FixedDateTime, Link, Person, Text};
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};

use super::{FeedKey, FeedTarget};
use crate::config::Config;
use crate::db::feeds::{FeedCompany, FeedEvent};
use crate::domain::dates::{beijing_offset, BEIJING_OFFSET_SECS};
use crate::error::AppError;
use crate::web::paths;
use crate::web::seo;
use crate::web::view::grade_change;
use crate::web::view::localized;

/// The date in entry ids: the `tag:` URI scheme (RFC 4151) names an authority (the public host)
/// at a date it held the name.
const TAG_DATE: &str = "2026";

/// What a feed is made of.
pub struct Feed<'a> {
    pub key: &'a FeedKey,
    pub config: &'a Config,
    /// The company or the certificate's holder the feed is about.
    pub about: Option<&'a FeedCompany>,
    pub events: &'a [FeedEvent],
    /// Local URL of the feed itself (kinds and language included).
    pub self_url: String,
    /// Local URL of the page the feed follows, in the feed's language.
    pub page_url: String,
}

/// Midnight in Beijing of a date: certificates are dated in China Standard Time.
fn beijing_midnight(date: NaiveDate) -> FixedDateTime {
    let midnight = date.and_time(NaiveTime::MIN);
    beijing_offset()
        .from_utc_datetime(&(midnight - Duration::seconds(i64::from(BEIJING_OFFSET_SECS))))
}

/// The Unix epoch: the `updated` of a feed with no entries.
fn epoch() -> FixedDateTime {
    chrono::DateTime::UNIX_EPOCH.fixed_offset()
}

impl Feed<'_> {
    fn lang(&self) -> crate::web::i18n::Lang {
        self.key.lang
    }

    /// `tag:host,2026:path`: stable while the public host keeps its name.
    fn tag(&self, specific: &str) -> String {
        let host = url::Url::parse(&self.config.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        format!("tag:{host},{TAG_DATE}:{specific}")
    }

    fn title(&self) -> String {
        let lang = self.lang();
        let name = self
            .about
            .map(|c| localized(&c.name_zh, c.name_en.as_deref(), lang).to_owned())
            .unwrap_or_default();
        let title = match &self.key.target {
            FeedTarget::Registry => lang.t("feed-title-registry"),
            FeedTarget::Company(_) => lang.t1("feed-title-company", "value", name),
            FeedTarget::Certificate(n) => lang.t1("feed-title-certificate", "number", n),
        };
        if self.key.kinds.is_empty() {
            return title;
        }
        let kinds: Vec<String> = self
            .key
            .kinds
            .iter()
            .map(|k| lang.t(&format!("event-{}", k.as_str())))
            .collect();
        let sep = if lang.is_zh() { "、" } else { ", " };
        format!("{title} ({})", kinds.join(sep))
    }

    fn entry(&self, e: &FeedEvent) -> Entry {
        let lang = self.lang();
        let kind = lang.t(&format!("event-{}", e.kind));
        let company = localized(&e.company_name_zh, e.company_name_en.as_deref(), lang);
        let mut lines = vec![format!("{} {} · {}", e.occurred_on, kind, e.platform_name)];
        let colon = if lang.is_zh() { "：" } else { ": " };
        let grades = grade_change(e.grade_before, e.grade_after);
        if !grades.is_empty() {
            lines.push(format!("{}{}{grades}", lang.t("grade"), colon));
        }
        let reason = if lang.is_zh() {
            e.reason_zh.as_ref()
        } else {
            e.reason_en.as_ref().or(e.reason_zh.as_ref())
        };
        if let Some(reason) = reason.filter(|r| !r.trim().is_empty()) {
            lines.push(format!("{}{}{reason}", lang.t("feed-reason"), colon));
        }
        let when = beijing_midnight(e.occurred_on);
        let page = seo::with_lang(
            &paths::certificate(&e.number),
            lang,
            self.config.default_lang,
        );
        Entry {
            id: self.tag(&format!("event/{}", e.id)),
            title: Text::plain(format!("{} {kind} · {company}", e.number)),
            updated: when,
            published: Some(when),
            links: vec![Link {
                href: seo::absolute(self.config, &page),
                rel: "alternate".to_owned(),
                mime_type: Some("text/html".to_owned()),
                ..Link::default()
            }],
            categories: vec![Category {
                term: e.kind.as_str().to_owned(),
                label: Some(kind.clone()),
                ..Category::default()
            }],
            content: Some(Content {
                value: Some(lines.join("\n")),
                content_type: Some("text".to_owned()),
                ..Content::default()
            }),
            ..Entry::default()
        }
    }

    /// The feed as XML.
    pub fn render(&self) -> Result<String, AppError> {
        let lang = self.lang();
        let entries: Vec<Entry> = self.events.iter().map(|e| self.entry(e)).collect();
        let updated = entries.first().map_or_else(epoch, |e| e.updated);
        let feed = atom_syndication::Feed {
            title: Text::plain(self.title()),
            id: self.tag(&self.self_url),
            updated,
            authors: vec![Person {
                name: lang.t("site-name"),
                uri: Some(format!("{}/", self.config.public_url)),
                ..Person::default()
            }],
            links: vec![
                Link {
                    href: seo::absolute(self.config, &self.self_url),
                    rel: "self".to_owned(),
                    mime_type: Some("application/atom+xml".to_owned()),
                    ..Link::default()
                },
                Link {
                    href: seo::absolute(self.config, &self.page_url),
                    rel: "alternate".to_owned(),
                    mime_type: Some("text/html".to_owned()),
                    ..Link::default()
                },
            ],
            subtitle: Some(Text::plain(lang.t("feed-subtitle"))),
            lang: Some(lang.tag().to_owned()),
            entries,
            ..atom_syndication::Feed::default()
        };
        let bytes = feed
            .write_to(Vec::new())
            .map_err(|e| AppError::Internal(format!("atom: {e}")))?;
        String::from_utf8(bytes).map_err(|e| AppError::Internal(format!("atom: {e}")))
    }
}
