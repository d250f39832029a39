//! `cargo xtask bench`: the release token service under `wrk`, measuring
//! `POST /api/token` against `GET /healthz` in the same run, then 2,000
//! signalling sockets relaying in rooms of three. Prints figures; it is a
//! benchmark, not a test.

use crate::builds::build_service;
use crate::steps::{run_command, run_steps_for, Step, StepResult};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};

const CONNECTIONS: &str = "64";
const ROUND_SECONDS: &str = "5";
const ROUNDS: usize = 2;

/// What one wrk run reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WrkReport {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

/// Reads wrk's `--latency` output.
pub fn parse_wrk(output: &str) -> Option<WrkReport> {
    let field = |prefix: &str| {
        output
            .lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix(prefix).map(str::trim))
    };
    let millis = |text: &str| {
        let (number, factor) = if let Some(n) = text.strip_suffix("us") {
            (n, 0.001)
        } else if let Some(n) = text.strip_suffix("ms") {
            (n, 1.0)
        } else {
            (text.strip_suffix('s')?, 1000.0)
        };
        number.parse::<f64>().ok().map(|n| n * factor)
    };
    let errors = field("Non-2xx or 3xx responses:").map_or(Some(0), |n| n.parse().ok())?
        + field("Socket errors:").map_or(0, |text| {
            text.split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum()
        });
    Some(WrkReport {
        requests_per_second: field("Requests/sec:")?.parse().ok()?,
        p50_ms: millis(field("50%")?)?,
        p99_ms: millis(field("99%")?)?,
        errors,
    })
}

fn ensure_wrk() -> StepResult {
    crate::tools::ensure_debian(&["/usr/bin/wrk"], &["wrk"])
}

/// A minimal HTTP/1.1 POST on loopback, enough to set the benchmark up.
fn post(
    port: u16,
    path: &str,
    body: &str,
    bearer: Option<&str>,
) -> Result<serde_json::Value, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let auth = bearer.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let json = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .unwrap_or_default();
    serde_json::from_str(json).map_err(|_| format!("unexpected reply to {path}: {response}"))
}

struct Service {
    child: Child,
    port: u16,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_service(clinicians: &Path) -> Result<Service, String> {
    start_service_with(clinicians, &[])
}

/// The release service with `vars` added to the bench's settings.
fn start_service_with(clinicians: &Path, vars: &[(&str, &str)]) -> Result<Service, String> {
    let binary = crate::repo_root().join("target/release/token-service");
    let mut child = Command::new(binary)
        .args(["--port", "0"])
        .envs(vars.iter().copied())
        .env("LOG_FORMAT", "json")
        .env("CLINICIANS_FILE", clinicians)
        .env("RATE_LIMITS", "off")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the service: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let log: serde_json::Value = serde_json::from_str(&line).ok()?;
            (log["message"] == "token service listening").then(|| log["port"].as_u64())?
        })
        .ok_or("the service never said it was listening")?;
    // Keep draining the logs so the service never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok(Service {
        child,
        port: u16::try_from(port).map_err(|e| e.to_string())?,
    })
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn wrk(url: &str, script: Option<&Path>) -> Result<WrkReport, String> {
    let mut args = vec!["-t2", "-c", CONNECTIONS, "-d", ROUND_SECONDS, "--latency"];
    let script_arg;
    if let Some(script) = script {
        script_arg = script.display().to_string();
        args.extend(["-s", script_arg.as_str()]);
    }
    args.push(url);
    let output = Command::new("wrk")
        .args(&args)
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    parse_wrk(&text).ok_or_else(|| format!("cannot read wrk's report:\n{text}"))
}

fn mean(reports: &[WrkReport]) -> WrkReport {
    let n = reports.len() as f64;
    WrkReport {
        requests_per_second: reports.iter().map(|r| r.requests_per_second).sum::<f64>() / n,
        p50_ms: reports.iter().map(|r| r.p50_ms).sum::<f64>() / n,
        p99_ms: reports.iter().map(|r| r.p99_ms).sum::<f64>() / n,
        errors: reports.iter().map(|r| r.errors).sum(),
    }
}

const BENCH_USER: &str = "bench";
const BENCH_PASSWORD: &str = "bench password";

