//! Drawing a mark image for a cache miss, with its validators.

use std::sync::Arc;

use actix_web::http::header::HeaderValue;
use actix_web::web::Bytes;
use sha2::{Digest, Sha256};

use super::{Format, MarkImage, MarkKey, MarkVariant};
use crate::db;
use crate::domain::mark::qr::QrMatrix;
use crate::domain::mark::raster;
use crate::domain::mark::{Badge, BadgeState, MarkError};
use crate::domain::status::effective_status;
use crate::error::AppError;
use crate::web::paths;
use crate::web::sightings::MarkBinding;

/// Draws the image for `key` from the certificate's facts (`None`: not in the registry).
pub(super) fn render(
    key: &MarkKey,
    facts: Option<db::marks::MarkFacts>,
    public_url: &str,
) -> Result<MarkImage, AppError> {
    let binding = facts
        .as_ref()
        .map(|f| Arc::new(MarkBinding::new(f.id, &f.domains)));
    match key.variant {
        MarkVariant::Badge { size, lang, theme } => {
            let state = match &facts {
                None => BadgeState::Unknown,
                Some(f) => match effective_status(f.status, f.expires_on, key.today) {
                    s if s.allows_mark_use() => BadgeState::Valid {
                        stars: u8::try_from(f.grade).unwrap_or(0),
                    },
                    s => BadgeState::NotValid(s),
                },
            };
            let badge = Badge {
                state,
                number: facts.as_ref().map_or("", |f| f.number.as_str()),
                size,
                lang,
                theme,
            };
            badge_image(&badge, key.format, binding)
        }
        MarkVariant::Qr { size } => {
            let Some(f) = &facts else {
                return Err(AppError::NotFound);
            };
            let url = format!("{public_url}{}", paths::certificate(&f.number));
            let matrix = QrMatrix::encode(&url).map_err(internal)?;
            match key.format {
                Format::Svg => Ok(svg_image(matrix.svg(size.pixels(), &url), binding)),
                Format::Png { scale } => {
                    let png = matrix
                        .png(size.pixels() * u32::from(scale))
                        .map_err(internal)?;
                    Ok(image(Bytes::from(png), None, binding))
                }
            }
        }
    }
}

/// The neutral badge of a variant for when the registry cannot check anything (`None` for a
/// QR code, which asserts nothing and has no such form).
pub(super) fn render_unverifiable(
    variant: MarkVariant,
    format: Format,
) -> Result<Option<MarkImage>, AppError> {
    let MarkVariant::Badge { size, lang, theme } = variant else {
        return Ok(None);
    };
    let badge = Badge {
        state: BadgeState::Unverifiable,
        number: "",
        size,
        lang,
        theme,
    };
    badge_image(&badge, format, None).map(Some)
}

fn badge_image(
    badge: &Badge<'_>,
    format: Format,
    binding: Option<Arc<MarkBinding>>,
) -> Result<MarkImage, AppError> {
    match format {
        Format::Svg => Ok(svg_image(badge.svg(), binding)),
        Format::Png { scale } => {
            let png = raster::badge_png(badge, scale).map_err(internal)?;
            Ok(image(Bytes::from(png), None, binding))
        }
    }
}

fn svg_image(svg: String, binding: Option<Arc<MarkBinding>>) -> MarkImage {
    let gzip = gzip(svg.as_bytes());
    image(Bytes::from(svg), Some(gzip), binding)
}

fn internal(e: MarkError) -> AppError {
    AppError::Internal(e.to_string())
}

fn image(body: Bytes, gzip: Option<Bytes>, binding: Option<Arc<MarkBinding>>) -> MarkImage {
    let digest = Sha256::digest(&body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let etag = |suffix: &str| {
        HeaderValue::from_str(&format!("\"{hex}{suffix}\""))
            .unwrap_or(HeaderValue::from_static("\"0\""))
    };
    MarkImage {
        body,
        gzip,
        etag: etag(""),
        etag_gzip: etag("-gz"),
        binding,
    }
}

fn gzip(bytes: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    Bytes::from(enc.finish().unwrap_or_default())
}
