//! Counts shown on the home page, and the statistics page's aggregates.

use chrono::{Datelike, NaiveDate};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date};

use super::schema::*;
use super::status_sql::in_force;
use super::DbConnection;
use crate::domain::statistics::{counted_days, score_bin, score_bins, MONTHLY_KINDS};
use crate::domain::status::{effective_status, CertificateStatus};

/// Registry-wide counts on a given date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryCounts {
    pub certificates: i64,
    /// Certificates whose effective status is valid.
    pub valid: i64,
    pub companies: i64,
    pub platforms: i64,
    /// Valid certificates per grade, two to five stars.
    pub valid_by_stars: [i64; 4],
}

pub fn counts(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<RegistryCounts> {
    let certificates: i64 = certificates::table.count().get_result(conn)?;
    let by_grade = certificates::table
        .filter(in_force(today))
        .group_by(certificates::grade)
        .select((certificates::grade, count_star()))
        .load::<(i16, i64)>(conn)?;
    let mut valid_by_stars = [0i64; 4];
    for (grade, n) in by_grade {
        if let Some(slot) = usize::try_from(grade - 2)
            .ok()
            .and_then(|i| valid_by_stars.get_mut(i))
        {
            *slot = n;
        }
    }
    Ok(RegistryCounts {
        certificates,
        valid: valid_by_stars.iter().sum(),
        companies: companies::table.count().get_result(conn)?,
        platforms: platforms::table.count().get_result(conn)?,
        valid_by_stars,
    })
}

/// Whether the database holds the demo registry (every page then shows a banner).
pub fn is_demo(conn: &mut DbConnection) -> QueryResult<bool> {
    let value = registry_meta::table
        .filter(registry_meta::key.eq("demo_data"))
        .select(registry_meta::value)
        .first::<String>(conn)
        .optional()?;
    Ok(value.as_deref() == Some("true"))
}

/// The registry revision: a counter every public change bumps (see `write::bump_revision`).
pub fn revision(conn: &mut DbConnection) -> QueryResult<i64> {
    let value = registry_meta::table
        .filter(registry_meta::key.eq("revision"))
        .select(registry_meta::value)
        .first::<String>(conn)
        .optional()?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Scheme versions for the search filter: slug and standard code.
pub fn scheme_slugs(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    scheme_versions::table
        .order_by(scheme_versions::effective_from.asc())
        .select((scheme_versions::slug, scheme_versions::standard_code))
        .load(conn)
}

/// What the statistics page is asked for: the date statuses are judged on, the year of the
/// monthly series, and an optional province every figure is restricted to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatsQuery {
    pub today: NaiveDate,
    pub year: i32,
    /// Six-digit GB/T 2260 code.
    pub province_code: Option<String>,
}

/// Certificates in force (effective status valid) in one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCount {
    /// The stored key: a province code, a platform type, a scheme slug.
    pub key: String,
    /// A second name for the key (a scheme's standard code), else empty.
    pub label: String,
    pub count: i64,
}

/// The statistics page's figures, from SQL aggregates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statistics {
    /// Certificates per grade (two to five stars) and effective status (in the order of
    /// `CertificateStatus::ALL`).
    pub by_grade_status: [[i64; 5]; 4],
    /// In force per province, most first (provinces without any left out).
    pub by_province: Vec<GroupCount>,
    /// In force per platform type (as stored), most first.
    pub by_type: Vec<GroupCount>,
    /// In force per scheme version, oldest version first, every version listed.
    pub by_scheme: Vec<GroupCount>,
    /// Events per month of the year (January first) and kind (`MONTHLY_KINDS`), up to today.
    pub by_month: [[i64; 5]; 12],
    /// In force per score bin (`domain::statistics::score_bins`).
    pub scores: Vec<i64>,
}

impl Statistics {
    /// Certificates per effective status, every grade together.
    pub fn by_status(&self) -> [i64; 5] {
        let mut out = [0; 5];
        for row in &self.by_grade_status {
            for (slot, n) in out.iter_mut().zip(row) {
                *slot += n;
            }
        }
        out
    }
}

