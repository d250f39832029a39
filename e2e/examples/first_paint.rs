//! Benchmark, not a test: a patient's link to a usable Join button on a
//! slow phone (Lighthouse's mobile profile: 150 ms latency, 1.6 Mbps down,
//! 750 kbps up, CPU 4× slower, 390×844), cold cache and then warm, against
//! the release `dist/` served by the real service, and in the same run by a
//! plain static host (files as they are: no compression, no caching
//! headers), for a ratio. Prints the median of 5 runs each and the bytes on
//! the wire. `cargo xtask bench first-paint`.

use e2e::browser::Browser;
use e2e::dist_dir;
use e2e::flows::{clinician_creates_visit, SHORT};
use e2e::servers::{copy_of_dist, serve_static, spawn_service_with};
use serde_json::{json, Value};

const RUNS: usize = 5;

/// Records when Join first becomes usable, in ms since navigation started.
const WATCH_FOR_JOIN: &str = "
    new MutationObserver((_, observer) => {
        if (document.querySelector('[data-view=prejoin] button.join:not([disabled])')) {
            window.hearthJoinAt = performance.now();
            observer.disconnect();
        }
    }).observe(document, { childList: true, subtree: true, attributes: true });";

/// Bytes this page load took from the network (0 for what the cache served).
const BYTES_ON_THE_WIRE: &str = "
    return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .reduce((sum, entry) => sum + entry.transferSize, 0);";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn devtools(b: &Browser, command: &'static str, params: Value) {
    b.devtools(command, params)
        .await
        .unwrap_or_else(|err| panic!("{command}: {err}"));
}

/// One load of `link`: (ms to a usable Join, bytes on the wire).
async fn load(b: &Browser, link: &str) -> (f64, f64) {
    b.goto("about:blank").await.expect("blank page");
    b.goto(link).await.expect("open the link");
    b.wait_until("window.hearthJoinAt", SHORT * 3)
        .await
        .expect("Join becomes usable");
    let at = b.eval("return window.hearthJoinAt").await.expect("time");
    let bytes = b.eval(BYTES_ON_THE_WIRE).await.expect("bytes");
    (
        at.as_f64().unwrap_or(f64::NAN),
        bytes.as_f64().unwrap_or(f64::NAN),
    )
}

/// Loads `link` cold and then warm on this browser, printing each run and
/// the bytes on the wire; returns the (cold, warm) medians in ms.
async fn measure(b: &Browser, host: &str, link: &str) -> (f64, f64) {
    let mut cold = Vec::new();
    for _ in 0..RUNS {
        devtools(b, "Network.clearBrowserCache", json!({})).await;
        cold.push(load(b, link).await);
    }
    let breakdown = b
        .eval(
            "return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
                .map(e => `${e.entryType === 'navigation' ? 'page' : e.name.split('/').pop()}: ${e.transferSize} B`)",
        )
        .await
        .expect("the last cold load's resources");
    println!("figure: {host}, last cold load by resource: {breakdown}");
    let mut warm = Vec::new();
    for _ in 0..RUNS {
        warm.push(load(b, link).await);
    }
    let mut medians = Vec::new();
    for (name, runs) in [("cold", cold), ("warm", warm)] {
        let times: Vec<f64> = runs.iter().map(|(ms, _)| *ms).collect();
        let bytes = median(runs.iter().map(|(_, b)| *b).collect());
        medians.push(median(times.clone()));
        println!(
            "figure: {host}, slow phone, {name} cache: Join usable after {:.0} ms (median of {RUNS}; runs {:?}), {:.1} kB on the wire",
            median(times.clone()),
            times.iter().map(|t| t.round() as i64).collect::<Vec<_>>(),
            bytes / 1000.0
        );
    }
    (medians[0], medians[1])
}

#[tokio::main]
async fn main() {
    // The plain host serves a copy of dist/ whose config names the service.
    let plain_dist = copy_of_dist("first-paint-plain");
    let plain = serve_static(&plain_dist);
    let origins: &'static str = Box::leak(plain.clone().into_boxed_str());
    let vars: &'static [(&str, &str)] = Box::leak(Box::new([("ALLOWED_ORIGINS", origins)]));
    let service = spawn_service_with(Some(dist_dir()), vars).await;
    std::fs::write(
        plain_dist.join("config.json"),
        json!({ "api_base_url": format!("{}/", service.url) }).to_string(),
    )
    .expect("the plain host's config.json");

    let b = Browser::launch(e2e::browser::ENGLISH).await;
    let (link, _) = clinician_creates_visit(&b, &service)
        .await
        .expect("a visit to open");
    b.client
        .set_window_size(390, 844)
        .await
        .expect("phone-sized window");
    devtools(&b, "Network.enable", json!({})).await;
    devtools(
        &b,
        "Network.emulateNetworkConditions",
        json!({ "offline": false, "latency": 150,
                "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8 }),
    )
    .await;
    devtools(&b, "Emulation.setCPUThrottlingRate", json!({ "rate": 4 })).await;
    b.on_every_page(WATCH_FOR_JOIN)
        .await
        .expect("watch for Join");

    let (cold, warm) = measure(&b, "Hearth's service", &link).await;
    let plain_link = link.replacen(&service.url, &plain, 1);
    let (plain_cold, plain_warm) = measure(&b, "plain static host", &plain_link).await;
    println!(
        "figure: Hearth's service against a plain static host, same run: cold {:.2}×, warm {:.2}×",
        cold / plain_cold,
        warm / plain_warm
    );
}
