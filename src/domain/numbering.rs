//! Certificate numbers: checking a number is safe to store and put in a URL path, and generating
//! new ones from a configurable pattern such as "{cb}-SQE-{year}-{serial:06}".

use thiserror::Error;

/// Longest certificate number, in characters.
pub const MAX_NUMBER_CHARS: usize = 60;

/// The number pattern when `SQE_NUMBER_PATTERN` is not set.
pub const DEFAULT_PATTERN: &str = "{cb}-SQE-{year}-{serial:06}";

/// Widest zero padding of `{serial:0N}`.
pub const MAX_SERIAL_WIDTH: usize = 12;

/// Why a pattern or a certificate number is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NumberingError {
    /// The number is empty (after trimming).
    #[error("the certificate number is empty")]
    Empty,
    /// The number has more than 60 characters.
    #[error("the certificate number has {0} characters; at most {MAX_NUMBER_CHARS} are allowed")]
    TooLong(usize),
    /// The number contains whitespace, a control or invisible character, or one of / \ ? # %.
    #[error("the certificate number contains a character that is not allowed: {0:?}")]
    ForbiddenCharacter(char),
    /// The number is "." or "..", which URL paths treat as directories.
    #[error("the certificate number cannot be \".\" or \"..\"")]
    DotSegment,
    /// The pattern has a placeholder other than {cb}, {year}, {serial} or {serial:0N}.
    #[error("unknown placeholder {{{0}}} in the number pattern (use {{cb}}, {{year}}, {{serial}} or {{serial:06}})")]
    UnknownPlaceholder(String),
    /// A `{` without its `}`, or a `}` without its `{` (byte offset in the pattern).
    #[error("unbalanced brace at position {0} in the number pattern")]
    UnbalancedBrace(usize),
    /// The serial width is not 1–12.
    #[error("the serial width in {{{0}}} must be between 1 and {MAX_SERIAL_WIDTH}")]
    InvalidWidth(String),
    /// The pattern has no `{serial}`, so it cannot give two certificates different numbers.
    #[error("the number pattern needs a {{serial}} placeholder")]
    NoSerial,
}

/// Checks a number pattern before it is used: it formats, and it has a serial.
pub fn check_pattern(pattern: &str) -> Result<(), NumberingError> {
    let one = format_number(pattern, "CB", 2026, 1)?;
    if one == format_number(pattern, "CB", 2026, 2)? {
        return Err(NumberingError::NoSerial);
    }
    Ok(())
}

/// Which placeholders a pattern uses: (`{cb}`, `{year}`); the serial counts within them.
pub fn pattern_scope(pattern: &str) -> (bool, bool) {
    (pattern.contains("{cb}"), pattern.contains("{year}"))
}

/// Invisible format characters that would let two numbers look the same.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
    )
}

/// Checks a certificate number and returns it trimmed: non-empty, at most 60 characters, and no
/// whitespace, control or invisible characters, nor '/', '\\', '?', '#', '%' (it is used in URL
/// paths), and not "." or "..".
pub fn validate_number(s: &str) -> Result<String, NumberingError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(NumberingError::Empty);
    }
    let len = s.chars().count();
    if len > MAX_NUMBER_CHARS {
        return Err(NumberingError::TooLong(len));
    }
    if let Some(c) = s.chars().find(|&c| {
        c.is_whitespace()
            || c.is_control()
            || is_invisible(c)
            || matches!(c, '/' | '\\' | '?' | '#' | '%')
    }) {
        return Err(NumberingError::ForbiddenCharacter(c));
    }
    if s == "." || s == ".." {
        return Err(NumberingError::DotSegment);
    }
    Ok(s.to_string())
}

