//! One headless Chromium per person in a test, driven over WebDriver. A failed
//! test leaves a screenshot and the console log under `target/e2e-artifacts/`.

use fantoccini::error::CmdError;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub type TestResult<T = ()> = Result<T, String>;

/// Flags that work on these machines (see DEVELOPERS.md), plus a fake camera
/// and microphone that grant themselves.
const CHROMIUM_FLAGS: [&str; 12] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    // Two fake cameras, so a test can change device mid-call.
    "--use-fake-device-for-media-stream=device-count=2",
    "--use-fake-ui-for-media-stream",
    "--window-size=1024,768",
    // A reload that rejoins a call plays the remote audio without a new click.
    "--autoplay-policy=no-user-gesture-required",
];

/// A microphone of this browser's own: beeps (a quarter second on, a
/// quarter off) at a pitch no other browser in the test uses. With
/// Chromium's one shared fake beep, each browser's echo canceller took the
/// others' beeps, played back to it, for its own voice and removed it.
fn fake_microphone() -> std::path::PathBuf {
    const RATE: u32 = 48_000;
    static LAUNCHED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nth = LAUNCHED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let pitch = 300.0 + f64::from(nth % 12) * 70.0;
    let samples: Vec<i16> = (0..RATE * 2)
        .map(|i| {
            let t = f64::from(i) / f64::from(RATE);
            let on = (t * 2.0).fract() < 0.5;
            let level = if on { 0.4 * f64::from(i16::MAX) } else { 0.0 };
            (level * (t * pitch * std::f64::consts::TAU).sin()) as i16
        })
        .collect();
    let data_bytes = (samples.len() * 2) as u32;
    let mut wav = Vec::with_capacity(44 + samples.len() * 2);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_bytes).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    for field in [
        16u32.to_le_bytes().as_slice(),
        &1u16.to_le_bytes(),
        &1u16.to_le_bytes(),
    ] {
        wav.extend_from_slice(field);
    }
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&(RATE * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_bytes.to_le_bytes());
    for sample in samples {
        wav.extend_from_slice(&sample.to_le_bytes());
    }
    let path = std::env::temp_dir().join(format!(
        "hearth-microphone-{}-{nth}.wav",
        std::process::id()
    ));
    std::fs::write(&path, wav).expect("write the fake microphone");
    path
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// A browser whose person reads `languages` (`Accept-Language` and
    /// `navigator.languages`, best first: "es-MX,es").
    pub async fn launch(languages: &str) -> Browser {
        let port = crate::free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver is installed (cargo xtask test installs it)");
        let profile = std::env::temp_dir().join(format!("hearth-chromium-{port}"));
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!("--accept-lang={languages}"));
        args.push(format!(
            "--lang={}",
            languages.split(',').next().unwrap_or(languages)
        ));
        args.push(format!(
            "--use-file-for-fake-audio-capture={}",
            fake_microphone().display()
        ));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!("a JSON object literal"),
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => break client,
                Err(err) if Instant::now() > deadline => {
                    panic!("chromedriver never answered: {err}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser {
            client,
            driver,
            profile,
        }
    }

    pub async fn goto(&self, url: &str) -> TestResult {
        self.client
            .goto(url)
            .await
            .map_err(|err| format!("cannot open {url}: {err}"))
    }

    /// Opens `url` as a fresh page load, even if only its fragment differs
    /// from the current address (a deep link, as a person would open it).
    pub async fn open_fresh(&self, url: &str) -> TestResult {
        self.goto("about:blank").await?;
        self.goto(url).await
    }

    /// Waits until an element matching `css` contains `needle`; returns its text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> TestResult<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(elements) = self.client.find_all(Locator::Css(css)).await {
                for element in elements {
                    if let Ok(text) = element.text().await {
                        if text.contains(needle) {
                            return Ok(text);
                        }
                        last = text;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "no `{css}` containing {needle:?} within 15 s (last text: {last:?})"
        ))
    }

    /// Presses and releases one key wherever the focus is, as a person
    /// does (`fantoccini::key::Key` converts to a `char` for special keys).
    pub async fn press_key(&self, key: char) -> TestResult {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let press = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client
            .perform_actions(press)
            .await
            .map_err(|err| format!("cannot press {key:?}: {err}"))
    }

    pub async fn fill(&self, css: &str, text: &str) -> TestResult {
        let element = self.find(css).await?;
        element
            .clear()
            .await
            .map_err(|err| format!("cannot clear `{css}`: {err}"))?;
        element
            .send_keys(text)
            .await
            .map_err(|err| format!("cannot type into `{css}`: {err}"))
    }

    pub async fn click(&self, css: &str) -> TestResult {
        self.find(css)
            .await?
            .click()
            .await
            .map_err(|err| format!("cannot click `{css}`: {err}"))
    }

    /// The current `value` of the form field matching `css`.
    pub async fn value_of(&self, css: &str) -> TestResult<String> {
        self.find(css)
            .await?
            .prop("value")
            .await
            .map_err(|err| format!("cannot read `{css}`: {err}"))?
            .ok_or_else(|| format!("`{css}` has no value"))
    }

    async fn find(&self, css: &str) -> TestResult<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .map_err(|err| format!("no `{css}` within 15 s: {err}"))
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub async fn eval(&self, script: &str) -> TestResult<Value> {
        self.client
            .execute(script, Vec::new())
            .await
            .map_err(|err| format!("script failed: {err}\n{script}"))
    }

    /// Runs `body` as an async function in the page and returns what it
    /// resolves to; a rejection becomes an error.
    pub async fn eval_async(&self, body: &str, args: Vec<Value>) -> TestResult<Value> {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             (async (...args) => {{ {body} }})(...[...arguments].slice(0, -1))
               .then(value => done({{ value }}), error => done({{ error: String(error) }}));"
        );
        let outcome = self
            .client
            .execute_async(&script, args)
            .await
            .map_err(|err| format!("script failed: {err}\n{body}"))?;
        match outcome.get("error") {
            Some(error) => Err(format!("script rejected: {error}\n{body}")),
            None => Ok(outcome.get("value").cloned().unwrap_or(Value::Null)),
        }
    }

    /// Waits until `condition` (a JS expression) is true in the page.
    pub async fn wait_until(&self, condition: &str, timeout: Duration) -> TestResult {
        let deadline = Instant::now() + timeout;
        let script = format!("try {{ return !!({condition}); }} catch (e) {{ return false; }}");
        while Instant::now() < deadline {
            if self.eval(&script).await? == Value::Bool(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("not true within {timeout:?}: {condition}"))
    }

    /// Runs `script` at the start of every page this browser opens from
    /// now on, before the page's own scripts (DevTools'
    /// `Page.addScriptToEvaluateOnNewDocument`, through chromedriver).
    pub async fn on_every_page(&self, script: &str) -> TestResult {
        self.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": script }),
        )
        .await
        .map_err(|err| format!("cannot add a start-up script: {err}"))
    }

    /// Runs a test tool's own script (axe-core) in the page as DevTools
    /// does, outside the page's Content-Security-Policy, which rightly
    /// refuses `eval`.
    pub async fn run_tool_script(&self, source: &str) -> TestResult {
        self.devtools("Runtime.evaluate", json!({ "expression": source }))
            .await
            .map_err(|err| format!("cannot run a tool script: {err}"))
    }

    /// One DevTools protocol command on the current page.
    pub async fn devtools(&self, command: &'static str, params: Value) -> Result<(), CmdError> {
        self.client
            .issue_cmd(DevTools { command, params })
            .await
            .map(drop)
    }

    /// Kills this browser without letting the page say goodbye, as a crash would.
    pub fn kill_chromium(&self) {
        let _ = std::process::Command::new("pkill")
            .args([
                "-KILL",
                "-f",
                &format!("user-data-dir={}", self.profile.display()),
            ])
            .status();
    }

    async fn console_log(&self) -> String {
        match self.client.issue_cmd(BrowserLog).await {
            Ok(Value::Array(entries)) => entries
                .iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["level"].as_str().unwrap_or("?"),
                        e["message"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Ok(other) => other.to_string(),
            Err(err) => format!("(console log unavailable: {err})"),
        }
    }

    /// What the browser refused under the page's Content-Security-Policy
    /// since the last look at its console.
    pub async fn policy_refusals(&self) -> Vec<String> {
        self.console_log()
            .await
            .lines()
            .filter(|line| line.contains("Content Security Policy"))
            .map(str::to_owned)
            .collect()
    }

    /// Fails if the browser refused anything under the page's
    /// Content-Security-Policy: Hearth must run within its own policy.
    async fn kept_to_its_security_policy(&self) -> TestResult {
        let refused = self.policy_refusals().await;
        if refused.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the page broke its Content-Security-Policy:\n{}",
                refused.join("\n")
            ))
        }
    }

    /// Saves what the page shows now as `target/e2e-artifacts/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        let dir = crate::artifacts_dir();
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    async fn save_artifacts(&self, name: &str) {
        let dir = crate::artifacts_dir();
        self.screenshot(name).await;
        let _ = std::fs::write(
            dir.join(format!("{name}.console.log")),
            self.console_log().await,
        );
        eprintln!(
            "{name}: screenshot and console log saved in {}",
            dir.display()
        );
    }

    async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Runs `test` in a fresh browser; on failure saves artifacts, then panics
