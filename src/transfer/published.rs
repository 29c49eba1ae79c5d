//! The bulk downloads as files: the whole registry as CSV and as JSON Lines, written once per
//! registry revision and Beijing day (the effective status moves at midnight) into the data
//! directory, gzip-compressed, under a name that says both — `sqe-registry-r42-20261203.csv.gz`.
//! Written whole and renamed into place (`transfer::stored`), so a reader never sees half a
//! file, and one reading the previous file keeps it.
//!
//! The CSV has the import's columns (`domain::record::Column`, so a download can be imported
//! elsewhere) followed by the derived ones (`DERIVED_COLUMNS`: grade, effective status, the
//! verification page), which an import ignores.
//!
//! The history file (`transfer::history_file`) is every certificate's public history with the
//! transparency-log index of each event, for `log verify` to compare with the log.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::stored::{self, Kind};

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
    /// Each certificate's public history with its log indexes (`transfer::history_file`).
    History,
}

impl Format {
    /// The name users download it under.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "sqe-registry.csv",
            Format::Jsonl => "sqe-registry.jsonl",
            Format::History => "sqe-registry-history.jsonl",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Jsonl | Format::History => "application/x-ndjson; charset=utf-8",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl | Format::History => "jsonl",
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
        let edition = format!("{}-{}", self.revision, self.day.format("%Y%m%d"));
        dir.join(kind(self.format).file_name(&edition))
    }
}

/// The files of `format`: `sqe-registry-r{revision}-{day}.{csv,jsonl}.gz`, and
/// `sqe-registry-history-r{revision}-{day}.jsonl.gz` (a prefix the others do not start with).
fn kind(format: Format) -> Kind {
    let prefix = if format == Format::History {
        HISTORY_PREFIX
    } else {
        PREFIX
    };
    Kind::new(prefix, format!(".{}.gz", format.extension()))
}

const PREFIX: &str = "sqe-registry-r";
const HISTORY_PREFIX: &str = "sqe-registry-history-r";

/// The newest complete file of `format` in `dir` (by modification time), if any.
pub fn latest(dir: &Path, format: Format) -> Option<PathBuf> {
    kind(format).latest(dir)
}

/// Writes `edition` into `dir` (created if missing) from the database, a page of certificates
/// per query, and removes the files of the same format it replaces. `link` gives a
/// certificate number's verification page (an absolute URL). Returns the file's path.
pub fn write(pool: &DbPool, dir: &Path, edition: Edition, link: &Link) -> anyhow::Result<PathBuf> {
    let path = edition.path(dir);
    stored::write_gzip(&path, |out| write_to(pool, out, edition, link))?;
    kind(edition.format).remove_others(dir, &path);
    Ok(path)
}

/// A certificate number's verification page, as an absolute URL.
pub type Link = dyn Fn(&str) -> String + Send + Sync;

fn write_to(
    pool: &DbPool,
    out: &mut dyn Write,
    edition: Edition,
    link: &Link,
) -> anyhow::Result<()> {
    match edition.format {
        Format::Csv => out.write_all(&csv_lines(&[], true)?)?,
        Format::History => return super::history_file::write_to(pool, out),
        Format::Jsonl => {}
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
            Format::Jsonl | Format::History => json_lines(&rows)?,
        };
        out.write_all(&bytes)?;
        match page.last() {
            Some((id, _)) if page.len() as i64 == PAGE => after = *id,
            _ => break,
        }
    }
    Ok(())
}

/// Removes every published file in `dir`, partial ones too (at start: a restored database may
/// have an old revision number whose files hold other data).
pub fn clear(dir: &Path) {
    stored::clear(dir, PREFIX);
    stored::clear(dir, HISTORY_PREFIX);
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
