//! The first-paint size budget. Sizes are deterministic for a given build, so
//! going over the budget fails the test command like any test.

use std::path::Path;

/// 250 KB gzipped for html + js + wasm + css before anything lazy loads.
pub const BUDGET_BYTES: u64 = 250_000;

/// Loaded only when first needed (a Twilio visit opens; the dashboard draws
/// a QR code), so they are outside the budget.
pub const LAZY_ASSETS: [&str; 2] = ["twilio-video.min.js", "qrcode.js"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetSize {
    pub name: String,
    pub raw: u64,
    pub gzipped: u64,
}

pub fn gzipped_len(bytes: &[u8]) -> u64 {
    crate::compress::gzip(bytes).len() as u64
}

pub fn is_first_paint_asset(name: &str) -> bool {
    let kind = name.rsplit('.').next().unwrap_or_default();
    matches!(kind, "html" | "js" | "wasm" | "css") && !LAZY_ASSETS.contains(&name)
}

/// Measures every first-paint asset at the top of `dist`.
pub fn measure(dist: &Path) -> std::io::Result<Vec<AssetSize>> {
    let mut sizes = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file() && is_first_paint_asset(&name) {
            let bytes = std::fs::read(entry.path())?;
            sizes.push(AssetSize {
                raw: bytes.len() as u64,
                gzipped: gzipped_len(&bytes),
                name,
            });
        }
    }
    sizes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(sizes)
}

/// The total gzipped size, or an error naming how far over budget it is.
pub fn check(sizes: &[AssetSize]) -> Result<u64, String> {
    let total: u64 = sizes.iter().map(|s| s.gzipped).sum();
    if sizes.iter().all(|s| !s.name.ends_with(".wasm")) {
        return Err("no .wasm file in dist/: the build is incomplete".to_owned());
    }
    if total > BUDGET_BYTES {
        return Err(format!(
            "first-paint payload is {total} bytes gzipped, {} over the {BUDGET_BYTES}-byte budget",
            total - BUDGET_BYTES
        ));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(name: &str, gzipped: u64) -> AssetSize {
        AssetSize {
            name: name.into(),
            raw: gzipped * 3,
            gzipped,
        }
    }

    #[test]
    fn the_twilio_sdk_and_non_code_files_are_outside_the_budget() {
        assert!(is_first_paint_asset("index.html"));
        assert!(is_first_paint_asset("hearth-frontend-1a2b_bg.wasm"));
        assert!(!is_first_paint_asset("twilio-video.min.js"));
        assert!(!is_first_paint_asset("config.json"));
    }

    #[test]
    fn over_budget_fails_and_under_passes() {
        assert_eq!(
            check(&[asset("a.wasm", 200_000), asset("a.js", 50_000)]),
            Ok(250_000)
        );
        let err = check(&[asset("a.wasm", 200_000), asset("a.js", 50_001)]).unwrap_err();
        assert!(err.contains("1 over"), "{err}");
        assert!(check(&[asset("index.html", 10)]).is_err());
    }

    #[test]
    fn gzip_shrinks_repetitive_input() {
        assert!(gzipped_len(&[b'a'; 10_000]) < 100);
    }
}
