//! Look-alike sites in the registry (`domain::lookalike`): the certified sites that a host
//! without a certificate resembles. Equal keys and the sites spelled inside the host are read
//! through the index of the bound domains' site keys; keys a few edits away are found in
//! [`KeyIndex`], every key in a finite-state set (`fst`) that each instance keeps in memory and
//! rebuilds when the bound domains change. No step reads more than a few index entries.

use std::collections::{BTreeMap, BTreeSet};

use std::sync::LazyLock;

use diesel::prelude::*;
use fst::{IntoStreamer, Set};
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};

use super::schema::{certificates, platform_domains};
use super::DbConnection;
use crate::domain::best_match::is_in_force;
use crate::domain::hostname::Hostname;
use crate::domain::lookalike::{edit_allowance, embedded_sites, Resemblance, Site};
use crate::domain::status::CertificateStatus;

/// Most certified sites named in one warning.
pub const MAX_SITES: usize = 5;
/// Most keys taken from the edit search, and most bound domains read for them.
const MAX_NEAR_KEYS: usize = 64;
const MAX_DOMAINS: i64 = 400;

/// What the bound domains are, cheaply: their number and the highest id. Binding a domain
/// inserts a row with a new id; unbinding one removes a row.
pub type Fingerprint = (i64, Option<i32>);

/// Every site key of the bound domains, to find those a few edits from a host's key.
pub struct KeyIndex {
    keys: Set<Vec<u8>>,
    /// The bound domains the index was built from.
    pub fingerprint: Fingerprint,
}

impl KeyIndex {
    /// Reads every distinct key (in byte order, as the index holds them) into a new set.
    pub fn build(conn: &mut DbConnection) -> QueryResult<KeyIndex> {
        let fingerprint = fingerprint(conn)?;
        let keys: Vec<String> = platform_domains::table
            .select(platform_domains::site_key)
            .filter(platform_domains::site_key.ne(""))
            .distinct()
            .order_by(platform_domains::site_key)
            .load(conn)?;
        // The database sorts byte-wise (SQLite's default, PostgreSQL's COLLATE "C"); the set
        // needs it exactly so, and a failure here must not take the search down.
        let keys = Set::from_iter(keys.iter().map(String::as_bytes)).or_else(|_| {
            let sorted: BTreeSet<&[u8]> = keys.iter().map(String::as_bytes).collect();
            Set::from_iter(sorted)
        });
        Ok(KeyIndex {
            keys: keys.unwrap_or_default(),
            fingerprint,
        })
    }

    /// How many keys the index holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys at most `edits` edits from `key` (the key itself included when present).
    pub fn near(&self, key: &str, edits: u32) -> Vec<String> {
        let builder = match edits {
            0 => return Vec::new(),
            1 => &*ONE_EDIT,
            _ => &*TWO_EDITS,
        };
        let dfa = builder.build_dfa(key);
        let mut found = self.keys.search(Within(&dfa)).into_stream();
        let mut out = Vec::new();
        while let Some(k) = fst::Streamer::next(&mut found) {
            if out.len() >= MAX_NEAR_KEYS {
                break;
            }
            if let Ok(k) = std::str::from_utf8(k) {
                out.push(k.to_owned());
            }
        }
        out
    }
}

/// Builders of Levenshtein automata (plain Levenshtein: a swap of two letters is two edits,
/// as `strsim::levenshtein` counts it); each takes some milliseconds to build, once.
static ONE_EDIT: LazyLock<LevenshteinAutomatonBuilder> =
    LazyLock::new(|| LevenshteinAutomatonBuilder::new(1, false));
static TWO_EDITS: LazyLock<LevenshteinAutomatonBuilder> =
    LazyLock::new(|| LevenshteinAutomatonBuilder::new(2, false));

/// A Levenshtein automaton as the finite-state set walks it, byte by byte (its DFA reads
/// UTF-8, so an edit is one character however many bytes it takes).
struct Within<'a>(&'a DFA);

impl fst::Automaton for Within<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// The current [`Fingerprint`] of the bound domains.
pub fn fingerprint(conn: &mut DbConnection) -> QueryResult<Fingerprint> {
    platform_domains::table
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(platform_domains::id),
        ))
        .first(conn)
}

/// A certified site a host resembles, with the certificates of the platforms bound to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResemblingSite {
    /// Its registrable domain, in Unicode.
    pub site: String,
    /// One of its bound domains (normalised ASCII), to look it up.
    pub domain: String,
    pub resemblance: Resemblance,
    /// Numbers of its certificates, those in force first.
    pub certificates: Vec<String>,
}

