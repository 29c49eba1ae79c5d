//! Unified social credit codes: never a panic; a parsed code is 18 characters whose last is the
//! check character of the first 17, and parses again to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqe_registry::domain::credit_code::{check_character, looks_like_credit_code, CreditCode};

fuzz_target!(|input: &str| {
    let _ = looks_like_credit_code(input);
    let _ = check_character(input);
    let Ok(code) = CreditCode::parse(input) else {
        return;
    };
    let text = code.as_str();
    assert_eq!(text.chars().count(), 18, "{text:?}");
    let (first17, last) = text.split_at(17);
    assert_eq!(check_character(first17).map(String::from).as_deref(), Some(last));
    assert_eq!(CreditCode::parse(text).expect("parses again").as_str(), text);
});
