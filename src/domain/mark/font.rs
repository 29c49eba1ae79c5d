//! The fonts badges are drawn with: subsets of Noto Sans CJK SC shipped in `static/fonts`
//! (SIL Open Font License), loaded from the binary, never from the machine.

use std::sync::{Arc, OnceLock};

use resvg::usvg::fontdb;

/// Regular weight (numbers and hints).
pub const REGULAR: &[u8] = include_bytes!("../../../static/fonts/NotoSansSC-Regular-sqe.otf");
/// Bold weight (titles and status words).
pub const BOLD: &[u8] = include_bytes!("../../../static/fonts/NotoSansSC-Bold-sqe.otf");
/// The family name inside both files.
pub const FAMILY: &str = "Noto Sans CJK SC";
/// The `font-family` of badge SVGs: our font first, then what browsers commonly have.
pub const CSS_FAMILIES: &str = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC',\
'PingFang SC','Microsoft YaHei',sans-serif";

/// The font database for rasterising, built once.
pub fn database() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        db.set_sans_serif_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Advance widths of one weight, for laying out text without shaping it.
struct Metrics {
    units_per_em: f64,
    /// Advance per character; characters the subset lacks are absent.
    advances: std::collections::HashMap<char, u16>,
}

impl Metrics {
    fn load(data: &[u8]) -> Metrics {
        let mut advances = std::collections::HashMap::new();
        let mut units_per_em = 1000.0;
        if let Ok(face) = ttf_parser::Face::parse(data, 0) {
            units_per_em = f64::from(face.units_per_em());
            if let Some(cmap) = face.tables().cmap {
                for sub in cmap.subtables {
                    if !sub.is_unicode() {
                        continue;
                    }
                    sub.codepoints(|cp| {
                        if let Some(c) = char::from_u32(cp) {
                            if let Some(adv) =
                                sub.glyph_index(cp).and_then(|g| face.glyph_hor_advance(g))
                            {
                                advances.insert(c, adv);
                            }
                        }
                    });
                }
            }
        }
        Metrics {
            units_per_em,
            advances,
        }
    }
}

fn metrics(bold: bool) -> &'static Metrics {
    static REG: OnceLock<Metrics> = OnceLock::new();
    static BLD: OnceLock<Metrics> = OnceLock::new();
    if bold {
        BLD.get_or_init(|| Metrics::load(BOLD))
    } else {
        REG.get_or_init(|| Metrics::load(REGULAR))
    }
}

/// Whether the shipped font has a glyph for every character of `text`.
pub fn covers(text: &str, bold: bool) -> bool {
    let m = metrics(bold);
    text.chars().all(|c| m.advances.contains_key(&c))
}

/// Width of `text` at `size` px (missing glyphs count as one em).
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let m = metrics(bold);
    let units: f64 = text
        .chars()
        .map(|c| m.advances.get(&c).map_or(m.units_per_em, |&a| f64::from(a)))
        .sum();
    units * size / m.units_per_em
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mark::MarkLang;

    #[test]
    fn the_subset_holds_every_badge_text() {
        for lang in MarkLang::ALL {
            for text in lang.all_texts() {
                assert!(covers(text, true), "bold lacks a glyph of {text:?}");
                assert!(covers(text, false), "regular lacks a glyph of {text:?}");
            }
        }
        assert!(covers("CQM-SQE-2025-000123 ABCxyz_.~", false));
        assert!(!covers("龘", false), "the subset is a subset");
    }

    #[test]
    fn widths_follow_the_font() {
        let cjk = text_width("服务", 10.0, true);
        assert!(
            (cjk - 20.0).abs() < 0.5,
            "CJK glyphs are one em wide: {cjk}"
        );
        assert!(text_width("iii", 10.0, false) < text_width("WWW", 10.0, false));
        assert!(text_width("SQE", 20.0, true) > 1.9 * text_width("SQE", 10.0, true));
    }

    #[test]
    fn the_database_knows_both_weights() {
        let db = database();
        assert_eq!(db.len(), 2);
        assert!(db
            .faces()
            .all(|f| f.families.iter().any(|(n, _)| n == FAMILY)));
    }
}