/// The statistics page's figures come in parts, each one GROUP BY query over an index made for
/// it (see the migration `certificate_facets`): it streams through the index in its own order,
/// loads nothing row by row, and with a province filter reads only that province's entries. The
/// parts touch different indexes, so they may run at once on separate connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// By grade and effective status.
    GradeStatus,
    /// In force by province and platform type.
    Holders,
    /// In force by scheme version and score.
    Scores,
    /// Events per month of the year.
    Months,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::GradeStatus, Part::Holders, Part::Scores, Part::Months];
}

/// The figures of one part, to be added to a [`Statistics`] with [`Statistics::add`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartFigures {
    GradeStatus([[i64; 5]; 4]),
    Holders(Vec<GroupCount>, Vec<GroupCount>),
    Scores(Vec<GroupCount>, Vec<i64>),
    Months(Box<[[i64; 5]; 12]>),
}

impl Statistics {
    /// Puts the figures of one part in place.
    pub fn add(&mut self, figures: PartFigures) {
        match figures {
            PartFigures::GradeStatus(g) => self.by_grade_status = g,
            PartFigures::Holders(p, t) => (self.by_province, self.by_type) = (p, t),
            PartFigures::Scores(s, bins) => (self.by_scheme, self.scores) = (s, bins),
            PartFigures::Months(m) => self.by_month = *m,
        }
    }
}

/// Computes one part of the figures.
pub fn part(conn: &mut DbConnection, q: &StatsQuery, part: Part) -> QueryResult<PartFigures> {
    Ok(match part {
        Part::GradeStatus => PartFigures::GradeStatus(grade_status(conn, q)?),
        Part::Holders => {
            let (provinces, types) = in_force_by_province_and_type(conn, q)?;
            PartFigures::Holders(provinces, types)
        }
        Part::Scores => {
            let (schemes, bins) = in_force_by_scheme_and_score(conn, q)?;
            PartFigures::Scores(schemes, bins)
        }
        Part::Months => PartFigures::Months(Box::new(by_month(conn, q)?)),
    })
}

/// Computes every figure of the statistics page, one part after the other.
pub fn statistics(conn: &mut DbConnection, q: &StatsQuery) -> QueryResult<Statistics> {
    let mut out = Statistics::default();
    for p in Part::ALL {
        out.add(part(conn, q, p)?);
    }
    Ok(out)
}

fn status_index(status: CertificateStatus) -> usize {
    CertificateStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(0)
}

fn grade_index(grade: i16) -> Option<usize> {
    usize::try_from(grade - 2).ok().filter(|i| *i < 4)
}

/// Effective statuses per grade, in one pass: each group of a stored status and grade counts
/// its rows past their expiry date apart, and `domain::status::effective_status` says what
/// both parts are on the day.
fn grade_status(conn: &mut DbConnection, q: &StatsQuery) -> QueryResult<[[i64; 5]; 4]> {
    let mut query = certificates::table
        .group_by((certificates::status, certificates::grade))
        .select((
            certificates::status,
            certificates::grade,
            count_star(),
            // How many rows of the group are past their expiry.
            sql::<BigInt>("SUM(CASE WHEN expires_on < ")
                .bind::<Date, _>(q.today)
                .sql(" THEN 1 ELSE 0 END)"),
        ))
        .into_boxed();
    if let Some(code) = &q.province_code {
        query = query.filter(certificates::province_code.eq(code));
    }
    let mut out = [[0i64; 5]; 4];
    let (past_expiry, not_past) = match q.today.pred_opt() {
        Some(yesterday) => (yesterday, q.today),
        None => return Ok(out),
    };
    for (stored, grade, n, lapsed) in query.load::<(CertificateStatus, i16, i64, i64)>(conn)? {
        let Some(g) = grade_index(grade) else {
            continue;
        };
        let current = effective_status(stored, not_past, q.today);
        let after_expiry = effective_status(stored, past_expiry, q.today);
        out[g][status_index(current)] += n - lapsed;
        out[g][status_index(after_expiry)] += lapsed;
    }
    Ok(out)
}

