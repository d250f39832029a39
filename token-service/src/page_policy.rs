//! The Content-Security-Policy for the SPA pages this service serves. It is
//! built once at start-up from the files themselves: the inline loader
//! Trunk writes into `index.html` is allowed by its hash, and the API named
//! in `config.json` (if on another origin) may be connected to. Nothing else
//! runs or connects, so an injected script or a stolen-data beacon is
//! refused by the browser itself.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Every response that is not a page: nothing in it may load or run.
pub const NOTHING_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Where the Twilio SDK connects: room signalling and its insights
/// gateway (the SDK's README lists both).
const TWILIO_HOSTS: &str = "wss://global.vss.twilio.com wss://sdkgw.us1.twilio.com";

/// twilio-video 2.36.0 builds its dynamic `import()` with `new Function` as
/// it loads, and fails to load at all without `'unsafe-eval'`
/// (docs/twilio.md). Only Twilio mode allows it; inline scripts stay refused.
const TWILIO_EVAL: &str = " 'unsafe-eval'";

/// The policy for pages, from `index.html`, `config.json` (if present) and
/// whether video runs on Twilio.
pub fn page_policy(index_html: &str, config_json: Option<&str>, twilio: bool) -> String {
    let scripts: String = inline_scripts(index_html)
        .map(|script| format!(" 'sha256-{}'", STANDARD.encode(Sha256::digest(script))))
        .collect();
    let mut connect = String::from("'self'");
    if let Some(api) = config_json.and_then(|c| origin_of(c, "api_base_url", &["http", "https"])) {
        let socket = api.replacen("http", "ws", 1);
        connect.push_str(&format!(" {api} {socket}"));
    }
    if let Some(emulator) =
        config_json.and_then(|c| origin_of(c, "test_twilio_signalling_url", &["ws", "wss"]))
    {
        connect.push_str(&format!(" {emulator}"));
    }
    if twilio {
        connect.push(' ');
        connect.push_str(TWILIO_HOSTS);
    }
    let eval = if twilio { TWILIO_EVAL } else { "" };
    format!(
        "default-src 'self'; script-src 'self'{scripts} 'wasm-unsafe-eval'{eval}; \
         style-src 'self'; img-src 'self' data:; media-src 'self' mediastream: blob:; \
         connect-src {connect}; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The page policy for the SPA's pages in `dir` (each `.html`, in name
/// order); with none, no inline script may run at all.
pub fn for_dir(dir: &std::path::Path, twilio: bool) -> String {
    // Every page's inline loader: the patients' index.html and the
    // clinician's clinic.html each have their own.
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "html"))
        .collect();
    paths.sort();
    let pages: String = paths
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    let config = std::fs::read_to_string(dir.join("config.json")).ok();
    page_policy(&pages, config.as_deref(), twilio)
}

/// The text of each `<script>` without a `src`, as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|tag| {
        let (attributes, rest) = tag.split_once('>')?;
        let (body, _) = rest.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// The origin of the URL in `config.json`'s `field` when it is absolute
/// with one of `schemes` (`https://api.clinic`); a relative one is this
/// origin, already `'self'`. The tests' Twilio emulator
/// (`test_twilio_signalling_url`) is allowed the same way.
fn origin_of(config_json: &str, field: &str, schemes: &[&str]) -> Option<String> {
    let config: serde_json::Value = serde_json::from_str(config_json).ok()?;
    let url = url::Url::parse(config.get(field)?.as_str()?).ok()?;
    schemes
        .contains(&url.scheme())
        .then(|| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK_INDEX: &str = "<!doctype html><html><head><script type=module>import init from './app.js';\nawait init();</script><link href=./app.js rel=modulepreload><script src=./qrcode.js></script></head></html>";

    #[test]
    fn the_inline_loader_runs_by_its_hash_and_nothing_else_inline_does() {
        let policy = page_policy(TRUNK_INDEX, None, false);
        let loader = "import init from './app.js';\nawait init();";
        let hash = STANDARD.encode(Sha256::digest(loader));
        assert!(policy.contains(&format!(
            "script-src 'self' 'sha256-{hash}' 'wasm-unsafe-eval';"
        )));
        assert_eq!(policy.matches("sha256-").count(), 1, "{policy}");
        assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));
        assert!(policy.ends_with("frame-ancestors 'none'"));
        assert!(policy.contains("connect-src 'self';"));
    }

    #[test]
    fn an_api_on_another_origin_and_twilio_may_be_connected_to() {
        let config = r#"{"api_base_url": "https://api.clinic.example/hearth/"}"#;
        let policy = page_policy(TRUNK_INDEX, Some(config), true);
        assert!(policy.contains(
            "connect-src 'self' https://api.clinic.example wss://api.clinic.example \
             wss://global.vss.twilio.com wss://sdkgw.us1.twilio.com;"
        ));
        assert!(
            policy.contains("'wasm-unsafe-eval' 'unsafe-eval';"),
            "{policy}"
        );
        for same_origin in [r#"{"api_base_url": "./"}"#, "{}", "not json"] {
            assert!(
                page_policy(TRUNK_INDEX, Some(same_origin), false).contains("connect-src 'self';")
            );
        }
        let javascript = r#"{"api_base_url": "javascript:alert(1)"}"#;
        assert!(page_policy(TRUNK_INDEX, Some(javascript), false).contains("connect-src 'self';"));
    }

    #[test]
    fn a_test_twilio_emulator_named_in_the_config_may_be_connected_to() {
        let config = r#"{"api_base_url": "./", "test_twilio_signalling_url": "ws://127.0.0.1:4100/signaling"}"#;
        let policy = page_policy(TRUNK_INDEX, Some(config), true);
        assert!(
            policy.contains("connect-src 'self' ws://127.0.0.1:4100 wss://global"),
            "{policy}"
        );
        let not_a_socket =
            r#"{"api_base_url": "./", "test_twilio_signalling_url": "https://x.example"}"#;
        assert!(page_policy(TRUNK_INDEX, Some(not_a_socket), false).contains("connect-src 'self';"));
    }
}
