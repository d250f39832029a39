//! The shipped binary: start-up validation and shutdown, as ops meet them.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
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
    fails_naming(
        &[("SESSION_SIGNING_KEY", "c2hvcnQ=")],
        "SESSION_SIGNING_KEY",
    )
    .await;
    fails_naming(&[("SESSION_TTL_SECONDS", "90000")], "SESSION_TTL_SECONDS").await;
    fails_naming(
        &[
            ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
            ("TWILIO_API_KEY", key),
            ("TWILIO_API_SECRET", "x"),
        ],
        "ALLOWED_ORIGINS",
    )
    .await;
    fails_naming(
        &[("CLINICIANS_FILE", "/nonexistent/clinicians.toml")],
        "CLINICIANS_FILE",
    )
    .await;
    // Off loopback, no demo clinician and no keys made at start-up.
    fails_naming(&[("HOST", "0.0.0.0"), ("PORT", "0")], "CLINICIANS_FILE").await;
}

#[tokio::test]
async fn hash_password_prints_an_argon2id_hash_of_stdin() {
    let mut child = service()
        .arg("hash-password")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use tokio::io::AsyncWriteExt;
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"correct horse battery staple\n")
        .await
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().await.unwrap();
    assert!(output.status.success());
    let hash = String::from_utf8(output.stdout).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse"));
}

#[tokio::test]
async fn page_policy_prints_the_header_a_static_host_should_send() {
    let dir = std::env::temp_dir().join(format!("hearth-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = "<script type=module>start()</script>";
    std::fs::write(dir.join("index.html"), page).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"api_base_url": "https://token.clinic.example/"}"#,
    )
    .unwrap();
    let output = service()
        .args(["page-policy", "--twilio"])
        .arg(&dir)
        .output()
        .await
        .unwrap();
    assert!(output.status.success());
    let policy = String::from_utf8(output.stdout).unwrap();
    let config = std::fs::read_to_string(dir.join("config.json")).unwrap();
    assert_eq!(
        policy.trim_end(),
        token_service::page_policy::page_policy(page, Some(&config), true)
    );
    assert!(policy.contains("https://token.clinic.example wss://token.clinic.example"));
    std::fs::remove_dir_all(dir).unwrap();
}

type Log = Arc<Mutex<Vec<String>>>;

/// The binary on a free port with JSON logs and `vars`; returns it, its base
/// URL, and its log lines (collected as they arrive).
async fn start_binary(vars: &[(&str, &str)]) -> (tokio::process::Child, String, Log) {
    let mut child = service()
        .args(["--port", "0", "--host", "127.0.0.1"])
        .env("LOG_FORMAT", "json")
        .envs(vars.iter().copied())
        .spawn()
        .unwrap();
    let log: Log = Arc::default();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listening = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            log.lock().unwrap().push(line.clone());
            if line.contains("token service listening") {
                return line;
            }
        }
        panic!("the service exited before listening");
    })
    .await
    .expect("the service starts within 20 s");
    let collector = log.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            collector.lock().unwrap().push(line);
        }
    });
    let listening: serde_json::Value = serde_json::from_str(&listening).expect("JSON log lines");
    assert_eq!(listening["video_mode"], "local");
    let base = format!("http://127.0.0.1:{}", listening["port"]);
    // Signal handlers exist once the server runs, which answering proves.
    let health = format!("{base}/healthz");
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
    (child, base, log)
}

