//! Numbered progress lines and command running, shared by `run` and `test`.

use std::process::Command;

pub type StepResult = Result<(), String>;

/// A titled step, as the progress line names it.
pub type Step = (&'static str, fn() -> StepResult);

/// Prints `[n/total] title` before each step, so a newcomer sees where time goes.
pub struct Progress {
    total: usize,
    done: usize,
}

impl Progress {
    pub fn new(total: usize) -> Self {
        Self { total, done: 0 }
    }

    pub fn step(&mut self, title: &str) {
        self.done += 1;
        println!("\n==> [{}/{}] {title}", self.done, self.total);
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
