//! The registry through the real app, on SQLite and on PostgreSQL: every page, the API, the
//! back office, import and export, the guards against abuse, outages and the command line.
//! One test binary: each integration-test binary is compiled and linked on its own, and ~36 of
//! them made most of CI's 15 minutes; run one part with `cargo test --test registry <module>::`.

// First, with its macros (`both_backends!`), so every module below can use them.
#[macro_use]
mod common;

mod accounts;
mod admin;
mod admin_companies;
mod admin_errors;
mod admin_evaluations;
mod admin_issue;
mod admin_lifecycle;
mod admin_platforms;
mod admin_reference;
mod api;
mod backup;
mod certificate_pages;
mod cluster;
mod commit_path;
mod credentials;
mod credentials_issued;
mod db_layer;
mod downloads;
mod feeds;
mod findability;
mod guards;
mod html_pages;
mod i18n;
mod import;
mod layers;
mod log_histories;
mod log_keys;
mod lookalikes;
mod marks;
mod operations;
mod outage;
mod paths;
mod reports;
mod schema;
mod search_broad;
mod search_pages;
mod search_relevance;
mod site_pages;
mod snapshots;
mod statistics;
mod status_rule;
mod transparency_log;
mod webhooks;
mod witnessing;
