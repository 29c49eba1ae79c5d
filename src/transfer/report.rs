//! The validation report of an import: every error, by CSV line (the header is line 1).

use std::fmt;

use crate::domain::record::{Column, FieldError};

/// One problem found on a line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// CSV line where the record starts (the header is line 1).
    pub line: u64,
    /// The column concerned, when there is one.
    pub column: Option<Column>,
    pub message: String,
}

impl LineError {
    pub fn new(line: u64, column: Option<Column>, message: impl Into<String>) -> LineError {
        LineError {
            line,
            column,
            message: message.into(),
        }
    }

    pub fn field(line: u64, e: &FieldError) -> LineError {
        LineError::new(line, Some(e.column), e.problem.to_string())
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "line {}: {c}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Every error of a file, sorted by line (and column within a line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub errors: Vec<LineError>,
}

impl Report {
    pub fn push(&mut self, e: LineError) {
        self.errors.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Sorts by line, then column; errors without a column come first on their line.
    pub fn sort(&mut self) {
        self.errors.sort_by_key(|e| (e.line, e.column));
    }

    /// Lines with at least one error.
    pub fn lines(&self) -> usize {
        let lines: std::collections::BTreeSet<u64> = self.errors.iter().map(|e| e.line).collect();
        lines.len()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}
