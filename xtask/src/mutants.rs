//! `cargo xtask mutants`: proves the Twilio browser tests catch the mute
//! defect class. It builds the SPA with Mute and Camera off setting
//! `enabled` on the original camera and microphone tracks only (not through
//! the SDK, whose published copies then keep sending), runs the real-SDK
//! visit test against that build, and passes only if the test fails at
//! the far end's Mute check.

use crate::builds::{build_spa_into, SETUP_STEPS};
use crate::steps::{run_steps_for, Step, StepResult};
use crate::tools::CHROMIUM;
use std::process::{Command, ExitCode};

const SOURCE: &str = "frontend/src/video/twilio/media_tracks.rs";
/// Mute and Camera off as the SDK needs them: on the SDK's tracks.
const THROUGH_THE_SDK: &str = "            track.enable(on);\n";
/// The defect: only the original track is switched.
const ORIGINAL_TRACK_ONLY: &str =
    "            let _ = track;\n            media::set_enabled(&inner.local, kind, on);\n";
const MUTANT_DIST: &str = "target/mutant-dist";
const CATCHING_TEST: &str = "a_visit_on_the_real_sdk_from_waiting_room_to_call_and_back";

/// Puts the source back however the build ends.
struct Restore(String);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::fs::write(crate::repo_root().join(SOURCE), &self.0);
    }
}

fn build_mutant() -> StepResult {
    let path = crate::repo_root().join(SOURCE);
    let original = std::fs::read_to_string(&path).map_err(|e| format!("{SOURCE}: {e}"))?;
    if original.matches(THROUGH_THE_SDK).count() != 1 {
        return Err(format!(
            "{SOURCE} no longer has the line this mutant changes"
        ));
    }
    let _restore = Restore(original.clone());
    std::fs::write(
        &path,
        original.replace(THROUGH_THE_SDK, ORIGINAL_TRACK_ONLY),
    )
    .map_err(|e| format!("{SOURCE}: {e}"))?;
    build_spa_into(MUTANT_DIST)
}

/// What the catching test says when Mute does not reach the far end
/// (`e2e/src/far_end.rs`): the mutant must fail it for that reason, not
/// because a browser, a port or the build broke.
const CAUGHT_BY: &str = "still sounds";

fn mutant_is_caught() -> StepResult {
    let output = Command::new("cargo")
        .current_dir(crate::repo_root())
        .args([
            "test",
            "--package",
            "e2e",
            "--test",
            "twilio_sdk",
            CATCHING_TEST,
        ])
        .args(["--", "--exact", "--test-threads=1"])
        .env("HEARTH_DIST", crate::repo_root().join(MUTANT_DIST))
        .output()
        .map_err(|e| format!("could not run cargo test: {e}"))?;
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    print!("{printed}");
    match printed.lines().find(|line| line.contains(CAUGHT_BY)) {
        Some(line) if !output.status.success() => {
            println!("mutant caught by the far end: {line}");
            Ok(())
        }
        _ if output.status.success() => Err(
            "the mutant survived: the real-SDK test passed with Mute on the original track only"
                .to_owned(),
        ),
        _ => Err(format!(
            "the real-SDK test failed, but not at the far end's Mute check (no \"{CAUGHT_BY}\"): see above"
        )),
    }
}

pub fn mutants() -> ExitCode {
    let checks: [Step; 3] = [
        CHROMIUM,
        (
            "SPA built with Mute on the original track only",
            build_mutant,
        ),
        ("the real-SDK visit test must fail", mutant_is_caught),
    ];
    let steps: Vec<Step> = SETUP_STEPS.into_iter().chain(checks).collect();
    run_steps_for("mutants", &steps)
}
