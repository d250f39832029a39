pub mod config_error;
pub mod home;
pub mod not_found;
pub mod patient_visit;
pub mod provider_sign_in;