/// Sums `(key, count)` rows by key, most first.
fn sorted(rows: impl IntoIterator<Item = (String, i64)>) -> Vec<GroupCount> {
    let mut sums: Vec<GroupCount> = Vec::new();
    for (key, count) in rows {
        match sums.iter_mut().find(|g| g.key == key) {
            Some(g) => g.count += count,
            None => sums.push(GroupCount {
                key,
                label: String::new(),
                count,
            }),
        }
    }
    sums.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    sums
}

/// Certificates in force per province and platform type, in one pass (at most 34 × 6 rows),
/// folded into the two lists.
fn in_force_by_province_and_type(
    conn: &mut DbConnection,
    q: &StatsQuery,
) -> QueryResult<(Vec<GroupCount>, Vec<GroupCount>)> {
    let mut query = certificates::table
        .filter(in_force(q.today))
        .group_by((certificates::province_code, certificates::platform_type))
        .select((
            certificates::province_code,
            certificates::platform_type,
            count_star(),
        ))
        .into_boxed();
    if let Some(code) = &q.province_code {
        query = query.filter(certificates::province_code.eq(code));
    }
    let rows: Vec<(String, String, i64)> = query.load(conn)?;
    let provinces = sorted(rows.iter().map(|(p, _, n)| (p.clone(), *n)));
    let types = sorted(rows.into_iter().map(|(_, t, n)| (t, n)));
    Ok((provinces, types))
}

/// Certificates in force per scheme version and distinct score (scores have two decimals: at
/// most 3,001 rows per version), folded into the scheme list and the score bins.
fn in_force_by_scheme_and_score(
    conn: &mut DbConnection,
    q: &StatsQuery,
) -> QueryResult<(Vec<GroupCount>, Vec<i64>)> {
    let mut query = certificates::table
        .filter(in_force(q.today))
        .group_by((certificates::scheme_version_id, certificates::score))
        .select((
            certificates::scheme_version_id,
            certificates::score,
            count_star(),
        ))
        .into_boxed();
    if let Some(code) = &q.province_code {
        query = query.filter(certificates::province_code.eq(code));
    }
    let rows: Vec<(i32, f64, i64)> = query.load(conn)?;
    let mut bins = vec![0i64; score_bins().len()];
    for (_, score, n) in &rows {
        if let Some(slot) = score_bin(*score).and_then(|i| bins.get_mut(i)) {
            *slot += n;
        }
    }
    let schemes: Vec<(i32, String, String)> = scheme_versions::table
        .order_by(scheme_versions::effective_from.asc())
        .then_order_by(scheme_versions::id.asc())
        .select((
            scheme_versions::id,
            scheme_versions::slug,
            scheme_versions::standard_code,
        ))
        .load(conn)?;
    let by_scheme = schemes
        .into_iter()
        .map(|(id, slug, code)| GroupCount {
            key: slug,
            label: code,
            count: rows.iter().filter(|(s, _, _)| *s == id).map(|r| r.2).sum(),
        })
        .collect();
    Ok((by_scheme, bins))
}

/// Events per day and kind in the year (up to today), folded into months: at most 366 rows
/// per kind, and no date functions that differ between the backends.
fn by_month(conn: &mut DbConnection, q: &StatsQuery) -> QueryResult<[[i64; 5]; 12]> {
    let mut out = [[0i64; 5]; 12];
    let Some((first, last)) = counted_days(q.year, q.today) else {
        return Ok(out);
    };
    let kinds: Vec<&str> = MONTHLY_KINDS.iter().map(|k| k.as_str()).collect();
    let mut query = certificate_events::table
        .filter(certificate_events::kind.eq_any(kinds))
        .filter(certificate_events::occurred_on.between(first, last))
        .group_by((certificate_events::kind, certificate_events::occurred_on))
        .select((
            certificate_events::kind,
            certificate_events::occurred_on,
            count_star(),
        ))
        .into_boxed();
    if let Some(code) = &q.province_code {
        query = query.filter(certificate_events::province_code.eq(code));
    }
    for (kind, day, n) in query.load::<(String, NaiveDate, i64)>(conn)? {
        let k = MONTHLY_KINDS.iter().position(|m| m.as_str() == kind);
        let m = usize::try_from(day.month0()).ok();
        if let (Some(k), Some(m)) = (k, m) {
            out[m][k] += n;
        }
    }
    Ok(out)
}
