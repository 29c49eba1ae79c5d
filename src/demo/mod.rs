//! The demo registry: a generated, clearly labelled registry of fictional companies, platforms
//! and certificates with their histories, deterministic for a seed and a date. A few hundred
//! certificates for browsing, up to 1,000,000 for benchmarks.
//!
//! Files: `names` (name tables), `reference` (bodies, schemes, indicators), `holders`
//! (companies and platforms), `evaluation` and `history` (the lifecycle simulation, pure),
//! `goals` (profiles; goals for the first certificates), `generator` (rows of a certificate),
//! `rows` (batched writes: multi-row inserts on SQLite, COPY on PostgreSQL), `bulk` (indexes
//! and foreign keys set aside during large loads).

mod bulk;
mod evaluation;
mod generator;
mod goals;
mod history;
mod holders;
mod names;
mod reference;
mod rows;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::bail;
use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::{certificates, companies};
use crate::db::{write, DbConnection};
use generator::Generator;
use rows::Batch;

/// Certificates in the default demo.
pub const DEFAULT_COUNT: u32 = 300;
/// Seed of the default demo.
pub const DEFAULT_SEED: u64 = 31526;
/// Largest number of certificates the generator makes.
pub const MAX_COUNT: u32 = 1_000_000;

/// Above this many certificates, only each certificate's latest evaluation keeps its
/// per-indicator scores, and indexes and foreign keys are set aside during the load (see
/// `bulk`), so that a million certificates stay feasible.
const DETAIL_LIMIT: u32 = 5_000;
/// Certificates written per transaction.
const BATCH_SIZE: usize = 1_000;
/// Certificates between two progress lines on stderr.
const PROGRESS_EVERY: u32 = 50_000;

/// What to generate.
pub struct DemoOptions {
    /// Number of certificates, 1..=1,000,000.
    pub count: u32,
    /// Seed of the generator: the same seed and date give the same registry.
    pub seed: u64,
    /// The day the histories run up to (a Beijing calendar date).
    pub today: NaiveDate,
}

/// What was loaded, and how long it took.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub certificates: u32,
    pub companies: u32,
    pub platforms: u32,
    pub events: u32,
    pub elapsed: Duration,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo registry loaded: {} certificates, {} companies, {} platforms, {} events in {:.1} s",
            self.certificates,
            self.companies,
            self.platforms,
            self.events,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Whether the database holds no certificates and no companies.
pub fn is_empty(conn: &mut DbConnection) -> anyhow::Result<bool> {
    let certificate = certificates::table
        .select(certificates::id)
        .first::<i32>(conn)
        .optional()?;
    let company = companies::table
        .select(companies::id)
        .first::<i32>(conn)
        .optional()?;
    Ok(certificate.is_none() && company.is_none())
}

/// Fills an empty database with the demo registry and marks it as demo data
/// (`registry_meta.demo_data = "true"`). Refuses a database that holds certificates or
/// companies, and a count outside 1..=1,000,000.
pub fn fill_empty(conn: &mut DbConnection, opts: &DemoOptions) -> anyhow::Result<DemoSummary> {
    fill(conn, opts, opts.count > DETAIL_LIMIT)
}

/// [`fill_empty`]; `large` keeps the history light and loads in bulk-load mode.
fn fill(conn: &mut DbConnection, opts: &DemoOptions, large: bool) -> anyhow::Result<DemoSummary> {
    if !(1..=MAX_COUNT).contains(&opts.count) {
        bail!(
            "the demo needs between 1 and {MAX_COUNT} certificates, not {}",
            opts.count
        );
    }
    if !is_empty(conn)? {
        bail!(
            "the database is not empty (it holds certificates or companies): \
             the demo registry is only loaded into an empty database"
        );
    }
    let started = Instant::now();
    let reference = reference::load_or_insert(conn)?;
    write::set_meta(conn, "demo_data", "true")?;
    // Indexed with today's folding: nothing for `db::refold` to redo.
    crate::db::refold::mark_current(conn)?;
    let aside = if large {
        Some(bulk::set_aside(conn)?)
    } else {
        None
    };
    let loaded = load(conn, opts, &reference, !large, started);
    if aside.is_some() {
        eprintln!("demo: rebuilding indexes and foreign keys");
    }
    // Rebuild even after a failed load, so that the database keeps its indexes.
    let restored = aside.map_or(Ok(()), |a| a.restore(conn));
    let (companies, events) = loaded?;
    restored?;
    rows::reset_sequences(conn)?;
    // Fresh statistics, so that the query planners see the new data at once; on PostgreSQL
    // VACUUM also sets the visibility map, which index-only scans of the token index need.
    let refresh = match conn {
        DbConnection::Pg(_) => "VACUUM ANALYZE",
        DbConnection::Sqlite(_) => "ANALYZE",
    };
    diesel::connection::SimpleConnection::batch_execute(conn, refresh)?;
    Ok(DemoSummary {
        certificates: opts.count,
        companies,
        platforms: opts.count,
        events,
        elapsed: started.elapsed(),
    })
}

/// Generates and writes the certificates in batches; returns the numbers of companies and
/// events.
fn load(
    conn: &mut DbConnection,
    opts: &DemoOptions,
    reference: &reference::Reference,
    detail: bool,
    started: Instant,
) -> anyhow::Result<(u32, u32)> {
    let mut generator = Generator::new(opts.seed, opts.today, detail, reference);
    let mut batch = Batch::default();
    for index in 0..opts.count {
        generator.certificate(index, &mut batch)?;
        if batch.certificate_count() >= BATCH_SIZE {
            batch.write(conn)?;
        }
        let done = index + 1;
        if done % PROGRESS_EVERY == 0 {
            eprintln!(
                "demo: {done} of {} certificates ({:.1} s)",
                opts.count,
                started.elapsed().as_secs_f64()
            );
        }
    }
    batch.write(conn)?;
    Ok((
        u32::try_from(generator.companies())?,
        u32::try_from(generator.events())?,
    ))
}
