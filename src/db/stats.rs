//! Counts shown on the home page, and the statistics page's aggregates.

use chrono::{Datelike, NaiveDate};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::*;
use super::DbConnection;
use crate::domain::statistics::{counted_days, score_bin, score_bins, MONTHLY_KINDS};
use crate::domain::status::CertificateStatus;

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
        .filter(certificates::status.eq("valid"))
        .filter(certificates::expires_on.ge(today))
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

/// The ids of the certificates of companies in a province (for `IN (…)`).
macro_rules! in_province {
    ($code:expr) => {
        certificates::company_id.eq_any(
            companies::table
                .filter(companies::province_code.eq($code))
                .select(companies::id),
        )
    };
}

/// Computes every figure of the statistics page with GROUP BY queries: nothing is loaded
/// row by row (the largest result is one row per distinct score, at most 3,001).
pub fn statistics(conn: &mut DbConnection, q: &StatsQuery) -> QueryResult<Statistics> {
    let mut stats = Statistics {
        by_grade_status: grade_status(conn, q)?,
        by_month: by_month(conn, q)?,
        scores: scores(conn, q)?,
        ..Statistics::default()
    };
    stats.by_province = in_force_by_province(conn, q)?;
    stats.by_type = in_force_by_type(conn, q)?;
    stats.by_scheme = in_force_by_scheme(conn, q)?;
    Ok(stats)
}

fn status_index(stored: &str) -> Option<usize> {
    CertificateStatus::ALL
        .iter()
        .position(|s| s.as_str() == stored)
}

fn grade_index(grade: i16) -> Option<usize> {
    usize::try_from(grade - 2).ok().filter(|i| *i < 4)
}

/// Stored statuses per grade, then the live ones past their expiry moved to expired (the
/// rule of `domain::status::effective_status`, applied to groups).
fn grade_status(conn: &mut DbConnection, q: &StatsQuery) -> QueryResult<[[i64; 5]; 4]> {
    let mut all = certificates::table
        .group_by((certificates::status, certificates::grade))
        .select((certificates::status, certificates::grade, count_star()))
        .into_boxed();
    let mut lapsed = certificates::table
        .filter(certificates::status.eq_any(LIVE))
        .filter(certificates::expires_on.lt(q.today))
        .group_by((certificates::status, certificates::grade))
        .select((certificates::status, certificates::grade, count_star()))
        .into_boxed();
    if let Some(code) = &q.province_code {
        all = all.filter(in_province!(code));
        lapsed = lapsed.filter(in_province!(code));
    }
    let mut out = [[0i64; 5]; 4];
    let expired = status_index(CertificateStatus::Expired.as_str()).unwrap_or(4);
    for (status, grade, n) in all.load::<(String, i16, i64)>(conn)? {
        if let (Some(g), Some(s)) = (grade_index(grade), status_index(&status)) {
            out[g][s] += n;
        }
    }
    for (status, grade, n) in lapsed.load::<(String, i16, i64)>(conn)? {
        if let (Some(g), Some(s)) = (grade_index(grade), status_index(&status)) {
            out[g][s] -= n;
            out[g][expired] += n;
        }
    }
    Ok(out)
}

const LIVE: [&str; 2] = ["valid", "suspended"];

fn sorted(rows: Vec<(String, i64)>) -> Vec<GroupCount> {
    let mut out: Vec<GroupCount> = rows
        .into_iter()
        .map(|(key, count)| GroupCount {
            key,
            label: String::new(),
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

fn in_force_by_province(conn: &mut DbConnection, q: &StatsQuery) -> QueryResult<Vec<GroupCount>> {
    let mut query = certificates::table
        .inner_join(companies::table)
        .filter(certificates::status.eq("valid"))
        .filter(certificates::expires_on.ge(q.today))
        .group_by(companies::province_code)
        .select((companies::province_code, count_star()))
        .into_boxed();
    if let Some(code) = &q.province_code {
        query = query.filter(companies::province_code.eq(code));
    }
    Ok(sorted(query.load(conn)?))
}

fn in_force_by_type(conn: &mut DbConnection, q: &StatsQuery) -> QueryResult<Vec<GroupCount>> {
    let mut query = certificates::table
        .inner_join(platforms::table)
        .filter(certificates::status.eq("valid"))
        .filter(certificates::expires_on.ge(q.today))
        .group_by(platforms::platform_type)
        .select((platforms::platform_type, count_star()))
        .into_boxed();
    if let Some(code) = &q.province_code {
        query = query.filter(in_province!(code));
    }
    Ok(sorted(query.load(conn)?))
}

fn in_force_by_scheme(conn: &mut DbConnection, q: &StatsQuery) -> QueryResult<Vec<GroupCount>> {
    let mut query = certificates::table
        .filter(certificates::status.eq("valid"))
        .filter(certificates::expires_on.ge(q.today))
        .group_by(certificates::scheme_version_id)
        .select((certificates::scheme_version_id, count_star()))
        .into_boxed();
    if let Some(code) = &q.province_code {
        query = query.filter(in_province!(code));
    }
    let counts: Vec<(i32, i64)> = query.load(conn)?;
    let schemes: Vec<(i32, String, String)> = scheme_versions::table
        .order_by(scheme_versions::effective_from.asc())
        .then_order_by(scheme_versions::id.asc())
        .select((
            scheme_versions::id,
            scheme_versions::slug,
            scheme_versions::standard_code,
        ))
        .load(conn)?;
    Ok(schemes
        .into_iter()
        .map(|(id, slug, code)| GroupCount {
            key: slug,
            label: code,
            count: counts.iter().find(|(s, _)| *s == id).map_or(0, |(_, n)| *n),
        })
        .collect())
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
        query = query.filter(
            certificate_events::certificate_id.eq_any(
                certificates::table
                    .filter(in_province!(code))
                    .select(certificates::id),
            ),
        );
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

/// Certificates in force per distinct score (scores have two decimals: at most 3,001 rows),
/// folded into bins.
fn scores(conn: &mut DbConnection, q: &StatsQuery) -> QueryResult<Vec<i64>> {
    let mut query = certificates::table
        .filter(certificates::status.eq("valid"))
        .filter(certificates::expires_on.ge(q.today))
        .group_by(certificates::score)
        .select((certificates::score, count_star()))
        .into_boxed();
    if let Some(code) = &q.province_code {
        query = query.filter(in_province!(code));
    }
    let mut bins = vec![0i64; score_bins().len()];
    for (score, n) in query.load::<(f64, i64)>(conn)? {
        if let Some(slot) = score_bin(score).and_then(|i| bins.get_mut(i)) {
            *slot += n;
        }
    }
    Ok(bins)
}
