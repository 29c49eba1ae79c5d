//! What an operator sets to run instances in production (issue 14): the revision poll that backs
//! up PostgreSQL's notifications, graceful shutdown, the private metrics listener, the slow
//! request log, and the filing numbers a website in mainland China shows in its footer.

use std::env;
use std::time::Duration;

use anyhow::bail;

use super::parse_var;

/// Operations settings; [`Operations::default`] is what an unset environment gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operations {
    /// How often an instance reads the registry revision when nothing told it of a change
    /// (`SQE_REVISION_POLL_MS`): on PostgreSQL the fallback of the notifications.
    pub revision_poll: Duration,
    /// How long a stopping instance lets requests in flight finish (`SQE_SHUTDOWN_SECS`).
    pub shutdown: Duration,
    /// Where `/metrics` is served (`SQE_METRICS_BIND`); off unless set, and never on the
    /// public address.
    pub metrics_bind: Option<String>,
    /// Requests slower than this are logged at warn level (`SQE_SLOW_REQUEST_MS`).
    pub slow_request: Duration,
    /// The site's filings and operator, shown in every page's footer.
    pub site: SiteFiling,
    /// Days a report case may wait for a decision before the queue flags it
    /// (`SQE_REPORT_HANDLING_DAYS`, default 7).
    pub report_handling_days: i64,
    /// Days after a case is closed at which its reporters' contacts are erased
    /// (`SQE_REPORT_CONTACT_DAYS`, default 180).
    pub report_contact_days: i64,
}

/// What a website in mainland China must show: its ICP filing number (ICP备案号) and its
/// public-security filing number (公安机关备案号), and who runs it. Each shown only when set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SiteFiling {
    /// `SQE_ICP_NUMBER`, as 京ICP备12345678号-1; linked to the MIIT filing system.
    pub icp_number: Option<String>,
    /// `SQE_PSB_NUMBER`, as 京公网安备11010502000001号; linked to the national filing portal.
    pub psb_number: Option<String>,
    /// `SQE_OPERATOR_NAME`: the organisation that runs the site.
    pub operator_name: Option<String>,
    /// `SQE_OPERATOR_CONTACT`: an e-mail address or telephone number for the public.
    pub operator_contact: Option<String>,
}

impl SiteFiling {
    /// Whether the footer has a line of filings or operator to show.
    pub fn is_shown(&self) -> bool {
        self.icp_number.is_some()
            || self.psb_number.is_some()
            || self.operator_name.is_some()
            || self.operator_contact.is_some()
    }

    /// The digits of the public-security filing number, which its query link takes.
    pub fn psb_code(&self) -> String {
        self.psb_number
            .as_deref()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    }
}

impl Default for Operations {
    fn default() -> Self {
        Operations {
            revision_poll: Duration::from_secs(1),
            shutdown: Duration::from_secs(30),
            metrics_bind: None,
            slow_request: Duration::from_millis(1000),
            site: SiteFiling::default(),
            report_handling_days: 7,
            report_contact_days: 180,
        }
    }
}

impl Operations {
    /// Reads the settings named on each field.
    pub fn from_env() -> anyhow::Result<Operations> {
        let poll = parse_var("SQE_REVISION_POLL_MS", 1000)?;
        if !(50..=60_000).contains(&poll) {
            bail!("SQE_REVISION_POLL_MS must be between 50 and 60000 (a minute)");
        }
        let shutdown = parse_var("SQE_SHUTDOWN_SECS", 30)?;
        if shutdown > 600 {
            bail!("SQE_SHUTDOWN_SECS must be at most 600 (and below systemd's TimeoutStopSec)");
        }
        let slow = parse_var("SQE_SLOW_REQUEST_MS", 1000)?;
        if slow == 0 {
            bail!("SQE_SLOW_REQUEST_MS must be at least 1");
        }
        let handling = parse_var("SQE_REPORT_HANDLING_DAYS", 7)?;
        if !(1..=365).contains(&handling) {
            bail!("SQE_REPORT_HANDLING_DAYS must be between 1 and 365");
        }
        let contact_days = parse_var("SQE_REPORT_CONTACT_DAYS", 180)?;
        if !(1..=3650).contains(&contact_days) {
            bail!("SQE_REPORT_CONTACT_DAYS must be between 1 and 3650");
        }
        Ok(Operations {
            report_handling_days: i64::from(handling),
            report_contact_days: i64::from(contact_days),
            revision_poll: Duration::from_millis(u64::from(poll)),
            shutdown: Duration::from_secs(u64::from(shutdown)),
            metrics_bind: text_var("SQE_METRICS_BIND", 100)?,
            slow_request: Duration::from_millis(u64::from(slow)),
            site: SiteFiling {
                icp_number: text_var("SQE_ICP_NUMBER", 60)?,
                psb_number: text_var("SQE_PSB_NUMBER", 60)?,
                operator_name: text_var("SQE_OPERATOR_NAME", 120)?,
                operator_contact: text_var("SQE_OPERATOR_CONTACT", 120)?,
            },
        })
    }
}

/// A setting of free text: `None` when unset or blank; refused when longer than `max`
/// characters or holding control characters.
fn text_var(name: &str, max: usize) -> anyhow::Result<Option<String>> {
    let Ok(value) = env::var(name) else {
        return Ok(None);
    };
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max || value.chars().any(char::is_control) {
        bail!("{name} must be at most {max} characters on one line");
    }
    Ok(Some(value.to_owned()))
}
