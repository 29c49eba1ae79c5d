//! Moving the registry in and out: `import` (a CSV file of certificates, checked in full, then
//! written in one transaction or not at all), `export` (the whole registry as CSV in the same
//! columns, streamed), and `backup` (SQLite copies and restores; PostgreSQL uses pg_dump).
//! The CSV columns are `domain::record::Column`; `docs/IMPORT.md` documents them.

pub mod backup;
mod checks;
pub mod csv_rows;
pub mod export;
pub mod import;
pub mod progress;
pub mod report;

pub use import::{import_file, ImportError, ImportOptions, ImportSummary};
pub use report::{LineError, Report};
