//! Hearth's token service: a small, stateless actix-web application.

pub mod accounts;
mod audit;
pub mod auth;
pub mod backend;
pub mod cli;
pub mod cluster;
pub mod ended;
pub mod error;
pub mod ice;
pub mod ids;
pub mod page_policy;
pub mod rate_limit;
pub mod rooms;
pub mod routes;
mod sessions;
pub mod settings;
pub mod signalling;
pub mod site;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tls;
pub mod tokens;
pub mod twilio;
pub mod twilio_rest;
pub mod visits;
