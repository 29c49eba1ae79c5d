//! The background task that erases reporters' contacts once their case has been closed for
//! `SQE_REPORT_CONTACT_DAYS` (180 by default). Every instance runs it hourly; it is idempotent,
//! so several instances on one database do no harm.

use crate::app::reports::erase_contacts;
use crate::app::{Actor, ActorKind};
use crate::error::AppError;
use crate::web::AppState;

/// How often the server runs [`erase_due_contacts`].
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Erases the contacts now due; how many were erased (audited as `system:report-erasure`).
pub async fn erase_due_contacts(state: &AppState) -> Result<usize, AppError> {
    let actor = Actor {
        kind: ActorKind::System {
            task: "report-erasure",
        },
        today: state.today(),
        now: state.clock.now().naive_utc(),
        validity_years: state.config.cert_validity_years,
        log_signer: state.config.log_signer.clone(),
    };
    let days = state.config.operations.report_contact_days;
    let erased = state
        .db(move |conn| Ok(erase_contacts(conn, &actor, days)?))
        .await?;
    if erased > 0 {
        tracing::info!(erased, days, "reporters' contacts erased");
    }
    Ok(erased)
}
