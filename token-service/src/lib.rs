//! Hearth's token service: a small, stateless actix-web application.

pub mod cli;
pub mod error;
mod health;
pub mod settings;
pub mod startup;
pub mod telemetry;
