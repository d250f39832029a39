//! Setting up and building: shared by `run`, `test` and `bench`.

use crate::steps::{run_command, run_steps_for, Step, StepResult};
use crate::tools;
use std::process::Command;
use std::process::ExitCode;

/// The installs both commands need, in order, with their progress titles.
pub const SETUP_STEPS: [Step; 4] = [
    (
        "Rust target wasm32-unknown-unknown",
        tools::ensure_wasm_target,
    ),
    ("trunk", tools::ensure_trunk),
    (
        "wasm-bindgen-cli (the version in Cargo.lock)",
        tools::ensure_wasm_bindgen,
    ),
    (
        "npm packages (twilio-video SDK)",
        tools::ensure_npm_packages,
    ),
];

/// `trunk build --release` into `dist/`, offline, with the tools on PATH and
/// npm's binaryen (`node_modules/.bin/wasm-opt`) ahead of any other.
pub fn build_spa() -> StepResult {
    build_spa_into("dist")
}

/// Where the clinician's page is built before it joins `dist/`.
const CLINIC_STAGING: &str = "target/clinic-dist";

/// As [`build_spa`], into `dist` (relative to the workspace root): the
/// patients' page (`index.html`) and the clinician's (`clinic.html`, built
/// on its own, then moved in beside it), with brotli and gzip copies of
/// their assets.
pub fn build_spa_into(dist: &str) -> StepResult {
    trunk_build("clinic.html", CLINIC_STAGING)?;
    trunk_build("index.html", dist)?;
    let root = crate::repo_root();
    let (staging, dist) = (root.join(CLINIC_STAGING), root.join(dist));
    for entry in std::fs::read_dir(&staging).map_err(|e| format!("{CLINIC_STAGING}: {e}"))? {
        let entry = entry.map_err(|e| format!("{CLINIC_STAGING}: {e}"))?;
        let name = entry.file_name();
        let target = if name == "index.html" {
            dist.join("clinic.html")
        } else {
            dist.join(&name)
        };
        if !target.exists() {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    crate::compress::precompress(&dist)
}

/// `trunk build --release <page>` into `dist`.
fn trunk_build(page: &str, dist: &str) -> StepResult {
    let npm_bin = crate::repo_root().join("node_modules/.bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path = std::env::join_paths(std::iter::once(npm_bin).chain(std::env::split_paths(&path)))
        .map_err(|err| format!("cannot build PATH: {err}"))?;
    run_command(
        Command::new("trunk")
            .args(["build", page, "--release", "--dist", dist])
            .env("PATH", path)
            .env("CARGO_ENCODED_RUSTFLAGS", source_path_remaps().join("\x1f")),
    )
}

/// Panic locations name their source files. Without these remaps they
/// carry this machine's paths (`/home/…/.cargo/registry/src/index…/`) into
/// the wasm: bytes every patient downloads, and the builder's home folder.
fn source_path_remaps() -> Vec<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".cargo"))
        });
    let registries = cargo_home
        .and_then(|home| std::fs::read_dir(home.join("registry/src")).ok())
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path());
    std::iter::once(crate::repo_root())
        .chain(registries)
        .map(|dir| format!("--remap-path-prefix={}/=", dir.display()))
        .collect()
}

/// The token service's release binary, `target/release/token-service`.
pub fn build_service() -> StepResult {
    run_command(Command::new("cargo").args([
        "build",
        "--release",
        "--quiet",
        "--package",
        "token-service",
    ]))
}

/// The step that runs [`build_spa`].
pub const BUILD_SPA: Step = ("Trunk release build, compressed copies", build_spa);

/// `cargo xtask build`: the set-up, then the release SPA in `dist/` with its
/// compressed copies, ready to copy to a static host.
pub fn build() -> ExitCode {
    let steps: Vec<Step> = SETUP_STEPS.into_iter().chain([BUILD_SPA]).collect();
    run_steps_for("build", &steps)
}
