//! The database layer (diesel): connections and pool, migrations, schema, rows and queries.
//! It knows the domain's types but nothing of HTTP.

pub mod accounts;
pub mod certificates;
pub mod companies;
pub mod credentials;
pub mod dashboard;
pub mod evaluations;
pub mod events;
pub mod feeds;
pub mod health;
pub mod histories;
pub mod holders;
pub mod issuing;
pub mod lifecycle;
pub mod log;
pub mod log_cosignatures;
pub mod log_entries;
pub mod lookalikes;
pub mod marks;
pub mod models;
mod pool;
pub mod records;
pub mod reference;
pub mod refold;
pub mod report_triage;
pub mod reports;
pub mod revision_listener;
pub mod schema;
pub mod schemes;
pub mod search;
mod search_best;
mod search_order;
pub mod sessions;
pub mod sitemap;
pub mod stats;
pub mod status_sql;
mod text_enums;
pub mod webhooks;
pub mod write;

pub use pool::{
    build_pool, pending_migrations, run_migrations, Backend, ConnectionManager, DbConnection,
    DbPool, PoolError, PoolUsage, PooledConnection,
};

/// The backend type of [`DbConnection`], for boxed queries.
pub type Db = <DbConnection as diesel::Connection>::Backend;
