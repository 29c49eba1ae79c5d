//! Use cases: every change of the registry, each one function that takes a connection, the
//! acting [`Actor`] and a typed input, runs in one transaction and ends through the one commit
//! path ([`commit::run`]), which writes the public events, the audit entries and the registry
//! revision together. `web` and the CLI call these; they never open a transaction themselves.

pub mod accounts;
pub mod actor;
pub mod certificates;
pub mod commit;
pub mod credentials;
pub mod evaluations;
pub mod holders;
pub mod import;
pub mod issuing;
pub mod reference;
pub mod reference_file;
pub mod registration;
pub mod reports;
pub mod sessions;
pub mod sightings;
pub mod transparency;
pub mod webhooks;

pub use actor::{Actor, ActorKind};
pub use commit::{run, Changes, LoggedChange, PublicEvent};
