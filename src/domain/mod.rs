//! Pure rules of the SQE scheme: grades, statuses, dates, identifiers and search text, with no I/O.

pub mod account;
pub mod binding;
pub mod chart;
pub mod credit_code;
pub mod dates;
pub mod evaluation;
pub mod event;
pub mod grade;
pub mod hostname;
pub mod indicator_tree;
pub mod issuing;
pub mod lifecycle;
pub mod mark;
pub mod numbering;
pub mod platform_type;
pub mod province;
pub mod record;
pub mod reference;
pub mod scope;
pub mod score_sheet;
pub mod scoring;
pub mod search_text;
pub mod statistics;
pub mod status;
pub mod surveillance;
pub mod throttle;
