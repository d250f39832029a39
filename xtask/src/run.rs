//! `cargo xtask run`: set up, build, then serve Hearth on one port.

use crate::builds::{build_service, BUILD_SPA, SETUP_STEPS};
use crate::steps::{run_steps, Step};
use std::process::{Command, ExitCode};

pub fn run(service_args: &[String]) -> ExitCode {
    let builds: [Step; 2] = [
        BUILD_SPA,
        ("Build the token service (release)", build_service),
    ];
    let steps: Vec<Step> = SETUP_STEPS.into_iter().chain(builds).collect();
    if let Err(failure) = run_steps(&steps) {
        return fail(&format!("{}: {}", failure.title, failure.error));
    }
    println!("\n==> Starting the token service, serving the SPA (Ctrl-C stops it)");
    serve(service_args)
}

fn serve(service_args: &[String]) -> ExitCode {
    let root = crate::repo_root();
    let twilio = match crate::twilio_run::defaults(crate::twilio_run::port(service_args)) {
        Ok(defaults) => defaults,
        Err(err) => return fail(&format!("could not prepare the Twilio settings: {err}")),
    };
    if let Some(note) = &twilio.note {
        println!("{note}");
    }
    let mut child = match Command::new(root.join("target/release/token-service"))
        .arg("--static-dir")
        .arg(root.join("dist"))
        .args(service_args)
        .envs(twilio.vars)
        .current_dir(&root)
        .spawn()
    {
        Ok(child) => child,
        Err(err) => return fail(&format!("could not start the token service: {err}")),
    };
    // The terminal sends Ctrl-C to the service too; this covers a SIGTERM or
    // SIGINT sent to this process alone, so the service never outlives us.
    let pid = child.id().to_string();
    let forwarded = ctrlc::set_handler(move || {
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
    });
    if let Err(err) = forwarded {
        eprintln!("warning: Ctrl-C will not be forwarded to the service: {err}");
    }
    match child.wait() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => fail(&format!("the token service stopped: {status}")),
        Err(err) => fail(&format!("lost the token service: {err}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("\nxtask run: {message}");
    ExitCode::FAILURE
}
