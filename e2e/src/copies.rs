//! Several copies of the real service, each its own process, sharing rooms
//! through Redis behind nginx with plain round-robin: what a clinic runs
//! when one machine is not enough. A test can kill a copy as a crash would,
//! and stop or restart Redis.

use crate::servers::Service;
use api_types::HealthResponse;
use local_redis::LocalRedis;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CLINICIAN_PASSWORD: &str = "several copies password";
/// Every copy must share its keys: made up for the tests, never deployed.
const SESSION_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const INVITE_KEY: &str = "HxoZGBcWFRQTEhEQDw4NDAsKCQgHBgUEAwIBAAAAAAA";

pub struct Copy {
    pub port: u16,
    /// The opaque name the copy gives in `/healthz` and in Redis.
    pub name: String,
    process: Option<Child>,
}

pub struct Copies {
    pub redis: LocalRedis,
    pub copies: Vec<Copy>,
    nginx: Child,
    /// nginx's prefix folder, with its configuration and pid file.
    dir: PathBuf,
    /// nginx, the one address browsers use.
    pub front: Service,
}

/// The debug build of the service binary, built now if it is stale.
fn service_binary() -> PathBuf {
    let built = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--package",
            "token-service",
            "--bin",
            "token-service",
        ])
        .current_dir(crate::repo_root())
        .status()
        .expect("cargo runs");
    assert!(built.success(), "the token service builds");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate::repo_root().join("target"), PathBuf::from);
    target.join("debug/token-service")
}

/// The nginx site a clinic would use, on loopback: round-robin over the
/// copies, WebSocket upgrades passed through, no stickiness. The README's
/// "Running several copies" shows the same upstream.
fn nginx_config(dir: &Path, listen: u16, copies: &[u16]) -> String {
    let servers: String = copies
        .iter()
        .map(|port| format!("    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n"))
        .collect();
    let dir = dir.display();
    format!(
        "daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  upstream hearth {{
{servers}  }}
  server {{
    listen 127.0.0.1:{listen};
    location / {{
      proxy_pass http://hearth;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      proxy_send_timeout 60s;
    }}
  }}
}}
"
    )
}

/// nginx's arguments naming its error log, prefix and configuration.
fn nginx_files(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec!["-e".into(), dir.join("error.log").into()];
    args.extend(["-p".into(), dir.as_os_str().to_owned()]);
    args.extend(["-c".into(), dir.join("nginx.conf").into()]);
    args
}

async fn health_of(port: u16) -> Option<HealthResponse> {
    let url = format!("http://127.0.0.1:{port}/healthz");
    reqwest::get(url).await.ok()?.json().await.ok()
}

impl Copies {
    /// Redis, `count` copies serving the release SPA, and nginx in front.
    pub async fn start(count: usize) -> Self {
        let redis = LocalRedis::start();
        let dir = std::env::temp_dir().join(format!("hearth-copies-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let clinicians = dir.join("clinicians.toml");
        let hash = token_service::accounts::hash_password(CLINICIAN_PASSWORD);
        std::fs::write(
            &clinicians,
            format!("[[clinician]]\nid = \"demo\"\ndisplay_name = \"Demo Clinician\"\npassword_hash = \"{hash}\"\n"),
        )
        .expect("write the clinicians file");
        let binary = service_binary();
        std::fs::create_dir_all(crate::artifacts_dir()).expect("the artifacts folder");
        let mut copies = Vec::new();
        for _ in 0..count {
            let port = crate::free_port();
            let log =
                std::fs::File::create(crate::artifacts_dir().join(format!("copy-{port}.log")))
                    .expect("a log file");
            let process = Command::new(&binary)
                .env_clear()
                .env("PORT", port.to_string())
                .env("REDIS_URL", redis.url())
                .env("SESSION_SIGNING_KEY", SESSION_KEY)
                .env("INVITE_SIGNING_KEY", INVITE_KEY)
                .env("CLINICIANS_FILE", &clinicians)
                .env("STATIC_DIR", crate::dist_dir())
                .env("TRUSTED_PROXIES", "127.0.0.1")
                .env("RUST_LOG", "info")
                .stdout(log)
                .stderr(Stdio::null())
                .spawn()
                .expect("the token service starts");
            copies.push(Copy {
                port,
                name: String::new(),
                process: Some(process),
            });
        }
        for copy in &mut copies {
            let deadline = Instant::now() + Duration::from_secs(30);
            copy.name = loop {
                if let Some(health) = health_of(copy.port).await {
                    break health.copy.expect("a copy sharing rooms names itself");
                }
                assert!(
                    Instant::now() < deadline,
                    "copy on {} never answered",
                    copy.port
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
        }
        let listen = crate::free_port();
        let ports: Vec<u16> = copies.iter().map(|copy| copy.port).collect();
        let config = dir.join("nginx.conf");
        std::fs::write(&config, nginx_config(&dir, listen, &ports)).expect("write nginx.conf");
        let nginx = Command::new("nginx")
            .args(nginx_files(&dir))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts (cargo xtask test installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while health_of(listen).await.is_none() {
            assert!(Instant::now() < deadline, "nginx never answered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Copies {
            redis,
            copies,
            nginx,
            dir,
            front: Service::elsewhere(listen, CLINICIAN_PASSWORD),
        }
    }

    /// What copy `index` says of itself, asked directly.
    pub async fn health(&self, index: usize) -> Option<HealthResponse> {
        health_of(self.copies[index].port).await
    }

    /// Which copy holds the socket of the member with `role`, read from Redis.
    pub fn holder_of(&self, role: &str) -> Option<usize> {
        let redis_cli = |args: &[&str]| {
            let output = Command::new("redis-cli")
                .args(["-p", &self.redis.port().to_string(), "--raw"])
                .args(args)
                .output()
                .expect("redis-cli runs");
            String::from_utf8_lossy(&output.stdout).into_owned()
        };
        let rooms = redis_cli(&["--scan", "--pattern", "hearth:room:*:who"]);
        rooms.lines().find_map(|room| {
            let fields = redis_cli(&["HVALS", room]);
            let holder = fields.lines().find_map(|record| {
                let record: serde_json::Value = serde_json::from_str(record).ok()?;
                (record["role"] == role).then(|| record["copy"].as_str().map(str::to_owned))?
            })?;
            self.copies.iter().position(|copy| copy.name == holder)
        })
    }

    /// Kills copy `index` at once (SIGKILL), as a crash would.
    pub fn kill(&mut self, index: usize) {
        if let Some(mut process) = self.copies[index].process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

impl Drop for Copies {
    fn drop(&mut self) {
        for index in 0..self.copies.len() {
            self.kill(index);
        }
        // Through nginx's own signal, so its workers go with it.
        let _ = Command::new("nginx")
            .args(nginx_files(&self.dir))
            .args(["-s", "stop"])
            .stderr(Stdio::null())
            .status();
        let _ = self.nginx.wait();
    }
}
