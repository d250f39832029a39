//! Brotli and gzip copies of the SPA's assets, written beside each one in
//! `dist/` after Trunk builds it (`app.wasm` → `app.wasm.br`, `app.wasm.gz`),
//! at the best levels: the work is done once per build, and every patient
//! then downloads the smaller file. The token service serves them
//! (`token-service/src/site.rs`); static hosts can too (README).

use crate::steps::StepResult;
use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::Path;

/// Text and wasm; not `config.json`, which ops edit in place.
pub fn worth_compressing(name: &str) -> bool {
    let kind = name.rsplit('.').next().unwrap_or_default();
    matches!(kind, "html" | "js" | "wasm" | "css" | "json" | "svg") && name != "config.json"
}

pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Writes both copies of every asset worth compressing at the top of `dist`.
pub fn precompress(dist: &Path) -> StepResult {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(entry.path().is_file() && worth_compressing(&name)) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| format!("{name}: {e}"))?;
        for (ext, copy) in [("br", brotli(&bytes)), ("gz", gzip(&bytes))] {
            std::fs::write(dist.join(format!("{name}.{ext}")), copy)
                .map_err(|e| format!("{name}.{ext}: {e}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_compressed_and_the_editable_config_is_not() {
        for name in ["index.html", "app-1a_bg.wasm", "app-1a.js", "style-1a.css"] {
            assert!(worth_compressing(name), "{name}");
        }
        for name in ["config.json", "app.wasm.br", "app.wasm.gz", "logo.png"] {
            assert!(!worth_compressing(name), "{name}");
        }
        let text = "a calm waiting room ".repeat(100);
        let (br, gz) = (brotli(text.as_bytes()), gzip(text.as_bytes()));
        assert!(br.len() < gz.len() && gz.len() < text.len() / 10);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
    }
}
