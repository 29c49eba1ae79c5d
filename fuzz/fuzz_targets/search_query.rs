//! The search box's classifier, its pure part: what a query is (credit code, host, searchable
//! text) and its normalised tokens. Never a panic; tokens are non-empty and normalised.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqe_registry::domain::credit_code::CreditCode;
use sqe_registry::domain::hostname::{looks_like_host, Hostname};
use sqe_registry::domain::search_text::{index_tokens, normalize, query_is_searchable, query_tokens};

fuzz_target!(|input: &str| {
    let _ = CreditCode::parse(input);
    if looks_like_host(input) {
        let _ = Hostname::parse(input);
    }
    let searchable = query_is_searchable(input);
    let tokens = query_tokens(input);
    for token in &tokens {
        assert!(!token.text.is_empty(), "{input:?} gave an empty token");
    }
    if !searchable {
        return;
    }
    let normalised = normalize(input);
    let _ = index_tokens(&normalised);
});