/// A clinician accounts file with the bench's one clinician, in `target/bench`.
fn bench_clinicians() -> Result<std::path::PathBuf, String> {
    let work = crate::repo_root().join("target/bench");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let binary = crate::repo_root().join("target/release/token-service");
    let mut hasher = Command::new(&binary)
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    hasher
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(format!("{BENCH_PASSWORD}\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let hash =
        String::from_utf8_lossy(&hasher.wait_with_output().map_err(|e| e.to_string())?.stdout)
            .trim()
            .to_owned();
    let clinicians = work.join("clinicians.toml");
    let entry = format!(
        "[[clinician]]\nid = \"{BENCH_USER}\"\ndisplay_name = \"Bench\"\npassword_hash = \"{hash}\"\n"
    );
    std::fs::write(&clinicians, entry).map_err(|e| e.to_string())?;
    Ok(clinicians)
}

fn measure_tokens() -> StepResult {
    let work = crate::repo_root().join("target/bench");
    let service = start_service(&bench_clinicians()?)?;
    let credentials = format!(r#"{{"username":"{BENCH_USER}","password":"{BENCH_PASSWORD}"}}"#);
    let session = post(service.port, "/api/session", &credentials, None)?;
    let session = session["token"]
        .as_str()
        .ok_or("sign-in failed")?
        .to_owned();
    let visit = post(service.port, "/api/visits", "{}", Some(&session))?;
    let invite = visit["patient_invite"]
        .as_str()
        .ok_or("visit creation failed")?;
    let script = work.join("token.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = '{{\"invite\":\"{invite}\"}}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
        ),
    )
    .map_err(|e| e.to_string())?;

    let base = format!("http://127.0.0.1:{}", service.port);
    let (mut health, mut token) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        println!("round {round}/{ROUNDS}: GET /healthz, then POST /api/token, {ROUND_SECONDS} s each at {CONNECTIONS} connections");
        health.push(wrk(&format!("{base}/healthz"), None)?);
        token.push(wrk(&format!("{base}/api/token"), Some(&script))?);
    }
    let (health, token) = (mean(&health), mean(&token));
    let rss = peak_rss_kib(service.child.id()).unwrap_or_default();
    println!(
        "\n{:<18} {:>12} {:>10} {:>10} {:>8}",
        "endpoint", "requests/s", "p50 ms", "p99 ms", "errors"
    );
    for (name, r) in [("GET /healthz", health), ("POST /api/token", token)] {
        println!(
            "{name:<18} {:>12.0} {:>10.3} {:>10.3} {:>8}",
            r.requests_per_second, r.p50_ms, r.p99_ms, r.errors
        );
    }
    let ratio = token.requests_per_second / health.requests_per_second;
    println!(
        "token/healthz throughput: {:.0}% (target at least 60%)",
        ratio * 100.0
    );
    println!(
        "token p99 at {CONNECTIONS} connections: {:.3} ms (target under 5 ms)",
        token.p99_ms
    );
    println!(
        "service peak RSS: {:.1} MB (target under 30 MB)",
        rss as f64 / 1024.0
    );
    if token.errors + health.errors > 0 {
        return Err(format!("{} failed requests", token.errors + health.errors));
    }
    Ok(())
}

/// 2,000 signalling sockets in rooms of three, relaying for 10 s: on one
/// copy, then on two copies sharing rooms through Redis.
fn measure_signalling() -> StepResult {
    let clinicians = bench_clinicians()?;
    println!("one copy, rooms in its memory:");
    let single = start_service(&clinicians)?;
    signalling_load(&[&single])?;
    drop(single);

    println!("\ntwo copies, rooms shared through Redis:");
    let redis = local_redis::LocalRedis::start();
    let url = redis.url();
    // Both copies must accept each other's tokens: the same fixed keys.
    let shared = [
        ("REDIS_URL", url.as_str()),
        ("SESSION_SIGNING_KEY", BENCH_SESSION_KEY),
        ("INVITE_SIGNING_KEY", BENCH_INVITE_KEY),
    ];
    let first = start_service_with(&clinicians, &shared)?;
    let second = start_service_with(&clinicians, &shared)?;
    signalling_load(&[&first, &second])
}

/// Signing keys for the two-copy run only: made up, never deployed.
const BENCH_SESSION_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const BENCH_INVITE_KEY: &str = "HxoZGBcWFRQTEhEQDw4NDAsKCQgHBgUEAwIBAAAAAAA";

fn signalling_load(copies: &[&Service]) -> StepResult {
    let join = |each: &dyn Fn(&Service) -> String| {
        copies
            .iter()
            .map(|copy| each(copy))
            .collect::<Vec<_>>()
            .join(",")
    };
    run_command(Command::new("cargo").args([
        "run",
        "--release",
        "--quiet",
        "--package",
        "token-service",
        "--example",
        "signalling_load",
        "--",
        &join(&|copy| format!("http://127.0.0.1:{}", copy.port)),
        &join(&|copy| copy.child.id().to_string()),
        BENCH_USER,
        BENCH_PASSWORD,
        "2000",
        "10",
    ]))
}

/// `cargo xtask bench`: the service's figures; `bench first-paint`: a
/// patient's link to Join on a slow phone.
pub fn bench(args: &[String]) -> ExitCode {
    if args.first().map(String::as_str) == Some("first-paint") {
        return first_paint();
    }
    let steps: [Step; 5] = [
        ("wrk (Debian)", ensure_wrk),
        crate::tools::REDIS_AND_NGINX,
        ("Build the token service (release)", build_service),
        ("Load /healthz and /api/token side by side", measure_tokens),
        (
            "Signalling: 2,000 sockets in rooms of 3, one copy and two",
            measure_signalling,
        ),
    ];
    run_steps_for("bench", &steps)
}

/// Builds the SPA, then runs `e2e/examples/first_paint.rs` (Chromium with
/// Lighthouse's mobile throttling against the real service).
fn first_paint() -> ExitCode {
    let measure: fn() -> StepResult = || {
        run_command(Command::new("cargo").args([
            "run",
            "--quiet",
            "--package",
            "e2e",
            "--example",
            "first_paint",
        ]))
    };
    let steps: Vec<Step> = crate::builds::SETUP_STEPS
        .into_iter()
        .chain([
            crate::tools::CHROMIUM,
            crate::builds::BUILD_SPA,
            (
                "Patient link to Join on a slow phone, cold and warm",
                measure,
            ),
        ])
        .collect();
    run_steps_for("bench first-paint", &steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 5s test @ http://127.0.0.1:1/healthz
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us  300.00us   9.00ms   80.00%
  Latency Distribution
     50%  750.00us
     75%    1.00ms
     90%    1.20ms
     99%    2.50ms
  400000 requests in 5.00s, 60.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  80000.50
Transfer/sec:     12.00MB
";

    #[test]
    fn reads_wrks_latency_report() {
        let report = parse_wrk(SAMPLE).unwrap();
        assert_eq!(report.requests_per_second, 80000.5);
        assert!((report.p50_ms - 0.75).abs() < 1e-9);
        assert!((report.p99_ms - 2.5).abs() < 1e-9);
        assert_eq!(report.errors, 3);
        assert!(parse_wrk("garbage").is_none());
    }
}
