//! Badge drawing: the SQE mark, the grade in stars and the certificate's live status, as SVG.
//!
//! Two layouts share one drawing: *compact* (size `s`, two lines) and *full* (sizes `m` and `l`,
//! three lines with the certificate number). A badge that is not valid shows no stars, and a
//! number the registry does not hold never prints that number (so nobody can make our server
//! draw a convincing badge with text of their choosing).

use std::fmt::Write as _;

use self::shapes::{cross, fit, n, printable, star_path, text, warning};
use super::font::{text_width, CSS_FAMILIES};
use super::text::{stars_label, MarkLang};
use super::xml_escape;
use crate::domain::status::CertificateStatus;

/// What the badge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BadgeState {
    /// A valid certificate and its grade (2–5 stars).
    Valid { stars: u8 },
    /// A certificate that exists but does not allow using the mark today.
    NotValid(CertificateStatus),
    /// A number the registry does not hold.
    Unknown,
    /// The registry cannot check the certificate now (its database has not answered for
    /// longer than this instance may serve from memory): neither valid nor invalid.
    Unverifiable,
}

/// Display size: `s` (compact), `m` (default) or `l`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BadgeSize {
    Small,
    Medium,
    Large,
}

impl BadgeSize {
    pub const ALL: [BadgeSize; 3] = [BadgeSize::Small, BadgeSize::Medium, BadgeSize::Large];

    /// The `size` query value.
    pub fn tag(self) -> &'static str {
        match self {
            BadgeSize::Small => "s",
            BadgeSize::Medium => "m",
            BadgeSize::Large => "l",
        }
    }

    pub fn parse(s: &str) -> Option<BadgeSize> {
        BadgeSize::ALL.into_iter().find(|z| z.tag() == s)
    }

    /// Width and height in CSS pixels.
    pub fn dimensions(self) -> (u32, u32) {
        match self {
            BadgeSize::Small => (COMPACT.0 as u32, COMPACT.1 as u32),
            BadgeSize::Medium => (FULL.0 as u32, FULL.1 as u32),
            BadgeSize::Large => ((FULL.0 * 1.5) as u32, (FULL.1 * 1.5) as u32),
        }
    }

    fn compact(self) -> bool {
        self == BadgeSize::Small
    }
}

/// Colour theme: `light` for light pages, `dark` for dark ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 2] = [Theme::Light, Theme::Dark];

    pub fn tag(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.tag() == s)
    }
}

/// Closes a badge document.
const SVG_END: &str = "</g></svg>";

/// What the base layer of a badge depends on: all but the certificate number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TemplateKey {
    pub state: BadgeState,
    pub size: BadgeSize,
    pub lang: MarkLang,
    pub theme: Theme,
    /// Whether the number is printed (otherwise the base holds a hint in its place).
    pub with_number: bool,
}

/// A badge drawing split for rasterising.
pub(crate) struct Layers {
    pub template: TemplateKey,
    /// The document up to the number line, unclosed.
    pub base: String,
    /// The number's `<text>` element (empty when not printed).
    pub number: String,
    /// The number alone as a document of the badge's size, to draw over the base.
    pub number_layer: Option<String>,
}

/// The view box of each layout.
const COMPACT: (f64, f64) = (150.0, 40.0);
const FULL: (f64, f64) = (220.0, 64.0);

struct Palette {
    bg: &'static str,
    border: &'static str,
    ink: &'static str,
    muted: &'static str,
    brand: &'static str,
    off: &'static str,
    bad: &'static str,
    /// Symbols drawn on `bad`.
    on_bad: &'static str,
    /// The emblem of an unknown number.
    alarm: &'static str,
    ok: &'static str,
    star: &'static str,
    star_edge: &'static str,
    hollow: &'static str,
}

const LIGHT: Palette = Palette {
    bg: "#ffffff",
    border: "#c3cbd4",
    ink: "#1a1d21",
    muted: "#4d5661",
    brand: "#0b5cad",
    off: "#6b7280",
    bad: "#a3121f",
    on_bad: "#ffffff",
    alarm: "#a3121f",
    ok: "#0b6b35",
    star: "#f2a900",
    star_edge: "#8a5700",
    hollow: "#9aa3ad",
};

const DARK: Palette = Palette {
    bg: "#1b2129",
    border: "#46515e",
    ink: "#f3f5f7",
    muted: "#c0c8d2",
    brand: "#2f7fd0",
    off: "#6b7280",
    bad: "#ff8f8f",
    on_bad: "#1b2129",
    alarm: "#c62828",
    ok: "#1f7a46",
    star: "#ffc233",
    star_edge: "#ffc233",
    hollow: "#7d8893",
};