/// The certified sites `host` resembles, most telling first, at most [`MAX_SITES`]; empty when
/// it resembles none (or is itself bound: callers ask only for hosts without a certificate).
pub fn resembling(
    conn: &mut DbConnection,
    index: &KeyIndex,
    host: &Hostname,
    today: chrono::NaiveDate,
) -> QueryResult<Vec<ResemblingSite>> {
    // Decoded whatever its scripts (`to_unicode` keeps a mixed-script name in punycode for
    // display): the skeleton must see the Cyrillic о of `guоzhen`.
    let unicode = idna::domain_to_unicode(host.as_str()).0;
    let Some(own) = Site::of(&unicode) else {
        return Ok(Vec::new());
    };
    let inside = embedded_sites(&unicode);
    let mut keys: BTreeSet<String> = index
        .near(&own.key, edit_allowance(&own.label))
        .into_iter()
        .collect();
    keys.insert(own.key.clone());
    keys.extend(inside.iter().map(|s| s.key.clone()));
    // No ORDER BY: with one, SQLite's planner walked the whole `domain` index in order to
    // stop after MAX_DOMAINS, 2.5 s at 1,000,000 when none matched; sorted here instead.
    let mut bound: Vec<(i32, String)> = platform_domains::table
        .filter(platform_domains::site_key.eq_any(&keys))
        .select((platform_domains::platform_id, platform_domains::domain))
        .limit(MAX_DOMAINS)
        .load(conn)?;
    bound.sort_by(|a, b| a.1.cmp(&b.1));
    // Each certified site once, with how it is resembled and its platforms.
    let mut sites: BTreeMap<String, (Resemblance, String, BTreeSet<i32>)> = BTreeMap::new();
    for (platform_id, domain) in bound {
        let Some(site) = Site::of(&idna::domain_to_unicode(&domain).0) else {
            continue;
        };
        let kind = if inside.iter().any(|s| s.registrable == site.registrable) {
            Some(Resemblance::Embedded)
        } else {
            Resemblance::between(&own, &site)
        };
        let Some(kind) = kind else { continue };
        let entry = sites
            .entry(site.registrable)
            .or_insert_with(|| (kind, domain.clone(), BTreeSet::new()));
        if kind < entry.0 {
            entry.0 = kind;
        }
        // The shortest bound domain names the site best (guozhen.com before m.guozhen.com).
        if domain.len() < entry.1.len() {
            entry.1 = domain;
        }
        entry.2.insert(platform_id);
    }
    let mut ranked: Vec<(Resemblance, String, String, BTreeSet<i32>)> = sites
        .into_iter()
        .map(|(site, (kind, domain, platforms))| (kind, site, domain, platforms))
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    // Beside a site of the very same name, names a letter or two away are noise.
    if ranked.first().is_some_and(|r| r.0 != Resemblance::Typo) {
        ranked.retain(|r| r.0 != Resemblance::Typo);
    }
    // The certificates of the first sites, in one query: their sites are named only if
    // they have one.
    ranked.truncate(MAX_SITES);
    let platforms: BTreeSet<i32> = ranked.iter().flat_map(|r| r.3.iter().copied()).collect();
    let numbers = numbers_of(conn, &platforms, today)?;
    Ok(ranked
        .into_iter()
        .filter_map(|(resemblance, site, domain, platforms)| {
            let certificates: Vec<String> = numbers
                .iter()
                .filter(|(_, p)| platforms.contains(p))
                .map(|(n, _)| n.clone())
                .take(3)
                .collect();
            (!certificates.is_empty()).then_some(ResemblingSite {
                site,
                domain,
                resemblance,
                certificates,
            })
        })
        .collect())
}

/// The certificate numbers of these platforms with their platform, those in force first, then
/// the newest.
fn numbers_of(
    conn: &mut DbConnection,
    platforms: &BTreeSet<i32>,
    today: chrono::NaiveDate,
) -> QueryResult<Vec<(String, i32)>> {
    if platforms.is_empty() {
        return Ok(Vec::new());
    }
    type Row = (
        String,
        i32,
        CertificateStatus,
        chrono::NaiveDate,
        chrono::NaiveDate,
    );
    let mut rows: Vec<Row> = certificates::table
        .filter(certificates::platform_id.eq_any(platforms))
        .select((
            certificates::number,
            certificates::platform_id,
            certificates::status,
            certificates::expires_on,
            certificates::issued_on,
        ))
        .limit(100)
        .load(conn)?;
    let in_force = |s, expires_on| is_in_force(s, expires_on, today);
    rows.sort_by(|a, b| {
        in_force(b.2, b.3)
            .cmp(&in_force(a.2, a.3))
            .then(b.4.cmp(&a.4))
            .then(a.0.cmp(&b.0))
    });
    Ok(rows.into_iter().map(|r| (r.0, r.1)).collect())
}
