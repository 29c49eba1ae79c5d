//! What guards the registry against abuse and mistakes, through the real app on both backends:
//! sessions that end when they must, rate limits per client network, bounded sightings, and the
//! download files written once per revision. One test binary (each costs a link in CI).

#[path = "../common/mod.rs"]
mod common;

mod account_sessions;
mod download_files;
mod limits;
mod sighting_limits;
