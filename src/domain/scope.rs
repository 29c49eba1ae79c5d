//! The certified scope of a certificate, as the back office enters it: required in Chinese,
//! optional in English, each at most [`MAX_SCOPE_CHARS`] characters.

/// Longest scope text, in characters, in either language.
pub const MAX_SCOPE_CHARS: usize = 500;

/// Why a scope was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("the scope must be given in Chinese")]
    Required,
    #[error("a scope is at most {MAX_SCOPE_CHARS} characters")]
    TooLong,
}

/// A checked scope: trimmed, the Chinese text not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub zh: String,
    pub en: String,
}

impl Scope {
    /// Checks a scope as entered (surrounding white space is dropped).
    pub fn parse(zh: &str, en: &str) -> Result<Scope, ScopeError> {
        let (zh, en) = (zh.trim(), en.trim());
        if zh.chars().count() > MAX_SCOPE_CHARS || en.chars().count() > MAX_SCOPE_CHARS {
            return Err(ScopeError::TooLong);
        }
        if zh.is_empty() {
            return Err(ScopeError::Required);
        }
        Ok(Scope {
            zh: zh.to_owned(),
            en: en.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_both_languages() {
        let scope = Scope::parse("  网络零售平台服务 \n", " Online retail ").expect("valid");
        assert_eq!(scope.zh, "网络零售平台服务");
        assert_eq!(scope.en, "Online retail");
    }

    #[test]
    fn chinese_is_required_english_is_not() {
        assert_eq!(
            Scope::parse(" \t", "Online retail"),
            Err(ScopeError::Required)
        );
        assert!(Scope::parse("网络零售", "").is_ok());
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // 500 Chinese characters are 1,500 bytes of UTF-8 and still allowed.
        let at_limit = "服".repeat(500);
        assert!(Scope::parse(&at_limit, "").is_ok());
        let over = "服".repeat(501);
        assert_eq!(Scope::parse(&over, ""), Err(ScopeError::TooLong));
        assert_eq!(
            Scope::parse("服务", &"a".repeat(501)),
            Err(ScopeError::TooLong)
        );
    }
}
