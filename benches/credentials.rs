//! What credentials cost (issue 17), on the registry `DATABASE_URL` names (the
//! 1,000,000-certificate bench database, its credentials issued by `sqe-registry log start`):
//! building and signing one credential (the document from its stored facts, the
//! `eddsa-jcs-2022` proof, the canonical bytes served), over 2,000 random credentials read
//! first; and building each status list 0 — reading its set entries, compressing the 2^20-entry
//! bitstring, signing — with its sizes. Prints medians, p95 and sizes.
//! Run: `DATABASE_URL=postgres://…/sqe_bench_1000000 cargo bench --bench credentials`

use std::time::{Duration, Instant};

use chrono::Utc;
use rand::{Rng, SeedableRng};
use sqe_registry::config::log_key::demo_signer;
use sqe_registry::db::{self, credentials};
use sqe_registry::domain::credentials::badge::{self, Registry};
use sqe_registry::domain::credentials::data_integrity::{self, ProofOptions};
use sqe_registry::domain::credentials::status_list::{self, StatusPurpose};

const SIGNED: usize = 2_000;

fn percentile(times: &mut [Duration], q: f64) -> f64 {
    times.sort();
    times[((times.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1e6
}

fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")?;
    let pool = db::build_pool(&url, 1)?;
    let mut conn = pool.get()?;
    let conn = &mut *conn;
    let signer = demo_signer();
    let registry = Registry {
        public_url: "https://registry.example.cn",
        did: "did:web:registry.example.cn",
    };
    let method = "did:web:registry.example.cn#key-01020304".to_owned();
    let last = credentials::last_id(conn)?;
    if last == 0 {
        anyhow::bail!("no credentials: run `sqe-registry log start` first");
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut stored = Vec::with_capacity(SIGNED);
    while stored.len() < SIGNED {
        if let Some(c) = credentials::by_id(conn, rng.random_range(1..=last))? {
            stored.push(c);
        }
    }
    let mut times = Vec::with_capacity(SIGNED);
    let mut bytes = 0usize;
    for c in &stored {
        let start = Instant::now();
        let unsigned = badge::credential(&c.facts, &registry);
        let options = ProofOptions {
            created: badge::utc(c.facts.issued_at),
            verification_method: method.clone(),
            proof_purpose: "assertionMethod".into(),
        };
        let signed = data_integrity::sign(&unsigned, &options, signer.signing_key())?;
        let body = serde_json_canonicalizer::to_vec(&signed)?;
        times.push(start.elapsed());
        bytes += body.len();
    }
    println!(
        "credential built and signed, {SIGNED} of {last}: median {:.1} µs, p95 {:.1} µs; {:.0} bytes on average",
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.95),
        bytes as f64 / SIGNED as f64
    );
    for purpose in StatusPurpose::ALL {
        let start = Instant::now();
        let set = credentials::set_entries(conn, purpose, 0)?;
        let read = start.elapsed();
        let count = set.len();
        let encoded = status_list::encode(set);
        let encoded_at = start.elapsed();
        let unsigned = status_list::list_credential(
            registry.public_url,
            registry.did,
            purpose,
            0,
            encoded.clone(),
            &badge::utc(Utc::now().naive_utc()),
        );
        let options = ProofOptions {
            created: badge::utc(Utc::now().naive_utc()),
            verification_method: method.clone(),
            proof_purpose: "assertionMethod".into(),
        };
        let signed = data_integrity::sign(&unsigned, &options, signer.signing_key())?;
        let body = serde_json_canonicalizer::to_vec(&signed)?;
        let total = start.elapsed();
        println!(
            "status list {} 0: {count} of {} entries set; read {:.0} ms, compressed {:.0} ms, signed {:.0} ms in all; encodedList {} characters, document {} bytes",
            purpose.as_str(),
            status_list::LIST_SIZE,
            read.as_secs_f64() * 1e3,
            (encoded_at - read).as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3,
            encoded.len(),
            body.len()
        );
    }
    Ok(())
}
