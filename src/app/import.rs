//! `sqe-registry import FILE.csv [--dry-run]`: every line is checked (the record's own rules,
//! then the file and the database) and every error reported by line; only a file without errors
//! is written, in one transaction with one revision bump, or not at all. A certificate already
//! stored with the same values is reported as unchanged, so an import can be run again.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::registration::{self as store, Origin};
use super::{run, Actor, Changes};
use crate::db::DbConnection;
use crate::domain::record::validate;
use crate::transfer::checks::{self, Plan};
use crate::transfer::csv_rows::{read_rows, ReadRows};
use crate::transfer::progress;
use crate::transfer::report::{LineError, Report};

/// Unchanged certificates listed one by one in a summary; the rest are counted.
const LISTED: usize = 10;

/// How to import.
pub struct ImportOptions {
    /// Check and report only; write nothing.
    pub dry_run: bool,
    /// Show progress bars on stderr (when it is a terminal).
    pub progress: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub dry_run: bool,
    /// (line, number) of the certificates written (or to be written).
    pub imported: Vec<(u64, String)>,
    /// (line, number) of the certificates already stored with the same values.
    pub unchanged: Vec<(u64, String)>,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (line, number) in self.unchanged.iter().take(LISTED) {
            writeln!(
                f,
                "line {line}: {number} unchanged (already in the registry)"
            )?;
        }
        if self.unchanged.len() > LISTED {
            writeln!(f, "… and {} more unchanged", self.unchanged.len() - LISTED)?;
        }
        let (done, tail) = if self.dry_run {
            ("would be imported", "; dry run: nothing was written")
        } else {
            ("imported", "")
        };
        write!(
            f,
            "{} certificates read: {} {done}, {} unchanged{tail}",
            self.imported.len() + self.unchanged.len(),
            self.imported.len(),
            self.unchanged.len()
        )
    }
}

/// Why nothing was imported.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "nothing was written: {} error(s) on {} line(s)",
        .0.errors.len(),
        .0.lines()
    )]
    Rejected(Report),
    #[error("database error, nothing was written: {0}")]
    Db(#[from] diesel::result::Error),
}

/// `sqe-registry import`: imports `file` as `actor` (the CLI's) with progress bars; a rejected
/// file's report goes to stderr, line by line, before the error is returned.
pub fn import_command(
    conn: &mut DbConnection,
    actor: &Actor,
    file: &Path,
    dry_run: bool,
) -> Result<ImportSummary, ImportError> {
    let opts = ImportOptions {
        dry_run,
        progress: true,
    };
    let result = import_file(conn, actor, file, &opts);
    if let Err(ImportError::Rejected(report)) = &result {
        eprint!("{report}");
    }
    result
}

/// Imports a CSV file (see `docs/IMPORT.md`).
pub fn import_file(
    conn: &mut DbConnection,
    actor: &Actor,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let read_error = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    let len = file.metadata().map_err(read_error)?.len();
    let bar = bar(opts, len, "reading", true);
    let rows = read_rows(BufReader::new(file), |b| bar.set_position(b)).map_err(read_error)?;
    bar.finish_and_clear();
    import_rows(conn, actor, rows, opts)
}

fn bar(opts: &ImportOptions, len: u64, what: &'static str, bytes: bool) -> indicatif::ProgressBar {
    if opts.progress {
        progress::bar(len, what, bytes)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// Why the write transaction ended without committing.
enum Stop {
    Db(diesel::result::Error),
    /// The database checks found errors, or there was nothing to write.
    Rollback(Plan),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Stop {
        Stop::Db(e)
    }
}

/// Imports records already read from a file, as `actor` (today in Beijing: dates after it are
/// refused).
pub fn import_rows(
    conn: &mut DbConnection,
    actor: &Actor,
    rows: ReadRows,
    opts: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let ReadRows { rows, mut report } = rows;
    let mut valid = Vec::with_capacity(rows.len());
    for row in rows {
        match validate(&row.raw, actor.today) {
            Ok(record) => valid.push((row.line, record)),
            Err(errors) => report
                .errors
                .extend(errors.iter().map(|e| LineError::field(row.line, e))),
        }
    }
    checks::within_file(&valid, &mut report);
    if opts.dry_run || !report.is_empty() {
        // Checked outside a transaction: nothing is written either way.
        let plan = checks::against_db(conn, valid, &mut report)?;
        return summary(report, plan, true);
    }
    // The write lock is taken first (see `db::write::write_transaction`), so the checks below
    // see the data the inserts will join.
    let outcome = run(conn, actor, |conn, changes| {
        let plan = checks::against_db(conn, valid, &mut report)?;
        if !report.is_empty() || plan.new.is_empty() {
            return Err(Stop::Rollback(plan));
        }
        write_plan(conn, changes, &plan, opts)?;
        Ok(plan)
    });
    match outcome {
        Ok(plan) => summary(report, plan, false),
        Err(Stop::Rollback(plan)) => summary(report, plan, false),
        Err(Stop::Db(e)) => Err(ImportError::Db(e)),
    }
}

fn summary(mut report: Report, plan: Plan, dry_run: bool) -> Result<ImportSummary, ImportError> {
    if !report.is_empty() {
        report.sort();
        return Err(ImportError::Rejected(report));
    }
    Ok(ImportSummary {
        dry_run,
        imported: plan
            .new
            .into_iter()
            .map(|p| (p.line, p.record.number))
            .collect(),
        unchanged: plan.unchanged,
    })
}

fn write_plan(
    conn: &mut DbConnection,
    changes: &mut Changes<'_>,
    plan: &Plan,
    opts: &ImportOptions,
) -> diesel::QueryResult<()> {
    let count = plan.new.len();
    tracing::info!(count, "writing certificates in one transaction");
    let bar = bar(
        opts,
        u64::try_from(count).unwrap_or(u64::MAX),
        "writing",
        false,
    );
    let mut companies: HashMap<&str, i32> = HashMap::new();
    for p in &plan.new {
        let code = p.record.company.credit_code.as_str();
        let company_id = match companies.get(code) {
            Some(&id) => id,
            None => {
                let id = store::company(conn, changes, p, Origin::Import)?;
                companies.insert(code, id);
                id
            }
        };
        store::certificate(conn, changes, p, company_id, Origin::Import)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}
