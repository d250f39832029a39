//! Command-line flags. They override the environment, so a one-off run never
//! needs an edited `.env`.

use crate::settings::Settings;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "token-service", version, about)]
pub struct Cli {
    /// Address to listen on (overrides HOST).
    #[arg(long)]
    pub host: Option<String>,
    /// Port to listen on; 0 picks a free one (overrides PORT).
    #[arg(long)]
    pub port: Option<u16>,
    /// Also serve the built SPA from this folder, so one port is enough (overrides STATIC_DIR).
    #[arg(long)]
    pub static_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a password from stdin and print its argon2id hash, for CLINICIANS_FILE.
    HashPassword,
    /// Print a new random signing key, for SESSION_SIGNING_KEY or INVITE_SIGNING_KEY.
    GenerateKey,
    /// Print the Content-Security-Policy header for the built SPA in DIR,
    /// for a static host (nginx, a CDN) to send with its pages.
    PagePolicy {
        /// The built SPA: `index.html` and `config.json`.
        dir: PathBuf,
        /// Video runs on Twilio: allow the SDK's hosts.
        #[arg(long)]
        twilio: bool,
    },
}

impl Cli {
    pub fn apply_to(&self, mut settings: Settings) -> Settings {
        if let Some(host) = &self.host {
            settings.host.clone_from(host);
        }
        if let Some(port) = self.port {
            settings.port = port;
        }
        if let Some(dir) = &self.static_dir {
            settings.static_dir = Some(dir.clone());
        }
        settings
    }
}
