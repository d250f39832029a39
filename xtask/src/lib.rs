//! Set-up, build and test steps behind the README's two commands.

pub mod bench;
pub mod budget;
pub mod builds;
pub mod compress;
pub mod mutants;
pub mod run;
pub mod steps;
pub mod test;
pub mod tools;
pub mod twilio_run;

use std::path::PathBuf;

/// The workspace root, wherever `cargo xtask` was started from.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}
