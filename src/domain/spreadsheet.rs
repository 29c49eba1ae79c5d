//! Cells a spreadsheet would run as a formula ("CSV injection", OWASP): a published CSV cell
//! that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which
//! spreadsheets show as text and do not display; so does one that starts with `'` itself, so
//! that reading it back is exact. A plain number (`-3`, `+86`, `4.5`) is left alone: it is no
//! formula, and a quote would stop it being a number. The import takes the quote off again
//! ([`restore`]), so an export imports as it was.

use std::borrow::Cow;

fn is_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A number a spreadsheet reads as a number and nothing else: an optional sign, digits, and at
/// most one decimal point.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let mut points = 0;
    !digits.is_empty()
        && digits.chars().all(|c| {
            if c == '.' {
                points += 1;
                points == 1
            } else {
                c.is_ascii_digit()
            }
        })
        && digits.chars().any(|c| c.is_ascii_digit())
}

/// The cell as published.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if (is_trigger(c) && !is_plain_number(cell)) || c == '\'' => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// A published cell as it was: the leading `'` [`neutralise`] added taken off (a cell that
/// merely starts with a quote keeps it).
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(|c: char| is_trigger(c) || c == '\'') => rest,
        _ => cell,
    }
}

/// Every cell of a row, as published.
pub fn neutralised<'a, I>(cells: I) -> Vec<Cow<'a, str>>
where
    I: IntoIterator<Item = &'a str>,
{
    cells.into_iter().map(neutralise).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_a_quote_and_numbers_do_not() {
        for (cell, published) in [
            (
                "=HYPERLINK(\"http://evil\",\"x\")",
                "'=HYPERLINK(\"http://evil\",\"x\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("'quoted", "''quoted"),
            ("-", "'-"),
            ("-3", "-3"),
            ("+86", "+86"),
            ("4.5", "4.5"),
            ("-.5", "-.5"),
            ("1.2.3", "1.2.3"),
            ("云合优选", "云合优选"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralise(cell), published, "{cell:?}");
        }
    }

    #[test]
    fn restoring_undoes_neutralising_exactly() {
        for cell in [
            "=1+2", "+x", "-2+3", "@x", "\tx", "\rx", "'", "''", "'a", "'=", "-3", "plain", "",
            "云合", "-", "+",
        ] {
            assert_eq!(restore(&neutralise(cell)), cell, "{cell:?}");
        }
        // A hand-made cell that starts with a quote keeps it.
        assert_eq!(restore("'abc"), "'abc");
    }
}
