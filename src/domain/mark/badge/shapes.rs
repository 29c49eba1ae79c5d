//! Drawing primitives of badges: text fitted to the room, coordinates, stars and status icons.

use std::fmt::Write as _;

use super::super::font::text_width;
use super::super::xml_escape;

/// Whether a number can be printed with the shipped font.
pub(super) fn printable(number: &str) -> bool {
    !number.is_empty() && number.chars().all(|c| c.is_ascii_graphic())
}

/// The font size at which `text` fits `room`, at most `size`.
pub(super) fn fit(text: &str, size: f64, room: f64, bold: bool) -> f64 {
    let w = text_width(text, size, bold);
    if w <= room {
        size
    } else {
        (size * room / w * 100.0).floor() / 100.0
    }
}

/// Formats a coordinate with at most two decimals.
pub(super) fn n(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

pub(super) fn text(
    s: &mut String,
    x: f64,
    y: f64,
    size: f64,
    fill: &str,
    bold: bool,
    content: &str,
) {
    let weight = if bold { r#" font-weight="700""# } else { "" };
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" font-size="{}"{weight} fill="{fill}">{}</text>"#,
        n(x),
        n(y),
        n(size),
        xml_escape(content)
    );
}

/// A five-pointed star centred on `c` with outer radius `r`.
pub(super) fn star_path(c: (f64, f64), r: f64) -> String {
    let inner = r * 0.4;
    let mut d = String::with_capacity(120);
    for k in 0..10 {
        let radius = if k % 2 == 0 { r } else { inner };
        let angle = (-90.0 + 36.0 * f64::from(k)).to_radians();
        let _ = write!(
            d,
            "{}{} {}",
            if k == 0 { "M" } else { "L" },
            n(c.0 + radius * angle.cos()),
            n(c.1 + radius * angle.sin())
        );
    }
    d.push('Z');
    d
}

/// A circled cross: "not valid".
pub(super) fn cross(s: &mut String, x: f64, y: f64, size: f64, color: &str, on: &str) {
    let r = size / 2.0;
    let (cx, cy) = (x + r, y + r);
    let a = r * 0.45;
    let _ = write!(
        s,
        r##"<circle cx="{}" cy="{}" r="{}" fill="{color}"/><path d="M{} {}L{} {}M{} {}L{} {}" stroke="{on}" stroke-width="{}" stroke-linecap="round"/>"##,
        n(cx),
        n(cy),
        n(r),
        n(cx - a),
        n(cy - a),
        n(cx + a),
        n(cy + a),
        n(cx + a),
        n(cy - a),
        n(cx - a),
        n(cy + a),
        n(size / 8.0)
    );
}

/// A warning triangle: "not in the registry".
pub(super) fn warning(s: &mut String, x: f64, y: f64, size: f64, color: &str, on: &str) {
    let _ = write!(
        s,
        r##"<path d="M{} {}L{} {}L{} {}Z" fill="{color}"/><path d="M{} {}V{}M{} {}V{}" stroke="{on}" stroke-width="{}" stroke-linecap="round"/>"##,
        n(x + size / 2.0),
        n(y),
        n(x + size),
        n(y + size),
        n(x),
        n(y + size),
        n(x + size / 2.0),
        n(y + size * 0.38),
        n(y + size * 0.68),
        n(x + size / 2.0),
        n(y + size * 0.86),
        n(y + size * 0.87),
        n(size / 8.0)
    );
}