/// One badge to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Badge<'a> {
    pub state: BadgeState,
    /// The certificate number, printed on full badges of certificates the registry holds.
    pub number: &'a str,
    pub size: BadgeSize,
    pub lang: MarkLang,
    pub theme: Theme,
}

impl Badge<'_> {
    /// What the badge says in words: the SVG's title and `aria-label`, and the embed `alt`.
    pub fn label(&self) -> String {
        let lang = self.lang;
        let status = match self.state {
            BadgeState::Valid { stars } => match lang {
                MarkLang::Zh => format!("{}，证书有效", stars_label(lang, stars)),
                MarkLang::En => format!("{}, certificate valid", stars_label(lang, stars)),
            },
            BadgeState::NotValid(s) => match lang {
                MarkLang::Zh => format!("{}，标识当前无效", lang.not_valid(s)),
                MarkLang::En => format!(
                    "certificate {}, the mark is not valid",
                    lang.not_valid(s).to_lowercase()
                ),
            },
            BadgeState::Unknown => match lang {
                MarkLang::Zh => "登记册中查无此证书，此标识不可信".to_owned(),
                MarkLang::En => {
                    "certificate not in the registry, do not trust this mark".to_owned()
                }
            },
            BadgeState::Unverifiable => match lang {
                MarkLang::Zh => "暂时无法核验，请稍后再试".to_owned(),
                MarkLang::En => "cannot be checked now, please try again later".to_owned(),
            },
        };
        let number = match (self.state, lang) {
            (BadgeState::Unknown | BadgeState::Unverifiable, _) => String::new(),
            (_, MarkLang::Zh) => format!("，证书编号 {}", self.number),
            (_, MarkLang::En) => format!(", certificate {}", self.number),
        };
        match lang {
            MarkLang::Zh => format!("SQE 服务质量评价标识：{status}{number}"),
            MarkLang::En => format!("SQE service quality mark: {status}{number}"),
        }
    }

    /// The badge as a standalone SVG document.
    pub fn svg(&self) -> String {
        let layers = self.layers();
        let mut s = layers.base;
        s.push_str(&layers.number);
        s.push_str(SVG_END);
        s
    }

    /// The drawing in two layers: everything but the certificate number, which depends only
    /// on the [`TemplateKey`], and the number drawn last on top. PNG rendering rasterises the
    /// base once per key and only the number per certificate (`raster::badge_png`).
    pub(crate) fn layers(&self) -> Layers {
        let compact = self.size.compact();
        let (vw, vh) = if compact { COMPACT } else { FULL };
        let (w, h) = self.size.dimensions();
        let p = match self.theme {
            Theme::Light => &LIGHT,
            Theme::Dark => &DARK,
        };
        let label = xml_escape(&self.label());
        let edge = match self.state {
            BadgeState::Valid { .. } | BadgeState::Unverifiable => p.border,
            _ => p.bad,
        };
        let mut number = String::new();
        let mut number_layer = None;
        let mut s = String::with_capacity(2048);
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {vw} {vh}" role="img" aria-label="{label}"><title>{label}</title>"#
        );
        let _ = write!(
            s,
            r#"<rect x="0.5" y="0.5" width="{}" height="{}" rx="6" fill="{}" stroke="{edge}"/>"#,
            vw - 1.0,
            vh - 1.0,
            p.bg
        );
        let _ = write!(s, r#"<g font-family="{CSS_FAMILIES}">"#);
        let (cx, cy, r) = if compact {
            (20.0, 20.0, 15.0)
        } else {
            (32.0, 32.0, 23.0)
        };
        self.emblem(&mut s, p, cx, cy, r);
        let x = if compact { 42.0 } else { 64.0 };
        let right = vw - if compact { 6.0 } else { 8.0 };
        let room = right - x;
        // Line 1: the scheme's name.
        let (title_size, title_y) = if compact { (11.0, 17.0) } else { (14.0, 23.0) };
        text(
            &mut s,
            x,
            title_y,
            fit(self.lang.title(), title_size, room, true),
            p.ink,
            true,
            self.lang.title(),
        );
        // Line 2: stars and the "valid" pill, or the status in words.
        let (line2_top, star_size) = if compact { (22.0, 10.0) } else { (30.0, 13.0) };
        match self.state {
            BadgeState::Valid { stars } => {
                let step = star_size + 1.5;
                for i in 0..5u8 {
                    let c = (
                        x + step * f64::from(i) + star_size / 2.0,
                        line2_top + star_size / 2.0,
                    );
                    let (fill, stroke) = if i < stars {
                        (p.star, p.star_edge)
                    } else {
                        ("none", p.hollow)
                    };
                    let _ = write!(
                        s,
                        r#"<path d="{}" fill="{fill}" stroke="{stroke}" stroke-width="0.8" stroke-linejoin="round"/>"#,
                        star_path(c, star_size / 2.0)
                    );
                }
                let pill_size = if compact { 8.0 } else { 10.0 };
                let word = self.lang.valid();
                let pw = text_width(word, pill_size, true) + pill_size;
                let ph = pill_size + 5.0;
                let px = right - pw;
                if px > x + step * 5.0 {
                    let py = line2_top + (star_size - ph) / 2.0;
                    let _ = write!(
                        s,
                        r#"<rect x="{}" y="{}" width="{}" height="{ph}" rx="{}" fill="{}"/>"#,
                        n(px),
                        n(py),
                        n(pw),
                        n(ph / 2.0),
                        p.ok
                    );
                    text(
                        &mut s,
                        px + pill_size / 2.0,
                        py + ph / 2.0 + pill_size * 0.36,
                        pill_size,
                        "#ffffff",
                        true,
                        word,
                    );
                }
            }
            BadgeState::Unverifiable => {
                let word = self.lang.unverifiable();
                let size = fit(word, star_size, room, true);
                text(
                    &mut s,
                    x,
                    line2_top + star_size * 0.86,
                    size,
                    p.off,
                    true,
                    word,
                );
            }
            BadgeState::NotValid(_) | BadgeState::Unknown => {
                let word = match self.state {
                    BadgeState::NotValid(status) => {
                        cross(&mut s, x, line2_top, star_size, p.bad, p.on_bad);
                        self.lang.not_valid(status)
                    }
                    _ => {
                        warning(&mut s, x, line2_top, star_size, p.bad, p.on_bad);
                        self.lang.unknown()
                    }
                };
                let size = fit(word, star_size, room - star_size - 3.0, true);
                text(
                    &mut s,
                    x + star_size + 3.0,
                    line2_top + star_size * 0.86,
                    size,
                    p.bad,
                    true,
                    word,
                );
            }
        }
        // Line 3 (full layout only): the number, or a hint.
        if !compact {
            let (line, is_number) = match self.state {
                BadgeState::Unknown => (self.lang.do_not_trust(), false),
                BadgeState::Unverifiable => (self.lang.try_later(), false),
                _ if printable(self.number) && fit(self.number, 10.0, room, false) >= 7.0 => {
                    (self.number, true)
                }
                BadgeState::Valid { .. } => (self.lang.verify_hint(), false),
                BadgeState::NotValid(_) => (self.lang.do_not_trust(), false),
            };
            if is_number {
                let (w, h) = self.size.dimensions();
                let mut layer = format!(
                    r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {vw} {vh}"><g font-family="{CSS_FAMILIES}">"#
                );
                let start = layer.len();
                text(
                    &mut layer,
                    x,
                    56.0,
                    fit(line, 10.0, room, false),
                    p.muted,
                    false,
                    line,
                );
                number = layer[start..].to_owned();
                number_layer = Some(layer + SVG_END);
            } else {
                text(
                    &mut s,
                    x,
                    56.0,
                    fit(line, 10.0, room, false),
                    p.muted,
                    false,
                    line,
                );
            }
        }
        Layers {
            template: TemplateKey {
                state: self.state,
                size: self.size,
                lang: self.lang,
                theme: self.theme,
                with_number: number_layer.is_some(),
            },
            base: s,
            number,
            number_layer,
        }
    }

    fn emblem(&self, s: &mut String, p: &Palette, cx: f64, cy: f64, r: f64) {
        let fill = match self.state {
            BadgeState::Valid { .. } => p.brand,
            BadgeState::NotValid(_) | BadgeState::Unverifiable => p.off,
            BadgeState::Unknown => p.alarm,
        };
        let _ = write!(
            s,
            r##"<circle cx="{cx}" cy="{cy}" r="{r}" fill="{fill}"/><circle cx="{cx}" cy="{cy}" r="{}" fill="none" stroke="#ffffff" stroke-width="{}"/>"##,
            n(r * 0.8),
            n(r / 12.0)
        );
        let (word, size) = if self.state == BadgeState::Unknown {
            ("?", r * 0.9)
        } else {
            ("SQE", r * 0.55)
        };
        let _ = write!(
            s,
            r##"<text x="{cx}" y="{}" font-size="{}" font-weight="700" fill="#ffffff" text-anchor="middle">{word}</text>"##,
            n(cy + size * 0.36),
            n(size)
        );
        if let BadgeState::Valid { .. } = self.state {
            let _ = write!(
                s,
                r#"<path d="{}" fill="{}"/>"#,
                star_path((cx, cy - r * 0.58), r * 0.2),
                p.star
            );
        }
    }
}

mod shapes;

#[cfg(test)]
mod tests;
