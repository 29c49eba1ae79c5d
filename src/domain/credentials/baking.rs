//! Baking a credential into a PNG badge as Open Badges 3.0 prescribes (§5.3, "Baking"): one
//! `iTXt` chunk with the keyword `openbadgecredential`, not compressed, no language tag, the
//! credential's JSON as its text; a PNG that already holds one is refused. The chunk is spliced
//! in after `IHDR` (any place before `IEND` is valid; early, so a reader finds it without
//! decoding the image); every other byte of the image stays as it was. [`unbake`] reads it back.

/// The chunk's keyword.
pub const KEYWORD: &str = "openbadgecredential";

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Why a PNG cannot be baked or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BakingError {
    #[error("not a PNG")]
    NotPng,
    #[error("the PNG is cut short")]
    Truncated,
    #[error("the PNG already carries a credential")]
    AlreadyBaked,
}

/// A chunk's place: its type and its data's range.
struct Chunk {
    kind: [u8; 4],
    data: std::ops::Range<usize>,
    /// Where the chunk (length field) begins and ends (after its CRC).
    whole: std::ops::Range<usize>,
}

fn chunks(png: &[u8]) -> Result<Vec<Chunk>, BakingError> {
    if !png.starts_with(SIGNATURE) {
        return Err(BakingError::NotPng);
    }
    let mut at = SIGNATURE.len();
    let mut found = Vec::new();
    while at < png.len() {
        let header = png.get(at..at + 8).ok_or(BakingError::Truncated)?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = [header[4], header[5], header[6], header[7]];
        let end = at
            .checked_add(12)
            .and_then(|x| x.checked_add(length))
            .filter(|end| *end <= png.len())
            .ok_or(BakingError::Truncated)?;
        found.push(Chunk {
            kind,
            data: at + 8..at + 8 + length,
            whole: at..end,
        });
        at = end;
        if &kind == b"IEND" {
            break;
        }
    }
    match found.first() {
        Some(first) if &first.kind == b"IHDR" => Ok(found),
        _ => Err(BakingError::NotPng),
    }
}

/// The keyword and text of an uncompressed `iTXt` chunk's data.
fn itxt(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let keyword_end = data.iter().position(|b| *b == 0)?;
    let (keyword, rest) = (&data[..keyword_end], &data[keyword_end + 1..]);
    let (compressed, rest) = rest.split_first()?;
    let (_method, rest) = rest.split_first()?;
    let language_end = rest.iter().position(|b| *b == 0)?;
    let rest = &rest[language_end + 1..];
    let translated_end = rest.iter().position(|b| *b == 0)?;
    let text = &rest[translated_end + 1..];
    (*compressed == 0).then_some((keyword, text))
}

/// `png` with `credential` baked in.
pub fn bake(png: &[u8], credential: &str) -> Result<Vec<u8>, BakingError> {
    let found = chunks(png)?;
    if found.iter().any(|c| {
        &c.kind == b"iTXt"
            && itxt(&png[c.data.clone()]).is_some_and(|(k, _)| k == KEYWORD.as_bytes())
    }) {
        return Err(BakingError::AlreadyBaked);
    }
    // Keyword, NUL, compression flag 0, method 0, empty language tag and translated keyword.
    let mut data = Vec::with_capacity(KEYWORD.len() + 5 + credential.len());
    data.extend_from_slice(KEYWORD.as_bytes());
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(credential.as_bytes());
    let mut chunk = Vec::with_capacity(data.len() + 12);
    chunk.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    chunk.extend_from_slice(b"iTXt");
    chunk.extend_from_slice(&data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(b"iTXt");
    crc.update(&data);
    chunk.extend_from_slice(&crc.finalize().to_be_bytes());
    let after_header = found[0].whole.end;
    let mut baked = Vec::with_capacity(png.len() + chunk.len());
    baked.extend_from_slice(&png[..after_header]);
    baked.extend_from_slice(&chunk);
    baked.extend_from_slice(&png[after_header..]);
    Ok(baked)
}

/// The credential baked into `png`, if any.
pub fn unbake(png: &[u8]) -> Result<Option<String>, BakingError> {
    for c in chunks(png)? {
        if &c.kind != b"iTXt" {
            continue;
        }
        if let Some((keyword, text)) = itxt(&png[c.data]) {
            if keyword == KEYWORD.as_bytes() {
                return Ok(Some(String::from_utf8_lossy(text).into_owned()));
            }
        }
    }
    Ok(None)
}

/// Whether `bytes` begin as a PNG does.
pub fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(SIGNATURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2×1 grey PNG written by the png crate, with a text chunk of its own.
    fn image() -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, 2, 1);
            encoder.set_color(png::ColorType::Grayscale);
            encoder
                .add_text_chunk("Software".into(), "test".into())
                .expect("tEXt");
            let mut writer = encoder.write_header().expect("header");
            writer.write_image_data(&[10, 200]).expect("pixels");
        }
        out
    }

    #[test]
    fn a_baked_png_is_the_same_image_and_the_png_crate_reads_the_credential() {
        let credential = r#"{"id":"https://registry.example.cn/credentials/7","name":"三星级"}"#;
        let baked = bake(&image(), credential).expect("baked");
        // Read by an independent decoder: the chunk is well formed, uncompressed, keyed.
        let decoder = png::Decoder::new(std::io::Cursor::new(baked.as_slice()));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
        reader.next_frame(&mut pixels).expect("frame");
        assert_eq!(&pixels[..2], &[10, 200]);
        let info = reader.info();
        assert_eq!(info.utf8_text.len(), 1);
        let chunk = &info.utf8_text[0];
        assert_eq!(chunk.keyword, KEYWORD);
        assert!(!chunk.compressed);
        assert_eq!(chunk.get_text().expect("text"), credential);
        assert_eq!(info.uncompressed_latin1_text[0].text, "test");
        assert_eq!(unbake(&baked), Ok(Some(credential.to_owned())));
        assert_eq!(unbake(&image()), Ok(None));
        // Only one credential per badge.
        assert_eq!(bake(&baked, credential), Err(BakingError::AlreadyBaked));
    }

    #[test]
    fn what_is_not_a_png_is_refused() {
        assert_eq!(bake(b"GIF89a", "{}"), Err(BakingError::NotPng));
        let mut cut = image();
        cut.truncate(cut.len() - 20);
        assert_eq!(bake(&cut, "{}"), Err(BakingError::Truncated));
        assert!(!is_png(b"{\"id\":1}"));
        assert!(is_png(&image()));
    }
}
