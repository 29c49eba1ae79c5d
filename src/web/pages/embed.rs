//! `/certificates/{number}/embed`: the embed kit for a platform's web team — every badge
//! variant, copy-ready snippets, print-ready downloads and the rules of use.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::keyed::{self, DocumentKind};
use crate::db::certificates::CertificateDetail;
use crate::domain::mark::qr::QrSize;
use crate::domain::mark::{Badge, BadgeSize, BadgeState, MarkLang, Theme};
use crate::domain::status::effective_status;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::view::{display_domains, StatusView};
use crate::web::AppState;

/// One badge variant, previewed.
pub struct Preview {
    pub caption: String,
    pub src: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub dark: bool,
}

/// Copy-ready code in one language.
pub struct Snippets {
    pub lang_name: String,
    pub html: String,
    pub picture: String,
    pub markdown: String,
}

/// A file to download.
pub struct Download {
    pub label: String,
    pub href: String,
    pub filename: String,
}

#[derive(Template)]
#[template(path = "embed.html")]
pub struct EmbedPage {
    pub layout: Layout,
    pub number: String,
    pub verify_href: String,
    /// The QR code shown next to the downloads.
    pub qr_src: String,
    pub verdict: StatusView,
    pub company: String,
    pub domains: Vec<String>,
    pub previews: Vec<Preview>,
    pub snippets: Vec<Snippets>,
    pub downloads: Vec<Download>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    keyed::certificate_page(
        &req,
        &state,
        lang,
        DocumentKind::Embed,
        path.into_inner(),
        |d, layout| page(d, layout, &state, lang),
    )
    .await
}

/// The embed kit of certificate `d`.
fn page(d: &CertificateDetail, layout: Layout, state: &AppState, lang: Lang) -> EmbedPage {
    let c = &d.certificate;
    let status = effective_status(c.status, c.expires_on, state.today());
    let badge_state = if status.allows_mark_use() {
        BadgeState::Valid {
            stars: u8::try_from(c.grade).unwrap_or(0),
        }
    } else {
        BadgeState::NotValid(status)
    };
    let base = &state.config.public_url;
    let seg = paths::encode_segment(&c.number);
    let verify = format!("{base}/certificates/{seg}");
    let badge = |size: BadgeSize, lang: MarkLang, theme: Theme| Badge {
        state: badge_state,
        number: &c.number,
        size,
        lang,
        theme,
    };
    let query = |size: BadgeSize, lang: MarkLang, theme: Theme| {
        let mut q = Vec::new();
        if size != BadgeSize::Medium {
            q.push(format!("size={}", size.tag()));
        }
        if lang != MarkLang::Zh {
            q.push(format!("lang={}", lang.tag()));
        }
        if theme != Theme::Light {
            q.push(format!("theme={}", theme.tag()));
        }
        if q.is_empty() {
            String::new()
        } else {
            format!("?{}", q.join("&"))
        }
    };
    let mut previews = Vec::new();
    for mark_lang in MarkLang::ALL {
        for theme in Theme::ALL {
            for size in BadgeSize::ALL {
                let (width, height) = size.dimensions();
                let q = query(size, mark_lang, theme);
                previews.push(Preview {
                    caption: format!(
                        "size={} lang={} theme={}",
                        size.tag(),
                        mark_lang.tag(),
                        theme.tag()
                    ),
                    src: paths::badge(&c.number, "svg", &q),
                    width,
                    height,
                    alt: badge(size, mark_lang, theme).label(),
                    dark: theme == Theme::Dark,
                });
            }
        }
    }
    let snippets = MarkLang::ALL
        .into_iter()
        .map(|mark_lang| {
            let (w, h) = BadgeSize::Medium.dimensions();
            let alt = html_attr(&badge(BadgeSize::Medium, mark_lang, Theme::Light).label());
            let light = format!("{base}/badge/{seg}.svg{}", query(BadgeSize::Medium, mark_lang, Theme::Light));
            let dark = format!("{base}/badge/{seg}.svg{}", query(BadgeSize::Medium, mark_lang, Theme::Dark));
            let img = format!(r#"<img src="{}" width="{w}" height="{h}" alt="{alt}">"#, html_attr(&light));
            Snippets {
                lang_name: lang.t(&format!("mark-lang-{}", mark_lang.tag())),
                html: format!(r#"<a href="{verify}" target="_blank">{img}</a>"#),
                picture: format!(
                    "<a href=\"{verify}\" target=\"_blank\"><picture>\n  <source srcset=\"{}\" media=\"(prefers-color-scheme: dark)\">\n  {img}\n</picture></a>",
                    html_attr(&dark)
                ),
                markdown: format!("[![{}]({light})]({verify})", alt.replace(['[', ']'], "")),
            }
        })
        .collect();
    let mut downloads = Vec::new();
    for mark_lang in MarkLang::ALL {
        for theme in Theme::ALL {
            let (w, h) = BadgeSize::Large.dimensions();
            // The large badge at 2×, with the certificate's signed credential baked in.
            let q = query(BadgeSize::Medium, mark_lang, theme);
            downloads.push(Download {
                label: lang.t1(
                    "download-badge",
                    "variant",
                    format!(
                        "{} · {} · {}×{} px",
                        lang.t(&format!("mark-lang-{}", mark_lang.tag())),
                        lang.t(&format!("theme-{}", theme.tag())),
                        w * 2,
                        h * 2
                    ),
                ),
                href: paths::baked_badge(&c.number, &q),
                filename: paths::badge_file(&c.number, mark_lang, theme),
            });
        }
    }
    let qr_px = QrSize::Large.pixels() * 2;
    downloads.push(Download {
        label: lang.t1("download-qr-png", "size", qr_px),
        href: paths::qr(&c.number, "png", "?size=l&scale=2"),
        filename: format!("sqe-qr-{}.png", paths::file_safe(&c.number)),
    });
    downloads.push(Download {
        label: lang.t("download-qr-svg"),
        href: paths::qr(&c.number, "svg", "?size=l"),
        filename: format!("sqe-qr-{}.svg", paths::file_safe(&c.number)),
    });
    downloads.push(Download {
        label: lang.t("credential-link"),
        href: paths::credential(&c.number),
        filename: format!("sqe-credential-{}.json", paths::file_safe(&c.number)),
    });
    downloads.push(Download {
        label: lang.t("credential-proof-link"),
        href: paths::credential_proof(&c.number),
        filename: format!("sqe-credential-proof-{}.txt", paths::file_safe(&c.number)),
    });
    EmbedPage {
        number: c.number.clone(),
        verify_href: paths::certificate(&c.number),
        qr_src: paths::qr(&c.number, "svg", "?size=s"),
        verdict: StatusView::new(status, lang),
        company: crate::web::view::localized(
            &d.company.name_zh,
            d.company.name_en.as_deref(),
            lang,
        )
        .to_owned(),
        domains: display_domains(&d.domains),
        previews,
        snippets,
        downloads,
        layout,
    }
}

/// Escapes text for a double-quoted HTML attribute inside a snippet (the template escapes the
/// snippet again to show it as text).
fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
