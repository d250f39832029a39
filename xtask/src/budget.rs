//! The first-paint size budget. Sizes are deterministic for a given build, so
//! going over the budget fails the test command like any test.

use std::path::Path;

/// 250 KB gzipped for the patients' page (`index.html`) and the js, wasm and
/// css it loads before anything lazy: what a patient waits for.
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

/// The files `page` loads by itself: names after `./` in its text
/// (Trunk's loader, preloads and stylesheet), then the page.
pub fn loaded_by(page_name: &str, page: &str) -> Vec<String> {
    let mut names: Vec<String> = page
        .split("./")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                .collect::<String>()
        })
        .filter(|name| is_first_paint_asset(name))
        .collect();
    names.push(page_name.to_owned());
    names.sort();
    names.dedup();
    names
}

/// Measures `page` in `dist` and every first-paint asset it loads: the
/// patients' `index.html` is what the budget is for.
pub fn measure(dist: &Path, page: &str) -> std::io::Result<Vec<AssetSize>> {
    let text = std::fs::read_to_string(dist.join(page))?;
    loaded_by(page, &text)
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dist.join(&name))?;
            Ok(AssetSize {
                raw: bytes.len() as u64,
                gzipped: gzipped_len(&bytes),
                name,
            })
        })
        .collect()
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
    fn a_page_counts_what_it_loads_and_not_the_other_page() {
        let page = "<script type=module>import init from './hearth-frontend-1a.js';\n\
                    await init({ module_or_path: './hearth-frontend-1a_bg.wasm' });</script>\
                    <link href=./style-2b.css rel=stylesheet><link href=config.json rel=preload>";
        assert_eq!(
            loaded_by("index.html", page),
            [
                "hearth-frontend-1a.js",
                "hearth-frontend-1a_bg.wasm",
                "index.html",
                "style-2b.css"
            ]
        );
    }

    #[test]
    fn gzip_shrinks_repetitive_input() {
        assert!(gzipped_len(&[b'a'; 10_000]) < 100);
    }
}
