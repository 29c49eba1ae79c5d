//! SVG → PNG with resvg and the shipped fonts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use resvg::{tiny_skia, usvg};

use super::badge::{Badge, TemplateKey};
use super::{font, MarkError};

fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| usvg::Options {
        fontdb: font::database(),
        font_family: font::FAMILY.to_owned(),
        ..usvg::Options::default()
    })
}

/// Draws `svg` at `zoom` × its own size onto `pixmap` (or a new transparent one).
fn draw(
    svg: &str,
    zoom: f32,
    pixmap: Option<tiny_skia::Pixmap>,
) -> Result<tiny_skia::Pixmap, MarkError> {
    let tree =
        usvg::Tree::from_str(svg, options()).map_err(|e| MarkError::Raster(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(zoom)
        .ok_or_else(|| MarkError::Raster("empty size".into()))?;
    let mut pixmap = match pixmap {
        Some(p) => p,
        None => tiny_skia::Pixmap::new(size.width(), size.height())
            .ok_or_else(|| MarkError::Raster("empty pixmap".into()))?,
    };
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(zoom, zoom),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

/// Raw RGBA bytes up to which a badge gets zlib level 1 without filtering (half the bytes of the
/// fastest setting, for about 0.15 ms more on a 220×64 badge); larger print-size images take the
/// fastest setting so that a cold render stays within about 2 ms.
const SMALL_IMAGE_BYTES: usize = 256 * 1024;

fn to_png(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, MarkError> {
    let mut rgba = Vec::with_capacity(pixmap.data().len());
    for px in pixmap.pixels() {
        let c = px.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    let settings = if rgba.len() <= SMALL_IMAGE_BYTES {
        PngSettings {
            zlib_level: Some(1),
            filter: png::Filter::NoFilter,
        }
    } else {
        PngSettings {
            zlib_level: None,
            filter: png::Filter::Adaptive,
        }
    };
    encode_png(
        &rgba,
        pixmap.width(),
        pixmap.height(),
        png::ColorType::Rgba,
        settings,
    )
}

/// Rasterises `svg` at `zoom` × its own size (width and height attributes).
pub fn svg_to_png(svg: &str, zoom: f32) -> Result<Vec<u8>, MarkError> {
    to_png(&draw(svg, zoom, None)?)
}

/// A badge as PNG at `zoom` (1 or 2). The base layer (all but the number) is rasterised once
/// per look — a few hundred at most — and the number drawn over a copy, which gives the same
/// pixels as rasterising the whole badge (the number is drawn last) at a fraction of the cost.
pub fn badge_png(badge: &Badge<'_>, zoom: u8) -> Result<Vec<u8>, MarkError> {
    type Templates = Mutex<HashMap<(TemplateKey, u8), Arc<tiny_skia::Pixmap>>>;
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    let layers = badge.layers();
    let key = (layers.template, zoom);
    let templates = TEMPLATES.get_or_init(Templates::default);
    let cached = templates.lock().ok().and_then(|t| t.get(&key).cloned());
    let base = match cached {
        Some(base) => base,
        None => {
            let base = Arc::new(draw(&(layers.base + "</g></svg>"), f32::from(zoom), None)?);
            if let Ok(mut t) = templates.lock() {
                t.insert(key, base.clone());
            }
            base
        }
    };
    let pixmap = match &layers.number_layer {
        Some(number) => draw(number, f32::from(zoom), Some((*base).clone()))?,
        None => (*base).clone(),
    };
    to_png(&pixmap)
}

/// How a PNG is compressed: the png crate's fast DEFLATE, or zlib at `zlib_level`, after
/// `filter`.
#[derive(Debug, Clone, Copy)]
pub struct PngSettings {
    pub zlib_level: Option<u8>,
    pub filter: png::Filter,
}

/// Encodes raw 8-bit pixels as PNG (the png crate, which tiny-skia draws with). The settings
/// trade bytes for time (a cold image must be drawn in about 2 ms, and is then cached and sent
/// many times): see the callers.
pub fn encode_png(
    pixels: &[u8],
    width: u32,
    height: u32,
    color: png::ColorType,
    settings: PngSettings,
) -> Result<Vec<u8>, MarkError> {
    let mut out = Vec::with_capacity(pixels.len() / 8);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    if let Some(level) = settings.zlib_level {
        encoder.set_deflate_compression(png::DeflateCompression::Level(level));
    }
    encoder.set_filter(settings.filter);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(out)
}

/// A PNG decoded to RGBA: width, height and 4 bytes a pixel (what the tests check images
/// with; panics on a broken PNG).
pub fn decode_rgba(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks(2)
            .flat_map(|c| [c[0], c[0], c[0], c[1]])
            .collect(),
        _ => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
    };
    (info.width, info.height, rgba)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mark::{BadgeSize, BadgeState, MarkLang, Theme};
    use crate::domain::status::CertificateStatus;

    #[test]
    fn layered_rendering_gives_the_same_pixels_as_a_whole_render() {
        for (state, number) in [
            (BadgeState::Valid { stars: 4 }, "CQM-SQE-2025-000123"),
            (BadgeState::Valid { stars: 2 }, "B-2"),
            (BadgeState::NotValid(CertificateStatus::Revoked), "R-77"),
            (BadgeState::Unknown, "X"),
            (BadgeState::Valid { stars: 5 }, "京-1"),
        ] {
            for size in BadgeSize::ALL {
                for zoom in [1u8, 2] {
                    let badge = Badge {
                        state,
                        number,
                        size,
                        lang: MarkLang::Zh,
                        theme: Theme::Dark,
                    };
                    let whole =
                        decode_rgba(&svg_to_png(&badge.svg(), f32::from(zoom)).expect("whole"));
                    // Twice: the second one comes from the cached base.
                    for _ in 0..2 {
                        let layered = decode_rgba(&badge_png(&badge, zoom).expect("layered"));
                        let differing = whole
                            .2
                            .chunks(4)
                            .zip(layered.2.chunks(4))
                            .filter(|(a, b)| {
                                a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 2)
                            })
                            .count();
                        assert_eq!((whole.0, whole.1), (layered.0, layered.1));
                        assert_eq!(differing, 0, "{state:?} {size:?} {zoom}");
                    }
                }
            }
        }
    }
}
