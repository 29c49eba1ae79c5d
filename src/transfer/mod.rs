//! Moving the registry in and out: the import's reading and checks (the import itself is the
//! use case `app::import`: a CSV file of certificates, checked in full, then written in one
//! transaction or not at all), `export` (the whole registry as CSV in the same
//! columns, streamed), `published` (the public downloads, written once per revision; `history_file` the history download), `stored` (the gzip files
//! the downloads and sitemaps are kept in), and `backup` (SQLite copies and restores; PostgreSQL uses pg_dump).
//! The CSV columns are `domain::record::Column`; `docs/IMPORT.md` documents them.

pub mod backup;
pub(crate) mod checks;
pub mod csv_rows;
pub mod export;
pub mod history_file;
pub mod progress;
pub mod published;
pub mod report;
pub mod stored;

pub use report::{LineError, Report};
