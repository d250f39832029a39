//! One component per screen the router shows; they are made of `components/`
//! and `hooks/`.

pub mod config_error;
pub mod home;
pub mod not_found;
pub mod provider_sign_in;
pub mod provider_visit;
pub mod provider_visits;
pub mod visit;
pub mod visit_entry;
