//! Percent-encoding of one URL path segment (a certificate number, a credit code): the one
//! rule of every URL the registry builds, in pages (`web::paths`) and in signed documents.

/// Percent-encodes one path segment (a space as `%20`, a `/` as `%2F`).
pub fn encode_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
