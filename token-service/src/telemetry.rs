//! Logging through `tracing`: readable text for people, JSON for log pipelines.

use crate::settings::LogFormat;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; `RUST_LOG` overrides the default `info`
/// level. Lines go to stdout from a background thread, so a slow log pipe
/// never slows requests; none are dropped (audit lines must not be). Keep
/// the guard until exit: dropping it flushes what is buffered.
#[must_use = "dropping the guard stops log output"]
pub fn init(format: LogFormat) -> WorkerGuard {
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(4096)
        // The writer thread writes each batch of lines with one system
        // call and flushes after every batch, so nothing waits in it.
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout(),
        ));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
    guard
}