#[tokio::test]
async fn logs_of_a_full_visit_hold_audit_lines_but_no_names_passwords_or_tokens() {
    let sentinel = "Zebulon Quxworthy";
    let password = "audit-test password";
    let accounts = std::env::temp_dir().join(format!("hearth-audit-{}.toml", std::process::id()));
    let hash = token_service::accounts::hash_password(password);
    let entry = format!("[[clinician]]\nid = \"c-audit\"\ndisplay_name = \"Dr Audit\"\npassword_hash = \"{hash}\"\n");
    std::fs::write(&accounts, entry).unwrap();
    let (mut child, base, log) =
        start_binary(&[("CLINICIANS_FILE", accounts.to_str().unwrap())]).await;

    let client = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value, bearer: Option<&str>| {
        let mut request = client.post(format!("{base}{path}")).json(&body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        async move {
            request
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap_or_default()
        }
    };
    let mut secrets = vec![sentinel.to_owned(), password.to_owned(), hash];
    post(
        "/api/session",
        serde_json::json!({"username": "c-audit", "password": sentinel}),
        None,
    )
    .await;
    let session = post(
        "/api/session",
        serde_json::json!({"username": "c-audit", "password": password}),
        None,
    )
    .await;
    let session = session["token"].as_str().unwrap().to_owned();
    let visit = post(
        "/api/visits",
        serde_json::json!({"length_minutes": 20}),
        Some(&session),
    )
    .await;
    let invite = visit["patient_invite"].as_str().unwrap().to_owned();
    let patient = post("/api/token", serde_json::json!({"invite": invite}), None).await;
    let visit_id = visit["visit_id"].as_str().unwrap();
    let clinician = post(
        "/api/token",
        serde_json::json!({"visit_id": visit_id}),
        Some(&session),
    )
    .await;
    post(
        "/api/token",
        serde_json::json!({"invite": format!("{invite}x")}),
        None,
    )
    .await;
    post(
        "/api/visits/running-late",
        serde_json::json!({"visit_id": visit_id, "minutes": 5}),
        Some(&session),
    )
    .await;
    post(
        "/api/visits/end",
        serde_json::json!({"visit_id": visit_id}),
        Some(&session),
    )
    .await;
    // A stranger's "username" may be a password typed in the wrong box; a
    // flood of them is limited, and written down once.
    let stranger = "correct horse battery staple";
    secrets.push(stranger.to_owned());
    for _ in 0..8 {
        post(
            "/api/session",
            serde_json::json!({"username": stranger, "password": "x"}),
            None,
        )
        .await;
    }
    let tokens = [
        session,
        invite,
        visit["guest_invite"].as_str().unwrap().to_owned(),
        patient["token"].as_str().unwrap().to_owned(),
        clinician["token"].as_str().unwrap().to_owned(),
    ];
    // Neither whole tokens nor their signatures may appear.
    secrets.extend(
        tokens
            .iter()
            .filter_map(|t| t.rsplit('.').next().map(str::to_owned)),
    );
    secrets.extend(tokens);

    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = child.kill().await;
    let log = log.lock().unwrap().join("\n");
    for secret in &secrets {
        assert!(!log.contains(secret.as_str()), "the logs hold {secret:?}");
    }
    let audit: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|entry| entry["target"] == "audit")
        .collect();
    let events: Vec<&str> = audit.iter().filter_map(|e| e["event"].as_str()).collect();
    for expected in [
        "refused",
        "sign_in",
        "invite",
        "video_token",
        "visit_ended",
        "running_late",
    ] {
        assert!(events.contains(&expected), "no {expected} in {events:?}");
    }
    let with = |event: &str, reason: &str| {
        audit
            .iter()
            .filter(|e| e["event"] == event && e["reason"] == reason)
            .map(|e| e["clinician"].as_str().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(with("sign_in", "-"), ["c-audit"]);
    assert_eq!(with("visit_ended", "-"), ["c-audit"]);
    assert_eq!(
        with("refused", "invalid_credentials"),
        [
            "c-audit",
            "unknown_account",
            "unknown_account",
            "unknown_account"
        ],
        "the burst of five: one wrong password, one sign-in, three strangers"
    );
    assert_eq!(
        with("refused", "rate_limited").len(),
        1,
        "one line a minute per client"
    );
    for entry in &audit {
        for field in [
            "event",
            "clinician",
            "role",
            "visit_id",
            "token_id",
            "client",
            "timestamp",
        ] {
            assert!(entry.get(field).is_some(), "{field} missing from {entry}");
        }
    }
    let minted = audit.iter().find(|e| e["event"] == "video_token").unwrap();
    assert_eq!(minted["visit_id"], visit_id);
    assert_eq!(minted["client"], "127.0.0.1");
    std::fs::remove_file(accounts).unwrap();
}

#[tokio::test]
async fn sigterm_shuts_down_gracefully_with_success() {
    let (mut child, _, _) = start_binary(&[]).await;
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

/// The service's peak resident memory so far, in MiB (Linux `VmHWM`).
fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc status");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib / 1024
}

/// Peak memory a sign-in flood may cost (the issue's bound).
const FLOOD_PEAK_MIB: u64 = 300;

#[tokio::test]
async fn a_sign_in_flood_waits_its_turn_within_bounded_memory() {
    // As behind a gateway that does the rate limiting: only the cap holds.
    let (mut child, base, _log) = start_binary(&[("RATE_LIMITS", "off")]).await;
    let pid = child.id().unwrap();
    let before = peak_rss_mib(pid);
    let client = reqwest::Client::new();
    let attempts = (0..250).map(|i| {
        let (client, url) = (client.clone(), format!("{base}/api/session"));
        tokio::spawn(async move {
            let body = serde_json::json!({"username": format!("nobody-{i}"), "password": "guess"});
            let response = client.post(url).json(&body).send().await.unwrap();
            let retry = response.headers().contains_key("retry-after");
            (response.status().as_u16(), retry)
        })
    });
    let outcomes: Vec<(u16, bool)> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let peak = peak_rss_mib(pid);
    let busy = outcomes.iter().filter(|(s, _)| *s == 503).count();
    let refused = outcomes.iter().filter(|(s, _)| *s == 401).count();
    println!(
        "figure: 250 parallel sign-ins: {refused} checked (401), {busy} told busy (503); peak RSS {before} -> {peak} MiB"
    );
    assert_eq!(refused + busy, 250, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|(s, retry)| *s != 503 || *retry),
        "503 without Retry-After"
    );
    assert!(busy > 0, "nothing was turned away");
    assert!(peak < FLOOD_PEAK_MIB, "peak RSS {peak} MiB");
    child.kill().await.unwrap();
}
