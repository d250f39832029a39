//! Load on the built-in rooms' signalling: N sockets in rooms of three, each
//! relaying a timestamped message to a room-mate every second. Prints sockets
//! held, relay latency p50/p99, the service's RSS per socket and errors.
//! `cargo xtask bench` runs it against one release copy, then against two
//! copies sharing rooms through Redis: sockets then alternate between the
//! copies, so most relays cross from one copy to the other.
//!
//! Usage: signalling_load <base-urls> <service-pids> <username> <password> [sockets] [seconds]
//! (URLs and pids comma-separated, one per copy.)

use api_types::{
    CreateVisitResponse, ServerSignal, SessionResponse, TokenResponse, SIGNALLING_PROTOCOL,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

/// The copies' resident memory together.
fn rss_kib(pids: &[&str]) -> u64 {
    pids.iter()
        .map(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("VmRSS:"))
                        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                })
                .unwrap_or_default()
        })
        .sum()
}

async fn post<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: String,
    body: serde_json::Value,
    bearer: Option<&str>,
) -> Result<T, String> {
    let mut request = client.post(url).json(&body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!(
            "{}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        ));
    }
    response.json().await.map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, bases, pids, username, password, rest @ ..] = args.as_slice() else {
        return Err("usage: signalling_load <base-urls> <service-pids> <username> <password> [sockets] [seconds]".into());
    };
    let bases: Vec<&str> = bases.split(',').collect();
    let pids: Vec<&str> = pids.split(',').collect();
    let base = bases[0];
    let sockets: usize = rest.first().and_then(|s| s.parse().ok()).unwrap_or(2_000);
    let seconds: u64 = rest.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let rooms = sockets.div_ceil(3);
    let client = reqwest::Client::new();
    let session: SessionResponse = post(
        &client,
        format!("{base}/api/session"),
        json!({"username": username, "password": password}),
        None,
    )
    .await?;

    let mut tokens: Vec<[TokenResponse; 3]> = Vec::with_capacity(rooms);
    for _ in 0..rooms {
        let visit: CreateVisitResponse = post(
            &client,
            format!("{base}/api/visits"),
            json!({}),
            Some(&session.token),
        )
        .await?;
        let token = |body| post::<TokenResponse>(&client, format!("{base}/api/token"), body, None);
        let clinician = post(
            &client,
            format!("{base}/api/token"),
            json!({"visit_id": visit.visit_id}),
            Some(&session.token),
        );
        tokens.push([
            token(json!({"invite": visit.patient_invite})).await?,
            token(json!({"invite": visit.guest_invite})).await?,
            clinician.await?,
        ]);
    }

    let baseline = rss_kib(&pids);
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let ws_urls: Vec<String> = bases
        .iter()
        .map(|base| format!("{}/api/rooms/ws", base.replacen("http", "ws", 1)))
        .collect();
    let mut connections = Vec::with_capacity(rooms * 3);
    for (room_index, room) in tokens.iter().enumerate() {
        for (index, token) in room.iter().enumerate() {
            let ws_url = &ws_urls[(room_index * 3 + index) % ws_urls.len()];
            let mut request = ws_url
                .as_str()
                .into_client_request()
                .map_err(|e| e.to_string())?;
            let protocols = format!("{SIGNALLING_PROTOCOL}, {}", token.token);
            request.headers_mut().insert(
                "sec-websocket-protocol",
                protocols.parse().map_err(|_| "header")?,
            );
            match tokio_tungstenite::connect_async(request).await {
                Ok((socket, _)) => {
                    connections.push((socket, room[(index + 1) % 3].identity.clone()))
                }
                Err(_) => {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
    let held = connections.len();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let loaded = rss_kib(&pids);

    let mut tasks = Vec::with_capacity(held);
    for (index, (socket, peer)) in connections.into_iter().enumerate() {
        let errors = errors.clone();
        // Spread the sends over each second, as independent browsers would.
        let offset = Duration::from_micros(1_000_000 * index as u64 / held as u64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(offset).await;
            let (mut sink, mut stream) = socket.split();
            let reader = tokio::spawn(async move {
                let mut latencies = Vec::new();
                while let Some(Ok(message)) = stream.next().await {
                    if let Message::Text(text) = message {
                        if let Ok(ServerSignal::Signal { payload, .. }) =
                            serde_json::from_str(&text)
                        {
                            let sent = payload["t"].as_u64().unwrap_or_default();
                            latencies.push(started.elapsed().as_micros() as u64 - sent);
                        }
                    }
                }
                latencies
            });
            for _ in 0..seconds {
                let t = started.elapsed().as_micros() as u64;
                let signal = json!({"type": "signal", "to": peer, "payload": {"t": t}});
                if sink.send(Message::text(signal.to_string())).await.is_err() {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = sink.close().await;
            reader.await.unwrap_or_default()
        }));
    }
    let mut latencies: Vec<u64> = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap_or_default());
    }
    latencies.sort_unstable();
    let expected = held as u64 * seconds;
    let lost = expected.saturating_sub(latencies.len() as u64);
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default() as f64
            / 1000.0
    };
    println!(
        "sockets held: {held} of {} (in {rooms} rooms of 3, across {} {})",
        rooms * 3,
        bases.len(),
        if bases.len() == 1 {
            "copy"
        } else {
            "copies sharing rooms through Redis"
        }
    );
    println!("relayed messages: {} of {expected}", latencies.len());
    println!(
        "relay latency: p50 {:.2} ms, p99 {:.2} ms (target p99 under 20 ms)",
        percentile(0.50),
        percentile(0.99)
    );
    println!(
        "service RSS: {:.1} MB idle, {:.1} MB with the sockets: {:.1} KB per socket (target under 20 KB)",
        baseline as f64 / 1024.0,
        loaded as f64 / 1024.0,
        loaded.saturating_sub(baseline) as f64 / held.max(1) as f64
    );
    let errors = errors.load(Ordering::Relaxed) + lost;
    println!("errors: {errors} (target 0)");
    if errors > 0 {
        return Err(format!(
            "{errors} failed connections, sends or lost messages"
        ));
    }
    Ok(())
}
