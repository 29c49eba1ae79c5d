//! The SQE mark as an image: live badges and QR codes, drawn as SVG and rasterised to PNG with
//! the fonts we ship. No I/O: callers pass the certificate's state and get bytes back.

pub mod badge;
pub mod font;
pub mod qr;
pub mod raster;
pub mod text;

pub use badge::{Badge, BadgeSize, BadgeState, Theme};
pub use text::MarkLang;

use thiserror::Error;

/// Why an image could not be drawn.
#[derive(Debug, Error)]
pub enum MarkError {
    /// The QR payload does not fit in a QR code.
    #[error("the QR code payload is too long: {0}")]
    QrData(#[from] qrcode::types::QrError),
    /// The SVG could not be parsed or rasterised (a bug in the drawing code).
    #[error("the image could not be rasterised: {0}")]
    Raster(String),
    /// The PNG encoder failed.
    #[error("the PNG could not be encoded: {0}")]
    Png(#[from] png::EncodingError),
}

/// Escapes text for an XML attribute or element.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            xml_escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
