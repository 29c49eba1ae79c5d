//! SVG → PNG with resvg and the shipped fonts.

use std::sync::OnceLock;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use resvg::{tiny_skia, usvg};

use super::{font, MarkError};

fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| usvg::Options {
        fontdb: font::database(),
        font_family: font::FAMILY.to_owned(),
        ..usvg::Options::default()
    })
}

/// Rasterises `svg` at `zoom` × its own size (width and height attributes).
pub fn svg_to_png(svg: &str, zoom: f32) -> Result<Vec<u8>, MarkError> {
    let tree =
        usvg::Tree::from_str(svg, options()).map_err(|e| MarkError::Raster(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(zoom)
        .ok_or_else(|| MarkError::Raster("empty size".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| MarkError::Raster("empty pixmap".into()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(zoom, zoom),
        &mut pixmap.as_mut(),
    );
    let mut rgba = Vec::with_capacity(pixmap.data().len());
    for px in pixmap.pixels() {
        let c = px.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    encode_png(&rgba, size.width(), size.height(), ExtendedColorType::Rgba8)
}

/// Encodes raw pixels as PNG, fast: these images are small and flat, and are cached once made.
pub fn encode_png(
    pixels: &[u8],
    width: u32,
    height: u32,
    color: ExtendedColorType,
) -> Result<Vec<u8>, MarkError> {
    let mut out = Vec::with_capacity(pixels.len() / 8);
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub)
        .write_image(pixels, width, height, color)?;
    Ok(out)
}
