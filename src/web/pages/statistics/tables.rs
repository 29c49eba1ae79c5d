//! Each chart's data as one table: the same rows feed the HTML table under the chart (in the
//! reader's language) and the CSV download (stable snake_case columns, stored keys).

use chrono::{Datelike, NaiveDate};

use crate::db::stats::Statistics;
use crate::domain::grade::Grade;
use crate::domain::province::province_by_code;
use crate::domain::statistics::{score_bins, MONTHLY_KINDS};
use crate::domain::status::CertificateStatus;
use crate::web::i18n::Lang;
use crate::web::view::{platform_type_label, star_string};

/// The charts of the page, in the order shown; each is also `/statistics/{slug}.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Grades,
    Statuses,
    Provinces,
    Types,
    Schemes,
    Months,
    Scores,
}

impl ChartKind {
    pub const ALL: [ChartKind; 7] = [
        ChartKind::Statuses,
        ChartKind::Grades,
        ChartKind::Months,
        ChartKind::Scores,
        ChartKind::Provinces,
        ChartKind::Types,
        ChartKind::Schemes,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ChartKind::Grades => "grades",
            ChartKind::Statuses => "statuses",
            ChartKind::Provinces => "provinces",
            ChartKind::Types => "types",
            ChartKind::Schemes => "schemes",
            ChartKind::Months => "months",
            ChartKind::Scores => "scores",
        }
    }

    pub fn parse(s: &str) -> Option<ChartKind> {
        ChartKind::ALL.into_iter().find(|k| k.slug() == s)
    }
}

/// One row: the CSV fields and the HTML cells (the first cell heads the row).
pub struct TableRow {
    pub csv: Vec<String>,
    pub cells: Vec<String>,
}

/// A chart's data.
pub struct DataTable {
    pub csv_header: Vec<&'static str>,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
    /// What the chart draws: the line chart's series (one per numeric column), or for a bar
    /// chart one series holding each row's charted value.
    pub series: Vec<(String, Vec<i64>)>,
    /// The labels along the chart's category axis, one per row.
    pub labels: Vec<String>,
}

fn n(v: i64) -> String {
    v.to_string()
}

/// The months of `year` shown on `today`: all twelve of a past year, up to this month in
/// the current one.
pub fn months_shown(year: i32, today: NaiveDate) -> usize {
    if year < today.year() {
        12
    } else {
        usize::try_from(today.month()).unwrap_or(12)
    }
}

