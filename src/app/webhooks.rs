//! Webhook endpoints as staff manage them (issue 17, §4): registering one for a certificate or
//! a company (its URL checked, a new `whsec_` secret made), queuing a test event, disabling and
//! enabling it. Each is audited; the secret never is. The deliveries themselves are queued by
//! the commit path and sent by `webhook_sender`.

use serde_json::json;

use super::{run, Actor};
use crate::db::webhooks::{self, Endpoint, Target};
use crate::db::DbConnection;
use crate::domain::webhook::{check_endpoint_url, UrlRefusal};
use crate::domain::webhook_signature::Secret;

/// Why a change to an endpoint was not made.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Neither a certificate number nor a company's credit code.
    #[error("no certificate or company {0:?}")]
    UnknownTarget(String),
    #[error("the URL is refused: {0}")]
    Url(#[from] UrlRefusal),
    #[error("no such endpoint")]
    NotFound,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Registers an endpoint at `url` for the certificate numbered, or the company with the credit
/// code, `target`. Returns its id.
pub fn register(
    conn: &mut DbConnection,
    actor: &Actor,
    target: &str,
    url: &str,
    allow_loopback: bool,
) -> Result<i32, WebhookError> {
    let url = check_endpoint_url(url, allow_loopback, |ip| {
        crate::outbound::allowed(ip, allow_loopback)
    })?;
    let secret = Secret::generate(&mut rand::rng());
    let target_text = target.trim().to_owned();
    run(conn, actor, |conn, changes| {
        let found = webhooks::find_target(conn, &target_text)?
            .ok_or_else(|| WebhookError::UnknownTarget(target_text.clone()))?;
        let id = webhooks::insert_endpoint(
            conn,
            found,
            url.as_str(),
            &secret.to_text(),
            actor.now,
            &actor.name(),
        )?;
        let target_json = match found {
            Target::Certificate(_) => json!({ "certificate": target_text }),
            Target::Company(_) => json!({ "company": target_text }),
        };
        changes.audit(
            "webhook_registered",
            "webhook",
            id.to_string(),
            None,
            Some(&json!({ "url": url.as_str(), "for": target_json })),
        );
        Ok(id)
    })
}

/// Queues a test event to the endpoint; returns its message id.
pub fn send_test(
    conn: &mut DbConnection,
    actor: &Actor,
    endpoint_id: i32,
) -> Result<String, WebhookError> {
    run(conn, actor, |conn, changes| {
        let endpoint = existing(conn, endpoint_id)?;
        let message = webhooks::enqueue_test(conn, &endpoint, actor.now, actor.today)?;
        changes.audit(
            "webhook_test",
            "webhook",
            endpoint_id.to_string(),
            None,
            Some(&json!({ "message": message })),
        );
        Ok(message)
    })
}

/// Enables or disables the endpoint (disabling cancels what it had queued).
pub fn set_enabled(
    conn: &mut DbConnection,
    actor: &Actor,
    endpoint_id: i32,
    enabled: bool,
) -> Result<(), WebhookError> {
    run(conn, actor, |conn, changes| {
        let endpoint = existing(conn, endpoint_id)?;
        if endpoint.enabled == enabled {
            return Ok(());
        }
        let reason = format!("disabled by {}", actor.name());
        webhooks::set_enabled(conn, endpoint_id, enabled, Some(&reason))?;
        changes.audit(
            if enabled {
                "webhook_enabled"
            } else {
                "webhook_disabled"
            },
            "webhook",
            endpoint_id.to_string(),
            Some(&json!({ "enabled": endpoint.enabled })),
            Some(&json!({ "enabled": enabled })),
        );
        Ok(())
    })
}

fn existing(conn: &mut DbConnection, id: i32) -> Result<Endpoint, WebhookError> {
    webhooks::endpoint(conn, id)?.ok_or(WebhookError::NotFound)
}
