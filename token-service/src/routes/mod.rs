//! One file per URL (see the README's API table); `startup::configure`
//! mounts them all.

pub mod healthz;
pub mod rooms_ws;
pub mod session;
pub mod session_refresh;
pub mod token;
pub mod visits;
pub mod visits_end;
pub mod visits_running_late;
pub mod visits_status;
