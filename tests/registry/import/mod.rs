//! Import and export on both backends: the sample file, every error by line with nothing
//! written, re-runs, the database checks, export → import round trips, the command line, and a
//! kill -9 in the middle of a long import.

use crate::common;

mod cli;
mod crash;
mod round_trip;
mod rules;

use diesel::prelude::*;
use sqe_registry::app::import::{import_rows, ImportError, ImportOptions, ImportSummary};
use sqe_registry::app::{Actor, ActorKind};
use sqe_registry::db::schema::*;
use sqe_registry::db::{stats, DbConnection};
use sqe_registry::domain::credit_code::check_character;
use sqe_registry::domain::record::Column;
use sqe_registry::transfer::csv_rows::read_rows;
use sqe_registry::transfer::Report;

use common::{date, with_conn, TestDb};

/// The sample shipped in the repository.
pub const SAMPLE: &str = include_str!("../../../samples/certificates.csv");

/// Import options of the tests: no progress bar.
pub fn opts(dry_run: bool) -> ImportOptions {
    ImportOptions {
        dry_run,
        progress: false,
    }
}

/// Who imports in the tests: the CLI run by the user `import`, on a fixed day.
pub fn importer() -> Actor {
    Actor {
        kind: ActorKind::Cli {
            os_user: "import".to_owned(),
        },
        today: date(2026, 11, 29),
        now: date(2026, 11, 29).and_hms_opt(1, 2, 3).expect("time"),
        validity_years: 3,
        log_signer: Some(std::sync::Arc::new(
            sqe_registry::config::log_key::demo_signer(),
        )),
    }
}

/// Imports CSV text.
pub fn import(db: &TestDb, text: &str, dry_run: bool) -> Result<ImportSummary, ImportError> {
    let rows = read_rows(text.as_bytes(), |_| {}).expect("in memory");
    with_conn(db, |conn| {
        import_rows(conn, &importer(), rows, &opts(dry_run))
    })
}

/// The report of a rejected import, one error per string.
pub fn rejected(result: Result<ImportSummary, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::Rejected(Report { errors })) => {
            errors.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected a rejected import, got {other:?}"),
    }
}

/// Row counts of the tables an import writes, and the revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub certificates: i64,
    pub companies: i64,
    pub platforms: i64,
    pub domains: i64,
    pub events: i64,
    pub audit: i64,
    pub revision: i64,
}

pub fn counts(conn: &mut DbConnection) -> Counts {
    Counts {
        certificates: certificates::table.count().get_result(conn).expect("count"),
        companies: companies::table.count().get_result(conn).expect("count"),
        platforms: platforms::table.count().get_result(conn).expect("count"),
        domains: platform_domains::table
            .count()
            .get_result(conn)
            .expect("count"),
        events: certificate_events::table
            .count()
            .get_result(conn)
            .expect("count"),
        audit: audit_log::table.count().get_result(conn).expect("count"),
        revision: stats::revision(conn).expect("revision"),
    }
}

/// A valid credit code made from a number (17 digits, then the check character).
pub fn numbered_credit_code(n: u64) -> String {
    let prefix = format!("91{n:015}");
    let check = check_character(&prefix).expect("digits are valid");
    format!("{prefix}{check}")
}

/// The header line of the import format.
pub fn header() -> String {
    Column::ALL
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(",")
}

/// `count` valid, distinct CSV lines (after a header) for the reference of
/// `fixtures::seed_reference`; certificate numbers are `{prefix}-{i}`.
pub fn generated_csv(prefix: &str, count: u64) -> String {
    let host = prefix.to_ascii_lowercase();
    let mut out = header();
    out.push('\n');
    for i in 0..count {
        out.push_str(&format!(
            "{prefix}-{i:06},{},生成测试{i}有限公司,,440000,深圳市,测试路 {i} 号,平台{i},b2c,\
             p{i}.{host}.example,,CQM,31526-2015,{},valid,2024-01-01,2024-01-01,2026-12-31,\
             2025-06-01,surveillance,,\n",
            numbered_credit_code(i),
            70 + i % 30
        ));
    }
    out
}
