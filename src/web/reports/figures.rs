//! The monthly figures of reports from the public that `/misuse` and `/statistics` publish:
//! reports received, cases confirmed and not confirmed, and the median days to a decision,
//! computed from the stored reports and cases (`domain::report_case::monthly_figures`). Pages
//! are cached per registry revision: a decision shows at once, a report received at the
//! page's next rendering (the next change of the registry, or the next day).

use chrono::Duration;

use crate::db::reports::{decisions_since, received_since};
use crate::domain::report_case::monthly_figures;
use crate::error::AppError;
use crate::web::AppState;

/// Months shown, this one included.
pub const MONTHS: u32 = 12;

/// One month as the table shows it.
pub struct MonthRow {
    /// `2026-12`.
    pub month: String,
    pub received: i64,
    pub confirmed: i64,
    pub not_confirmed: i64,
    /// Days with one decimal, or `—` when nothing was decided.
    pub median_days: String,
}

/// The last [`MONTHS`] months, newest first; empty when no report was ever received in them.
pub async fn monthly(state: &AppState) -> Result<Vec<MonthRow>, AppError> {
    let today = state.today();
    // A little more than the months shown: months are Beijing's, the stored times UTC.
    let since = state.clock.now().naive_utc() - Duration::days(i64::from(MONTHS) * 31 + 1);
    let (received, decisions) = state
        .db(move |conn| Ok((received_since(conn, since)?, decisions_since(conn, since)?)))
        .await?;
    let figures = monthly_figures(&received, &decisions, today, MONTHS);
    if figures
        .iter()
        .all(|f| f.received + f.confirmed + f.not_confirmed == 0)
    {
        return Ok(Vec::new());
    }
    Ok(figures
        .into_iter()
        .map(|f| MonthRow {
            month: f.month.format("%Y-%m").to_string(),
            received: f.received,
            confirmed: f.confirmed,
            not_confirmed: f.not_confirmed,
            median_days: f
                .median_days
                .map_or_else(|| "—".to_owned(), |d| format!("{d:.1}")),
        })
        .collect())
}
