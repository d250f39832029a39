//! Idempotent installs of everything the build and the tests need. Each check
//! is cheap, so a second run only prints "already installed".

use crate::steps::{command_output, run_command, Step, StepResult};
use std::path::Path;
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn ensure_wasm_target() -> StepResult {
    let installed = command_output("rustup", &["target", "list", "--installed"])
        .ok_or("rustup is needed to add the wasm32 target")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("{WASM_TARGET}: already installed");
        return Ok(());
    }
    run_command(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

pub fn ensure_trunk() -> StepResult {
    let wanted = format!("trunk {TRUNK_VERSION}");
    if command_output("trunk", &["--version"]).as_deref() == Some(wanted.as_str()) {
        println!("{wanted}: already installed");
        return Ok(());
    }
    run_command(Command::new("cargo").args([
        "install",
        "--locked",
        &format!("trunk@{TRUNK_VERSION}"),
    ]))
}

/// The CLI must equal the library version in Cargo.lock, or wasm-bindgen refuses
/// to process the wasm file. (`--locked` fails for this crate on these machines.)
pub fn ensure_wasm_bindgen() -> StepResult {
    let lock = std::fs::read_to_string(crate::repo_root().join("Cargo.lock"))
        .map_err(|err| format!("cannot read Cargo.lock: {err}"))?;
    let version = locked_version(&lock, "wasm-bindgen").ok_or("Cargo.lock has no wasm-bindgen")?;
    let wanted = format!("wasm-bindgen {version}");
    if command_output("wasm-bindgen", &["--version"]).as_deref() == Some(wanted.as_str()) {
        println!("wasm-bindgen-cli {version}: already installed");
        return Ok(());
    }
    run_command(Command::new("cargo").args(["install", &format!("wasm-bindgen-cli@{version}")]))
}

/// `npm ci` only when the lockfile changed since the last install.
pub fn ensure_npm_packages() -> StepResult {
    let root = crate::repo_root();
    if is_newer(
        &root.join("node_modules/.package-lock.json"),
        &root.join("package-lock.json"),
    ) {
        println!("npm packages: already installed");
        return Ok(());
    }
    run_command(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))
}

/// The step that installs [`ensure_chromium`], for every command that opens a browser.
pub const CHROMIUM: Step = ("Chromium and chromedriver (Debian)", ensure_chromium);

/// Debian's Chromium and its matching driver, for the browser tests.
pub fn ensure_chromium() -> StepResult {
    ensure_debian(
        &["/usr/bin/chromium", "/usr/bin/chromedriver"],
        &["chromium", "chromium-driver"],
    )
}

/// The step that installs [`ensure_redis_and_nginx`], for the tests and
/// benchmark of copies sharing rooms.
pub const REDIS_AND_NGINX: Step = ("Redis and nginx (Debian)", ensure_redis_and_nginx);

/// Debian's Redis server and nginx: copies of the service share rooms
/// through Redis, behind nginx. The tests start their own instances.
pub fn ensure_redis_and_nginx() -> StepResult {
    ensure_debian(
        &["/usr/bin/redis-server", "/usr/sbin/nginx"],
        &["redis-server", "nginx-light"],
    )
}

/// Installs `packages` from Debian unless every one of `programs` exists.
pub fn ensure_debian(programs: &[&str], packages: &[&str]) -> StepResult {
    if programs.iter().all(|program| Path::new(program).exists()) {
        println!("{}: already installed", packages.join(", "));
        return Ok(());
    }
    apt_install(packages)
}

/// `apt-get update` then install, as root or through `sudo`.
pub fn apt_install(packages: &[&str]) -> StepResult {
    let as_root = command_output("id", &["-u"]).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut cmd = if as_root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run_command(&mut cmd)
    };
    apt(&["update"])?;
    apt(&[&["install", "-y", "--no-install-recommends"], packages].concat())
}

fn is_newer(path: &Path, than: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(path), modified(than)), (Some(a), Some(b)) if a >= b)
}

/// The version Cargo.lock pins for `name`.
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim();
            return version
                .strip_prefix("version = \"")
                .and_then(|rest| rest.strip_suffix('"'))
                .map(str::to_owned);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn finds_the_exact_package_not_a_prefix() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.1\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "yew"), None);
    }
}
