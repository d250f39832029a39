//! `cargo xtask run` with Twilio credentials: the service then needs settings
//! a one-machine trial would not have (allowed origins, signing keys,
//! clinician accounts), so the run supplies them for this run only.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

/// The environment the service would see: the process's, then `.env`.
fn effective_env() -> HashMap<String, String> {
    let mut vars: HashMap<String, String> =
        std::fs::read_to_string(crate::repo_root().join(".env"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let (key, value) = line.trim().split_once('=')?;
                (!key.starts_with('#')).then(|| {
                    (
                        key.trim().to_owned(),
                        value.trim().trim_matches('"').to_owned(),
                    )
                })
            })
            .collect();
    vars.extend(std::env::vars().filter(|(_, value)| !value.is_empty()));
    vars
}

fn service_output(args: &[&str], stdin: Option<&str>) -> Result<String, String> {
    let mut child = Command::new(crate::repo_root().join("target/release/token-service"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// What a Twilio run adds: variables for the service, and a line to print.
#[derive(Debug, Default)]
pub struct RunDefaults {
    pub vars: Vec<(String, String)>,
    pub note: Option<String>,
}

/// The variables a Twilio run on `port` lacks (none without Twilio).
pub fn defaults(port: u16) -> Result<RunDefaults, String> {
    let env = effective_env();
    if !env.contains_key("TWILIO_ACCOUNT_SID") {
        return Ok(RunDefaults::default());
    }
    let mut extra = Vec::new();
    if !env.contains_key("ALLOWED_ORIGINS") {
        extra.push((
            "ALLOWED_ORIGINS".to_owned(),
            format!("http://127.0.0.1:{port}"),
        ));
    }
    for key in ["SESSION_SIGNING_KEY", "INVITE_SIGNING_KEY"] {
        if !env.contains_key(key) {
            extra.push((key.to_owned(), service_output(&["generate-key"], None)?));
        }
    }
    let mut note = None;
    if !env.contains_key("CLINICIANS_FILE") {
        let password = service_output(&["generate-key"], None)?.replace(['+', '/', '='], "");
        let hash = service_output(&["hash-password"], Some(&format!("{password}\n")))?;
        let dir = crate::repo_root().join("target/run");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let file = dir.join("clinicians.toml");
        let entry = format!("[[clinician]]\nid = \"demo\"\ndisplay_name = \"Demo Clinician\"\npassword_hash = \"{hash}\"\n");
        std::fs::write(&file, entry).map_err(|e| e.to_string())?;
        extra.push(("CLINICIANS_FILE".to_owned(), file.display().to_string()));
        note = Some(format!(
            "  Demo clinician (Twilio mode, this run only): username demo  password {password}"
        ));
    }
    Ok(RunDefaults { vars: extra, note })
}

/// The port the service will listen on, from `--port N` or `PORT`.
pub fn port(service_args: &[String]) -> u16 {
    service_args
        .windows(2)
        .find(|pair| pair[0] == "--port")
        .and_then(|pair| pair[1].parse().ok())
        .or_else(|| effective_env().get("PORT").and_then(|p| p.parse().ok()))
        .unwrap_or(8080)
}

#[cfg(test)]
mod tests {
    use super::port;

    #[test]
    fn the_port_comes_from_the_flag() {
        assert_eq!(port(&["--port".into(), "9000".into()]), 9000);
    }
}
