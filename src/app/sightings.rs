//! Deciding on a sighting of a mark on a host it is not bound to: confirm it as misuse (the
//! host is then listed on `/misuse` and the certificate's page warns visitors who come from
//! it), or dismiss it as harmless. Both are audited, from the back office and the CLI alike.

use serde_json::json;

use super::{run, Actor, LoggedChange};
use crate::db::marks::{
    mark_confirmed, mark_dismissed, sighting_by_id, sighting_of, SightingState,
};
use crate::db::DbConnection;
use crate::domain::tlog::entry::LogKind;

/// Which sighting: by its id (the back office lists open ones), or by certificate and host
/// (the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SightingRef {
    /// An open sighting: neither confirmed nor dismissed.
    Open(i32),
    /// The sighting of a host for a certificate number, dismissed or not.
    Host { number: String, host: String },
}

/// What confirming a sighting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    Confirmed,
    AlreadyConfirmed,
    /// No such sighting (or, by id, none still open).
    NoSuchSighting,
}

fn find(
    conn: &mut DbConnection,
    which: &SightingRef,
) -> diesel::QueryResult<Option<SightingState>> {
    match which {
        SightingRef::Open(id) => {
            Ok(sighting_by_id(conn, *id)?
                .filter(|s| s.confirmed.is_none() && s.dismissed.is_none()))
        }
        SightingRef::Host { number, host } => sighting_of(conn, number, host),
    }
}

/// Confirms a sighting as misuse, with an optional public note (trimmed, at most 500
/// characters).
pub fn confirm(
    conn: &mut DbConnection,
    actor: &Actor,
    which: &SightingRef,
    note: Option<&str>,
) -> diesel::QueryResult<Confirmation> {
    let note: Option<String> = note
        .map(|n| n.trim().chars().take(500).collect::<String>())
        .filter(|n| !n.is_empty());
    run(conn, actor, |conn, changes| {
        let Some(sighting) = find(conn, which)? else {
            return Ok(Confirmation::NoSuchSighting);
        };
        if sighting.confirmed.is_some() {
            return Ok(Confirmation::AlreadyConfirmed);
        }
        mark_confirmed(conn, sighting.id, note.as_deref(), actor.now)?;
        let (host, number) = (&sighting.host, &sighting.number);
        changes.audit(
            "sighting.confirm",
            "sighting",
            sighting.id.to_string(),
            Some(&json!({ "host": host, "certificate": number, "confirmed": false })),
            Some(&json!({
                "host": host, "certificate": number, "confirmed": true, "note": note,
            })),
        );
        changes.log(LoggedChange {
            certificate_id: sighting.certificate_id,
            kind: LogKind::MisuseConfirmed,
            note: note.clone(),
            site: Some(host.clone()),
        });
        Ok(Confirmation::Confirmed)
    })
}

/// Dismisses an open sighting (looked at, not misuse); false when there is no open one with
/// this id.
pub fn dismiss(conn: &mut DbConnection, actor: &Actor, id: i32) -> diesel::QueryResult<bool> {
    run(conn, actor, |conn, changes| {
        let Some(sighting) = find(conn, &SightingRef::Open(id))? else {
            return Ok(false);
        };
        mark_dismissed(conn, id, actor.now)?;
        changes.audit(
            "sighting.dismiss",
            "sighting",
            id.to_string(),
            Some(&json!({ "host": sighting.host, "dismissed": false })),
            Some(&json!({ "host": sighting.host, "dismissed": true })),
        );
        Ok(true)
    })
}
