//! The call's chat, checked where it matters: the message shows in the other
//! browser, and no server ever carried it.

use crate::browser::{Browser, TestResult};
use crate::flows::SHORT;

/// Records, in every page the browser opens from now on, everything the
/// page sends to a server: WebSocket messages, `fetch` and XHR bodies and
/// URLs, beacons. Peer-to-peer data channels are not servers and are not
/// recorded. Call before opening the page.
pub async fn record_what_servers_receive(b: &Browser) -> TestResult {
    b.on_every_page(
        "window.hearthToServers = [];
         const keep = (...parts) => window.hearthToServers.push(parts.map(String).join(' '));
         const send = WebSocket.prototype.send;
         WebSocket.prototype.send = function (data) { keep(this.url, data); return send.call(this, data); };
         const fetch = window.fetch;
         window.fetch = function (input, init) { keep(input?.url ?? input, init?.body ?? ''); return fetch.call(this, input, init); };
         const open = XMLHttpRequest.prototype.open;
         XMLHttpRequest.prototype.open = function (method, url, ...rest) { keep(url); return open.call(this, method, url, ...rest); };
         const xhrSend = XMLHttpRequest.prototype.send;
         XMLHttpRequest.prototype.send = function (body) { keep(body ?? ''); return xhrSend.call(this, body); };
         const beacon = navigator.sendBeacon.bind(navigator);
         navigator.sendBeacon = (url, data) => { keep(url, data ?? ''); return beacon(url, data); };",
    )
    .await
}

/// `from` writes `text` in the chat and `to` receives it: with the chat
/// closed, the unread count and the spoken announcement; opened, the line
/// with `from_label` as its author.
pub async fn chat_reaches(
    from: &Browser,
    to: &Browser,
    text: &str,
    from_label: &str,
) -> TestResult {
    if !is_open(from).await? {
        from.click("button.chat-toggle").await?;
    }
    from.fill("#chat-input", text).await?;
    from.click(".chat-form button[type=submit]").await?;
    from.wait_for_text(".chat-log li.mine:last-child", text)
        .await?;
    if !is_open(to).await? {
        // What a screen reader is given: the count, and the message itself.
        to.wait_until(
            "/\\d/.test(document.querySelector('.chat-toggle .badge .visually-hidden')?.textContent)",
            SHORT,
        )
        .await?;
        to.wait_until(&holds_text(".chat [aria-live]", text), SHORT)
            .await?;
        to.click("button.chat-toggle").await?;
    }
    let line = to.wait_for_text(".chat-log li:last-child", text).await?;
    if line.contains(from_label) {
        Ok(())
    } else {
        Err(format!(
            "the message arrived as {line:?}, not from {from_label}"
        ))
    }
}

/// A page condition: the first element matching `css` has `text` in its
/// text, hidden or not (what a screen reader is given, too).
pub fn holds_text(css: &str, text: &str) -> String {
    format!(
        "document.querySelector('{css}')?.textContent.includes({})",
        serde_json::json!(text)
    )
}

async fn is_open(b: &Browser) -> TestResult<bool> {
    let open = b
        .eval("return !!document.querySelector('#chat-panel')")
        .await?;
    Ok(open.as_bool() == Some(true))
}

/// None of what the browser sent to a server (see
/// [`record_what_servers_receive`]), and nothing the service logged,
/// contains `text`; and the recording did see traffic, so this can fail.
pub async fn no_server_carried(browsers: &[&Browser], text: &str) -> TestResult {
    for b in browsers {
        let sent = b.eval("return window.hearthToServers").await?;
        let sent = sent
            .as_array()
            .ok_or("nothing recorded: call record_what_servers_receive first")?;
        if sent.is_empty() {
            return Err("no traffic to a server was recorded at all".into());
        }
        if let Some(leak) = sent.iter().find(|m| m.to_string().contains(text)) {
            return Err(format!("a server was sent the chat: {leak}"));
        }
        let stored = b
            .eval("return JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
            .await?;
        if stored.to_string().contains(text) {
            return Err(format!("the chat was stored in the browser: {stored}"));
        }
    }
    let path = crate::artifacts_dir().join("service.log");
    let log = std::fs::read_to_string(&path).unwrap_or_default();
    if log.is_empty() {
        return Err(format!("the service logged nothing to {}", path.display()));
    }
    if log.contains(text) {
        return Err("the service logged the chat".into());
    }
    Ok(())
}
