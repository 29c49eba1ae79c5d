//! Unified social credit codes (统一社会信用代码, GB 32100-2015): character set and check character.

use std::fmt;

use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

/// The 31 characters a code may use, in value order (no I, O, S, V, Z).
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of the first 17 characters in the check-character sum.
pub const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Number of characters in a code.
pub const LENGTH: usize = 18;

/// Why a string is not a valid unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CreditCodeError {
    /// Not 18 characters long (after trimming).
    #[error("a unified social credit code has 18 characters, this one has {0}")]
    WrongLength(usize),
    /// A character outside the code's alphabet (position counted from 1).
    #[error("character {position} ('{ch}') is not allowed in a unified social credit code (digits and capital letters except I, O, S, V, Z)")]
    InvalidCharacter {
        /// 1-based position of the character.
        position: usize,
        /// The offending character.
        ch: char,
    },
    /// The 18th character does not match the check character computed from the first 17.
    #[error("the check character should be '{expected}' but is '{found}': the code is mistyped")]
    BadCheckCharacter {
        /// Check character computed from the first 17 characters.
        expected: char,
        /// The 18th character as given.
        found: char,
    },
}

/// A valid unified social credit code: 18 upper-case characters with a correct check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

/// Value (0–30) of a code character, or `None` when it is not in [`ALPHABET`].
fn value_of(ch: char) -> Option<u32> {
    let pos = ALPHABET.chars().position(|c| c == ch)?;
    u32::try_from(pos).ok()
}

/// Character of a value 0–30.
fn char_of(value: u32) -> Option<char> {
    ALPHABET.chars().nth(usize::try_from(value).ok()?)
}

/// Trims, folds full-width forms (NFKC) and upper-cases ASCII letters.
fn canonical(s: &str) -> String {
    s.trim().nfkc().collect::<String>().to_ascii_uppercase()
}

/// The check character for the first 17 characters of a code (lower case accepted), or `None`
/// when `first17` is not exactly 17 characters of the alphabet.
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum: u32 = 0;
    let mut count = 0;
    for (i, ch) in first17.chars().enumerate() {
        let weight = WEIGHTS.get(i)?;
        sum += value_of(ch.to_ascii_uppercase())? * weight;
        count += 1;
    }
    if count != WEIGHTS.len() {
        return None;
    }
    char_of((31 - sum % 31) % 31)
}

/// Whether `s` (trimmed, upper-cased) is 18 characters of the code alphabet; the check character
/// is not verified. Use it to tell a code from a company name in a search box.
pub fn looks_like_credit_code(s: &str) -> bool {
    let s = canonical(s);
    s.chars().count() == LENGTH && s.chars().all(|c| value_of(c).is_some())
}

impl CreditCode {
    /// Parses and validates a code: trims, accepts lower case and full-width characters,
    /// checks length, alphabet and check character.
    pub fn parse(s: &str) -> Result<CreditCode, CreditCodeError> {
        let s = canonical(s);
        let len = s.chars().count();
        if len != LENGTH {
            return Err(CreditCodeError::WrongLength(len));
        }
        if let Some((i, ch)) = s.chars().enumerate().find(|(_, c)| value_of(*c).is_none()) {
            return Err(CreditCodeError::InvalidCharacter {
                position: i + 1,
                ch,
            });
        }
        let (first17, last) = s.split_at(LENGTH - 1);
        let found = last.chars().next().unwrap_or('?');
        match check_character(first17) {
            Some(expected) if expected == found => Ok(CreditCode(s)),
            Some(expected) => Err(CreditCodeError::BadCheckCharacter { expected, found }),
            None => Err(CreditCodeError::WrongLength(len)),
        }
    }

    /// The code as 18 upper-case ASCII characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KNOWN: &str = "91371323760038087M";

    #[test]
    fn known_code_is_valid() {
        let code = CreditCode::parse(KNOWN).expect("known valid code");
        assert_eq!(code.as_str(), KNOWN);
        assert_eq!(code.to_string(), KNOWN);
        assert_eq!(check_character("91371323760038087"), Some('M'));
    }

    #[test]
    fn computed_codes() {
        // Sum for all zeros is 0, so the check value is 31 → 0.
        assert_eq!(check_character("00000000000000000"), Some('0'));
        // '1' at position 1 weighs 1: 31 - 1 = 30 → 'Y'.
        assert_eq!(check_character("10000000000000000"), Some('Y'));
        // 'Y' (30) at position 17 weighs 28: 840 mod 31 = 3 → 28 → 'W'.
        assert_eq!(check_character("0000000000000000Y"), Some('W'));
        assert!(CreditCode::parse("000000000000000000").is_ok());
        assert!(CreditCode::parse("10000000000000000Y").is_ok());
        assert!(CreditCode::parse("0000000000000000YW").is_ok());
    }

