//! What guards the registry against abuse and mistakes, through the real app on both backends:
//! sessions that end when they must, rate limits per client network, bounded sightings, and the
//! download files written once per revision.

mod account_sessions;
mod download_files;
mod limits;
mod sighting_limits;
