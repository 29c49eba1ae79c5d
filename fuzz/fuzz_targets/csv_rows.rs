//! CSV import rows: reading any bytes never panics, nor does checking each row; and writing
//! the rows read (as the export does, cells neutralised for spreadsheets) and reading them back
//! gives the same values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqe_registry::domain::record::validate;
use sqe_registry::transfer::csv_rows::{read_rows, CsvWriter};

fuzz_target!(|data: &[u8]| {
    let Ok(read) = read_rows(data, |_| {}) else {
        return;
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
    for row in &read.rows {
        let _ = validate(&row.raw, today);
    }
    let mut writer = CsvWriter::new(Vec::new()).expect("header");
    for row in &read.rows {
        writer.write(&row.raw).expect("write");
    }
    let written = writer.finish().expect("finish");
    let again = read_rows(written.as_slice(), |_| {}).expect("read back");
    assert!(again.report.is_empty(), "{:?}", again.report);
    let before: Vec<_> = read.rows.iter().map(|r| &r.raw).collect();
    let after: Vec<_> = again.rows.iter().map(|r| &r.raw).collect();
    assert_eq!(before, after, "an export reads back as it was");
});