/// Expands one placeholder name (without braces).
fn expand(name: &str, body_code: &str, year: i32, serial: u64) -> Result<String, NumberingError> {
    match name {
        "cb" => Ok(body_code.to_string()),
        "year" => Ok(year.to_string()),
        "serial" => Ok(serial.to_string()),
        _ => {
            let Some(spec) = name.strip_prefix("serial:") else {
                return Err(NumberingError::UnknownPlaceholder(name.to_string()));
            };
            let digits = spec.strip_prefix('0').unwrap_or(spec);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(NumberingError::InvalidWidth(name.to_string()));
            }
            match digits.parse::<usize>() {
                Ok(width @ 1..=MAX_SERIAL_WIDTH) => Ok(format!("{serial:0width$}")),
                _ => Err(NumberingError::InvalidWidth(name.to_string())),
            }
        }
    }
}

/// A new certificate number from `pattern`: `{cb}` becomes `body_code`, `{year}` the year,
/// `{serial}` the serial, `{serial:06}` the serial zero-padded to 6 digits (widths 1–12). The
/// result must pass [`validate_number`].
///
/// `format_number("{cb}-SQE-{year}-{serial:06}", "CQM", 2026, 42)` gives "CQM-SQE-2026-000042".
pub fn format_number(
    pattern: &str,
    body_code: &str,
    year: i32,
    serial: u64,
) -> Result<String, NumberingError> {
    let mut out = String::new();
    let mut rest = pattern;
    let mut offset = 0;
    while let Some(i) = rest.find(['{', '}']) {
        let at = offset + i;
        if rest[i..].starts_with('}') {
            return Err(NumberingError::UnbalancedBrace(at));
        }
        out.push_str(&rest[..i]);
        let inner = &rest[i + 1..];
        let close = match inner.find(['{', '}']) {
            Some(j) if inner[j..].starts_with('}') => j,
            _ => return Err(NumberingError::UnbalancedBrace(at)),
        };
        out.push_str(&expand(&inner[..close], body_code, year, serial)?);
        rest = &inner[close + 1..];
        offset = at + close + 2;
    }
    out.push_str(rest);
    validate_number(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PATTERN: &str = DEFAULT_PATTERN;

    #[test]
    fn formats_the_documented_example() {
        assert_eq!(
            format_number(PATTERN, "CQM", 2026, 42),
            Ok("CQM-SQE-2026-000042".into())
        );
        assert_eq!(
            format_number(PATTERN, "CQM", 2026, 1_234_567),
            Ok("CQM-SQE-2026-1234567".into())
        );
        assert_eq!(format_number("{serial}", "", 0, 7), Ok("7".into()));
        assert_eq!(
            format_number("SQE{year}{serial:1}", "X", 2027, 0),
            Ok("SQE20270".into())
        );
        assert_eq!(
            format_number("{serial:012}", "X", 1, 5),
            Ok("000000000005".into())
        );
        assert_eq!(
            format_number("方圆-{serial:3}", "X", 1, 5),
            Ok("方圆-005".into())
        );
        assert_eq!(
            format_number("{year}{year}", "X", 2026, 5),
            Ok("20262026".into())
        );
    }

    #[test]
    fn pattern_errors() {
        use NumberingError::*;
        assert_eq!(
            format_number("{cb}-{nr}", "A", 1, 1),
            Err(UnknownPlaceholder("nr".into()))
        );
        assert_eq!(
            format_number("{CB}", "A", 1, 1),
            Err(UnknownPlaceholder("CB".into()))
        );
        assert_eq!(
            format_number("{}", "A", 1, 1),
            Err(UnknownPlaceholder(String::new()))
        );
        assert_eq!(format_number("{cb", "A", 1, 1), Err(UnbalancedBrace(0)));
        assert_eq!(
            format_number("x-{cb{year}}", "A", 1, 1),
            Err(UnbalancedBrace(2))
        );
        assert_eq!(format_number("{cb}}", "A", 1, 1), Err(UnbalancedBrace(4)));
        assert_eq!(format_number("a}", "A", 1, 1), Err(UnbalancedBrace(1)));
        assert_eq!(
            format_number("{serial:013}", "A", 1, 1),
            Err(InvalidWidth("serial:013".into()))
        );
        assert_eq!(
            format_number("{serial:00}", "A", 1, 1),
            Err(InvalidWidth("serial:00".into()))
        );
        assert_eq!(
            format_number("{serial:}", "A", 1, 1),
            Err(InvalidWidth("serial:".into()))
        );
        assert_eq!(
            format_number("{serial:x6}", "A", 1, 1),
            Err(InvalidWidth("serial:x6".into()))
        );
        assert_eq!(
            format_number("{serial:+6}", "A", 1, 1),
            Err(InvalidWidth("serial:+6".into()))
        );
    }

    #[test]
    fn formatted_numbers_are_validated() {
        use NumberingError::*;
        assert_eq!(
            format_number("{cb}/{serial}", "A", 1, 1),
            Err(ForbiddenCharacter('/'))
        );
        assert_eq!(
            format_number("{cb}-{serial}", "A B", 1, 1),
            Err(ForbiddenCharacter(' '))
        );
        assert_eq!(format_number("{cb}", "", 1, 1), Err(Empty));
        assert_eq!(
            format_number("{cb}{serial:012}", &"A".repeat(49), 1, 1),
            Err(TooLong(61))
        );
        assert!(format_number("{cb}{serial:012}", &"A".repeat(48), 1, 1).is_ok());
    }

    #[test]
    fn patterns_need_a_serial() {
        assert_eq!(check_pattern(DEFAULT_PATTERN), Ok(()));
        assert_eq!(check_pattern("{cb}-{year}"), Err(NumberingError::NoSerial));
        assert_eq!(
            check_pattern("{cb}-{nr}"),
            Err(NumberingError::UnknownPlaceholder("nr".into()))
        );
        assert_eq!(pattern_scope(DEFAULT_PATTERN), (true, true));
        assert_eq!(pattern_scope("SQE-{serial:08}"), (false, false));
    }

    #[test]
    fn validate_rules() {
        use NumberingError::*;
        assert_eq!(
            validate_number("  CQM-SQE-2026-000042 \n"),
            Ok("CQM-SQE-2026-000042".into())
        );
        assert_eq!(validate_number("方圆SQE2026-1"), Ok("方圆SQE2026-1".into()));
        assert_eq!(validate_number("   "), Err(Empty));
        assert_eq!(validate_number(&"x".repeat(60)), Ok("x".repeat(60)));
        assert_eq!(validate_number(&"x".repeat(61)), Err(TooLong(61)));
        assert_eq!(
            validate_number(&"证".repeat(60)).map(|s| s.chars().count()),
            Ok(60)
        );
        for (s, c) in [
            ("A B", ' '),
            ("A\u{3000}B", '\u{3000}'),
            ("A\tB", '\t'),
            ("A\u{7}B", '\u{7}'),
            ("A\u{200B}B", '\u{200B}'),
            ("A/B", '/'),
            ("A\\B", '\\'),
            ("A?B", '?'),
            ("A#B", '#'),
            ("A%20B", '%'),
        ] {
            assert_eq!(validate_number(s), Err(ForbiddenCharacter(c)), "{s:?}");
        }
        assert_eq!(validate_number("."), Err(DotSegment));
        assert_eq!(validate_number(".."), Err(DotSegment));
        assert_eq!(validate_number("..."), Ok("...".into()));
    }

    proptest! {
        #[test]
        fn serial_round_trips(serial in any::<u64>(), width in 1usize..=12, year in 1990i32..2100) {
            let pattern = format!("{{cb}}-{{year}}-{{serial:0{width}}}");
            let number = format_number(&pattern, "CB", year, serial).expect("valid pattern");
            let tail = number.rsplit('-').next().expect("has a dash");
            prop_assert!(tail.len() >= width);
            prop_assert_eq!(tail.parse::<u64>().ok(), Some(serial));
            prop_assert_eq!(validate_number(&number), Ok(number.clone()));
        }

        #[test]
        fn format_never_panics(pattern in "\\PC{0,30}", cb in "\\PC{0,10}") {
            if let Ok(n) = format_number(&pattern, &cb, 2026, 1) {
                prop_assert_eq!(validate_number(&n), Ok(n.clone()));
            }
        }
    }
}
