//! `sqe-registry reference import FILE`: certification bodies and scheme versions (with their
//! indicator trees) from a JSON file, so a new registry can be set up without the back office.
//! Every entry is checked first, with the back office's own checks (`reference::check_body`,
//! `check_scheme`, `domain::indicator_tree`); one problem anywhere and nothing is written.
//! Entries whose code or slug exists already are left as they are (importing a file twice
//! changes nothing). `samples/reference.json` is an example; `docs/IMPORT.md` the format.

use chrono::NaiveDate;
use serde::Deserialize;

use super::reference::{check_body, check_scheme, create_body, create_scheme, Created};
use super::Actor;
use crate::db::models::{NewCertificationBody, NewSchemeVersion};
use crate::db::DbConnection;
use crate::domain::indicator_tree::{self, IndicatorNode};

/// The file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFile {
    #[serde(default)]
    pub bodies: Vec<BodyEntry>,
    #[serde(default)]
    pub schemes: Vec<SchemeEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyEntry {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub approval_number: String,
    #[serde(default)]
    pub website: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeEntry {
    pub slug: String,
    pub standard_code: String,
    pub title_zh: String,
    pub title_en: String,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    /// Whether the indicator names and points are placeholders (the certificate pages say so).
    #[serde(default)]
    pub illustrative: bool,
    /// The indicator tree, as the back office's JSON form takes it.
    pub indicators: serde_json::Value,
}

/// One problem of the file: where (`bodies[0]`, `schemes[1]`) and a message key with its
/// argument, or a message of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: String,
    pub message: ProblemText,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProblemText {
    /// A message key of the back office's (`admin-ref-…`).
    Key(&'static str),
    /// A message already in words (a tree's or the file's own).
    Text(String),
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub bodies_created: Vec<String>,
    pub schemes_created: Vec<String>,
    /// Codes and slugs that existed already.
    pub left_as_they_were: Vec<String>,
}

type Checked = (
    Vec<NewCertificationBody>,
    Vec<(NewSchemeVersion, Vec<IndicatorNode>)>,
);

/// Reads and checks the file's text: its entries ready to write, or every problem.
pub fn check(text: &str) -> Result<Checked, Vec<Problem>> {
    let file: ReferenceFile = serde_json::from_str(text).map_err(|e| {
        vec![Problem {
            at: "the file".into(),
            message: ProblemText::Text(format!("is not a reference file: {e}")),
        }]
    })?;
    let mut problems = Vec::new();
    let mut bodies = Vec::new();
    for (i, b) in file.bodies.into_iter().enumerate() {
        let body = NewCertificationBody {
            code: b.code,
            name_zh: b.name_zh,
            name_en: b.name_en,
            approval_number: b.approval_number,
            website: b.website.filter(|w| !w.is_empty()),
        };
        match check_body(&body) {
            Ok(()) => bodies.push(body),
            Err(key) => problems.push(Problem {
                at: format!("bodies[{i}] ({})", body.code),
                message: ProblemText::Key(key),
            }),
        }
    }
    let mut schemes = Vec::new();
    for (i, s) in file.schemes.into_iter().enumerate() {
        let at = format!("schemes[{i}] ({})", s.slug);
        let Ok(effective_from) = NaiveDate::parse_from_str(&s.effective_from, "%Y-%m-%d") else {
            problems.push(Problem {
                at,
                message: ProblemText::Key("admin-bad-date"),
            });
            continue;
        };
        let version = NewSchemeVersion {
            slug: s.slug,
            standard_code: s.standard_code,
            title_zh: s.title_zh,
            title_en: s.title_en,
            effective_from,
            illustrative: s.illustrative,
        };
        if let Err(key) = check_scheme(&version) {
            problems.push(Problem {
                at,
                message: ProblemText::Key(key),
            });
            continue;
        }
        match indicator_tree::from_json(&s.indicators.to_string()) {
            Ok(tree) => schemes.push((version, tree)),
            Err(e) => problems.push(Problem {
                at: format!("{at}.indicators"),
                message: ProblemText::Text(e.to_string()),
            }),
        }
    }
    if problems.is_empty() {
        Ok((bodies, schemes))
    } else {
        Err(problems)
    }
}

/// Writes checked entries, each audited like the back office's; existing codes and slugs are
/// left as they are.
pub fn write(
    conn: &mut DbConnection,
    actor: &Actor,
    (bodies, schemes): Checked,
) -> diesel::QueryResult<Imported> {
    let mut out = Imported::default();
    for body in bodies {
        match create_body(conn, actor, &body)? {
            Created::Created(_) => out.bodies_created.push(body.code),
            Created::Exists => out.left_as_they_were.push(body.code),
        }
    }
    for (version, tree) in schemes {
        match create_scheme(conn, actor, &version, &tree)? {
            Created::Created(_) => out.schemes_created.push(version.slug),
            Created::Exists => out.left_as_they_were.push(version.slug),
        }
    }
    Ok(out)
}
