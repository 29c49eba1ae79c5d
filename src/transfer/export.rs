//! `sqe-registry export [--output FILE]`: the whole registry as CSV in the import's columns, read
//! a page of certificates at a time (by id) inside one read transaction, so that the file is one
//! consistent picture even while the server writes, and memory stays flat.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::csv_rows::CsvWriter;
use super::progress;
use crate::db::schema::certificates;
use crate::db::{records, DbConnection};

/// Certificates read per query.
pub const PAGE: i64 = 1000;

/// Writes every certificate to `out` as CSV, in id order; returns the output and the count.
pub fn export_to<W: Write>(
    conn: &mut DbConnection,
    out: W,
    show_progress: bool,
) -> anyhow::Result<(W, u64)> {
    conn.transaction(|conn| {
        if let DbConnection::Pg(pg) = conn {
            // One snapshot for every page (SQLite's read transaction gives that by itself).
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        let total: i64 = certificates::table.count().get_result(conn)?;
        let bar = if show_progress {
            progress::bar(u64::try_from(total).unwrap_or(0), "exporting", false)
        } else {
            indicatif::ProgressBar::hidden()
        };
        let mut writer = CsvWriter::new(out)?;
        let mut after = 0;
        let mut count = 0u64;
        loop {
            let page = records::page_after(conn, after, PAGE)?;
            let Some((last, _)) = page.last() else {
                break;
            };
            after = *last;
            for (_, raw) in &page {
                writer.write(raw)?;
            }
            count += page.len() as u64;
            bar.set_position(count);
        }
        bar.finish_and_clear();
        Ok((writer.finish()?, count))
    })
}

/// Exports to standard output, or to `path`: written beside it under a temporary name and
/// renamed when complete, so that a failed export never leaves a half file in its place.
pub fn export_command(conn: &mut DbConnection, path: Option<&Path>) -> anyhow::Result<u64> {
    let Some(path) = path else {
        let stdout = std::io::stdout().lock();
        let written = export_to(conn, BufWriter::new(stdout), false)
            .and_then(|(mut out, count)| Ok(out.flush().map(|()| count)?));
        // A reader that stops early (`export | head`) is not an error.
        return match written {
            Err(e) if is_broken_pipe(&e) => Ok(0),
            other => other,
        };
    };
    let partial = partial_path(path);
    let file =
        File::create(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    let result = export_to(conn, BufWriter::new(file), true).and_then(|(out, count)| {
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&partial, path).with_context(|| {
            format!("cannot rename {} to {}", partial.display(), path.display())
        })?;
        Ok(count)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().or_else(|| {
            cause
                .downcast_ref::<csv::Error>()
                .and_then(|c| match c.kind() {
                    csv::ErrorKind::Io(io) => Some(io),
                    _ => None,
                })
        });
        io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `FILE.partial` beside `FILE`.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}