/// with the failure so the test runner reports it.
pub async fn with_browser(name: &str, test: impl AsyncFnOnce(&Browser) -> TestResult) {
    with_browsers(name, 1, async |browsers: &[Browser]| {
        test(&browsers[0]).await
    })
    .await;
}

/// Runs `test` with `count` browsers, one per person; on failure saves each
/// one's screenshot and console log (`name-0`, `name-1`, …).
pub async fn with_browsers(
    name: &str,
    count: usize,
    test: impl AsyncFnOnce(&[Browser]) -> TestResult,
) {
    with_browsers_reading(name, &vec![ENGLISH; count], test).await;
}

/// The language of every browser unless a test says otherwise.
pub const ENGLISH: &str = "en-US,en";

/// As [`with_browsers`], one browser per entry of `languages`, each
/// reading those languages.
pub async fn with_browsers_reading(
    name: &str,
    languages: &[&str],
    test: impl AsyncFnOnce(&[Browser]) -> TestResult,
) {
    let mut browsers = Vec::with_capacity(languages.len());
    for language in languages {
        browsers.push(Browser::launch(language).await);
    }
    let mut outcome = test(&browsers).await;
    if outcome.is_ok() {
        for browser in &browsers {
            if let Err(err) = browser.kept_to_its_security_policy().await {
                outcome = Err(err);
            }
        }
    }
    // Everyone's state first: closing one browser changes what the others show.
    if outcome.is_err() {
        for (index, browser) in browsers.iter().enumerate() {
            browser.save_artifacts(&format!("{name}-{index}")).await;
        }
    }
    for browser in browsers {
        browser.close().await;
    }
    if let Err(err) = outcome {
        panic!("{name}: {err}");
    }
}

/// chromedriver's console-log endpoint, which fantoccini has no method for.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// chromedriver's passthrough to a DevTools protocol command.
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
