//! Certificate records as CSV: the header line names the columns (any order; the optional ones
//! may be left out), every other line is one certificate. UTF-8, with or without a BOM.

use std::io::{Read, Write};

use crate::domain::record::{Column, RawRecord, DERIVED_COLUMNS};
use crate::domain::spreadsheet::{neutralised, restore};

use super::report::{LineError, Report};

/// A record and the CSV line it starts on.
#[derive(Debug, Clone)]
pub struct CsvRow {
    pub line: u64,
    pub raw: RawRecord,
}

/// The rows of a file, and the errors of the lines that could not be read as records.
#[derive(Debug, Default)]
pub struct ReadRows {
    pub rows: Vec<CsvRow>,
    pub report: Report,
}

/// Which column each field of a line holds (`None`: a derived column of the public download,
/// ignored); errors when the header is not usable.
fn header_map(header: &csv::StringRecord) -> Result<Vec<Option<Column>>, Report> {
    let mut report = Report::default();
    let mut map = Vec::new();
    for name in header {
        match Column::parse(name) {
            Some(c) if map.contains(&Some(c)) => {
                report.push(LineError::new(1, Some(c), "the column appears twice"));
            }
            Some(c) => map.push(Some(c)),
            None if DERIVED_COLUMNS.contains(&name.trim()) => map.push(None),
            None => {
                let known: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
                report.push(LineError::new(
                    1,
                    None,
                    format!(
                        "unknown column {name:?}; the columns are {}",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    for c in Column::ALL {
        if !c.optional() && !map.contains(&Some(c)) {
            report.push(LineError::new(1, Some(c), "the header lacks this column"));
        }
    }
    if report.is_empty() {
        Ok(map)
    } else {
        Err(report)
    }
}

/// Reads every record of a CSV file. `progress` is called with the bytes read so far. Lines that
/// are not records (bad UTF-8, a wrong number of fields) are reported and skipped, so that one
/// pass lists every problem; an I/O error stops the reading.
pub fn read_rows<R: Read>(
    input: R,
    mut progress: impl FnMut(u64),
) -> Result<ReadRows, std::io::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut out = ReadRows::default();
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            out.report.push(LineError::new(
                1,
                None,
                "the file is empty: it needs a header line",
            ));
            return Ok(out);
        }
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            out.report.push(csv_error(&e)?);
            return Ok(out);
        }
    };
    let map = match header_map(&header) {
        Ok(map) => map,
        Err(report) => {
            out.report = report;
            return Ok(out);
        }
    };
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.report.push(csv_error(&e)?);
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        progress(record.position().map_or(0, |p| p.byte()));
        if record.len() != map.len() {
            out.report.push(LineError::new(
                line,
                None,
                format!(
                    "has {} fields where the header has {}",
                    record.len(),
                    map.len()
                ),
            ));
            continue;
        }
        let mut raw = RawRecord::default();
        for (column, value) in map.iter().zip(record.iter()) {
            if let Some(column) = column {
                raw.set(*column, restore(value));
            }
        }
        out.rows.push(CsvRow { line, raw });
    }
    Ok(out)
}

/// A CSV error as a line error; an I/O error is returned as such.
fn csv_error(e: &csv::Error) -> Result<LineError, std::io::Error> {
    let line = e.position().map_or(0, |p| p.line());
    match e.kind() {
        csv::ErrorKind::Io(io) => Err(std::io::Error::new(io.kind(), io.to_string())),
        csv::ErrorKind::Utf8 { .. } => Ok(LineError::new(
            line,
            None,
            "is not valid UTF-8: save the file as \"CSV UTF-8\"",
        )),
        _ => Ok(LineError::new(
            line,
            None,
            format!("cannot be read as CSV: {e}"),
        )),
    }
}

/// Writes records as CSV: the header, then one line per record (fields quoted when needed).
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Starts a file with the header line.
    pub fn new(output: W) -> csv::Result<CsvWriter<W>> {
        let mut inner = csv::WriterBuilder::new().from_writer(output);
        inner.write_record(Column::ALL.iter().map(|c| c.name()))?;
        Ok(CsvWriter { inner })
    }

    /// Writes one record, cells a spreadsheet would run as formulas neutralised
    /// (`domain::spreadsheet`; [`read_rows`] restores them).
    pub fn write(&mut self, raw: &RawRecord) -> csv::Result<()> {
        self.inner
            .write_record(neutralised(raw.values()).iter().map(|c| c.as_ref()))
    }

    /// Flushes and gives the output back.
    pub fn finish(self) -> Result<W, std::io::Error> {
        self.inner
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> ReadRows {
        read_rows(text.as_bytes(), |_| {}).expect("in memory")
    }

    #[test]
    fn columns_in_any_order_with_a_bom() {
        let mut names: Vec<&str> = Column::ALL
            .iter()
            .filter(|c| !c.optional())
            .map(|c| c.name())
            .collect();
        names.reverse();
        let mut fields = vec![""; names.len()];
        fields[names.len() - 1] = "A-1";
        let text = format!("\u{feff}{}\n{}\n", names.join(","), fields.join(","));
        let rows = read(&text);
        assert!(rows.report.is_empty(), "{}", rows.report);
        assert_eq!(rows.rows[0].raw.get(Column::Number), "A-1");
        assert_eq!(rows.rows[0].raw.get(Column::AppNames), "");
    }

    fn header_all() -> String {
        Column::ALL
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn line_numbers_count_the_header_and_line_breaks_in_fields() {
        let header = header_all();
        let mut fields = vec![""; Column::ALL.len()];
        fields[0] = "A-1";
        fields[10] = "\"app one\napp two\"";
        let first = fields.join(",");
        fields[0] = "A-2";
        fields[10] = "";
        let second = fields.join(",");
        let rows = read(&format!("{header}\n{first}\n{second}\nA-3,too,few\n"));
        let lines: Vec<u64> = rows.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!(rows.rows[0].raw.get(Column::AppNames), "app one\napp two");
        assert_eq!(rows.report.errors.len(), 1);
        assert_eq!(
            rows.report.errors[0].to_string(),
            format!(
                "line 5: has 3 fields where the header has {}",
                Column::ALL.len()
            )
        );
    }

    #[test]
    fn header_problems() {
        let rows = read("number,stars,grade,number\n");
        let text = rows.report.to_string();
        assert!(text.contains("line 1: unknown column \"stars\""), "{text}");
        // The public download's derived columns are known, and ignored.
        assert!(!text.contains("\"grade\""), "{text}");
        assert!(
            text.contains("line 1: number: the column appears twice"),
            "{text}"
        );
        assert!(
            text.contains("line 1: credit_code: the header lacks this column"),
            "{text}"
        );
        assert!(
            !text.contains("company_name_en: the header lacks"),
            "optional columns may be left out: {text}"
        );
        assert_eq!(read("").report.errors[0].line, 1);
    }

    #[test]
    fn bad_utf8_is_reported_with_its_line() {
        let mut bytes = format!("{}\n", header_all()).into_bytes();
        let mut line = vec![b'x'; 1];
        line.extend_from_slice(&[0xC4, 0xE3]); // "你" in GBK
        line.extend(std::iter::repeat_n(b',', Column::ALL.len() - 1));
        bytes.extend_from_slice(&line);
        bytes.push(b'\n');
        let rows = read_rows(bytes.as_slice(), |_| {}).expect("in memory");
        assert_eq!(rows.report.errors.len(), 1);
        assert_eq!(rows.report.errors[0].line, 2);
        assert!(rows.report.errors[0].message.contains("UTF-8"));
    }

    #[test]
    fn written_rows_read_back() {
        let raw = RawRecord::default()
            .with(Column::Number, "A,1")
            .with(Column::CompanyNameZh, "甲\"乙\"")
            .with(Column::AppNames, "x\ny");
        let mut w = CsvWriter::new(Vec::new()).expect("header");
        w.write(&raw).expect("row");
        let bytes = w.finish().expect("flush");
        let rows = read_rows(bytes.as_slice(), |_| {}).expect("in memory");
        assert!(rows.report.is_empty(), "{}", rows.report);
        assert_eq!(rows.rows[0].raw, raw);
        assert_eq!(rows.rows[0].line, 2);
    }
}
