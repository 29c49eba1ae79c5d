//! Rules for the reference data: a certification body's code and a scheme version's slug.

/// A body's code: 2–10 upper-case letters or digits (it starts certificate numbers, e.g. CQM).
pub fn valid_body_code(code: &str) -> bool {
    (2..=10).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A scheme version's slug: 2–40 of `a-z 0-9 -`, starting with a letter or digit (it appears in
/// search URLs, e.g. `gbt31524-2015`).
pub fn valid_slug(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && !slug.starts_with('-')
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_slugs() {
        assert!(valid_body_code("CQM") && valid_body_code("CB01"));
        assert!(!valid_body_code("cqm") && !valid_body_code("C") && !valid_body_code("C-QM"));
        assert!(valid_slug("gbt31524-2015") && valid_slug("v2"));
        assert!(!valid_slug("-x") && !valid_slug("GBT") && !valid_slug("a b") && !valid_slug("x"));
    }
}
