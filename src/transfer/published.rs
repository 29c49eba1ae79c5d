//! The bulk downloads as files: the whole registry as CSV and as JSON Lines, written once per
//! registry revision and Beijing day (the effective status moves at midnight) into the data
//! directory, gzip-compressed, under a name that says both — `sqe-registry-r42-20261203.csv.gz`.
//! A file is written beside its final name and renamed into place when complete, so a reader
//! never sees half a file, and one reading the previous file keeps it (Unix keeps an unlinked
//! file for those who have it open).
//!
//! The CSV has the import's columns (`domain::record::Column`, so a download can be imported
//! elsewhere) followed by the derived ones (`DERIVED_COLUMNS`: grade, effective status, the
//! verification page), which an import ignores.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use flate2::write::GzEncoder;
use serde_json::{Map, Value};

use crate::db::{records, DbPool};
use crate::domain::record::{
    derived, split_app_names, split_domains, Column, RawRecord, DERIVED_COLUMNS,
};
use crate::domain::spreadsheet::neutralised;

/// Certificates read per query while writing (a connection is held for one page only).
pub const PAGE: i64 = 1000;

/// The two downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Csv, Format::Jsonl];

    /// The name users download it under.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "sqe-registry.csv",
            Format::Jsonl => "sqe-registry.jsonl",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Jsonl => "application/x-ndjson; charset=utf-8",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

/// Which file: a format at a registry revision on a Beijing day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edition {
    pub format: Format,
    pub revision: i64,
    pub day: NaiveDate,
}

impl Edition {
    /// Its path in `dir`.
    pub fn path(&self, dir: &Path) -> PathBuf {
        dir.join(format!(
            "sqe-registry-r{}-{}.{}.gz",
            self.revision,
            self.day.format("%Y%m%d"),
            self.format.extension()
        ))
    }
}

/// The newest complete file of `format` in `dir` (by modification time), if any.
pub fn latest(dir: &Path, format: Format) -> Option<PathBuf> {
    let suffix = format!(".{}.gz", format.extension());
    fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("sqe-registry-r") && name.ends_with(&suffix)
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, path)| path)
}

/// Writes `edition` into `dir` (created if missing) from the database, a page of certificates
/// per query, and removes the files of the same format it replaces. `link` gives a
/// certificate number's verification page (an absolute URL). Returns the file's path.
pub fn write(pool: &DbPool, dir: &Path, edition: Edition, link: &Link) -> anyhow::Result<PathBuf> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = edition.path(dir);
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    let written = write_to(pool, &partial, edition, link);
    if let Err(e) = written {
        let _ = fs::remove_file(&partial);
        return Err(e);
    }
    fs::rename(&partial, &path)
        .with_context(|| format!("cannot move {} into place", partial.display()))?;
    remove_older(dir, edition.format, &path);
    Ok(path)
}

/// A certificate number's verification page, as an absolute URL.
pub type Link = dyn Fn(&str) -> String + Send + Sync;

fn write_to(pool: &DbPool, partial: &Path, edition: Edition, link: &Link) -> anyhow::Result<()> {
    let file = fs::File::create(partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut gz = GzEncoder::new(std::io::BufWriter::new(file), flate2::Compression::new(6));
    if edition.format == Format::Csv {
        gz.write_all(&csv_lines(&[], true)?)?;
    }
    let mut after = 0;
    loop {
        let page = records::page_after(&mut *pool.get()?, after, PAGE)?;
        let rows: Vec<Published> = page
            .iter()
            .map(|(_, raw)| publish(raw.clone(), edition.day, link))
            .collect();
        let bytes = match edition.format {
            Format::Csv => csv_lines(&rows, false)?,
            Format::Jsonl => json_lines(&rows)?,
        };
        gz.write_all(&bytes)?;
        match page.last() {
            Some((id, _)) if page.len() as i64 == PAGE => after = *id,
            _ => break,
        }
    }
    let file = gz.finish()?.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(())
}

/// Removes the other files of `format` but `keep` (and partial files of dead writers are left
/// alone: another instance may be writing one).
fn remove_older(dir: &Path, format: Format, keep: &Path) {
    let suffix = format!(".{}.gz", format.extension());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("sqe-registry-r") && name.ends_with(&suffix) && entry.path() != keep {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes every published file in `dir` (at start: a restored database may have an old
/// revision number whose files hold other data).
pub fn clear(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("sqe-registry-r")
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// One record's published fields, in file order: the stored columns, then the derived ones.
struct Published {
    raw: RawRecord,
    grade: Option<u8>,
    status: Option<&'static str>,
    url: String,
}

fn publish(raw: RawRecord, today: NaiveDate, link: &Link) -> Published {
    let (grade, status) = derived(&raw, today);
    let url = link(raw.get(Column::Number));
    Published {
        grade,
        status: status.map(|s| s.as_str()),
        url,
        raw,
    }
}

fn csv_lines(rows: &[Published], header: bool) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::WriterBuilder::new().from_writer(Vec::with_capacity(rows.len() * 400));
    if header {
        let names = Column::ALL.iter().map(|c| c.name()).chain(DERIVED_COLUMNS);
        out.write_record(names)?;
    }
    for p in rows {
        let grade = p.grade.map(|g| g.to_string()).unwrap_or_default();
        let derived = [grade.as_str(), p.status.unwrap_or(""), p.url.as_str()];
        out.write_record(
            neutralised(p.raw.values().chain(derived))
                .iter()
                .map(|c| c.as_ref()),
        )?;
    }
    Ok(out.into_inner().map_err(|e| e.into_error())?)
}

/// One record as a JSON object: numbers as numbers, lists as arrays, empty optional text as null.
fn json_object(p: &Published) -> Value {
    let mut map = Map::new();
    for c in Column::ALL {
        let text = p.raw.get(c);
        let value = match c {
            Column::Score => text.parse::<f64>().map_or(Value::Null, Value::from),
            Column::Domains => split_domains(text).collect::<Vec<_>>().into(),
            Column::AppNames => split_app_names(text).collect::<Vec<_>>().into(),
            _ if c.optional() && text.is_empty() => Value::Null,
            _ => text.into(),
        };
        map.insert(c.name().to_owned(), value);
    }
    map.insert("grade".to_owned(), p.grade.map_or(Value::Null, Value::from));
    map.insert(
        "effective_status".to_owned(),
        p.status.map_or(Value::Null, Value::from),
    );
    map.insert("verification_url".to_owned(), p.url.clone().into());
    Value::Object(map)
}

fn json_lines(rows: &[Published]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(rows.len() * 600);
    for p in rows {
        serde_json::to_writer(&mut out, &json_object(p))?;
        out.push(b'\n');
    }
    Ok(out)
}
