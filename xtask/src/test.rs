//! `cargo xtask test`: every check CI runs, in one command, ending with one
//! summary line.

use crate::budget;
use crate::builds::{BUILD_SPA, SETUP_STEPS};
use crate::steps::{run_command, run_steps, Step, StepResult};
use crate::tools;
use std::process::{Command, ExitCode};

fn cargo(args: &[&str]) -> StepResult {
    run_command(Command::new("cargo").args(args))
}

fn fmt() -> StepResult {
    cargo(&["fmt", "--all", "--check"])
}

fn clippy_host() -> StepResult {
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])
}

fn clippy_wasm() -> StepResult {
    cargo(&[
        "clippy",
        "--package",
        "hearth-frontend",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ])
}

fn unit_and_integration() -> StepResult {
    cargo(&["test", "--workspace", "--exclude", "e2e"])
}

fn size_budget() -> StepResult {
    let dist = crate::repo_root().join("dist");
    let clinic = budget::measure(&dist, "clinic.html")
        .map_err(|err| format!("cannot read dist/clinic.html: {err}"))?;
    println!(
        "the clinician's page (clinic.html, not budgeted): {} bytes gzipped",
        clinic.iter().map(|s| s.gzipped).sum::<u64>()
    );
    let sizes = budget::measure(&dist, "index.html")
        .map_err(|err| format!("cannot read dist/index.html: {err}"))?;
    println!(
        "{:<44} {:>10} {:>10}",
        "first-paint asset", "bytes", "gzipped"
    );
    for size in &sizes {
        println!("{:<44} {:>10} {:>10}", size.name, size.raw, size.gzipped);
    }
    let total = budget::check(&sizes)?;
    println!(
        "first-paint total: {total} bytes gzipped of a {} budget ({:.0}%)",
        budget::BUDGET_BYTES,
        total as f64 * 100.0 / budget::BUDGET_BYTES as f64
    );
    Ok(())
}

fn end_to_end() -> StepResult {
    // --nocapture: the browser tests print timing figures.
    cargo(&[
        "test",
        "--package",
        "e2e",
        "--",
        "--test-threads=1",
        "--nocapture",
    ])
}

pub fn test() -> ExitCode {
    let checks: [Step; 9] = [
        tools::CHROMIUM,
        tools::REDIS_AND_NGINX,
        ("cargo fmt --check", fmt),
        ("clippy -D warnings (host)", clippy_host),
        ("clippy -D warnings (wasm32)", clippy_wasm),
        ("unit and integration tests", unit_and_integration),
        BUILD_SPA,
        ("first-paint size budget", size_budget),
        ("browser end-to-end tests", end_to_end),
    ];
    let steps: Vec<Step> = SETUP_STEPS.into_iter().chain(checks).collect();
    match run_steps(&steps) {
        Ok(()) => {
            println!("\nsummary: {} passed, 0 failed", steps.len());
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!(
                "\nxtask test: step \"{}\" failed: {}",
                failure.title, failure.error
            );
            let skipped = steps.len() - failure.index - 1;
            println!(
                "summary: {} passed, 1 failed, {skipped} skipped",
                failure.index
            );
            ExitCode::FAILURE
        }
    }
}
