//! The shipped binary: start-up validation and shutdown, as ops meet them.

use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

fn service() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_token-service"));
    // A clean environment and an empty folder, so no developer `.env` leaks in.
    cmd.env_clear()
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

async fn fails_naming(vars: &[(&str, &str)], variable: &str) {
    let output = service().envs(vars.iter().copied()).output().await.unwrap();
    assert!(!output.status.success(), "started with {vars:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(variable),
        "{variable} not named in: {stderr}"
    );
}

#[tokio::test]
async fn malformed_settings_exit_non_zero_naming_the_variable() {
    let key = "SK0123456789abcdef0123456789abcdef";
    fails_naming(
        &[
            ("TWILIO_ACCOUNT_SID", "AC-not-a-sid"),
            ("TWILIO_API_KEY", key),
            ("TWILIO_API_SECRET", "x"),
        ],
        "TWILIO_ACCOUNT_SID",
    )
    .await;
    fails_naming(
        &[("TWILIO_API_KEY", key)],
        "TWILIO_ACCOUNT_SID, TWILIO_API_SECRET",
    )
    .await;
    fails_naming(&[("PORT", "http")], "PORT").await;
}

#[tokio::test]
async fn sigterm_shuts_down_gracefully_with_success() {
    let mut child = service()
        .args(["--port", "0", "--host", "127.0.0.1"])
        .env("LOG_FORMAT", "json")
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listening = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("token service listening") {
                return line;
            }
        }
        panic!("the service exited before listening");
    })
    .await
    .expect("the service starts within 20 s");
    let log: serde_json::Value = serde_json::from_str(&listening).expect("JSON log lines");
    assert_eq!(log["video_mode"], "local");
    // Signal handlers exist once the server runs, which answering proves.
    let health = format!("http://127.0.0.1:{}/healthz", log["port"]);
    tokio::time::timeout(Duration::from_secs(20), async {
        while reqwest::get(&health)
            .await
            .map(|r| r.status() != 200)
            .unwrap_or(true)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the service answers within 20 s");

    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("the service stops within 15 s of SIGTERM")
        .unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status}");
}