    #[test]
    fn accepts_lower_case_spaces_and_full_width() {
        let code = CreditCode::parse("  91371323760038087m\n").expect("lower case");
        assert_eq!(code.as_str(), KNOWN);
        assert_eq!(
            CreditCode::parse("９１３７１３２３７６００３８０８７Ｍ").map(|c| c.to_string()),
            Ok(KNOWN.to_string())
        );
        assert_eq!(check_character("0000000000000000y"), Some('W'));
    }

    #[test]
    fn rejects_wrong_length() {
        assert_eq!(CreditCode::parse(""), Err(CreditCodeError::WrongLength(0)));
        assert_eq!(
            CreditCode::parse("91371323760038087"),
            Err(CreditCodeError::WrongLength(17))
        );
        assert_eq!(
            CreditCode::parse("91371323760038087MM"),
            Err(CreditCodeError::WrongLength(19))
        );
        assert_eq!(
            CreditCode::parse("9137132376003808 7M"),
            Err(CreditCodeError::WrongLength(19))
        );
        assert_eq!(check_character("9137132376003808"), None);
        assert_eq!(check_character("913713237600380870"), None);
    }

    #[test]
    fn rejects_forbidden_characters() {
        for (bad, ch) in [
            ('I', 'I'),
            ('o', 'O'),
            ('S', 'S'),
            ('V', 'V'),
            ('Z', 'Z'),
            ('-', '-'),
        ] {
            let s = format!("9137132376003808{bad}M");
            assert_eq!(
                CreditCode::parse(&s),
                Err(CreditCodeError::InvalidCharacter { position: 17, ch })
            );
        }
        assert_eq!(
            CreditCode::parse("é1371323760038087M"),
            Err(CreditCodeError::InvalidCharacter {
                position: 1,
                ch: 'é'
            })
        );
        assert_eq!(
            CreditCode::parse("91371323760038087I"),
            Err(CreditCodeError::InvalidCharacter {
                position: 18,
                ch: 'I'
            })
        );
        assert_eq!(check_character("9137132376003808I"), None);
    }

    #[test]
    fn rejects_bad_check_character() {
        assert_eq!(
            CreditCode::parse("91371323760038087N"),
            Err(CreditCodeError::BadCheckCharacter {
                expected: 'M',
                found: 'N'
            })
        );
        // A transposition of two digits is caught.
        assert!(matches!(
            CreditCode::parse("91371323670038087M"),
            Err(CreditCodeError::BadCheckCharacter { .. })
        ));
        let msg = CreditCode::parse("91371323760038087N").map_err(|e| e.to_string());
        assert!(msg.is_err_and(|m| m.contains("'M'")));
    }

    #[test]
    fn looks_like() {
        assert!(looks_like_credit_code(KNOWN));
        assert!(looks_like_credit_code(" 91371323760038087n "));
        assert!(!looks_like_credit_code("91371323760038087"));
        assert!(!looks_like_credit_code("9137132376003808IM"));
        assert!(!looks_like_credit_code("北京京东世纪贸易有限公司"));
    }

    fn prefix17() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, 17).prop_map(|v| {
            let chars: Vec<char> = ALPHABET.chars().collect();
            v.into_iter().map(|i| chars[i]).collect()
        })
    }

    proptest! {
        #[test]
        fn prefix_plus_check_parses(prefix in prefix17()) {
            let check = check_character(&prefix).expect("17 alphabet chars");
            let code = format!("{prefix}{check}");
            prop_assert!(looks_like_credit_code(&code));
            let parsed = CreditCode::parse(&code.to_lowercase()).expect("round trip");
            prop_assert_eq!(parsed.as_str(), code.as_str());
        }

        #[test]
        fn any_other_check_character_is_rejected(prefix in prefix17(), i in 0usize..31) {
            let check = check_character(&prefix).expect("17 alphabet chars");
            let other = ALPHABET.chars().nth(i).expect("index in range");
            prop_assume!(other != check);
            let result = CreditCode::parse(&format!("{prefix}{other}"));
            prop_assert_eq!(result, Err(CreditCodeError::BadCheckCharacter { expected: check, found: other }));
        }

        #[test]
        fn single_substitution_is_detected(prefix in prefix17(), pos in 0usize..17, i in 0usize..31) {
            let check = check_character(&prefix).expect("17 alphabet chars");
            let mut chars: Vec<char> = prefix.chars().collect();
            let new = ALPHABET.chars().nth(i).expect("index in range");
            prop_assume!(chars[pos] != new);
            chars[pos] = new;
            let changed: String = chars.into_iter().collect();
            let code = format!("{changed}{check}");
            prop_assert!(CreditCode::parse(&code).is_err());
        }
    }
}
