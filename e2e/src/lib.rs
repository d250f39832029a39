//! The browser test harness: Debian Chromium (through chromedriver) against
//! the release build in `dist/` and the real token service, on free ports.

pub mod browser;
pub mod chat;
pub mod copies;
pub mod far_end;
pub mod flows;
pub mod servers;

use std::path::PathBuf;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e lives inside the workspace")
        .to_path_buf()
}

/// The release build; `cargo xtask test` makes it before these tests run.
/// `HEARTH_DIST` names another (`cargo xtask mutants` uses it).
pub fn dist_dir() -> PathBuf {
    let dist =
        std::env::var_os("HEARTH_DIST").map_or_else(|| repo_root().join("dist"), PathBuf::from);
    assert!(
        dist.join("index.html").exists(),
        "no release build in {}: run `cargo xtask test`, which builds it first",
        dist.display()
    );
    dist
}

/// Where failing tests leave screenshots and console logs.
pub fn artifacts_dir() -> PathBuf {
    repo_root().join("target/e2e-artifacts")
}

/// A free loopback port, for processes that need one named up front.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
