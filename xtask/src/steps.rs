//! Numbered progress lines and command running, shared by `run` and `test`.

use std::process::{Command, ExitCode};

pub type StepResult = Result<(), String>;

/// A titled step, as the progress line names it.
pub type Step = (&'static str, fn() -> StepResult);

/// The step that failed: its position (from 0), title and error.
#[derive(Debug)]
pub struct Failure {
    pub index: usize,
    pub title: &'static str,
    pub error: String,
}

/// Runs `steps` in order, printing `[n/total] title` before each so a
/// newcomer sees where time goes; stops at the first failure.
pub fn run_steps(steps: &[Step]) -> Result<(), Failure> {
    for (index, (title, step)) in steps.iter().enumerate() {
        println!("\n==> [{}/{}] {title}", index + 1, steps.len());
        step().map_err(|error| Failure {
            index,
            title,
            error,
        })?;
    }
    Ok(())
}

/// Runs `steps` for `cargo xtask <command>`; a failure is named on stderr.
pub fn run_steps_for(command: &str, steps: &[Step]) -> ExitCode {
    match run_steps(steps) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("\nxtask {command}: {}: {}", failure.title, failure.error);
            ExitCode::FAILURE
        }
    }
}

/// Runs a command in the workspace root, inheriting the terminal.
pub fn run_command(cmd: &mut Command) -> StepResult {
    cmd.current_dir(crate::repo_root());
    let status = cmd
        .status()
        .map_err(|err| format!("could not start {}: {err}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

/// Runs a command and returns its trimmed stdout, or `None` if it cannot run.
pub fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    format!("`{text}`")
}
