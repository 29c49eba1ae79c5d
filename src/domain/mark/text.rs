//! The words printed on badges, in both languages. The PNG font subset must hold every character
//! used here (`static/fonts/build-subset.sh`); a test checks it.

use crate::domain::status::CertificateStatus;

/// Language of a badge. Badges never follow cookies or `Accept-Language`: only the URL decides,
/// so one URL always gives the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkLang {
    Zh,
    En,
}

impl MarkLang {
    pub const ALL: [MarkLang; 2] = [MarkLang::Zh, MarkLang::En];

    /// The `lang` query value: "zh-CN" or "en".
    pub fn tag(self) -> &'static str {
        match self {
            MarkLang::Zh => "zh-CN",
            MarkLang::En => "en",
        }
    }

    /// Parses a `lang` value ("zh-CN", "zh", "en", any case).
    pub fn parse(s: &str) -> Option<MarkLang> {
        match s.to_ascii_lowercase().as_str() {
            "zh-cn" | "zh" | "zh-hans" => Some(MarkLang::Zh),
            "en" => Some(MarkLang::En),
            _ => None,
        }
    }

    /// The scheme's name, the badge's title.
    pub fn title(self) -> &'static str {
        match self {
            MarkLang::Zh => "服务质量评价",
            MarkLang::En => "Service Quality",
        }
    }

    /// The word in the pill of a valid badge.
    pub fn valid(self) -> &'static str {
        match self {
            MarkLang::Zh => "有效",
            MarkLang::En => "VALID",
        }
    }

    /// The status line of a badge that is not valid.
    pub fn not_valid(self, status: CertificateStatus) -> &'static str {
        use CertificateStatus::*;
        match (self, status) {
            (MarkLang::Zh, Valid) => "证书有效",
            (MarkLang::Zh, Suspended) => "证书已暂停",
            (MarkLang::Zh, Revoked) => "证书已撤销",
            (MarkLang::Zh, Cancelled) => "证书已注销",
            (MarkLang::Zh, Expired) => "证书已过期",
            (MarkLang::En, Valid) => "VALID",
            (MarkLang::En, Suspended) => "SUSPENDED",
            (MarkLang::En, Revoked) => "REVOKED",
            (MarkLang::En, Cancelled) => "CANCELLED",
            (MarkLang::En, Expired) => "EXPIRED",
        }
    }

    /// The status line for a number the registry does not hold.
    pub fn unknown(self) -> &'static str {
        match self {
            MarkLang::Zh => "查无此证书",
            MarkLang::En => "NOT IN REGISTRY",
        }
    }

    /// The last line of a badge that must not be trusted.
    pub fn do_not_trust(self) -> &'static str {
        match self {
            MarkLang::Zh => "此标识不可信",
            MarkLang::En => "Do not trust this mark",
        }
    }

    /// The status line when the registry cannot check the certificate now.
    pub fn unverifiable(self) -> &'static str {
        match self {
            MarkLang::Zh => "暂时无法核验",
            MarkLang::En => "CANNOT BE CHECKED NOW",
        }
    }

    /// The last line of a badge that cannot be checked now.
    pub fn try_later(self) -> &'static str {
        match self {
            MarkLang::Zh => "请稍后再试",
            MarkLang::En => "Please try again later",
        }
    }

    /// The last line of a valid badge whose number cannot be printed.
    pub fn verify_hint(self) -> &'static str {
        match self {
            MarkLang::Zh => "点击核验",
            MarkLang::En => "Click to verify",
        }
    }

    /// Every text a badge in this language can print (numbers aside).
    pub fn all_texts(self) -> Vec<&'static str> {
        let mut texts = vec![
            "SQE",
            self.title(),
            self.valid(),
            self.unknown(),
            self.do_not_trust(),
            self.verify_hint(),
            self.unverifiable(),
            self.try_later(),
        ];
        texts.extend(CertificateStatus::ALL.map(|s| self.not_valid(s)));
        texts
    }
}

/// Grade words for the accessible label.
pub(crate) fn stars_label(lang: MarkLang, stars: u8) -> String {
    match lang {
        MarkLang::Zh => {
            let n = ["零", "一", "二", "三", "四", "五"]
                .get(usize::from(stars))
                .copied()
                .unwrap_or("?");
            format!("{n}星级")
        }
        MarkLang::En => format!("{stars} stars"),
    }
}
