//! QR codes for verification URLs: error correction level Q (a quarter of the code may be
//! smudged or torn and it still scans, which suits print) and the standard four-module quiet zone.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

use super::raster::{encode_png, PngSettings};
use super::{xml_escape, MarkError};

/// Modules of white border on each side, as the standard asks.
pub const QUIET_ZONE: usize = 4;

/// Nominal size of a QR image: `s`, `m` (default) or `l`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrSize {
    Small,
    Medium,
    Large,
}

impl QrSize {
    pub const ALL: [QrSize; 3] = [QrSize::Small, QrSize::Medium, QrSize::Large];

    pub fn tag(self) -> &'static str {
        match self {
            QrSize::Small => "s",
            QrSize::Medium => "m",
            QrSize::Large => "l",
        }
    }

    pub fn parse(s: &str) -> Option<QrSize> {
        QrSize::ALL.into_iter().find(|z| z.tag() == s)
    }

    /// Target width in CSS pixels; PNGs round down to whole pixels per module.
    pub fn pixels(self) -> u32 {
        match self {
            QrSize::Small => 120,
            QrSize::Medium => 200,
            QrSize::Large => 400,
        }
    }
}

/// A QR code's modules with the quiet zone: `true` is dark.
pub struct QrMatrix {
    pub width: usize,
    pub dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `data` (a URL) at level Q.
    pub fn encode(data: &str) -> Result<QrMatrix, MarkError> {
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::Q)?;
        let inner = code.width();
        let width = inner + 2 * QUIET_ZONE;
        let mut dark = vec![false; width * width];
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == Color::Dark {
                let (x, y) = (i % inner + QUIET_ZONE, i / inner + QUIET_ZONE);
                dark[y * width + x] = true;
            }
        }
        Ok(QrMatrix { width, dark })
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// The code as SVG, `px` wide, one path of horizontal runs.
    pub fn svg(&self, px: u32, label: &str) -> String {
        let w = self.width;
        let label = xml_escape(label);
        let mut s = String::with_capacity(w * w);
        let _ = write!(
            s,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" viewBox="0 0 {w} {w}" shape-rendering="crispEdges" role="img" aria-label="{label}"><title>{label}</title><rect width="{w}" height="{w}" fill="#ffffff"/><path fill="#000000" d=""##
        );
        for y in 0..w {
            let mut x = 0;
            while x < w {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < w && self.is_dark(x, y) {
                        x += 1;
                    }
                    let _ = write!(s, "M{start} {y}h{}v1h-{}z", x - start, x - start);
                } else {
                    x += 1;
                }
            }
        }
        s.push_str(r#""/></svg>"#);
        s
    }

    /// The code as a greyscale PNG of about `px` pixels (whole pixels per module, at least 1).
    pub fn png(&self, px: u32) -> Result<Vec<u8>, MarkError> {
        let w = self.width;
        let scale = (px as usize / w).max(1);
        let side = w * scale;
        let mut pixels = Vec::with_capacity(side * side);
        let mut row = vec![255u8; side];
        for y in 0..w {
            for (x, chunk) in row.chunks_mut(scale).enumerate() {
                chunk.fill(if self.is_dark(x, y) { 0 } else { 255 });
            }
            for _ in 0..scale {
                pixels.extend_from_slice(&row);
            }
        }
        let side = u32::try_from(side).map_err(|_| MarkError::Raster("QR too large".into()))?;
        encode_png(
            &pixels,
            side,
            side,
            png::ColorType::Grayscale,
            // Rows repeat: "up" makes most of them zeros, and the fast setting is enough.
            PngSettings {
                zlib_level: None,
                filter: png::Filter::Up,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://sqe.example.cn/certificates/CQM-SQE-2025-000123";

    #[test]
    fn has_a_quiet_zone_and_finder_patterns() {
        let m = QrMatrix::encode(URL).expect("encodes");
        assert_eq!(m.dark.len(), m.width * m.width);
        for i in 0..m.width {
            for q in 0..QUIET_ZONE {
                assert!(
                    !m.is_dark(i, q) && !m.is_dark(q, i),
                    "quiet zone at {i},{q}"
                );
                assert!(!m.is_dark(i, m.width - 1 - q) && !m.is_dark(m.width - 1 - q, i));
            }
        }
        // The top-left finder pattern starts right after the quiet zone.
        assert!(m.is_dark(QUIET_ZONE, QUIET_ZONE));
        assert!(m.is_dark(QUIET_ZONE + 6, QUIET_ZONE + 6));
        assert!(!m.is_dark(QUIET_ZONE + 1, QUIET_ZONE + 1));
    }

    #[test]
    fn png_uses_whole_pixels_per_module() {
        let m = QrMatrix::encode(URL).expect("encodes");
        for size in QrSize::ALL {
            let png = m.png(size.pixels()).expect("png");
            let (width, height, _) = super::super::raster::decode_rgba(&png);
            assert_eq!(width, height);
            assert_eq!(width as usize % m.width, 0);
            assert!(width <= size.pixels().max(m.width as u32));
        }
    }

    #[test]
    fn svg_draws_every_dark_module() {
        let m = QrMatrix::encode(URL).expect("encodes");
        let svg = m.svg(200, "QR <code>");
        assert!(svg.contains("aria-label=\"QR &lt;code&gt;\""));
        let drawn: usize = svg
            .split('h')
            .skip(1)
            .filter_map(|part| part.split('v').next()?.parse::<usize>().ok())
            .sum();
        assert_eq!(drawn, m.dark.iter().filter(|d| **d).count());
    }
}
