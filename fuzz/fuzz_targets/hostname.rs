//! Host normalisation: never a panic; a parsed host parses again to itself (also from its
//! display form), and every lookup candidate is a host.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqe_registry::domain::hostname::{looks_like_host, Hostname};

fuzz_target!(|input: &str| {
    let _ = looks_like_host(input);
    let Ok(host) = Hostname::parse(input) else {
        return;
    };
    let again = Hostname::parse(host.as_str()).expect("a normalised host parses");
    assert_eq!(again, host, "normalising is idempotent");
    let shown = host.to_unicode();
    assert_eq!(
        Hostname::parse(&shown).expect("the display form parses"),
        host,
        "the display form is the same host"
    );
    for candidate in host.lookup_candidates() {
        assert!(Hostname::parse(&candidate).is_ok(), "{candidate:?}");
    }
});