/// The table of chart `kind`.
pub fn table(
    kind: ChartKind,
    stats: &Statistics,
    year: i32,
    today: NaiveDate,
    lang: Lang,
) -> DataTable {
    let in_force = lang.t("stats-col-in-force");
    match kind {
        ChartKind::Grades => {
            let mut headers = vec![lang.t("stats-col-grade")];
            headers.extend(
                CertificateStatus::ALL
                    .iter()
                    .map(|s| lang.t(&format!("status-{}", s.as_str()))),
            );
            headers.push(lang.t("stats-col-total"));
            let rows: Vec<(Grade, [i64; 5])> = Grade::ALL
                .iter()
                .zip(stats.by_grade_status)
                .rev()
                .map(|(g, row)| (*g, row))
                .collect();
            let valid: Vec<i64> = rows.iter().map(|(_, row)| row[0]).collect();
            DataTable {
                csv_header: vec![
                    "stars",
                    "valid",
                    "suspended",
                    "revoked",
                    "cancelled",
                    "expired",
                    "total",
                ],
                headers,
                labels: rows.iter().map(|(g, _)| star_string(g.stars())).collect(),
                rows: rows
                    .iter()
                    .map(|(g, row)| {
                        let total: i64 = row.iter().sum();
                        let counts = row.iter().copied().chain([total]).map(n);
                        TableRow {
                            csv: std::iter::once(g.stars().to_string())
                                .chain(counts.clone())
                                .collect(),
                            cells: std::iter::once(lang.t(&format!("grade-{}", g.stars())))
                                .chain(counts)
                                .collect(),
                        }
                    })
                    .collect(),
                series: vec![(in_force, valid)],
            }
        }
        ChartKind::Statuses => {
            let counts = stats.by_status();
            let names: Vec<String> = CertificateStatus::ALL
                .iter()
                .map(|s| lang.t(&format!("status-{}", s.as_str())))
                .collect();
            DataTable {
                csv_header: vec!["status", "certificates"],
                headers: vec![lang.t("stats-col-status"), lang.t("stats-col-certificates")],
                rows: CertificateStatus::ALL
                    .iter()
                    .zip(&names)
                    .zip(counts)
                    .map(|((s, name), c)| TableRow {
                        csv: vec![s.as_str().to_owned(), n(c)],
                        cells: vec![name.clone(), n(c)],
                    })
                    .collect(),
                labels: names,
                series: vec![(lang.t("stats-col-certificates"), counts.to_vec())],
            }
        }
        ChartKind::Provinces => {
            let label = |code: &str| match province_by_code(code) {
                Some(p) if lang.is_zh() => p.short_zh.to_owned(),
                Some(p) => p.name_en.to_owned(),
                None => code.to_owned(),
            };
            DataTable {
                csv_header: vec!["province_code", "province_zh", "province_en", "in_force"],
                headers: vec![lang.t("stats-col-province"), in_force.clone()],
                labels: stats.by_province.iter().map(|g| label(&g.key)).collect(),
                rows: stats
                    .by_province
                    .iter()
                    .map(|g| {
                        let p = province_by_code(&g.key);
                        TableRow {
                            csv: vec![
                                g.key.clone(),
                                p.map_or_else(String::new, |p| p.name_zh.to_owned()),
                                p.map_or_else(String::new, |p| p.name_en.to_owned()),
                                n(g.count),
                            ],
                            cells: vec![label(&g.key), n(g.count)],
                        }
                    })
                    .collect(),
                series: vec![(
                    in_force,
                    stats.by_province.iter().map(|g| g.count).collect(),
                )],
            }
        }
        ChartKind::Types => DataTable {
            csv_header: vec!["platform_type", "in_force"],
            headers: vec![lang.t("stats-col-type"), in_force.clone()],
            labels: stats
                .by_type
                .iter()
                .map(|g| platform_type_label(&g.key, lang))
                .collect(),
            rows: stats
                .by_type
                .iter()
                .map(|g| TableRow {
                    csv: vec![g.key.clone(), n(g.count)],
                    cells: vec![platform_type_label(&g.key, lang), n(g.count)],
                })
                .collect(),
            series: vec![(in_force, stats.by_type.iter().map(|g| g.count).collect())],
        },
        ChartKind::Schemes => DataTable {
            csv_header: vec!["scheme", "standard_code", "in_force"],
            headers: vec![lang.t("stats-col-scheme"), in_force.clone()],
            labels: stats.by_scheme.iter().map(|g| g.label.clone()).collect(),
            rows: stats
                .by_scheme
                .iter()
                .map(|g| TableRow {
                    csv: vec![g.key.clone(), g.label.clone(), n(g.count)],
                    cells: vec![g.label.clone(), n(g.count)],
                })
                .collect(),
            series: vec![(in_force, stats.by_scheme.iter().map(|g| g.count).collect())],
        },
        ChartKind::Months => {
            let shown = months_shown(year, today);
            let months = &stats.by_month[..shown.min(12)];
            let mut headers = vec![lang.t("stats-col-month")];
            headers.extend(
                MONTHLY_KINDS
                    .iter()
                    .map(|k| lang.t(&format!("event-{}", k.as_str()))),
            );
            DataTable {
                csv_header: vec![
                    "month",
                    "issued",
                    "upgraded",
                    "downgraded",
                    "suspended",
                    "revoked",
                ],
                series: MONTHLY_KINDS
                    .iter()
                    .enumerate()
                    .map(|(k, kind)| {
                        (
                            lang.t(&format!("event-{}", kind.as_str())),
                            months.iter().map(|m| m[k]).collect(),
                        )
                    })
                    .collect(),
                headers,
                labels: (1..=12).map(|m| lang.t(&format!("month-{m}"))).collect(),
                rows: months
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let counts = m.iter().copied().map(n);
                        TableRow {
                            csv: std::iter::once(format!("{year}-{:02}", i + 1))
                                .chain(counts.clone())
                                .collect(),
                            cells: std::iter::once(lang.t(&format!("month-{}", i + 1)))
                                .chain(counts)
                                .collect(),
                        }
                    })
                    .collect(),
            }
        }
        ChartKind::Scores => {
            let bins = score_bins();
            let range = |(from, to): (f64, f64)| format!("{from}–{to}");
            DataTable {
                csv_header: vec!["score_from", "score_to", "in_force"],
                headers: vec![lang.t("stats-col-score"), in_force.clone()],
                labels: bins.iter().map(|b| range(*b)).collect(),
                rows: bins
                    .iter()
                    .zip(&stats.scores)
                    .map(|(b, c)| TableRow {
                        csv: vec![b.0.to_string(), b.1.to_string(), n(*c)],
                        cells: vec![range(*b), n(*c)],
                    })
                    .collect(),
                series: vec![(in_force, stats.scores.clone())],
            }
        }
    }
}
