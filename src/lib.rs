//! SQE Registry: the public register of SQE e-commerce platform service-quality certificates.
//!
//! Layers: [`web`] (HTTP and templates) calls [`domain`] (pure rules) and [`db`] (diesel);
//! [`domain`] knows neither. [`demo`] builds the demo registry; [`transfer`] imports, exports,
//! backs up and restores it; [`log_client`] reads another registry's transparency log over HTTP
//! for `log verify`; [`witness`] runs a witness of such logs and submits our checkpoints to
//! witnesses, and [`webhook_sender`] posts webhook deliveries, both through [`outbound`], the one gate for requests the server makes; [`config`] and
//! [`error`] are shared.

pub mod app;
pub mod config;
pub mod credential_client;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod log_client;
pub mod logging;
pub mod outbound;
pub mod transfer;
pub mod web;
pub mod webhook_sender;
pub mod witness;
